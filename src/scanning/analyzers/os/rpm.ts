import type { Analyzer, AnalyzerResult, Ecosystem, ImageFile, OsInfo, Package } from '../../model.js';
import { originLayers, packageKey } from './origin.js';
import { packageUrl } from './purl.js';
import { readRpmDatabase, type RpmEntry } from './rpm-database.js';

// Red Hat, Rocky, AlmaLinux, SUSE, openSUSE (and other rpm distributions') packages, from rpm's
// SQLite database. The older Berkeley DB (Packages) and NDB (Packages.db) databases are not
// read: the analysis says so instead of reporting an image without packages.

const rpmDirs = ['var/lib/rpm/', 'usr/lib/sysimage/rpm/'];
const sqliteName = 'rpmdb.sqlite';
// rpm keeps its SQLite database in WAL mode and checkpoints the log when it closes it.
const walName = 'rpmdb.sqlite-wal';
const otherFormats: Record<string, string> = { Packages: 'Berkeley DB', 'Packages.db': 'NDB' };

function databaseName(path: string): string | undefined {
  const dir = rpmDirs.find((d) => path.startsWith(d));
  const name = dir && path.slice(dir.length);
  return name && (name === sqliteName || name === walName || name in otherFormats) ? name : undefined;
}

/** OSV's ecosystem and the purl namespace (the vendor) for an rpm distribution. */
function distributionOf(os: OsInfo | undefined): { ecosystem: Ecosystem; vendor: string; covered: boolean } {
  const id = os?.id ?? '';
  if (id === 'rhel') return { ecosystem: 'Red Hat', vendor: 'redhat', covered: true };
  if (id === 'rocky') return { ecosystem: 'Rocky Linux', vendor: 'rocky', covered: true };
  if (id === 'almalinux') return { ecosystem: 'AlmaLinux', vendor: 'almalinux', covered: true };
  if (id.startsWith('opensuse')) return { ecosystem: 'openSUSE', vendor: 'opensuse', covered: true };
  if (id.startsWith('sle')) return { ecosystem: 'SUSE', vendor: 'suse', covered: true };
  // Fedora, CentOS, Amazon Linux, Oracle Linux…: no OSV ecosystem; listed as Red Hat's family.
  return { ecosystem: 'Red Hat', vendor: id || 'redhat', covered: false };
}

/** The source package's name: SOURCERPM without '-<version>-<release>.src.rpm'. */
export function sourceRpmName(sourceRpm: string): string | undefined {
  const match = /^(.+)-[^-]+-[^-]+\.(?:no)?src\.rpm$/.exec(sourceRpm);
  return match?.[1];
}

/** The version advisories compare against: '[epoch:]version-release'. */
function evrOf(entry: RpmEntry): string {
  const epoch = entry.epoch !== undefined ? `${entry.epoch}:` : '';
  return `${epoch}${entry.version}${entry.release ? `-${entry.release}` : ''}`;
}

function toPackage(entry: RpmEntry, file: ImageFile, layer: string, os: OsInfo | undefined): Package {
  const { ecosystem, vendor } = distributionOf(os);
  const sourceName = sourceRpmName(entry.sourceRpm);
  return {
    ecosystem,
    name: entry.name,
    version: evrOf(entry),
    ...(sourceName && sourceName !== entry.name && { sourceName }),
    purl: packageUrl({
      type: 'rpm',
      namespace: vendor,
      name: entry.name,
      version: entry.release ? `${entry.version}-${entry.release}` : entry.version,
      qualifiers: {
        arch: entry.arch,
        distro: os?.versionId ? `${os.id}-${os.versionId}` : undefined,
        epoch: entry.epoch !== undefined ? String(entry.epoch) : undefined,
      },
    }),
    licenses: entry.license === '' ? [] : [entry.license],
    layer,
    path: file.path,
    kind: 'os',
  };
}

function analyzeSqlite(file: ImageFile, os: OsInfo | undefined): AnalyzerResult {
  const { entries, problems } = readRpmDatabase(file.content, file.path);
  const keysOf = (content: Buffer): Set<string> =>
    new Set(readRpmDatabase(content, file.path).entries.map((e) => packageKey(e.name, evrOf(e))));
  const layerOf = originLayers(file, keysOf);
  const packages = entries
    // gpg-pubkey "packages" are the keys rpm trusts, kept in the database as headers.
    .filter((entry) => entry.name !== 'gpg-pubkey')
    .map((entry) => toPackage(entry, file, layerOf(packageKey(entry.name, evrOf(entry))), os));
  return { packages, notes: problems };
}

/** One wanted file: the SQLite database is read; the others only give a note. */
function analyzeFile(file: ImageFile, name: string, os: OsInfo | undefined): AnalyzerResult {
  if (name === sqliteName) return analyzeSqlite(file, os);
  if (name !== walName)
    return { packages: [], notes: [`rpm database ${file.path} is ${otherFormats[name]} and is not analysed`] };
  if (file.content.length === 0) return { packages: [] };
  const size = file.content.length;
  return {
    packages: [],
    notes: [
      `${file.path} holds ${size} bytes of changes not checkpointed into the database: packages installed last may be missing`,
    ],
  };
}

function analyzeRpm(files: ImageFile[], context: { os?: OsInfo }): AnalyzerResult {
  const packages: Package[] = [];
  const notes: string[] = [];
  const purls = new Set<string>();
  for (const file of files) {
    const name = databaseName(file.path);
    if (name === undefined) continue;
    const result = analyzeFile(file, name, context.os);
    // Fedora links var/lib/rpm to usr/lib/sysimage/rpm: the same database may come under both paths.
    packages.push(...result.packages.filter((p) => !purls.has(p.purl)));
    result.packages.forEach((p) => purls.add(p.purl));
    notes.push(...(result.notes ?? []));
  }
  if (packages.length > 0 && !distributionOf(context.os).covered) {
    notes.push(`${context.os?.prettyName ?? 'an unknown distribution'}: OSV has no advisories for its rpm packages`);
  }
  return { packages, notes };
}

export function rpmAnalyzer(): Analyzer {
  return {
    name: 'rpm',
    wants: (path) => databaseName(path) !== undefined,
    maxFileSize: 256 * 1024 * 1024,
    history: true,
    analyze: analyzeRpm,
  };
}
