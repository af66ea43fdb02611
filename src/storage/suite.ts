import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import type { Readable } from 'node:stream';
import { InvalidPathError, PathNotFoundError, type BlobStore } from './driver.js';

// The one BlobStore test suite (distribution's habit: every driver runs the same cases).
// A driver's test file is a single call: blobStoreSuite('fs', makeStore). Each case
// gets a fresh, empty store from makeStore and calls cleanup when it ends.

export interface StoreUnderTest {
  store: BlobStore;
  cleanup(): Promise<void>;
}

const MiB = 1024 * 1024;
const invalidPaths = ['', '/', '/abs', 'a/', 'a//b', '.', '..', 'a/../b', '../a', 'a/./b', 'a b', 'a\\b', 'a\0b', 'a/b?c', 'ä'];

export function blobStoreSuite(name: string, makeStore: () => Promise<StoreUnderTest>): void {
  const it = (title: string, fn: (store: BlobStore) => Promise<void>) =>
    test(title, async () => {
      const { store, cleanup } = await makeStore();
      try {
        await fn(store);
      } finally {
        await cleanup();
      }
    });

  describe(`BlobStore suite: ${name}`, () => {
    describe('stat', () => statCases(it));
    describe('getContent and putContent', () => contentCases(it));
    describe('reader', () => readerCases(it));
    describe('writer', () => writerCases(it));
    describe('move', () => moveCases(it));
    describe('delete', () => deleteCases(it));
    describe('list', () => listCases(it));
    describe('paths', () => pathCases(it));
    describe('large and concurrent', () => scaleCases(it));
  });
}

type It = (title: string, fn: (store: BlobStore) => Promise<void>) => void;

function statCases(it: It): void {
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

function contentCases(it: It): void {
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

function readerCases(it: It): void {
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
    assert.equal((await readAll(await store.reader('reader/object', { start: 0, end: 19 }))).toString(), content.toString());
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
    assert.ok(read.every((b) => b === read[0]), 'the stream mixed two versions');
  });
}

function writerCases(it: It): void {
  it('a writer creates an object from chunks and counts its size', async (store) => {
    const writer = await store.writer('writer/new');
    assert.equal(writer.size, 0);
    await writer.write(Buffer.from('hello '));
    assert.equal(writer.size, 6);
    await writer.write(new Uint8Array());
    await writer.write(Buffer.from('world'));
    assert.equal(writer.size, 11);
    await writer.commit();
    await writer.close();
    assert.equal((await store.getContent('writer/new')).toString(), 'hello world');
    assert.equal((await store.stat('writer/new')).size, 11);
  });

  it('a committed empty writer leaves an empty object', async (store) => {
    const writer = await store.writer('writer/empty');
    await writer.commit();
    await writer.close();
    assert.equal((await store.stat('writer/empty')).size, 0);
  });

  it('append continues an existing object; size includes the bytes already there', async (store) => {
    await store.putContent('writer/append', Buffer.from('abc'));
    const writer = await store.writer('writer/append', { append: true });
    assert.equal(writer.size, 3);
    await writer.write(Buffer.from('def'));
    assert.equal(writer.size, 6);
    await writer.commit();
    await writer.close();
    assert.equal((await store.getContent('writer/append')).toString(), 'abcdef');
  });

  it('append across several writer sessions, as chunked uploads do', async (store) => {
    const parts = ['first chunk;', 'second chunk;', 'third'];
    let expected = 0;
    for (const part of parts) {
      const writer = await store.writer('writer/sessions', { append: true });
      assert.equal(writer.size, expected);
      await writer.write(Buffer.from(part));
      await writer.commit();
      await writer.close();
      expected += part.length;
      assert.equal((await store.stat('writer/sessions')).size, expected);
    }
    assert.equal((await store.getContent('writer/sessions')).toString(), parts.join(''));
  });

  it('append to a missing path creates the object', async (store) => {
    const writer = await store.writer('writer/fresh-append', { append: true });
    assert.equal(writer.size, 0);
    await writer.write(Buffer.from('new'));
    await writer.commit();
    await writer.close();
    assert.equal((await store.getContent('writer/fresh-append')).toString(), 'new');
  });

  it('a writer without append replaces an existing object', async (store) => {
    await store.putContent('writer/replace', Buffer.from('old content that is long'));
    const writer = await store.writer('writer/replace');
    assert.equal(writer.size, 0);
    await writer.write(Buffer.from('new'));
    await writer.commit();
    await writer.close();
    assert.equal((await store.getContent('writer/replace')).toString(), 'new');
  });

  it('cancel deletes what the writer wrote', async (store) => {
    const writer = await store.writer('writer/cancelled/data');
    await writer.write(randomBytes(1000));
    await writer.cancel();
    await assertNotFound(store.stat('writer/cancelled/data'), 'writer/cancelled/data');
    assert.deepEqual(await store.list('writer/cancelled'), []);
  });

  it('cancel of an append writer abandons the whole object', async (store) => {
    await store.putContent('writer/cancel-append', Buffer.from('committed'));
    const writer = await store.writer('writer/cancel-append', { append: true });
    await writer.write(Buffer.from(' more'));
    await writer.cancel();
    await assertNotFound(store.stat('writer/cancel-append'), 'writer/cancel-append');
  });

  it('cancel leaves other objects alone', async (store) => {
    await store.putContent('writer/keep', Buffer.from('keep'));
    const writer = await store.writer('writer/drop');
    await writer.write(Buffer.from('drop'));
    await writer.cancel();
    assert.equal((await store.getContent('writer/keep')).toString(), 'keep');
    assert.deepEqual(await store.list('writer'), ['writer/keep']);
  });

  it('close after commit is idempotent', async (store) => {
    const writer = await store.writer('writer/close');
    await writer.write(Buffer.from('x'));
    await writer.commit();
    await writer.close();
    await writer.close();
    assert.equal((await store.getContent('writer/close')).toString(), 'x');
  });
}

function moveCases(it: It): void {
  it('move renames an object; the source is gone', async (store) => {
    await store.putContent('move/from/data', Buffer.from('payload'));
    await store.move('move/from/data', 'move/to/a/b/blob');
    assert.equal((await store.getContent('move/to/a/b/blob')).toString(), 'payload');
    await assertNotFound(store.stat('move/from/data'), 'move/from/data');
  });

  it('move replaces an object at the destination', async (store) => {
    await store.putContent('move/src', Buffer.from('new bytes'));
    await store.putContent('move/dst', Buffer.from('old bytes that are longer'));
    await store.move('move/src', 'move/dst');
    assert.equal((await store.getContent('move/dst')).toString(), 'new bytes');
    await assertNotFound(store.stat('move/src'), 'move/src');
  });

  it('move of a missing source is PathNotFoundError naming the source, and creates nothing', async (store) => {
    await assertNotFound(store.move('move/missing', 'move/target'), 'move/missing');
    await assertNotFound(store.stat('move/target'), 'move/target');
    await store.putContent('move/kept', Buffer.from('kept'));
    await assertNotFound(store.move('move/missing', 'move/kept'), 'move/missing');
    assert.equal((await store.getContent('move/kept')).toString(), 'kept');
  });

  it('move of an object written by a writer', async (store) => {
    const writer = await store.writer('move/upload/data', { append: true });
    await writer.write(randomBytes(70_000));
    await writer.commit();
    await writer.close();
    const bytes = await store.getContent('move/upload/data');
    await store.move('move/upload/data', 'move/blobs/xy/blob');
    assert.deepEqual(await store.getContent('move/blobs/xy/blob'), bytes);
  });

  it('an emptied source prefix disappears from the listing', async (store) => {
    await store.putContent('move/uploads/one/data', Buffer.from('1'));
    await store.move('move/uploads/one/data', 'move/done');
    assert.deepEqual(await store.list('move/uploads'), []);
    assert.deepEqual(await store.list('move'), ['move/done']);
  });
}

function deleteCases(it: It): void {
  it('delete removes one object', async (store) => {
    await store.putContent('delete/a', Buffer.from('a'));
    await store.putContent('delete/b', Buffer.from('b'));
    await store.delete('delete/a');
    await assertNotFound(store.stat('delete/a'), 'delete/a');
    assert.equal((await store.getContent('delete/b')).toString(), 'b');
  });

  it('delete of a prefix removes everything under it', async (store) => {
    for (const path of ['delete/tree/x', 'delete/tree/y/z', 'delete/tree/y/w/v']) await store.putContent(path, Buffer.from(path));
    await store.delete('delete/tree');
    for (const path of ['delete/tree/x', 'delete/tree/y/z', 'delete/tree/y/w/v']) await assertNotFound(store.stat(path), path);
    assert.deepEqual(await store.list('delete/tree'), []);
    assert.deepEqual(await store.list('delete'), []);
  });

  it('delete of a prefix spares siblings that share its first characters', async (store) => {
    await store.putContent('delete/ab/1', Buffer.from('1'));
    await store.putContent('delete/abc/2', Buffer.from('2'));
    await store.putContent('delete/ab-x', Buffer.from('3'));
    await store.delete('delete/ab');
    assert.equal((await store.getContent('delete/abc/2')).toString(), '2');
    assert.equal((await store.getContent('delete/ab-x')).toString(), '3');
    assert.deepEqual(await store.list('delete'), ['delete/ab-x', 'delete/abc']);
  });

  it('delete of a missing path is PathNotFoundError', async (store) => {
    await assertNotFound(store.delete('delete/missing'), 'delete/missing');
    await store.putContent('delete/present', Buffer.from('x'));
    await assertNotFound(store.delete('delete/pres'), 'delete/pres');
    await assertNotFound(store.delete('delete/present/below'), 'delete/present/below');
  });

  it('deleting the last object under a prefix removes the prefix', async (store) => {
    await store.putContent('delete/p/q/only', Buffer.from('x'));
    await store.putContent('delete/other', Buffer.from('y'));
    await store.delete('delete/p/q/only');
    assert.deepEqual(await store.list('delete'), ['delete/other']);
    await assertNotFound(store.delete('delete/p'), 'delete/p');
  });

  it('a deleted path can be written again', async (store) => {
    await store.putContent('delete/again/x', Buffer.from('1'));
    await store.delete('delete/again');
    await store.putContent('delete/again/x', Buffer.from('2'));
    assert.equal((await store.getContent('delete/again/x')).toString(), '2');
  });
}

function listCases(it: It): void {
  it('list gives the direct children, objects and prefixes, as full sorted paths', async (store) => {
    for (const path of ['list/b', 'list/a', 'list/c/1', 'list/c/2', 'list/d/e/f', 'list/a.b', 'list/A']) await store.putContent(path, Buffer.from(path));
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
    for (let i = 0; i < names.length; i += 100) await Promise.all(names.slice(i, i + 100).map((path) => store.putContent(path, Buffer.from('x'))));
    assert.deepEqual(await store.list('many'), names);
  });
}

function pathCases(it: It): void {
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
    for (const path of ['blobs/sha256/2c/2cf24dbba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824', 'uploads/0b6a1b0e-1f1e-4a7e-9f51-3f1f2f0c9c1d/data', 'x/v1.2_3-rc.4', '_/A-Z.a_z']) {
      await store.putContent(path, Buffer.from(path));
      assert.equal((await store.getContent(path)).toString(), path);
    }
  });
}

function scaleCases(it: It): void {
  it('a large object streamed through a writer in odd-sized chunks reads back intact', async (store) => {
    const size = 12 * MiB + 12345;
    const data = randomBytes(size);
    const writer = await store.writer('large/object');
    for (let offset = 0; offset < size; offset += 65_537) await writer.write(data.subarray(offset, Math.min(size, offset + 65_537)));
    assert.equal(writer.size, size);
    await writer.commit();
    await writer.close();
    assert.equal((await store.stat('large/object')).size, size);
    assert.equal(await sha256Of(await store.reader('large/object')), sha256(data));
    const start = 5 * MiB - 100;
    const end = 7 * MiB + 100;
    assert.ok((await readAll(await store.reader('large/object', { start, end }))).equals(data.subarray(start, end + 1)));
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
    const contents = Array.from({ length: count }, () => Array.from({ length: 8 }, () => randomBytes(32 * 1024 + Math.floor(Math.random() * 1000))));
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
    for (let i = 0; i < count; i++) assert.ok((await store.getContent(`concurrent/${i}/data`)).equals(Buffer.concat(contents[i])), `object ${i}`);
    assert.equal((await store.list('concurrent')).length, count);
  });

  it('concurrent readers of one object each get all of it', async (store) => {
    const data = randomBytes(2 * MiB);
    await store.putContent('concurrent/shared', data);
    const digests = await Promise.all(Array.from({ length: 8 }, async () => sha256Of(await store.reader('concurrent/shared'))));
    for (const digest of digests) assert.equal(digest, sha256(data));
  });
}

async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.from(chunk as Uint8Array));
  return Buffer.concat(chunks);
}

async function sha256Of(stream: Readable): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of stream) hash.update(chunk as Uint8Array);
  return hash.digest('hex');
}

function sha256(data: Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

async function assertNotFound(promise: Promise<unknown>, path: string): Promise<void> {
  await assert.rejects(promise, (err: unknown) => {
    assert.ok(err instanceof PathNotFoundError, `expected PathNotFoundError for ${path}, got ${String(err)}`);
    assert.equal(err.path, path);
    return true;
  });
}

async function assertInvalidPath(promise: Promise<unknown>, label: string): Promise<void> {
  await assert.rejects(promise, (err: unknown) => {
    assert.ok(err instanceof InvalidPathError, `expected InvalidPathError for ${label}, got ${String(err)}`);
    return true;
  });
}
