import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  compareApk,
  compareDpkg,
  compareMaven,
  comparePep440,
  compareRpm,
  compareRubyGems,
  compareSemver,
  isApkVersion,
  rpmvercmp,
  versionOrder,
} from './index.js';

// Each ecosystem's ordering on the examples its own specification or test suite publishes:
// Debian Policy §5.6.12, rpm's rpmvercmp test table, apk-tools' version rules, PEP 440,
// Maven's ComparableVersion tests, RubyGems' Gem::Version tests, semver.org §11.

type Compare = (a: string, b: string) => number;

/** Every pair of the chain in order: earlier < later, both ways, and each equal to itself. */
function assertChain(compare: Compare, chain: string[]): void {
  for (let i = 0; i < chain.length; i++) {
    assert.equal(compare(chain[i]!, chain[i]!), 0, `${chain[i]} = itself`);
    for (let j = i + 1; j < chain.length; j++) {
      assert.equal(Math.sign(compare(chain[i]!, chain[j]!)), -1, `${chain[i]} < ${chain[j]}`);
      assert.equal(Math.sign(compare(chain[j]!, chain[i]!)), 1, `${chain[j]} > ${chain[i]}`);
    }
  }
}

function assertCases(compare: Compare, cases: [string, string, number][]): void {
  for (const [a, b, expected] of cases)
    assert.equal(Math.sign(compare(a, b)), expected, `compare(${a}, ${b}) should be ${expected}`);
}

test('Debian: ~ sorts before everything, even the end; letters before other characters; digits as numbers', () => {
  // Debian Policy 5.6.12's example, on upstream versions.
  assertChain(compareDpkg, ['1.0~~', '1.0~~a', '1.0~', '1.0', '1.0a', '1.0+', '1.0.1', '1.1', '1.9', '1.10']);
  assertChain(compareDpkg, ['1.2.3~rc1-1', '1.2.3-1', '1.2.3-1+deb12u1', '1.2.3-2~bpo12+1', '1.2.3-2', '1:0.1-1']);
  assertCases(compareDpkg, [
    ['0:1.0-1', '1.0-1', 0],
    ['1.0-0', '1.0', 0],
    ['1.001', '1.1', 0],
    ['2:1.0', '1:9.9', 1],
    ['7.6p2-4', '7.6-0', 1],
    ['3.0.11-1~deb12u2', '3.0.11-1', -1],
    ['2.36.1-8+deb11u1', '2.36.1-8', 1],
  ]);
  assert.throws(() => compareDpkg('x:1.0', '1.0'), /not a Debian version/);
  assert.throws(() => compareDpkg('1.0', ''), /not a Debian version/);
});

test("RPM: rpmvercmp's test table", () => {
  assertCases(rpmvercmp, [
    ['1.0', '1.0', 0],
    ['1.0', '2.0', -1],
    ['2.0.1', '2.0', 1],
    ['2.0.1a', '2.0.1', 1],
    ['5.5p1', '5.5p2', -1],
    ['5.5p1', '5.5p10', -1],
    ['10xyz', '10.1xyz', -1],
    ['xyz10', 'xyz10.1', -1],
    ['xyz.4', '8', -1],
    ['xyz.4', '2', -1],
    ['5.5p2', '5.6p1', -1],
    ['6.0.rc1', '6.0', 1],
    ['10b2', '10a1', 1],
    ['1.0a', '1.0aa', -1],
    ['10.0001', '10.1', 0],
    ['10.0001', '10.0039', -1],
    ['4.999.9', '5.0', -1],
    ['20101121', '20101122', -1],
    ['2_0', '2.0', 0],
    ['a+', 'a_', 0],
    ['_+', '_', 0],
    ['1.0~rc1', '1.0', -1],
    ['1.0~rc1', '1.0~rc2', -1],
    ['1.0~rc1~git123', '1.0~rc1', -1],
    ['1.0^', '1.0', 1],
    ['1.0^git1', '1.0', 1],
    ['1.0^git1', '1.0^git2', -1],
    ['1.0^git1', '1.01', -1],
    ['1.0^20160101', '1.0.1', -1],
    ['1.0^20160102', '1.0^20160101^git1', 1],
    ['1.0~rc1^git1', '1.0~rc1', 1],
    ['1.0^git1~pre', '1.0^git1', -1],
  ]);
});

test('RPM: epoch, then version, then release', () => {
  assertChain(compareRpm, ['1.0-1.el8', '1.0-2.el8', '1.0.1-1.el8', '1.1-0.1.el8', '1:0.5-1.el8']);
  assertCases(compareRpm, [
    ['0:1.0-1', '1.0-1', 0],
    ['3.0.7-25.el9_3', '3.0.7-24.el9', 1],
    ['1.1.1k-9.el8_7', '1.1.1k-12.el8_9', -1],
  ]);
  assert.throws(() => compareRpm('', '1'), /not an RPM version/);
});

test("Alpine: apk-tools' own ordering vectors: suffixes, letters, revisions, leading zeros", () => {
  assertChain(compareApk, [
    '1.1_alpha_pre2',
    '1.1_alpha',
    '1.1_alpha2',
    '1.1_beta',
    '1.1_pre1',
    '1.1_rc1',
    '1.1',
    '1.1-r1',
    '1.1-r10',
    '1.1_cvs',
    '1.1_svn',
    '1.1_git',
    '1.1_hg',
    '1.1_p1',
    '1.1_p1-r1',
    '1.1_p9',
    '1.1_p10',
    '1.1a',
    '1.1b',
    '1.1.1',
    '1.2',
    '1.9',
    '1.10',
  ]);
  // From apk-tools' test/version.data.
  assertCases(compareApk, [
    ['2.34', '0.1.0_alpha', 1],
    ['0.1.0_alpha2', '0.1.0_alpha', 1],
    ['1.1', '1.1_alpha1', 1],
    ['1.2.1', '1.2', 1],
    ['3.10.18-r1', '2.3.0b-r1', 1],
    ['2.5.1-r8', '2.5.1a-r1', -1],
    ['1.06-r6', '006', -1],
    ['3.0.20060720', '20060720', -1],
    ['0.10.0', '0.10.1_rc1', -1],
    ['1.00_beta2', '0.9.2', 1],
    ['1.02.07', '1.02.10-r1', -1],
    ['7.15.1-r1', '1.02', 1],
    ['0.20070118', '0.20070207_rc1', -1],
    ['0.9.28.1', '087-r1', -1],
    ['4.5_p1-r1', '4.5_p1', 1],
    ['1.0_p10-r0', '1.0_p9-r0', 1],
    ['0.1.0_alpha_pre2', '0.1.0_alpha', -1],
    ['1.0.0_pre20191002222144-r0', '1.0.0_pre20210530193627-r0', -1],
    ['2.0.6', '2.0.6', 0],
  ]);
  // A component after a '.' that starts with zeros is worth minus their count, then its digits:
  // it sorts below the number it spells, and a pre-release suffix after it is not seen as one.
  assertChain(compareApk, ['2.15.05', '2.15.4', '2.16.01', '2.16.1']);
  assertCases(compareApk, [
    ['1.00', '1.0', -1],
    ['1.0_alpha', '1.0', 1],
    ['3.3.3p1-r3', '3.3.3p1-r2', 1],
    ['1.1.1w-r0', '1.1.1v-r1', 1],
  ]);
  for (const bad of ['1.0_foo', '1.0-x', '1.0A', '1.0bc', '1.0_rc1.2', '1.0-1'])
    assert.equal(isApkVersion(bad), false, bad);
  assert.throws(() => compareApk('1.0_foo', '1.0'), /not an Alpine version/);
});

test("PyPI: PEP 440's own ordering example, and its normalisations", () => {
  // PEP 440, "Summary of permitted suffixes and relative ordering".
  assertChain(comparePep440, [
    '1.dev0',
    '1.0.dev456',
    '1.0a1',
    '1.0a2.dev456',
    '1.0a12.dev456',
    '1.0a12',
    '1.0b1.dev456',
    '1.0b2',
    '1.0b2.post345.dev456',
    '1.0b2.post345',
    '1.0rc1.dev456',
    '1.0rc1',
    '1.0',
    '1.0+abc.5',
    '1.0+abc.7',
    '1.0+5',
    '1.0.post456.dev34',
    '1.0.post456',
    '1.0.15',
    '1.1.dev1',
    '1!0.1',
  ]);
  assertCases(comparePep440, [
    ['1.0ALPHA1', '1.0a1', 0],
    ['1.0c1', '1.0rc1', 0],
    ['1.0-preview-2', '1.0rc2', 0],
    ['1.0a', '1.0a0', 0],
    ['1.0-1', '1.0.post1', 0],
    ['1.0.rev1', '1.0-post1', 0],
    ['1.0.dev', '1.0.dev0', 0],
    ['v1.0', '1.0.0', 0],
    ['1.0+ubuntu-1', '1.0+ubuntu.1', 0],
    ['2.28.2', '2.31.0', -1],
    ['41.0.7', '42.0.0', -1],
  ]);
  assert.throws(() => comparePep440('1.0.x', '1.0'), /not a PEP 440 version/);
  assert.throws(() => comparePep440('french toast', '1.0'), /not a PEP 440 version/);
});

test("Maven: ComparableVersion's qualifier and number orderings, and the versions it calls equal", () => {
  assertChain(compareMaven, [
    '1-alpha2snapshot',
    '1-alpha2',
    '1-alpha-123',
    '1-beta-2',
    '1-beta123',
    '1-m2',
    '1-m11',
    '1-rc',
    '1-cr2',
    '1-rc123',
    '1-SNAPSHOT',
    '1',
    '1-sp',
    '1-sp2',
    '1-sp123',
    '1-abc',
    '1-def',
    '1-pom-1',
    '1-1-snapshot',
    '1-1',
    '1-2',
    '1-123',
  ]);
  assertChain(compareMaven, [
    '2.0',
    '2-1',
    '2.0.a',
    '2.0.0.a',
    '2.0.2',
    '2.0.123',
    '2.1.0',
    '2.1-a',
    '2.1b',
    '2.1-c',
    '2.1-1',
    '2.1.0.1',
    '2.2',
    '2.123',
    '11.a2',
    '11.a11',
    '11.b2',
    '11.b11',
    '11.m2',
    '11.m11',
    '11',
    '11.a',
    '11b',
    '11c',
    '11m',
  ]);
  for (const [a, b] of [
    ['1', '1.0.0'],
    ['1', '1-0'],
    ['1.0', '1.0-0'],
    ['1a', '1-a'],
    ['1a', '1.0.0-a'],
    ['1x', '1.0-x'],
    ['1ga', '1'],
    ['1release', '1'],
    ['1final', '1'],
    ['1cr', '1rc'],
    ['1a1', '1-alpha-1'],
    ['1b2', '1-beta-2'],
    ['1m3', '1-milestone-3'],
    ['1X', '1x'],
    ['1.0-SNAPSHOT', '1-snapshot'],
  ])
    assert.equal(compareMaven(a!, b!), 0, `${a} = ${b}`);
});

test("RubyGems: Gem::Version's comparisons: words are pre-releases, trailing zeros do not count", () => {
  assertCases(compareRubyGems, [
    ['1.0', '1.0.0', 0],
    ['1.0', '1.0.a', 1],
    ['1.8.2', '0.0.0', 1],
    ['1.8.2', '1.8.2.a', 1],
    ['1.8.2.b', '1.8.2.a', 1],
    ['1.8.2.a', '1.8.2', -1],
    ['1.8.2.a10', '1.8.2.a9', 1],
    ['', '0', 0],
    ['0.beta.1', '0.0.beta.1', 0],
    ['0.0.beta', '0.0.beta.1', -1],
    ['0.0.beta', '0.beta.1', -1],
    ['5.a', '5.0.0.rc2', -1],
    ['5.x', '5.0.0.rc2', 1],
    ['1.0-1', '1.0', -1],
    ['1.0-1', '1.0.pre.1', 0],
  ]);
  assertChain(compareRubyGems, ['7.0.0.alpha', '7.0.0.beta1', '7.0.0.rc1', '7.0.0', '7.0.1', '7.0.10']);
  assert.throws(() => compareRubyGems('junk version', '1.0'), /not a RubyGems version/);
});

test("SemVer: semver.org's precedence example; build metadata ignored; Go's leading v", () => {
  assertChain(compareSemver, [
    '1.0.0-alpha',
    '1.0.0-alpha.1',
    '1.0.0-alpha.beta',
    '1.0.0-beta',
    '1.0.0-beta.2',
    '1.0.0-beta.11',
    '1.0.0-rc.1',
    '1.0.0',
    '1.0.1',
    '1.1.0',
    '2.0.0',
    '10.0.0',
  ]);
  assertCases(compareSemver, [
    ['1.0.0+build.1', '1.0.0+build.2', 0],
    ['v1.10.0', 'v1.9.9', 1],
    ['18446744073709551616.0.0', '18446744073709551615.0.0', 1],
  ]);
  assert.throws(() => compareSemver('1.0', '1.0.0'), /not a semantic version/);
  assert.throws(() => compareSemver('01.0.0', '1.0.0'), /not a semantic version/);
});

test("versionOrder picks the ordering by OSV's ecosystem name, release suffix and all", () => {
  assert.equal(versionOrder('Debian:12'), compareDpkg);
  assert.equal(versionOrder('Ubuntu:22.04:LTS'), compareDpkg);
  assert.equal(versionOrder('Alpine:v3.20'), compareApk);
  assert.equal(versionOrder('Red Hat'), compareRpm);
  assert.equal(versionOrder('npm'), compareSemver);
  assert.equal(versionOrder('PyPI'), comparePep440);
  assert.equal(versionOrder('Maven'), compareMaven);
  assert.equal(versionOrder('RubyGems'), compareRubyGems);
  assert.equal(versionOrder('NuGet'), undefined);
});
