import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { type It, MiB, invalidPaths, readAll, sha256Of, sha256, assertInvalidPath } from './support.js';

// The BlobStore suite's cases. Limits: invalid paths, large objects and concurrent use.

export function pathCases(it: It): void {
  it('invalid paths are rejected by every method with InvalidPathError', async (store) => {
    for (const path of invalidPaths) {
      const label = JSON.stringify(path);
      await assertInvalidPath(store.stat(path), label);
      await assertInvalidPath(store.getContent(path), label);
      await assertInvalidPath(store.putContent(path, Buffer.from('x')), label);
      await assertInvalidPath(store.reader(path), label);
      await assertInvalidPath(store.writer(path), label);
      await assertInvalidPath(store.move(path, 'paths/ok'), label);
      await assertInvalidPath(store.move('paths/ok', path), label);
      await assertInvalidPath(store.delete(path), label);
      if (path !== '') await assertInvalidPath(store.list(path), label);
    }
  });

  it('a rejected path touches nothing', async (store) => {
    await store.putContent('paths/ok', Buffer.from('x'));
    await assertInvalidPath(store.move('paths/ok', '../escape'), 'move to ../escape');
    await assertInvalidPath(store.delete('paths/../paths'), 'delete paths/../paths');
    assert.equal((await store.getContent('paths/ok')).toString(), 'x');
    assert.deepEqual(await store.list(''), ['paths']);
  });

  it('the characters of digests, uuids and tags are valid in paths', async (store) => {
    for (const path of [
      'blobs/sha256/2c/2cf24dbba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824',
      'uploads/0b6a1b0e-1f1e-4a7e-9f51-3f1f2f0c9c1d/data',
      'x/v1.2_3-rc.4',
      '_/A-Z.a_z',
    ]) {
      await store.putContent(path, Buffer.from(path));
      assert.equal((await store.getContent(path)).toString(), path);
    }
  });
}

export function scaleCases(it: It): void {
  it('a large object streamed through a writer in odd-sized chunks reads back intact', async (store) => {
    const size = 12 * MiB + 12345;
    const data = randomBytes(size);
    const writer = await store.writer('large/object');
    for (let offset = 0; offset < size; offset += 65_537)
      await writer.write(data.subarray(offset, Math.min(size, offset + 65_537)));
    assert.equal(writer.size, size);
    await writer.commit();
    await writer.close();
    assert.equal((await store.stat('large/object')).size, size);
    assert.equal(await sha256Of(await store.reader('large/object')), sha256(data));
    const start = 5 * MiB - 100;
    const end = 7 * MiB + 100;
    assert.ok(
      (await readAll(await store.reader('large/object', { start, end }))).equals(data.subarray(start, end + 1)),
    );
  });

  it('a large object appended over several sessions of MiB chunks reads back intact', async (store) => {
    const sessions = [randomBytes(6 * MiB + 1), randomBytes(3 * MiB), randomBytes(5 * MiB + 7)];
    for (const part of sessions) {
      const writer = await store.writer('large/appended', { append: true });
      for (let offset = 0; offset < part.length; offset += MiB) await writer.write(part.subarray(offset, offset + MiB));
      await writer.commit();
      await writer.close();
    }
    const all = Buffer.concat(sessions);
    assert.equal((await store.stat('large/appended')).size, all.length);
    assert.equal(await sha256Of(await store.reader('large/appended')), sha256(all));
  });

  it('concurrent writers to different paths do not interfere', async (store) => {
    const count = 16;
    const contents = Array.from({ length: count }, () =>
      Array.from({ length: 8 }, () => randomBytes(32 * 1024 + Math.floor(Math.random() * 1000))),
    );
    await Promise.all(
      contents.map(async (chunks, i) => {
        const writer = await store.writer(`concurrent/${i}/data`, { append: i % 2 === 0 });
        for (const chunk of chunks) {
          await writer.write(chunk);
          await new Promise((resolve) => setImmediate(resolve));
        }
        await writer.commit();
        await writer.close();
      }),
    );
    for (let i = 0; i < count; i++)
      assert.ok((await store.getContent(`concurrent/${i}/data`)).equals(Buffer.concat(contents[i])), `object ${i}`);
    assert.equal((await store.list('concurrent')).length, count);
  });

  it('concurrent readers of one object each get all of it', async (store) => {
    const data = randomBytes(2 * MiB);
    await store.putContent('concurrent/shared', data);
    const digests = await Promise.all(
      Array.from({ length: 8 }, async () => sha256Of(await store.reader('concurrent/shared'))),
    );
    for (const digest of digests) assert.equal(digest, sha256(data));
  });
}
