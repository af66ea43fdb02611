import type { VulnDbStatus } from '../model.js';
import {
  harborReportType,
  manifestMediaTypes,
  sbomReportType,
  vulnerabilityReportType,
  type AdapterMetadata,
} from './adapter.js';

// What the built-in scanner says of itself, in the pluggable scanner API's metadata: the same
// capabilities Harbor's Trivy adapter declares, and its database's state among the properties
// (the keys Trivy's adapter uses, so tools that read them find them).

export function builtinMetadata(version: string, db: VulnDbStatus): AdapterMetadata {
  const properties: Record<string, string> = {
    'harbor.scanner-adapter/scanner-type': 'os-package-vulnerability',
    'harbor.scanner-adapter/vulnerability-database-advisories': String(db.advisories),
    'harbor.scanner-adapter/vulnerability-database-ecosystems': db.ecosystems.join(','),
  };
  if (db.updatedAt) properties['harbor.scanner-adapter/vulnerability-database-updated-at'] = db.updatedAt;
  if (db.importedAt) properties['harbor.scanner-adapter/vulnerability-database-imported-at'] = db.importedAt;
  return {
    scanner: { name: 'Berth', vendor: 'Berth', version },
    capabilities: [
      {
        type: 'vulnerability',
        consumes_mime_types: manifestMediaTypes,
        produces_mime_types: [harborReportType, vulnerabilityReportType],
      },
      {
        type: 'sbom',
        consumes_mime_types: manifestMediaTypes,
        produces_mime_types: [sbomReportType],
        additional_attributes: { sbom_media_types: ['application/spdx+json', 'application/vnd.cyclonedx+json'] },
      },
    ],
    properties,
  };
}
