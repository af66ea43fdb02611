import type { Analysis } from '../model.js';
import { cyclonedxJson } from './cyclonedx.js';
import { spdxDocument } from './spdx.js';
import type { SbomOptions } from './subject.js';

// The SBOM writers' one entry point: an analysed image written as SPDX 2.3 or CycloneDX 1.5 JSON,
// with the media type each is stored and served under.

export type { SbomOptions, SbomSubject } from './subject.js';
export type { SpdxDocument } from './spdx.js';

export type SbomFormat = 'spdx' | 'cyclonedx';

export const sbomMediaTypes = {
  spdx: 'application/spdx+json',
  cyclonedx: 'application/vnd.cyclonedx+json',
} as const satisfies Record<SbomFormat, string>;

export interface Sbom {
  mediaType: (typeof sbomMediaTypes)[SbomFormat];
  content: Buffer;
}

/**
 * Writes the SBOM of an analysed image. Packages are sorted, so two runs differ only in the
 * SPDX namespace or CycloneDX serial number and in the creation time. Throws BerthError
 * (DIGEST_INVALID, NAME_INVALID, BAD_REQUEST) for a subject that names no artifact.
 */
export function writeSbom(analysis: Analysis, options: SbomOptions & { format: SbomFormat }): Sbom {
  const { format, ...rest } = options;
  const json =
    format === 'spdx' ? `${JSON.stringify(spdxDocument(analysis, rest), null, 2)}\n` : cyclonedxJson(analysis, rest);
  return { mediaType: sbomMediaTypes[format], content: Buffer.from(json, 'utf8') };
}
