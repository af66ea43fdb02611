import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compareApk, compareDpkg, compareMaven, comparePep440, compareSemver } from '../versions/index.js';
import type { OsvEvent, OsvRange } from './osv.js';
import { affects, rangeIncludes } from './ranges.js';

// OSV's "Evaluation" rules, range by range, with each ecosystem's real version order.

const range = (type: OsvRange['type'], ...events: OsvEvent[]): OsvRange => ({ type, events });
const fixOf = (r: OsvRange, v: string, order = compareSemver) => rangeIncludes(r, v, order);

test('introduced/fixed: [introduced, fixed), introduced 0 from the start', () => {
  const r = range('SEMVER', { introduced: '0' }, { fixed: '1.0.2' });
  assert.deepEqual(fixOf(r, '0.0.1'), { fixVersion: '1.0.2' });
  assert.deepEqual(fixOf(r, '1.0.1'), { fixVersion: '1.0.2' });
  assert.equal(fixOf(r, '1.0.2'), undefined);
  assert.equal(fixOf(r, '2.0.0'), undefined);
  const unfixed = range('SEMVER', { introduced: '1.5.0' });
  assert.equal(fixOf(unfixed, '1.4.9'), undefined);
  assert.deepEqual(fixOf(unfixed, '1.5.0'), { fixVersion: undefined });
  assert.deepEqual(fixOf(unfixed, '99.0.0'), { fixVersion: undefined });
});

test('several intervals in one range, events in any order: the fix of the interval the version is in', () => {
  // The schema's "Multiple range example", listed out of order (evaluation sorts events).
  const r = range('SEMVER', { introduced: '3.0.0' }, { fixed: '1.0.2' }, { fixed: '3.2.5' }, { introduced: '1.0.0' });
  assert.equal(fixOf(r, '0.9.0'), undefined);
  assert.deepEqual(fixOf(r, '1.0.0'), { fixVersion: '1.0.2' });
  assert.equal(fixOf(r, '2.0.0'), undefined);
  assert.deepEqual(fixOf(r, '3.1.0'), { fixVersion: '3.2.5' });
  assert.equal(fixOf(r, '3.2.5'), undefined);
});

test('last_affected: affected up to and including it', () => {
  const r = range('ECOSYSTEM', { introduced: '0' }, { last_affected: '2.1.214' });
  assert.deepEqual(fixOf(r, '2.1.214'), { fixVersion: undefined });
  assert.equal(fixOf(r, '2.1.215'), undefined);
  assert.equal(fixOf(r, '2.2.0'), undefined);
});

test('limit: only versions below a limit are covered; several limits widen it', () => {
  const r = range('ECOSYSTEM', { introduced: '1.0.0' }, { limit: '1.5.0' });
  assert.ok(fixOf(r, '1.4.0'));
  assert.equal(fixOf(r, '1.5.0'), undefined);
  const two = range('ECOSYSTEM', { introduced: '1.0.0' }, { limit: '1.5.0' }, { limit: '2.0.0' });
  assert.ok(fixOf(two, '1.9.0'));
  assert.equal(fixOf(two, '2.0.0'), undefined);
  const infinite = range('ECOSYSTEM', { introduced: '1.0.0' }, { limit: '*' });
  assert.ok(fixOf(infinite, '9.9.9'));
});

test('Debian: epochs and ~ order as dpkg orders them', () => {
  const r = range('ECOSYSTEM', { introduced: '0' }, { fixed: '1:9.18.19-1~deb12u1' });
  assert.ok(fixOf(r, '1:9.18.16-1~deb12u1', compareDpkg));
  assert.ok(fixOf(r, '9.20.0-1', compareDpkg), 'no epoch is epoch 0, below 1:');
  assert.ok(fixOf(r, '1:9.18.19-1~deb11u1', compareDpkg), '~deb11 sorts below ~deb12');
  assert.equal(fixOf(r, '1:9.18.19-1~deb12u1', compareDpkg), undefined);
  assert.equal(fixOf(r, '1:9.18.19-1', compareDpkg), undefined, 'without ~ sorts above the ~ version');
  const openssl = range('ECOSYSTEM', { introduced: '0' }, { fixed: '3.0.11-1~deb12u2' });
  assert.ok(fixOf(openssl, '3.0.11-1~deb12u1', compareDpkg));
  assert.equal(fixOf(openssl, '3.0.13-1~deb12u1', compareDpkg), undefined);
});

test('Alpine, PyPI and Maven ranges in their own orders', () => {
  const apk = range('ECOSYSTEM', { introduced: '0' }, { fixed: '3.3.1-r1' });
  assert.ok(fixOf(apk, '3.3.1-r0', compareApk));
  assert.equal(fixOf(apk, '3.3.2-r0', compareApk), undefined);
  const pypi = range('ECOSYSTEM', { introduced: '0' }, { fixed: '2.0' });
  assert.ok(fixOf(pypi, '2.0rc1', comparePep440), 'a pre-release sorts below its release');
  assert.equal(fixOf(pypi, '2.0.0', comparePep440), undefined, '2.0.0 equals 2.0');
  const maven = range('ECOSYSTEM', { introduced: '2.0-beta9' }, { fixed: '2.3.1' });
  assert.ok(fixOf(maven, '2.0', compareMaven));
  assert.equal(fixOf(maven, '2.0-alpha1', compareMaven), undefined);
});

test('an affected entry: any range, or the explicit versions list; GIT ranges and unreadable versions skipped', () => {
  const orders = { ecosystem: comparePep440, semver: compareSemver };
  const entry = {
    ranges: [
      range('GIT', { introduced: '0' }),
      range('SEMVER', { introduced: '1.0.0' }, { fixed: '1.2.0' }),
      range('ECOSYSTEM', { introduced: '2.0' }, { fixed: '2.1' }),
    ],
    versions: ['0.9.post1'],
  };
  assert.deepEqual(affects(entry, '1.1.0', orders), { fixVersion: '1.2.0' });
  assert.deepEqual(affects(entry, '2.0.5', orders), { fixVersion: '2.1' });
  assert.deepEqual(affects(entry, '0.9.post1', orders), {}, 'listed explicitly, not SemVer');
  assert.equal(affects(entry, '0.9', orders), undefined, 'the GIT range from 0 is not evaluated');
  assert.equal(affects(entry, '3.0', orders), undefined);
});
