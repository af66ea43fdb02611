import type { Analyzer, ImageFile, Package } from '../../model.js';
import {
  analyzeEach,
  baseName,
  isPseudoFilesystem,
  isRecord,
  libraryPackage,
  packageUrl,
  parseJson,
  stringField,
} from './common.js';

// npm packages, from lockfiles (package-lock.json, lockfileVersion 1, 2 and 3) and from what is
// installed (node_modules/<name>/package.json, node_modules/@scope/<name>/package.json).
// Dev-only packages are kept: an image that ships them ships their vulnerabilities.

/** A package's own manifest right under node_modules (not one of its nested package.json files). */
const installedManifest = /(?:^|\/)node_modules\/(?:@[^/]+\/)?[^/@.][^/]*\/package\.json$/;

export const npmAnalyzer: Analyzer = {
  name: 'npm',
  maxFileSize: 64 * 1024 * 1024,
  wants: (path) => !isPseudoFilesystem(path) && (isProjectLockfile(path) || installedManifest.test(path)),
  analyze: (files) =>
    analyzeEach(files, 'npm file', (file) => ({
      packages: isProjectLockfile(file.path) ? lockfilePackages(file) : installedPackage(file),
    })),
};

/**
 * A project's lockfile; one inside node_modules is a published package's own, listing its
 * development dependencies, which were never installed.
 */
function isProjectLockfile(path: string): boolean {
  return baseName(path) === 'package-lock.json' && !/(?:^|\/)node_modules\//.test(path);
}

function npmPackage(file: ImageFile, name: string, version: string, licenses: string[]): Package {
  return libraryPackage('npm', file, { name, version, purl: packageUrl('npm', name, version), licenses });
}

/** package-lock.json: v2 and v3 list every installed path in `packages`; v1 nests `dependencies`. */
export function lockfilePackages(file: ImageFile): Package[] {
  const lock = parseJson(file.content);
  if (!isRecord(lock)) throw new Error('not a JSON object');
  if (isRecord(lock.packages)) return fromPackagesMap(file, lock.packages);
  if (isRecord(lock.dependencies)) return fromDependencyTree(file, lock.dependencies);
  return [];
}

function fromPackagesMap(file: ImageFile, packages: Record<string, unknown>): Package[] {
  const found: Package[] = [];
  for (const [key, entry] of Object.entries(packages)) {
    // '' is the project itself; keys without node_modules/ are workspace folders, not installs.
    const at = key.lastIndexOf('node_modules/');
    if (at < 0 || !isRecord(entry) || entry.link === true) continue;
    const version = stringField(entry, 'version');
    if (!version || !isRegistryVersion(version)) continue;
    // An aliased install ("x": "npm:real@1") sits under its alias and names the real package.
    const name = stringField(entry, 'name') ?? key.slice(at + 'node_modules/'.length);
    found.push(npmPackage(file, name, version, licensesOf(entry)));
  }
  return found;
}

/** Lockfile v1: { name: { version, dependencies: { … nested installs … } } }. */
function fromDependencyTree(file: ImageFile, dependencies: Record<string, unknown>, depth = 0): Package[] {
  if (depth > 64) throw new Error('dependencies nested more than 64 levels deep');
  const found: Package[] = [];
  for (const [key, entry] of Object.entries(dependencies)) {
    if (!isRecord(entry)) continue;
    const declared = stringField(entry, 'version');
    const alias = declared?.startsWith('npm:') ? parseAlias(declared.slice(4)) : undefined;
    const name = alias?.name ?? key;
    const version = alias?.version ?? declared;
    if (version && isRegistryVersion(version)) found.push(npmPackage(file, name, version, []));
    if (isRecord(entry.dependencies)) found.push(...fromDependencyTree(file, entry.dependencies, depth + 1));
  }
  return found;
}

/** 'real@1.2.3' or '@scope/real@1.2.3'. */
function parseAlias(spec: string): { name: string; version: string } | undefined {
  const at = spec.lastIndexOf('@');
  if (at <= 0) return undefined;
  return { name: spec.slice(0, at), version: spec.slice(at + 1) };
}

/** Local folders, tarballs and git checkouts have no registry version to match advisories against. */
function isRegistryVersion(version: string): boolean {
  return !/^(?:file:|link:|git\+|git:|github:|gitlab:|bitbucket:|https?:)/.test(version) && !version.includes('/');
}

/** An installed package's package.json. */
export function installedPackage(file: ImageFile): Package[] {
  const manifest = parseJson(file.content);
  if (!isRecord(manifest)) throw new Error('not a JSON object');
  const name = stringField(manifest, 'name');
  const version = stringField(manifest, 'version');
  // Test fixtures and stubs inside packages often lack either: they are not installs.
  if (!name || !version) return [];
  return [npmPackage(file, name, version, licensesOf(manifest))];
}

/** `license` as a string or the legacy { type } object, or the legacy `licenses` array of either. */
export function licensesOf(manifest: Record<string, unknown>): string[] {
  const one = licenseName(manifest.license);
  if (one) return [one];
  if (!Array.isArray(manifest.licenses)) return [];
  return manifest.licenses.map(licenseName).filter((name): name is string => name !== undefined);
}

function licenseName(value: unknown): string | undefined {
  if (typeof value === 'string') return value.trim() || undefined;
  if (isRecord(value)) return stringField(value, 'type');
  return undefined;
}
