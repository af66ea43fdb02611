import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { type It, assertNotFound } from './support.js';

// The BlobStore suite's cases. Writing: writer (plain and append), move and delete.

export function writerCases(it: It): void {
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

export function moveCases(it: It): void {
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

export function deleteCases(it: It): void {
  it('delete removes one object', async (store) => {
    await store.putContent('delete/a', Buffer.from('a'));
    await store.putContent('delete/b', Buffer.from('b'));
    await store.delete('delete/a');
    await assertNotFound(store.stat('delete/a'), 'delete/a');
    assert.equal((await store.getContent('delete/b')).toString(), 'b');
  });

  it('delete of a prefix removes everything under it', async (store) => {
    for (const path of ['delete/tree/x', 'delete/tree/y/z', 'delete/tree/y/w/v'])
      await store.putContent(path, Buffer.from(path));
    await store.delete('delete/tree');
    for (const path of ['delete/tree/x', 'delete/tree/y/z', 'delete/tree/y/w/v'])
      await assertNotFound(store.stat(path), path);
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

  it('deleteObjects removes many objects at once, ignores absent ones and leaves no empty prefix', async (store) => {
    const paths = Array.from({ length: 1203 }, (_, i) => `many/${String(i % 7)}/${String(i)}`);
    await Promise.all(paths.slice(0, 40).map((path) => store.putContent(path, Buffer.from(path))));
    await store.putContent('many-kept/x', Buffer.from('x'));
    // Most of the paths were never written: garbage collection may retry a half-done batch.
    await store.deleteObjects(paths);
    for (const path of paths.slice(0, 40)) await assertNotFound(store.stat(path), path);
    assert.deepEqual(await store.list('many'), []);
    assert.equal((await store.getContent('many-kept/x')).toString(), 'x');
    await store.deleteObjects([]);
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
