import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { type It, MiB, readAll, assertNotFound } from './support.js';

// The BlobStore suite's cases. Reading: stat, getContent/putContent, reader and list.

export function statCases(it: It): void {
  it('has a name', async (store) => {
    assert.equal(typeof store.name, 'string');
    assert.ok(store.name.length > 0);
  });

  it('stat gives the size and a recent modification time', async (store) => {
    const before = Date.now();
    await store.putContent('stat/object', Buffer.from('twelve bytes'));
    const info = await store.stat('stat/object');
    assert.equal(info.size, 12);
    assert.ok(info.modifiedAt instanceof Date);
    // Generous bounds: object stores keep their own clock and second resolution.
    assert.ok(Math.abs(info.modifiedAt.getTime() - before) < 5 * 60_000, `modifiedAt ${info.modifiedAt.toISOString()}`);
  });

  it('stat of an empty object is size 0', async (store) => {
    await store.putContent('stat/empty', new Uint8Array());
    assert.equal((await store.stat('stat/empty')).size, 0);
  });

  it('stat of a missing path is PathNotFoundError', async (store) => {
    await assertNotFound(store.stat('stat/missing'), 'stat/missing');
  });

  it('stat of a prefix that only holds other objects is PathNotFoundError', async (store) => {
    await store.putContent('stat/dir/child', Buffer.from('x'));
    await assertNotFound(store.stat('stat/dir'), 'stat/dir');
  });

  it('stat below an object is PathNotFoundError', async (store) => {
    await store.putContent('stat/file', Buffer.from('x'));
    await assertNotFound(store.stat('stat/file/below'), 'stat/file/below');
  });

  it('stat after an overwrite gives the new size', async (store) => {
    await store.putContent('stat/grow', Buffer.from('a'));
    await store.putContent('stat/grow', Buffer.from('abcdef'));
    assert.equal((await store.stat('stat/grow')).size, 6);
  });
}

export function contentCases(it: It): void {
  it('putContent then getContent returns the same bytes', async (store) => {
    const bytes = randomBytes(4096);
    await store.putContent('content/random', bytes);
    assert.deepEqual(await store.getContent('content/random'), bytes);
  });

  it('every byte value survives the round trip', async (store) => {
    const bytes = Buffer.from(Array.from({ length: 512 }, (_, i) => i % 256));
    await store.putContent('content/bytes', bytes);
    const back = await store.getContent('content/bytes');
    assert.ok(Buffer.isBuffer(back));
    assert.deepEqual(back, bytes);
  });

  it('an empty object round-trips', async (store) => {
    await store.putContent('content/empty', new Uint8Array());
    assert.equal((await store.getContent('content/empty')).length, 0);
  });

  it('putContent accepts a Uint8Array view into a larger buffer', async (store) => {
    const backing = Buffer.from('xxhello worldxx');
    await store.putContent('content/view', new Uint8Array(backing.buffer, backing.byteOffset + 2, 11));
    assert.equal((await store.getContent('content/view')).toString(), 'hello world');
  });

  it('putContent creates deep paths', async (store) => {
    await store.putContent('content/a/b/c/d/e/f/object', Buffer.from('deep'));
    assert.equal((await store.getContent('content/a/b/c/d/e/f/object')).toString(), 'deep');
  });

  it('putContent replaces an object, leaving no bytes of the old one', async (store) => {
    await store.putContent('content/replace', Buffer.from('a much longer first version'));
    await store.putContent('content/replace', Buffer.from('short'));
    assert.equal((await store.getContent('content/replace')).toString(), 'short');
  });

  it('getContent of a missing path, a prefix or a path below an object is PathNotFoundError', async (store) => {
    await store.putContent('content/dir/object', Buffer.from('x'));
    await assertNotFound(store.getContent('content/missing'), 'content/missing');
    await assertNotFound(store.getContent('content/dir'), 'content/dir');
    await assertNotFound(store.getContent('content/dir/object/below'), 'content/dir/object/below');
  });

  it('putContent leaves nothing else behind in the listing', async (store) => {
    await store.putContent('content/only/one', Buffer.from('1'));
    await store.putContent('content/only/one', Buffer.from('2'));
    assert.deepEqual(await store.list('content/only'), ['content/only/one']);
  });

  it('concurrent putContent: readers see one whole version, never a mix', async (store) => {
    const versions = Array.from({ length: 8 }, (_, i) => Buffer.alloc(64 * 1024 + i * 4099, 0x41 + i));
    await store.putContent('content/atomic', versions[0]);
    const reads: Buffer[] = [];
    let writing = true;
    const reader = (async () => {
      while (writing) reads.push(await store.getContent('content/atomic'));
    })();
    await Promise.all(versions.map((v) => store.putContent('content/atomic', v)));
    writing = false;
    await reader;
    reads.push(await store.getContent('content/atomic'));
    for (const read of reads) {
      const version = versions[read[0] - 0x41];
      assert.ok(version, `unexpected first byte ${read[0]}`);
      assert.ok(read.equals(version), 'a read mixed two versions');
    }
  });
}

export function readerCases(it: It): void {
  const content = Buffer.from('0123456789abcdefghij');

  it('reader streams the whole object', async (store) => {
    await store.putContent('reader/object', content);
    assert.deepEqual(await readAll(await store.reader('reader/object')), content);
  });

  it('reader streams an inclusive byte range', async (store) => {
    await store.putContent('reader/object', content);
    assert.equal((await readAll(await store.reader('reader/object', { start: 0, end: 0 }))).toString(), '0');
    assert.equal((await readAll(await store.reader('reader/object', { start: 3, end: 7 }))).toString(), '34567');
    assert.equal((await readAll(await store.reader('reader/object', { start: 10, end: 19 }))).toString(), 'abcdefghij');
    assert.equal((await readAll(await store.reader('reader/object', { start: 19, end: 19 }))).toString(), 'j');
    assert.equal(
      (await readAll(await store.reader('reader/object', { start: 0, end: 19 }))).toString(),
      content.toString(),
    );
  });

  it('a range ending past the object stops at its last byte', async (store) => {
    await store.putContent('reader/object', content);
    assert.equal((await readAll(await store.reader('reader/object', { start: 15, end: 1000 }))).toString(), 'fghij');
  });

  it('reader of an empty object is an empty stream', async (store) => {
    await store.putContent('reader/empty', new Uint8Array());
    assert.equal((await readAll(await store.reader('reader/empty'))).length, 0);
  });

  it('reader of a missing path rejects with PathNotFoundError, with or without a range', async (store) => {
    await assertNotFound(store.reader('reader/missing'), 'reader/missing');
    await assertNotFound(store.reader('reader/missing', { start: 0, end: 1 }), 'reader/missing');
    await store.putContent('reader/dir/child', content);
    await assertNotFound(store.reader('reader/dir'), 'reader/dir');
  });

  it('a reader opened before a delete still reads the whole object', async (store) => {
    const data = randomBytes(MiB);
    await store.putContent('reader/doomed', data);
    const stream = await store.reader('reader/doomed');
    await store.delete('reader/doomed');
    assert.ok((await readAll(stream)).equals(data));
  });

  it('a reader opened before an overwrite reads one version', async (store) => {
    await store.putContent('reader/snapshot', Buffer.alloc(256 * 1024, 1));
    const stream = await store.reader('reader/snapshot');
    await store.putContent('reader/snapshot', Buffer.alloc(256 * 1024, 2));
    const read = await readAll(stream);
    assert.equal(read.length, 256 * 1024);
    assert.ok(
      read.every((b) => b === read[0]),
      'the stream mixed two versions',
    );
  });
}

export function listCases(it: It): void {
  it('list gives the direct children, objects and prefixes, as full sorted paths', async (store) => {
    for (const path of ['list/b', 'list/a', 'list/c/1', 'list/c/2', 'list/d/e/f', 'list/a.b', 'list/A'])
      await store.putContent(path, Buffer.from(path));
    assert.deepEqual(await store.list('list'), ['list/A', 'list/a', 'list/a.b', 'list/b', 'list/c', 'list/d']);
    assert.deepEqual(await store.list('list/c'), ['list/c/1', 'list/c/2']);
    assert.deepEqual(await store.list('list/d'), ['list/d/e']);
    assert.deepEqual(await store.list('list/d/e'), ['list/d/e/f']);
  });

  it('list of a missing prefix, or of an object, is empty', async (store) => {
    await store.putContent('list/object', Buffer.from('x'));
    assert.deepEqual(await store.list('list/missing'), []);
    assert.deepEqual(await store.list('nothing/here/at/all'), []);
    assert.deepEqual(await store.list('list/object'), []);
  });

  it('list of the root ("") gives the top-level prefixes', async (store) => {
    assert.deepEqual(await store.list(''), []);
    await store.putContent('blobs/sha256/ab/abcdef', Buffer.from('x'));
    await store.putContent('uploads/u1/data', Buffer.from('y'));
    assert.deepEqual(await store.list(''), ['blobs', 'uploads']);
  });

  it('list does not show prefixes that share the first characters', async (store) => {
    await store.putContent('list/ab/1', Buffer.from('1'));
    await store.putContent('list/abc/2', Buffer.from('2'));
    assert.deepEqual(await store.list('list/ab'), ['list/ab/1']);
  });

  it('list scales to many children', async (store) => {
    const names = Array.from({ length: 1200 }, (_, i) => `many/${String(i).padStart(4, '0')}`);
    for (let i = 0; i < names.length; i += 100)
      await Promise.all(names.slice(i, i + 100).map((path) => store.putContent(path, Buffer.from('x'))));
    assert.deepEqual(await store.list('many'), names);
  });
}
