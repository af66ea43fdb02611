import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BerthError } from '../shared/errors.js';
import { parseByteRange, parseContentRange, uploadRangeHeader } from './range.js';

function assertUnsatisfiable(header: string, size: number): void {
  assert.throws(
    () => parseByteRange(header, size),
    (err: unknown) =>
      err instanceof BerthError &&
      err.code === 'RANGE_INVALID' &&
      err.status === 416 &&
      err.headers['Content-Range'] === `bytes */${size}`,
    `expected ${JSON.stringify(header)} on ${size} bytes to be unsatisfiable`,
  );
}

test('no Range header means the whole blob', () => {
  assert.equal(parseByteRange(undefined, 100), undefined);
  assert.equal(parseByteRange('', 100), undefined);
});

test('bytes=a-b is inclusive, and b is clipped to the last byte', () => {
  assert.deepEqual(parseByteRange('bytes=0-9', 100), { start: 0, end: 9 });
  assert.deepEqual(parseByteRange('bytes=10-10', 100), { start: 10, end: 10 });
  assert.deepEqual(parseByteRange('bytes=90-99', 100), { start: 90, end: 99 });
  assert.deepEqual(parseByteRange('bytes=90-1000', 100), { start: 90, end: 99 });
  assert.deepEqual(parseByteRange(' bytes=1-2 ', 100), { start: 1, end: 2 });
});

test('bytes=a- runs to the end', () => {
  assert.deepEqual(parseByteRange('bytes=0-', 100), { start: 0, end: 99 });
  assert.deepEqual(parseByteRange('bytes=99-', 100), { start: 99, end: 99 });
});

test('bytes=-n is the last n bytes, or all of a shorter blob', () => {
  assert.deepEqual(parseByteRange('bytes=-10', 100), { start: 90, end: 99 });
  assert.deepEqual(parseByteRange('bytes=-100', 100), { start: 0, end: 99 });
  assert.deepEqual(parseByteRange('bytes=-500', 100), { start: 0, end: 99 });
});

test('unsatisfiable ranges are RANGE_INVALID with Content-Range bytes */size', () => {
  assertUnsatisfiable('bytes=100-', 100);
  assertUnsatisfiable('bytes=100-200', 100);
  assertUnsatisfiable('bytes=500-', 100);
  assertUnsatisfiable('bytes=-0', 100);
  assertUnsatisfiable('bytes=0-', 0);
  assertUnsatisfiable('bytes=-5', 0);
  assertUnsatisfiable('bytes=5-2', 100);
});

test('malformed Range headers are RANGE_INVALID', () => {
  for (const header of ['bytes=', 'bytes=-', 'bytes=a-b', 'bytes=0-1-2', 'bytes=1.5-2']) {
    assertUnsatisfiable(header, 100);
  }
});

test('a Range in a unit other than bytes is ignored (RFC 9110 §14.2)', () => {
  assert.equal(parseByteRange('items=0-1', 100), undefined);
  assert.equal(parseByteRange('0-1', 100), undefined);
  assert.equal(parseByteRange('bytes 0-1', 100), undefined);
  assert.deepEqual(parseByteRange('Bytes=0-1', 100), { start: 0, end: 1 });
});

test('a multi-range request is ignored: the whole blob is sent', () => {
  assert.equal(parseByteRange('bytes=0-1,5-6', 100), undefined);
  assert.equal(parseByteRange('bytes=0-1, 5-', 100), undefined);
  assert.equal(parseByteRange('bytes=-1,0-0', 100), undefined);
});

test('the RANGE_INVALID error keeps long headers out of its message', () => {
  try {
    parseByteRange(`bytes=${'9'.repeat(1000)}-`, 10);
    assert.fail('expected a throw');
  } catch (err) {
    assert.ok(err instanceof BerthError);
    assert.ok(err.message.length < 200);
    assert.deepEqual(err.detail, { size: 10 });
  }
});

test('Content-Range of an upload chunk: "start-end", with optional bytes prefix and total', () => {
  assert.equal(parseContentRange(undefined), undefined);
  assert.deepEqual(parseContentRange('0-99'), { start: 0, end: 99 });
  assert.deepEqual(parseContentRange('100-100'), { start: 100, end: 100 });
  assert.deepEqual(parseContentRange('bytes 0-99/1000'), { start: 0, end: 99 });
  assert.deepEqual(parseContentRange('bytes=0-99'), { start: 0, end: 99 });
  assert.deepEqual(parseContentRange('bytes 5-9/*'), { start: 5, end: 9 });
  assert.deepEqual(parseContentRange(' 1-2 '), { start: 1, end: 2 });
});

test('malformed Content-Range is RANGE_INVALID', () => {
  for (const header of ['', '0', '0-', '-5', 'a-b', '5-2', 'bytes */100', 'bytes 0-1/x', '0-1,2-3', '1.0-2']) {
    assert.throws(
      () => parseContentRange(header),
      (err: unknown) => err instanceof BerthError && err.code === 'RANGE_INVALID',
      JSON.stringify(header),
    );
  }
});

test('the Range header of an upload session counts bytes received', () => {
  assert.equal(uploadRangeHeader(0), '0-0');
  assert.equal(uploadRangeHeader(1), '0-0');
  assert.equal(uploadRangeHeader(100), '0-99');
});
