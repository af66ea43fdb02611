import { randomUUID } from 'node:crypto';
import type { Analysis, OsInfo, Package } from '../model.js';
import { renderLicenseExpression } from './license-expression.js';
import { LicenseRefs, declaredExpression, declaredLicenses, idPart } from './licenses.js';
import { UniqueIds, checkSubject, imagePurl, sortedPackages, type SbomOptions } from './subject.js';

// An image's SBOM as an SPDX 2.3 JSON document (spdx-spec v2.3, chapters 6-11 and the JSON
// schema): the image as a CONTAINER package the document DESCRIBES, and its operating system and
// every package found as packages the image CONTAINS, each with its Package URL and the layer
// that installed it.

const noAssertion = 'NOASSERTION';
const documentId = 'SPDXRef-DOCUMENT';
const imageId = 'SPDXRef-Image';
const osId = 'SPDXRef-OperatingSystem';

export interface SpdxExternalRef {
  referenceCategory: 'PACKAGE-MANAGER';
  referenceType: 'purl';
  referenceLocator: string;
}

export interface SpdxPackage {
  SPDXID: string;
  name: string;
  versionInfo?: string;
  downloadLocation: string;
  /** False: Berth lists packages, not their files (true would require a verification code, §7.9). */
  filesAnalyzed: false;
  licenseConcluded: string;
  licenseDeclared: string;
  copyrightText: string;
  externalRefs?: SpdxExternalRef[];
  /** The JSON schema's spelling (OPERATING_SYSTEM), not the tag-value one (OPERATING-SYSTEM). */
  primaryPackagePurpose: 'CONTAINER' | 'OPERATING_SYSTEM' | 'LIBRARY';
  sourceInfo?: string;
  description?: string;
}

export interface SpdxRelationship {
  spdxElementId: string;
  relationshipType: 'DESCRIBES' | 'CONTAINS';
  relatedSpdxElement: string;
}

export interface SpdxExtractedLicense {
  licenseId: string;
  name: string;
  extractedText: string;
  comment: string;
}

export interface SpdxDocument {
  spdxVersion: 'SPDX-2.3';
  dataLicense: 'CC0-1.0';
  SPDXID: typeof documentId;
  name: string;
  documentNamespace: string;
  creationInfo: { created: string; creators: string[] };
  packages: SpdxPackage[];
  relationships: SpdxRelationship[];
  hasExtractedLicensingInfos?: SpdxExtractedLicense[];
}

/** The SPDX 2.3 document for an analysed image; only the namespace and the time differ between two runs. */
export function spdxDocument(analysis: Analysis, options: SbomOptions): SpdxDocument {
  const { subject } = options;
  checkSubject(subject);
  const refs = new LicenseRefs();
  const ids = new UniqueIds();
  for (const reserved of [documentId, imageId, osId]) ids.take(reserved);

  const found = sortedPackages(analysis.packages).map((pkg) => foundPackage(pkg, ids, refs));
  const contained = [...(analysis.os ? [osPackage(analysis.os)] : []), ...found];
  const extracted = refs.entries().map(({ name, ref }) => ({
    licenseId: ref,
    name,
    // Berth knows only the licence's name as the package declares it, not its text.
    extractedText: name,
    comment: 'A licence name the package declares that is not an SPDX licence identifier or expression.',
  }));

  return {
    spdxVersion: 'SPDX-2.3',
    dataLicense: 'CC0-1.0',
    SPDXID: documentId,
    name: `${subject.repository}@${subject.digest}`,
    documentNamespace: documentNamespace(options),
    creationInfo: {
      created: spdxDate(options.created),
      creators: [
        `Tool: berth-${options.toolVersion}`,
        ...(options.organization ? [`Organization: ${options.organization}`] : []),
      ],
    },
    packages: [imagePackage(options), ...contained],
    relationships: [
      { spdxElementId: documentId, relationshipType: 'DESCRIBES', relatedSpdxElement: imageId },
      ...contained.map((pkg) => ({
        spdxElementId: imageId,
        relationshipType: 'CONTAINS' as const,
        relatedSpdxElement: pkg.SPDXID,
      })),
    ],
    ...(extracted.length > 0 ? { hasExtractedLicensingInfos: extracted } : {}),
  };
}

/** A URI unique to this document (§6.5): the registry's URL, the artifact, and a random UUID. */
function documentNamespace({ subject, externalUrl }: SbomOptions): string {
  const base = (externalUrl ?? 'https://berth.invalid').replace(/\/+$/, '');
  return `${base}/spdx/${subject.repository}/${subject.digest}/${randomUUID()}`;
}

/** §6.9: "YYYY-MM-DDThh:mm:ssZ", UTC, without fractions of a second. */
function spdxDate(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function imagePackage({ subject }: SbomOptions): SpdxPackage {
  return {
    SPDXID: imageId,
    name: subject.repository,
    versionInfo: subject.digest,
    downloadLocation: noAssertion,
    filesAnalyzed: false,
    licenseConcluded: noAssertion,
    licenseDeclared: noAssertion,
    copyrightText: noAssertion,
    externalRefs: [purlRef(imagePurl(subject))],
    primaryPackagePurpose: 'CONTAINER',
    sourceInfo: `pulled from ${subject.registry}/${subject.repository}@${subject.digest}`,
  };
}

function osPackage(os: OsInfo): SpdxPackage {
  return {
    SPDXID: osId,
    name: os.id,
    versionInfo: os.versionId,
    downloadLocation: noAssertion,
    filesAnalyzed: false,
    licenseConcluded: noAssertion,
    licenseDeclared: noAssertion,
    copyrightText: noAssertion,
    primaryPackagePurpose: 'OPERATING_SYSTEM',
    ...(os.prettyName ? { description: os.prettyName } : {}),
  };
}

function foundPackage(pkg: Package, ids: UniqueIds, refs: LicenseRefs): SpdxPackage {
  const declared = declaredExpression(declaredLicenses(pkg), refs);
  return {
    SPDXID: ids.take(`SPDXRef-Package-${idPart(`${pkg.ecosystem}-${pkg.name}-${pkg.version}`, 120) || 'unnamed'}`),
    name: pkg.name,
    versionInfo: pkg.version,
    downloadLocation: noAssertion,
    filesAnalyzed: false,
    licenseConcluded: noAssertion,
    licenseDeclared: declared ? renderLicenseExpression(declared) : noAssertion,
    copyrightText: noAssertion,
    externalRefs: [purlRef(pkg.purl)],
    primaryPackagePurpose: 'LIBRARY',
    sourceInfo: originOf(pkg),
  };
}

/** Where the package came from: the layer that installed it, the file it was found in, its source package. */
function originOf(pkg: Package): string {
  const source = pkg.sourceName
    ? `; built from source package ${pkg.sourceName} ${pkg.sourceVersion ?? pkg.version}`
    : '';
  return `layer of origin: ${pkg.layer}; found in: ${pkg.path}${source}`;
}

function purlRef(purl: string): SpdxExternalRef {
  return { referenceCategory: 'PACKAGE-MANAGER', referenceType: 'purl', referenceLocator: purl };
}
