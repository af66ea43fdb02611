import { BerthError } from '../../shared/errors.js';
import { parseDigest } from '../../shared/digest.js';
import type { Package } from '../model.js';

// What both SBOM writers share: the artifact an SBOM describes, the options of a document, the
// image's Package URL, and one order of packages so the same analysis gives the same document.

/** The artifact the SBOM describes. */
export interface SbomSubject {
  /** The repository's full name, project included ('library/debian'). */
  repository: string;
  /** The artifact's manifest digest. */
  digest: string;
  /** The registry's host (and port), as clients pull from it ('harbor.example.com'). */
  registry: string;
}

export interface SbomOptions {
  subject: SbomSubject;
  /** When the document is created (both formats record it). */
  created: Date;
  /** Berth's version, named as the creating tool. */
  toolVersion: string;
  /** The organisation running the registry, named as a creator when given. */
  organization?: string;
  /** Berth's external URL (config `externalUrl`), the base of SPDX document namespaces. */
  externalUrl?: string;
}

/** Checks the subject, so a bad repository or digest is a coded error rather than a broken document. */
export function checkSubject(subject: SbomSubject): void {
  parseDigest(subject.digest);
  if (!/^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*$/.test(subject.repository))
    throw new BerthError('NAME_INVALID', `invalid repository name "${subject.repository.slice(0, 256)}"`);
  if (subject.registry === '' || /[\s/?#@]/.test(subject.registry))
    throw new BerthError('BAD_REQUEST', `invalid registry host "${subject.registry.slice(0, 256)}"`);
}

/**
 * The image's Package URL (purl-spec, type "oci"): the repository's last segment as the name,
 * the digest as the version, and where to pull it from as `repository_url`.
 */
export function imagePurl(subject: SbomSubject): string {
  const name = subject.repository.split('/').at(-1) ?? subject.repository;
  return `pkg:oci/${name}@${encodeURIComponent(subject.digest)}?repository_url=${subject.registry}/${subject.repository}`;
}

/** Packages in one order (Package URL, then path, then layer), whatever order the analyzers found them in. */
export function sortedPackages(packages: Package[]): Package[] {
  const key = (pkg: Package) => [pkg.purl, pkg.path, pkg.layer, pkg.name, pkg.version];
  return [...packages].sort((a, b) => {
    const [ka, kb] = [key(a), key(b)];
    for (let i = 0; i < ka.length; i++) if (ka[i] !== kb[i]) return ka[i] < kb[i] ? -1 : 1;
    return 0;
  });
}

/** Hands out identifiers unique within one document: a taken one gets "-2", "-3", … */
export class UniqueIds {
  private readonly used = new Set<string>();

  constructor(private readonly separator = '-') {}

  take(base: string): string {
    let id = base;
    for (let n = 2; this.used.has(id); n++) id = `${base}${this.separator}${n}`;
    this.used.add(id);
    return id;
  }
}
