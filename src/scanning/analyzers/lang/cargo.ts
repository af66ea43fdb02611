import type { Analyzer, ImageFile, Package } from '../../model.js';
import { analyzeEach, baseName, isPseudoFilesystem, libraryPackage, packageUrl } from './common.js';

// Rust crates from Cargo.lock: one [[package]] table per crate with `name`, `version` and, for
// crates from a registry, `source = "registry+…"`. The workspace's own crates and git or path
// dependencies have no registry source; they are kept (an SBOM lists them) though OSV's
// crates.io advisories will not name them.
//
// Cargo.lock is TOML written by Cargo, so a subset reader suffices: table headers, and
// `key = "string"` pairs; arrays (`dependencies = [ … ]`, one entry a line) are skipped.

export const cargoAnalyzer: Analyzer = {
  name: 'cargo',
  maxFileSize: 16 * 1024 * 1024,
  wants: (path) => !isPseudoFilesystem(path) && baseName(path) === 'Cargo.lock',
  analyze: (files) => analyzeEach(files, 'Cargo.lock', (file) => ({ packages: cargoPackages(file) })),
};

export interface LockedCrate {
  name: string;
  version: string;
  source?: string;
}

function cargoPackages(file: ImageFile): Package[] {
  return parseCargoLock(file.content.toString('utf8')).map((crate) =>
    libraryPackage('crates.io', file, {
      name: crate.name,
      version: crate.version,
      purl: packageUrl('cargo', crate.name, crate.version),
    }),
  );
}

export function parseCargoLock(text: string): LockedCrate[] {
  const crates: LockedCrate[] = [];
  let current: Record<string, string> | undefined;
  let inArray = false;
  const finish = (): void => {
    if (!current) return;
    if (!current.name || !current.version) throw new Error('a [[package]] has no name or version');
    crates.push({ name: current.name, version: current.version, source: current.source });
  };
  text.split(/\r?\n/).forEach((raw, index) => {
    const line = raw.trim();
    if (inArray) {
      inArray = !line.startsWith(']');
      return;
    }
    if (line === '' || line.startsWith('#')) return;
    if (line.startsWith('[')) {
      finish();
      current = line === '[[package]]' ? {} : undefined;
      return;
    }
    // Other tables ([metadata]'s quoted checksum keys in version 1 lockfiles) are not read.
    if (!current) return;
    const pair = /^([A-Za-z0-9_-]+)\s*=\s*(.*)$/.exec(line);
    if (!pair) throw new Error(`line ${index + 1} is not TOML this reader knows: ${line.slice(0, 60)}`);
    const [, key, value] = pair;
    if (value!.startsWith('[')) inArray = !value!.endsWith(']');
    else current[key!] = tomlString(value!, index + 1);
  });
  finish();
  return crates;
}

/** A basic string ("…", escapes as JSON has them) or a literal string ('…'). */
function tomlString(value: string, line: number): string {
  if (value.startsWith("'")) return value.slice(1, value.indexOf("'", 1));
  const match = /^"((?:[^"\\]|\\.)*)"/.exec(value);
  if (!match) throw new Error(`line ${line}: expected a string, got ${value.slice(0, 60)}`);
  return JSON.parse(`"${match[1]}"`) as string;
}
