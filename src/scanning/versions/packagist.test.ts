import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  comparePackagist,
  normalizeComposer,
  normalizeComposerBranch,
  phpVersionCompare,
  versionOrder,
} from './index.js';

// Packagist's ordering on the examples Composer and PHP publish: composer/semver's
// VersionParserTest (normalize, normalizeBranch) and ComparatorTest, PHP's version_compare()
// manual page and php-src's version_compare tests.

type Compare = (a: string, b: string) => number;

function assertCases(compare: Compare, cases: [string, string, number][]): void {
  for (const [a, b, expected] of cases)
    assert.equal(Math.sign(compare(a, b)), expected, `compare(${a}, ${b}) should be ${expected}`);
}

function assertChain(compare: Compare, chain: string[]): void {
  for (let i = 0; i < chain.length; i++) {
    assert.equal(compare(chain[i]!, chain[i]!), 0, `${chain[i]} = itself`);
    for (let j = i + 1; j < chain.length; j++) {
      assert.equal(Math.sign(compare(chain[i]!, chain[j]!)), -1, `${chain[i]} < ${chain[j]}`);
      assert.equal(Math.sign(compare(chain[j]!, chain[i]!)), 1, `${chain[j]} > ${chain[i]}`);
    }
  }
}

test("Composer's VersionParser::normalize: VersionParserTest's successful versions", () => {
  const cases: [string, string][] = [
    ['1.0.0', '1.0.0.0'],
    ['1.2.3.4', '1.2.3.4'],
    ['1.0.0RC1dev', '1.0.0.0-RC1-dev'],
    ['1.0.0-rC15-dev', '1.0.0.0-RC15-dev'],
    ['1.0.0.RC.15-dev', '1.0.0.0-RC15-dev'],
    ['1.0.0-rc1', '1.0.0.0-RC1'],
    ['1.0.0.pl3-dev', '1.0.0.0-patch3-dev'],
    ['1.0-dev', '1.0.0.0-dev'],
    ['0', '0.0.0.0'],
    ['10.4.13-beta', '10.4.13.0-beta'],
    ['10.4.13beta2', '10.4.13.0-beta2'],
    ['10.4.13beta.2', '10.4.13.0-beta2'],
    ['10.4.13-b', '10.4.13.0-beta'],
    ['10.4.13-b5', '10.4.13.0-beta5'],
    ['v1.0.0', '1.0.0.0'],
    ['2010.01', '2010.01.0.0'],
    ['2010.01.02', '2010.01.02.0'],
    ['2010.1.555', '2010.1.555.0'],
    ['2010.10.200', '2010.10.200.0'],
    ['v20100102', '20100102'],
    ['2010-01-02', '2010.01.02'],
    ['2010-01-02.5', '2010.01.02.5'],
    ['20100102-203040', '20100102.203040'],
    ['20150920.0.0', '20150920.0.0'],
    ['20100102203040-10', '20100102203040.10'],
    ['20100102-203040-p1', '20100102.203040-patch1'],
    ['dev-master', 'dev-master'],
    ['master', 'dev-master'],
    ['1.x-dev', '1.9999999.9999999.9999999-dev'],
    ['dev-feature-foo', 'dev-feature-foo'],
    ['DEV-FOOBAR', 'dev-FOOBAR'],
    ['dev-feature/foo', 'dev-feature/foo'],
    ['dev-feature+issue-1', 'dev-feature+issue-1'],
    ['dev-master as 1.0.0', 'dev-master'],
    ['1.0.0-beta.5+foo', '1.0.0.0-beta5'],
    ['1.0.0+foo', '1.0.0.0'],
    ['1.0.0-alpha.3.1+foo', '1.0.0.0-alpha3.1'],
    ['1.0.0-alpha2.1+foo', '1.0.0.0-alpha2.1'],
    ['1.0.0-alpha-2.1-3+foo', '1.0.0.0-alpha2.1-3'],
    ['1.0.0+foo as 2.0', '1.0.0.0'],
    ['1.0@dev', '1.0.0.0'],
    ['1.2.3-stable', '1.2.3.0'],
  ];
  for (const [input, expected] of cases) assert.equal(normalizeComposer(input), expected, input);
});

test("Composer's VersionParser::normalize refuses what VersionParserTest says it fails on", () => {
  for (const input of ['', 'a', '1.0.0-meh', '1.0.0.0.0', 'feature-foo', '1.0.0+foo bar']) {
    assert.throws(() => normalizeComposer(input), /not a Composer version/, JSON.stringify(input));
  }
});

test("a hostile composer.lock version is refused in linear time (Composer's possessive number, written unambiguously)", () => {
  const hostile = [
    '1.0.0-beta' + '1'.repeat(5000) + 'x',
    '1.0.0-RC' + '.1'.repeat(3000) + 'x',
    '2010-01-02' + '-1'.repeat(3000),
  ];
  for (const input of hostile) {
    const started = performance.now();
    assert.throws(() => normalizeComposer(input), /not a Composer version/);
    assert.ok(performance.now() - started < 50, `${input.slice(0, 20)}… took ${performance.now() - started} ms`);
  }
});

test("Composer's VersionParser::normalizeBranch: VersionParserTest's branches", () => {
  const cases: [string, string][] = [
    ['v1.x', '1.9999999.9999999.9999999-dev'],
    ['v1.*', '1.9999999.9999999.9999999-dev'],
    ['v1.0', '1.0.9999999.9999999-dev'],
    ['2.0', '2.0.9999999.9999999-dev'],
    ['v1.0.x', '1.0.9999999.9999999-dev'],
    ['v1.0.3.*', '1.0.3.9999999-dev'],
    ['v2.4.0', '2.4.0.9999999-dev'],
    ['2.4.4', '2.4.4.9999999-dev'],
    ['feature-a', 'dev-feature-a'],
    ['FOOBAR', 'dev-FOOBAR'],
    ['feature+issue-1', 'dev-feature+issue-1'],
  ];
  for (const [input, expected] of cases) assert.equal(normalizeComposerBranch(input), expected, input);
});

test("PHP's version_compare(): the manual's and php-src's examples, and ComparatorTest's raw strings", () => {
  assertCases(phpVersionCompare, [
    // php.net/version_compare: '5.2' < '5.2.0', a release candidate below its release.
    ['5.2', '5.2.0', -1],
    ['5.3.0-dev', '5.3.0', -1],
    ['1.0rc1', '1.0', -1],
    ['1.0', '1.0pl1', -1],
    ['1.01', '1.1', 0],
    ['1.10b', '1.10.0', -1],
    ['1.0.0-a2', '1.0.0-a10', -1],
    ['1.0.0-b2', '1.0.0-b10', -1],
    ['1.0.0-RC2', '1.0.0-RC10', -1],
    ['1.0.0-a10', '1.0.0-b2', -1],
    ['1.0-dev', '1.0-alpha', -1],
    ['1.0-foo', '1.0-dev', -1],
    // ComparatorTest::compareProvider, compared as given.
    ['1.25.0', '1.24.0', 1],
    ['1.25.0', '1.25.0', 0],
    ['1.25.0-beta2.1', '1.25.0-b.3', -1],
    ['1.25.0-b2.1', '1.25.0beta.3', -1],
    ['1.25.0-b-2.1', '1.25.0-rc', -1],
    ['1.25.0-beta2.1', '1.25.0-b.2.1', 0],
    ['1.25.0beta2.1', '1.25.0-b2.1', 0],
  ]);
  assertChain(phpVersionCompare, ['1.0-dev', '1.0a1', '1.0b1', '1.0RC1', '1.0', '1.0pl1']);
  // Unnormalised, a patch level outranks any number in its place; Composer's 4 parts avoid that.
  assertCases(phpVersionCompare, [['1.0pl1', '1.0.1', 1]]);
  assertCases(comparePackagist, [['1.0pl1', '1.0.1', -1]]);
});

test('Packagist: normalised first, so v prefixes, short and 4-part versions compare as Composer does', () => {
  assertCases(comparePackagist, [
    ['v1.2.3', '1.2.3', 0],
    ['1.2', '1.2.0', 0],
    ['1.2.3', '1.2.3.0', 0],
    ['v5.4.3', '5.4.21', -1],
    ['1.2.3.4', '1.2.3', 1],
    ['4.4.0-BETA1', '4.4.0-beta1', 0],
    ['1.0.0-b2', '1.0.0-beta2', 0],
    ['1.0.0-p1', '1.0.0-patch1', 0],
    ['1.0.0-pl1', '1.0.0-patch1', 0],
    ['1.0.0', '1.2-dev', -1],
    ['2.0.0-stable', '2.0.0', 0],
    ['1.0.0+build.7', '1.0.0', 0],
    // ComparatorTest: a branch sorts below every release; equal branches are equal.
    ['1.26.0', 'dev-foo', 1],
    ['dev-foo', '1.26.0', -1],
    ['dev-foo', 'dev-foo', 0],
  ]);
  assertChain(comparePackagist, [
    '1.0.0-dev',
    '1.0.0-alpha',
    '1.0.0-alpha1',
    '1.0.0-a2',
    '1.0.0-beta',
    '1.0.0-beta2',
    '1.0.0-RC1-dev',
    '1.0.0-RC1',
    '1.0.0-RC2',
    '1.0.0',
    '1.0.0-patch1',
    '1.0.1',
    '1.0.1.1',
    '1.1.0',
    '1.10.0',
    '2.0.0',
  ]);
  // Two branches: Composer's Constraint orders them neither way (ComparatorTest: dev-foo vs dev-bar).
  assert.throws(() => comparePackagist('dev-foo', 'dev-bar'), /branches are not ordered/);
  assert.throws(() => comparePackagist('1.0.0-meh', '1.0.0'), /not a Composer version/);
});

test('versionOrder: Packagist compares as Composer, Red Hat product streams as RPM', () => {
  assert.equal(versionOrder('Packagist'), comparePackagist);
  assert.equal(versionOrder('Red Hat:enterprise_linux:9::appstream')?.('1:3.0.7-27.el9', '1:3.0.7-24.el9'), 1);
});
