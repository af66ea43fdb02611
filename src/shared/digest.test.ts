import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { Digester, digestOf, isDigest, parseDigest, tryParseDigest } from './digest.js';
import { BerthError } from './errors.js';

const sha256Hex = createHash('sha256').update('hello').digest('hex');
const sha512Hex = createHash('sha512').update('hello').digest('hex');

function assertDigestInvalid(value: string): void {
  assert.throws(
    () => parseDigest(value),
    (err: unknown) => err instanceof BerthError && err.code === 'DIGEST_INVALID',
    `expected ${JSON.stringify(value)} to be rejected`,
  );
  assert.equal(tryParseDigest(value), undefined);
  assert.equal(isDigest(value), false);
}

test('parseDigest reads a sha256 digest', () => {
  const digest = parseDigest(`sha256:${sha256Hex}`);
  assert.deepEqual(digest, { algorithm: 'sha256', hex: sha256Hex, value: `sha256:${sha256Hex}` });
});

test('parseDigest reads a sha512 digest', () => {
  const digest = parseDigest(`sha512:${sha512Hex}`);
  assert.equal(digest.algorithm, 'sha512');
  assert.equal(digest.hex, sha512Hex);
  assert.equal(digest.value, `sha512:${sha512Hex}`);
});

test('malformed digests are DIGEST_INVALID', () => {
  for (const value of [
    '',
    'sha256',
    `sha256${sha256Hex}`,
    `:${sha256Hex}`,
    'sha256:',
    ` sha256:${sha256Hex}`,
    `sha256:${sha256Hex} `,
    `sha256::${sha256Hex}`,
    `sha256:${sha256Hex}\n`,
    `SHA256:${sha256Hex}`,
  ]) {
    assertDigestInvalid(value);
  }
});

test('an encoded part of the wrong length is rejected', () => {
  assertDigestInvalid(`sha256:${sha256Hex.slice(1)}`);
  assertDigestInvalid(`sha256:${sha256Hex}0`);
  assertDigestInvalid(`sha512:${sha256Hex}`);
  assertDigestInvalid(`sha256:${sha512Hex}`);
});

test('uppercase or non-hex encodings are rejected for sha256 and sha512', () => {
  assertDigestInvalid(`sha256:${sha256Hex.toUpperCase()}`);
  assertDigestInvalid(`sha256:${sha256Hex.slice(0, 63)}A`);
  assertDigestInvalid(`sha256:${sha256Hex.slice(0, 63)}g`);
  assertDigestInvalid(`sha512:${sha512Hex.slice(0, 127)}=`);
});

test('well-formed digests of an unsupported algorithm are rejected', () => {
  assertDigestInvalid(`md5:${createHash('md5').update('hello').digest('hex')}`);
  assertDigestInvalid(`sha384:${createHash('sha384').update('hello').digest('hex')}`);
  assertDigestInvalid(`multihash+base58:QmRZxt2b1FVZPNqd8hsiykDL3TdBDeTSPX9Kv46HmX4Gx8`);
});

test('the error carries the offending digest and truncates long ones in its message', () => {
  const long = `sha256:${'a'.repeat(500)}`;
  try {
    parseDigest(long);
    assert.fail('expected a throw');
  } catch (err) {
    assert.ok(err instanceof BerthError);
    assert.equal(err.status, 400);
    assert.deepEqual(err.detail, { digest: long });
    assert.ok(err.message.length < 120, err.message);
  }
});

test('digestOf hashes with sha256 by default and sha512 on request', () => {
  const data = new TextEncoder().encode('hello');
  assert.equal(digestOf(data), `sha256:${sha256Hex}`);
  assert.equal(digestOf(data, 'sha512'), `sha512:${sha512Hex}`);
  assert.equal(digestOf(new Uint8Array()), 'sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
});

test('Digester hashes incrementally and counts bytes', () => {
  const digester = new Digester();
  assert.equal(digester.algorithm, 'sha256');
  assert.equal(digester.size, 0);
  digester.update(Buffer.from('hel'));
  digester.update(Buffer.from(''));
  digester.update(Buffer.from('lo'));
  assert.equal(digester.size, 5);
  assert.equal(digester.digest(), `sha256:${sha256Hex}`);
});

test('Digester with sha512', () => {
  const digester = new Digester('sha512');
  digester.update(Buffer.from('hello'));
  assert.equal(digester.digest(), `sha512:${sha512Hex}`);
});

test('Digester.copy finishes independently while the original keeps hashing', () => {
  const original = new Digester();
  original.update(Buffer.from('hel'));
  const copy = original.copy();
  assert.equal(copy.size, 3);
  assert.equal(copy.algorithm, 'sha256');
  assert.ok(copy instanceof Digester);
  assert.equal(copy.digest(), digestOf(Buffer.from('hel')));
  original.update(Buffer.from('lo'));
  assert.equal(original.size, 5);
  assert.equal(original.digest(), `sha256:${sha256Hex}`);
});

test('a copy can keep hashing on its own without touching the original', () => {
  const original = new Digester('sha512');
  original.update(Buffer.from('he'));
  const copy = original.copy();
  copy.update(Buffer.from('llo'));
  assert.equal(copy.size, 5);
  assert.equal(original.size, 2);
  assert.equal(copy.digest(), `sha512:${sha512Hex}`);
  assert.equal(original.digest(), digestOf(Buffer.from('he'), 'sha512'));
});

test('a finished Digester cannot be updated', () => {
  const digester = new Digester();
  digester.digest();
  assert.throws(() => digester.update(Buffer.from('x')));
});
