import type { Analyzer, AnalyzerResult, Ecosystem, ImageFile, OsInfo, Package } from '../../model.js';
import { originLayers, packageKey } from './origin.js';
import { packageUrl } from './purl.js';

// Alpine packages (and Wolfi's and Chainguard's, which use apk too), from apk-tools' installed
// database lib/apk/db/installed: one "X:value" line a field, a blank line between packages.
// The letters are apk-tools' index characters (apk-package(5)): P name, V version, A arch,
// L licence, o origin (the source package advisories are filed under).

const databasePath = 'lib/apk/db/installed';

interface ApkEntry {
  name: string;
  version: string;
  arch: string;
  license: string;
  origin: string;
}

function parseInstalled(text: string): { entries: ApkEntry[]; skipped: number } {
  const entries: ApkEntry[] = [];
  let skipped = 0;
  let fields = new Map<string, string>();
  const finish = (): void => {
    if (fields.size === 0) return;
    const name = fields.get('P');
    const version = fields.get('V');
    if (name && version) {
      entries.push({
        name,
        version,
        arch: fields.get('A') ?? '',
        license: fields.get('L') ?? '',
        origin: fields.get('o') ?? '',
      });
    } else {
      skipped++;
    }
    fields = new Map();
  };
  for (const line of text.split(/\r?\n/)) {
    if (line.trim() === '') finish();
    // Only the first value of a letter counts: F:/R: (directories, files) repeat, P/V do not.
    else if (line[1] === ':' && !fields.has(line[0]!)) fields.set(line[0]!, line.slice(2).trim());
  }
  finish();
  return { entries, skipped };
}

function ecosystemOf(os: OsInfo | undefined): { ecosystem: Ecosystem; namespace: string } {
  if (os?.id === 'wolfi') return { ecosystem: 'Wolfi', namespace: 'wolfi' };
  if (os?.id === 'chainguard') return { ecosystem: 'Chainguard', namespace: 'chainguard' };
  return { ecosystem: 'Alpine', namespace: 'alpine' };
}

function toPackage(entry: ApkEntry, file: ImageFile, layer: string, os: OsInfo | undefined): Package {
  const { ecosystem, namespace } = ecosystemOf(os);
  return {
    ecosystem,
    name: entry.name,
    version: entry.version,
    ...(entry.origin !== '' && entry.origin !== entry.name && { sourceName: entry.origin }),
    purl: packageUrl({
      type: 'apk',
      namespace,
      name: entry.name,
      version: entry.version,
      qualifiers: { arch: entry.arch, distro: os?.versionId },
    }),
    licenses: entry.license === '' ? [] : [entry.license],
    layer,
    path: file.path,
    kind: 'os',
  };
}

function analyzeApk(files: ImageFile[], context: { os?: OsInfo }): AnalyzerResult {
  const file = files.find((f) => f.path === databasePath);
  if (!file) return { packages: [] };
  const { entries, skipped } = parseInstalled(file.content.toString('utf8'));
  const keysOf = (content: Buffer): Set<string> =>
    new Set(parseInstalled(content.toString('utf8')).entries.map((e) => packageKey(e.name, e.version)));
  const layerOf = originLayers(file, keysOf);
  const packages = entries.map((entry) =>
    toPackage(entry, file, layerOf(packageKey(entry.name, entry.version)), context.os),
  );
  const notes = skipped > 0 ? [`${file.path}: ${skipped} package record(s) without a name or version skipped`] : [];
  return { packages, notes };
}

export function apkAnalyzer(): Analyzer {
  return {
    name: 'apk',
    wants: (path) => path === databasePath,
    maxFileSize: 64 * 1024 * 1024,
    history: true,
    analyze: analyzeApk,
  };
}
