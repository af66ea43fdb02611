import { compareApk } from './apk.js';
import { compareDpkg } from './dpkg.js';
import { compareMaven } from './maven.js';
import { comparePackagist } from './packagist.js';
import { comparePep440 } from './pep440.js';
import { compareRpm } from './rpm.js';
import { compareRubyGems } from './rubygems.js';
import { compareSemver } from './semver.js';

// Each package ecosystem's own version ordering, by the ecosystem names OSV uses (an OSV
// ecosystem may carry a release after a colon: "Debian:12", "Alpine:v3.20").

export type VersionCompare = (a: string, b: string) => number;

const byEcosystem: Record<string, VersionCompare> = {
  Debian: compareDpkg,
  Ubuntu: compareDpkg,
  Alpine: compareApk,
  Wolfi: compareApk,
  Chainguard: compareApk,
  'Red Hat': compareRpm,
  'Rocky Linux': compareRpm,
  AlmaLinux: compareRpm,
  SUSE: compareRpm,
  openSUSE: compareRpm,
  PyPI: comparePep440,
  Maven: compareMaven,
  RubyGems: compareRubyGems,
  Packagist: comparePackagist,
  npm: compareSemver,
  'crates.io': compareSemver,
  Go: compareSemver,
};

/** The ordering of an OSV ecosystem's versions; undefined for one not supported yet. */
export function versionOrder(ecosystem: string): VersionCompare | undefined {
  return byEcosystem[ecosystem.split(':')[0]!];
}

export { compareApk, isApkVersion } from './apk.js';
export { compareDpkg, parseDpkg } from './dpkg.js';
export { compareMaven } from './maven.js';
export { comparePackagist, normalizeComposer, normalizeComposerBranch, phpVersionCompare } from './packagist.js';
export { comparePep440, parsePep440 } from './pep440.js';
export { compareRpm, parseRpm, rpmvercmp } from './rpm.js';
export { compareRubyGems, isRubyGemsVersion } from './rubygems.js';
export { compareSemver, parseSemver } from './semver.js';
