import type { Analyzer, AnalyzerResult, Ecosystem, ImageFile, OsInfo, Package } from '../../model.js';
import { copyrightPackage, dep5Licenses } from './dpkg-copyright.js';
import { parseDpkgDatabase, type DpkgEntry } from './dpkg-database.js';
import { originLayers, packageKey } from './origin.js';
import { packageUrl } from './purl.js';

// Debian and Ubuntu packages, from dpkg's database: var/lib/dpkg/status and, in distroless
// images (which have no dpkg), one file a package under var/lib/dpkg/status.d/.

const statusPath = 'var/lib/dpkg/status';
const statusDir = 'var/lib/dpkg/status.d/';

function isDatabasePath(path: string): boolean {
  if (path === statusPath) return true;
  if (!path.startsWith(statusDir)) return false;
  const name = path.slice(statusDir.length);
  // distroless keeps each package's file list beside it as <package>.md5sums.
  return name !== '' && !name.includes('/') && !name.endsWith('.md5sums');
}

/** Ubuntu for Ubuntu images; Debian for Debian and any other dpkg-based image. */
function ecosystemOf(os: OsInfo | undefined): { ecosystem: Ecosystem; namespace: string } {
  return os?.id === 'ubuntu'
    ? { ecosystem: 'Ubuntu', namespace: 'ubuntu' }
    : { ecosystem: 'Debian', namespace: 'debian' };
}

function installedKeys(content: Buffer, path: string): Set<string> {
  const { entries } = parseDpkgDatabase(content.toString('utf8'), path, path === statusPath);
  return new Set(entries.map((entry) => packageKey(entry.name, entry.version)));
}

function licensesByPackage(files: ImageFile[]): Map<string, string[]> {
  const licenses = new Map<string, string[]>();
  for (const file of files) {
    const name = copyrightPackage(file.path);
    if (name !== undefined) licenses.set(name, dep5Licenses(file.content.toString('utf8')));
  }
  return licenses;
}

function toPackage(
  entry: DpkgEntry,
  file: ImageFile,
  layer: string,
  context: { os?: OsInfo; licenses: string[] },
): Package {
  const { ecosystem, namespace } = ecosystemOf(context.os);
  const versionId = context.os?.versionId;
  return {
    ecosystem,
    name: entry.name,
    version: entry.version,
    ...(entry.sourceName && entry.sourceName !== entry.name && { sourceName: entry.sourceName }),
    ...(entry.sourceVersion && entry.sourceVersion !== entry.version && { sourceVersion: entry.sourceVersion }),
    purl: packageUrl({
      type: 'deb',
      namespace,
      name: entry.name,
      version: entry.version,
      qualifiers: { arch: entry.architecture, distro: versionId ? `${namespace}-${versionId}` : undefined },
    }),
    licenses: context.licenses,
    layer,
    path: file.path,
    kind: 'os',
  };
}

function analyzeDpkg(files: ImageFile[], context: { os?: OsInfo }): AnalyzerResult {
  const licenses = licensesByPackage(files);
  const packages: Package[] = [];
  const notes: string[] = [];
  const seen = new Set<string>();
  const databases = files.filter((file) => isDatabasePath(file.path)).sort((a, b) => a.path.localeCompare(b.path));
  for (const file of databases) {
    const { entries, problems } = parseDpkgDatabase(file.content.toString('utf8'), file.path, file.path === statusPath);
    notes.push(...problems);
    const layerOf = originLayers(file, (content) => installedKeys(content, file.path));
    for (const entry of entries) {
      const key = `${entry.name}:${entry.architecture}`;
      if (seen.has(key)) continue; // a package both in status and status.d counts once
      seen.add(key);
      const layer = layerOf(packageKey(entry.name, entry.version));
      packages.push(toPackage(entry, file, layer, { os: context.os, licenses: licenses.get(entry.name) ?? [] }));
    }
  }
  return { packages, notes };
}

export function dpkgAnalyzer(): Analyzer {
  return {
    name: 'dpkg',
    wants: (path) => isDatabasePath(path) || copyrightPackage(path) !== undefined,
    // A status file of some 3,000 packages is 3-4 MiB; copyright files are a few KiB.
    maxFileSize: 64 * 1024 * 1024,
    history: true,
    analyze: analyzeDpkg,
  };
}
