// Semantic Versioning 2.0.0 precedence (semver.org, section 11), for npm, crates.io and Go
// modules (whose versions carry a leading "v"): major.minor.patch compare as numbers; a
// pre-release sorts below its release and compares identifier by identifier (numeric ones as
// numbers and below alphanumeric ones; more identifiers win when the rest are equal); build
// metadata is ignored.

export interface SemVer {
  major: bigint;
  minor: bigint;
  patch: bigint;
  prerelease: string[];
}

const pattern =
  /^v?(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-((?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)(?:\.(?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?(?:\+([0-9a-zA-Z-]+(?:\.[0-9a-zA-Z-]+)*))?$/;

/** Parses a version (a leading "v" allowed); undefined when it is not SemVer 2.0.0. */
export function parseSemver(version: string): SemVer | undefined {
  const match = pattern.exec(version.trim());
  if (!match) return undefined;
  return {
    major: BigInt(match[1]!),
    minor: BigInt(match[2]!),
    patch: BigInt(match[3]!),
    prerelease: match[4] ? match[4].split('.') : [],
  };
}

const numeric = /^\d+$/;

function compareIdentifiers(a: string, b: string): number {
  const an = numeric.test(a);
  const bn = numeric.test(b);
  if (an && bn) {
    const x = BigInt(a);
    const y = BigInt(b);
    return x === y ? 0 : x < y ? -1 : 1;
  }
  if (an !== bn) return an ? -1 : 1;
  return a === b ? 0 : a < b ? -1 : 1;
}

const compareBig = (x: bigint, y: bigint) => (x === y ? 0 : x < y ? -1 : 1);

/** Compares two SemVer versions by precedence (-1, 0, 1); throws on one that is not SemVer. */
export function compareSemver(a: string, b: string): number {
  const x = parseSemver(a);
  const y = parseSemver(b);
  if (!x) throw new TypeError(`not a semantic version: "${a}"`);
  if (!y) throw new TypeError(`not a semantic version: "${b}"`);
  const core = compareBig(x.major, y.major) || compareBig(x.minor, y.minor) || compareBig(x.patch, y.patch);
  if (core !== 0) return core;
  if (x.prerelease.length === 0 || y.prerelease.length === 0)
    return x.prerelease.length === y.prerelease.length ? 0 : x.prerelease.length === 0 ? 1 : -1;
  for (let i = 0; i < Math.min(x.prerelease.length, y.prerelease.length); i++) {
    const diff = compareIdentifiers(x.prerelease[i]!, y.prerelease[i]!);
    if (diff !== 0) return diff;
  }
  return compareBig(BigInt(x.prerelease.length), BigInt(y.prerelease.length));
}
