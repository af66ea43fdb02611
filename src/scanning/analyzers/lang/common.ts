import type { Ecosystem, ImageFile, Package } from '../../model.js';

// What every language analyzer shares: which paths are never looked at, how a package URL is
// spelt, how a found package is built and de-duplicated, and how a bad file becomes a note.

/** Pseudo-filesystems a container runtime mounts: whatever an image holds there is not installed software. */
const pseudoFilesystems = ['proc/', 'sys/', 'dev/'];

export function isPseudoFilesystem(path: string): boolean {
  return pseudoFilesystems.some((prefix) => path.startsWith(prefix));
}

/** The last path segment. */
export function baseName(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}

/**
 * A package URL (purl-spec: type/namespace/name@version, each segment percent-encoded, so npm's
 * '@scope' becomes '%40scope' and Go's '+incompatible' '%2Bincompatible').
 */
export function packageUrl(type: string, namespaceAndName: string, version: string): string {
  const segments = namespaceAndName.split('/').filter((segment) => segment !== '');
  return `pkg:${type}/${segments.map(encodeURIComponent).join('/')}@${encodeURIComponent(version)}`;
}

export interface FoundPackage {
  name: string;
  version: string;
  purl: string;
  licenses?: string[];
}

/** A library package found in `file`. */
export function libraryPackage(ecosystem: Ecosystem, file: ImageFile, found: FoundPackage): Package {
  return {
    ecosystem,
    name: found.name,
    version: found.version,
    purl: found.purl,
    licenses: found.licenses ?? [],
    layer: file.layer,
    path: file.path,
    kind: 'library',
  };
}

/** Keeps one package per name@version per file (a lockfile lists a package once per place it is installed). */
export function dedupe(packages: Package[]): Package[] {
  const seen = new Set<string>();
  return packages.filter((pkg) => {
    const key = `${pkg.path}\0${pkg.name}\0${pkg.version}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** A note for a file that could not be read, naming the file and why. */
export function unreadable(what: string, file: ImageFile, err: unknown): string {
  const reason = err instanceof Error ? err.message : String(err);
  return `${what} ${file.path} could not be read: ${reason}`;
}

/** Reads a JSON document; throws a SyntaxError naming the problem when it is not JSON. */
export function parseJson(content: Buffer): unknown {
  return JSON.parse(content.toString('utf8')) as unknown;
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function stringField(record: Record<string, unknown>, key: string): string | undefined {
  const value = record[key];
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;
}

/**
 * Runs `parse` on each file, turning what a file yields into packages, and a file that throws
 * into a note: one corrupt file never hides the others.
 */
export function analyzeEach(
  files: ImageFile[],
  what: string,
  parse: (file: ImageFile) => { packages: Package[]; notes?: string[] },
): { packages: Package[]; notes: string[] } {
  const packages: Package[] = [];
  const notes: string[] = [];
  for (const file of files) {
    try {
      const result = parse(file);
      packages.push(...result.packages);
      notes.push(...(result.notes ?? []));
    } catch (err) {
      notes.push(unreadable(what, file, err));
    }
  }
  return { packages: dedupe(packages), notes };
}
