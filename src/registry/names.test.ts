import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BerthError, type ErrorCode } from '../shared/errors.js';
import { checkRepositoryName, isValidRepositoryName, isValidTag, maxNameLength, parseReference } from './names.js';

const digest = `sha256:${'a'.repeat(64)}`;

function assertCode(fn: () => unknown, code: ErrorCode): void {
  assert.throws(fn, (err: unknown) => err instanceof BerthError && err.code === code);
}

test('simple and nested repository names are valid', () => {
  for (const name of ['a', 'library', 'ubuntu', 'a/b', 'a/b/c', 'project/team/app/service', '0', '9lives', 'a1/2b']) {
    assert.ok(isValidRepositoryName(name), name);
    assert.equal(checkRepositoryName(name), name);
  }
});

test('the spec separators are allowed between components: "." "_" "__" and runs of "-"', () => {
  for (const name of ['a.b', 'a_b', 'a__b', 'a-b', 'a--b', 'a---b', 'my.app_v2-final/x__y.z', 'a.b.c', 'a-b_c.d__e']) {
    assert.ok(isValidRepositoryName(name), name);
  }
});

test('names breaking the spec regex are NAME_INVALID', () => {
  const bad = [
    '',
    'A',
    'Library',
    'a/B',
    'a b',
    'a:b',
    'a@b',
    'a+b',
    'a~b',
    '.a',
    'a.',
    '_a',
    'a_',
    '-a',
    'a-',
    'a..b',
    'a___b',
    'a._b',
    'a_-b',
    'a-.b',
    '/a',
    'a/',
    'a//b',
    'a/./b',
    'a/../b',
    '../a',
    'a/.b',
    'a/b-',
    'ä',
    'a\nb',
    'a\\b',
  ];
  for (const name of bad) {
    assert.equal(isValidRepositoryName(name), false, JSON.stringify(name));
    assertCode(() => checkRepositoryName(name), 'NAME_INVALID');
  }
});

test('names up to the length limit are valid, longer ones are not', () => {
  const component = 'a'.repeat(50);
  const long = Array.from({ length: 4 }, () => component).join('/') + '/' + 'b'.repeat(maxNameLength - 4 * 51);
  assert.equal(long.length, maxNameLength);
  assert.ok(isValidRepositoryName(long));
  assert.equal(isValidRepositoryName(`${long}c`), false);
  assertCode(() => checkRepositoryName('x'.repeat(10_000)), 'NAME_INVALID');
});

test('a NAME_INVALID error carries the name and keeps its message short', () => {
  try {
    checkRepositoryName('Bad/' + 'x'.repeat(1000));
    assert.fail('expected a throw');
  } catch (err) {
    assert.ok(err instanceof BerthError);
    assert.equal(err.status, 400);
    assert.ok(err.message.length < 400);
  }
});

test('tags follow the spec grammar', () => {
  for (const tag of ['latest', 'v1.0.0', '1', '_', '_private', 'A', 'a-b_c.d', 'UPPER', 'x'.repeat(128)]) {
    assert.ok(isValidTag(tag), tag);
  }
  for (const tag of ['', '.hidden', '-dash', 'x'.repeat(129), 'a/b', 'a:b', 'a+b', 'a b', 'ä', 'a@b']) {
    assert.equal(isValidTag(tag), false, JSON.stringify(tag));
  }
});

test('parseReference tells a tag from a digest', () => {
  assert.deepEqual(parseReference('latest'), { kind: 'tag', tag: 'latest' });
  assert.deepEqual(parseReference('v1.2.3-rc_1'), { kind: 'tag', tag: 'v1.2.3-rc_1' });
  assert.deepEqual(parseReference(digest), { kind: 'digest', digest });
  const sha512 = `sha512:${'b'.repeat(128)}`;
  assert.deepEqual(parseReference(sha512), { kind: 'digest', digest: sha512 });
});

test('parseReference rejects bad digests as DIGEST_INVALID and bad tags as TAG_INVALID', () => {
  assertCode(() => parseReference('sha256:abc'), 'DIGEST_INVALID');
  assertCode(() => parseReference(`sha256:${'A'.repeat(64)}`), 'DIGEST_INVALID');
  assertCode(() => parseReference(`md5:${'a'.repeat(32)}`), 'DIGEST_INVALID');
  assertCode(() => parseReference('a:b'), 'DIGEST_INVALID');
  assertCode(() => parseReference(''), 'TAG_INVALID');
  assertCode(() => parseReference('.tag'), 'TAG_INVALID');
  assertCode(() => parseReference('x'.repeat(129)), 'TAG_INVALID');
  assertCode(() => parseReference('a/b'), 'TAG_INVALID');
});
