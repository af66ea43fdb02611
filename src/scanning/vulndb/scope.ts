import type { OsInfo, Package } from '../model.js';
import { packageKey } from './names.js';

// Where a package's advisories are filed in OSV, and under which names.
//
// Most ecosystems are one OSV ecosystem: 'Debian:12', 'Alpine:v3.20', 'npm'. Red Hat files its
// advisories per product stream, a CPE: 'Red Hat:enterprise_linux:9::appstream', '...:9::baseos',
// 'Red Hat:enterprise_linux:8' and, from RHEL 10, per minor release 'Red Hat:enterprise_linux:10.0'.
// A RHEL or UBI image (os-release ID=rhel) gets the mainline streams of its major release, any
// repository: the extended-support streams pinned to one minor release (rhel_eus, rhel_aus,
// rhel_e4s, rhel_tus) ship fixes a UBI image's repositories do not carry, and layered products
// (openshift, jboss...) name packages of their own channels.
//
// Names: Debian, Ubuntu and Alpine file advisories under the source package (dpkg Source:, apk
// origin). The RPM distributions' advisories (Red Hat's RHSA, Rocky's RLSA, AlmaLinux's ALSA,
// SUSE's) list every binary RPM the fix ships (openssl, openssl-libs, vim-minimal), and
// sometimes the source RPM too; so an RPM package is looked up under its own name first and
// then its SOURCERPM's name, at its own version (all RPMs of one build share version-release).

export interface EcosystemScope {
  /** The ecosystem lookups are grouped and ordered by ('Debian:12', 'Red Hat:enterprise_linux:9'). */
  name: string;
  /** A SQL LIKE pattern that finds the scope's stored ecosystems, when it has several. */
  like?: string;
  /** Whether a stored ecosystem is one of the scope's. */
  includes(ecosystem: string): boolean;
}

const exactly = (name: string): EcosystemScope => ({ name, includes: (ecosystem) => ecosystem === name });

const rpmEcosystems = ['Red Hat', 'Rocky Linux', 'AlmaLinux', 'SUSE', 'openSUSE'];

/** The mainline Red Hat Enterprise Linux streams of a release ('9.4' -> enterprise_linux:9 and :9::<repo>). */
export function redHatScope(versionId: string): EcosystemScope | undefined {
  const release = /^(\d+)(?:\.(\d+))?/.exec(versionId);
  if (!release) return undefined;
  const [, major, minor] = release;
  const product = `Red Hat:enterprise_linux:${major}`;
  // The stream's release: the major, or (RHEL 10 on) the image's own major.minor.
  const releases = minor === undefined ? [major!] : [major!, `${major}.${minor}`];
  const stream = /^Red Hat:enterprise_linux:([0-9.]+)(?:::[^:]+)?$/;
  return {
    name: product,
    like: `${product}%`,
    includes: (ecosystem) => releases.includes(stream.exec(ecosystem)?.[1] ?? ''),
  };
}

/** The scope of a package's advisories; undefined when OSV files none the scanner can find. */
export function scopeOf(pkg: Package, os: OsInfo | undefined): EcosystemScope | undefined {
  if (pkg.kind !== 'os') return exactly(pkg.ecosystem);
  if (!os?.osvEcosystem) return undefined;
  if (os.osvEcosystem === 'Red Hat') return redHatScope(os.versionId);
  return exactly(os.osvEcosystem);
}

/** The names a package's advisories may be filed under, as the database keys them. */
export function lookupNames(pkg: Package, scope: EcosystemScope): string[] {
  if (pkg.kind !== 'os') return [packageKey(scope.name, pkg.name)];
  if (!rpmEcosystems.includes(pkg.ecosystem)) return [pkg.sourceName ?? pkg.name];
  return [...new Set([pkg.name, pkg.sourceName ?? pkg.name])];
}

/** The version an OS package is compared at: Debian's source version when it differs; else its own. */
export function lookupVersion(pkg: Package): string {
  return pkg.kind === 'os' && !rpmEcosystems.includes(pkg.ecosystem) ? (pkg.sourceVersion ?? pkg.version) : pkg.version;
}
