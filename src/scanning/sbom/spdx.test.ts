import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { Ajv } from 'ajv';
import { isBerthError } from '../../shared/errors.js';
import * as sample from '../../../test/fixtures/scanning/sbom/analysis.js';
import { parseLicenseExpression } from './license-expression.js';
import { spdxDocument, type SpdxDocument, type SpdxPackage } from './spdx.js';

// The SPDX 2.3 JSON schema as spdx/spdx-spec publishes it (schemas/spdx-schema-2-3.json).
const schema = JSON.parse(
  readFileSync(new URL('../../../test/fixtures/scanning/sbom/spdx-2.3.schema.json', import.meta.url), 'utf8'),
) as object;
const validate = new Ajv({ allErrors: true, strict: false }).compile(schema);

function assertValid(document: SpdxDocument): void {
  // Through JSON, as a reader gets it: no undefined fields, no Dates.
  const ok = validate(JSON.parse(JSON.stringify(document)));
  assert.ok(ok, `not SPDX 2.3: ${JSON.stringify(validate.errors, null, 2)}`);
}

const purlOf = (pkg: SpdxPackage) => pkg.externalRefs?.find((ref) => ref.referenceType === 'purl')?.referenceLocator;

test('an analysed image is a valid SPDX 2.3 document describing the image', () => {
  const document = spdxDocument(sample.analysis, sample.options);
  assertValid(document);
  assert.equal(document.spdxVersion, 'SPDX-2.3');
  assert.equal(document.dataLicense, 'CC0-1.0');
  assert.equal(document.SPDXID, 'SPDXRef-DOCUMENT');
  assert.equal(document.name, `library/shop-api@${sample.options.subject.digest}`);
  assert.deepEqual(document.creationInfo, {
    created: '2026-12-07T10:11:12Z',
    creators: ['Tool: berth-0.1.0', 'Organization: Example Shop'],
  });
  const namespace = new URL(document.documentNamespace);
  assert.equal(namespace.origin, 'https://harbor.example.com');
  assert.match(
    namespace.pathname,
    new RegExp(`^/spdx/library/shop-api/${sample.options.subject.digest}/[0-9a-f-]{36}$`),
  );

  const image = document.packages.find((pkg) => pkg.SPDXID === 'SPDXRef-Image');
  assert.equal(image?.primaryPackagePurpose, 'CONTAINER');
  assert.equal(
    purlOf(image as SpdxPackage),
    'pkg:oci/shop-api@sha256%3A9d1e6a0c2b7f3e8a4d5c6b7a8f9e0d1c2b3a4f5e6d7c8b9a0f1e2d3c4b5a6f7e?repository_url=harbor.example.com/library/shop-api',
  );
  const os = document.packages.find((pkg) => pkg.primaryPackagePurpose === 'OPERATING_SYSTEM');
  assert.deepEqual([os?.name, os?.versionInfo], ['debian', '12']);

  // The schema is not vacuous: the tag-value spelling of the OS purpose and a missing creationInfo fail it.
  const tagValueSpelling = JSON.parse(JSON.stringify(document).replace('"OPERATING_SYSTEM"', '"OPERATING-SYSTEM"'));
  assert.equal(validate(tagValueSpelling), false);
  assert.equal(validate({ ...document, creationInfo: undefined }), false);
});

test('every package found appears once with its Package URL and its layer of origin', () => {
  const document = spdxDocument(sample.analysis, sample.options);
  const found = document.packages.filter((pkg) => pkg.primaryPackagePurpose === 'LIBRARY');
  assert.equal(found.length, sample.packages.length);
  for (const pkg of sample.packages) {
    const written = found.filter((spdx) => purlOf(spdx) === pkg.purl && spdx.sourceInfo?.includes(pkg.path));
    assert.equal(written.length, 1, `${pkg.purl} in ${pkg.path}`);
    assert.equal(written[0].name, pkg.name);
    assert.equal(written[0].versionInfo, pkg.version);
    assert.equal(written[0].downloadLocation, 'NOASSERTION');
    assert.equal(written[0].licenseConcluded, 'NOASSERTION');
    assert.ok(written[0].sourceInfo?.startsWith(`layer of origin: ${pkg.layer}; found in: ${pkg.path}`));
  }
  const libc6 = found.find((pkg) => pkg.name === 'libc6');
  assert.match(libc6?.sourceInfo ?? '', /built from source package glibc 2\.36-9\+deb12u4$/);
});

test('SPDX identifiers are valid idstrings and unique, the two copies of lodash included', () => {
  const document = spdxDocument(sample.analysis, sample.options);
  const ids = document.packages.map((pkg) => pkg.SPDXID);
  for (const id of ids) assert.match(id, /^SPDXRef-[A-Za-z0-9.-]+$/);
  assert.equal(new Set([...ids, document.SPDXID]).size, ids.length + 1);
  assert.deepEqual(
    document.packages.filter((pkg) => pkg.name === 'lodash').map((pkg) => pkg.SPDXID),
    ['SPDXRef-Package-npm-lodash-4.17.21', 'SPDXRef-Package-npm-lodash-4.17.21-2'],
  );
  assert.equal(
    document.packages.find((pkg) => pkg.name === '@babel/core')?.SPDXID,
    'SPDXRef-Package-npm-babel-core-7.24.0',
  );
});

test('declared licences are SPDX expressions, LicenseRefs for names, NOASSERTION when unknown', () => {
  const document = spdxDocument(sample.analysis, sample.options);
  const declared = Object.fromEntries(document.packages.map((pkg) => [pkg.name, pkg.licenseDeclared]));
  assert.equal(declared.libc6, 'LGPL-2.1-or-later AND GPL-2.0-only');
  assert.equal(declared.zlib1g, 'Zlib');
  assert.equal(declared.lodash, 'MIT');
  assert.equal(declared['wasm-pack'], 'MIT OR Apache-2.0');
  assert.equal(declared['org.apache.commons:commons-lang3'], 'LicenseRef-Apache-License-Version-2.0');
  assert.equal(declared['github.com/google/uuid'], 'NOASSERTION');
  assert.deepEqual(document.hasExtractedLicensingInfos, [
    {
      licenseId: 'LicenseRef-Apache-License-Version-2.0',
      name: 'Apache License, Version 2.0',
      extractedText: 'Apache License, Version 2.0',
      comment: 'A licence name the package declares that is not an SPDX licence identifier or expression.',
    },
  ]);
  // Every LicenseRef an expression uses is declared in the document (SPDX 2.3 §10.1).
  const declaredRefs = new Set(document.hasExtractedLicensingInfos?.map((info) => info.licenseId));
  for (const pkg of document.packages) {
    if (pkg.licenseDeclared === 'NOASSERTION') continue;
    assert.ok(parseLicenseExpression(pkg.licenseDeclared), pkg.licenseDeclared);
    for (const ref of pkg.licenseDeclared.match(/LicenseRef-[A-Za-z0-9.-]+/g) ?? [])
      assert.ok(declaredRefs.has(ref), ref);
  }
});

test('the document DESCRIBES the image, which CONTAINS the OS and every package', () => {
  const document = spdxDocument(sample.analysis, sample.options);
  const describes = document.relationships.filter((r) => r.relationshipType === 'DESCRIBES');
  assert.deepEqual(describes, [
    { spdxElementId: 'SPDXRef-DOCUMENT', relationshipType: 'DESCRIBES', relatedSpdxElement: 'SPDXRef-Image' },
  ]);
  const contained = document.relationships
    .filter((r) => r.relationshipType === 'CONTAINS' && r.spdxElementId === 'SPDXRef-Image')
    .map((r) => r.relatedSpdxElement);
  const others = document.packages.map((pkg) => pkg.SPDXID).filter((id) => id !== 'SPDXRef-Image');
  assert.deepEqual(contained.sort(), others.sort());
  assert.equal(contained.length, sample.packages.length + 1);
});

test('the same analysis in another order gives the same document but for namespace and time', () => {
  const strip = (document: SpdxDocument) => ({ ...document, documentNamespace: '', creationInfo: undefined });
  const first = spdxDocument(sample.analysis, sample.options);
  const second = spdxDocument(
    { ...sample.analysis, packages: [...sample.packages].reverse() },
    { ...sample.options, created: new Date() },
  );
  assert.notEqual(first.documentNamespace, second.documentNamespace);
  assert.deepEqual(strip(second), strip(first));
});

test('an image with nothing found, and packages with hostile names, still give valid documents', () => {
  const empty = spdxDocument({ packages: [], notes: ['no package database found'] }, sample.options);
  assertValid(empty);
  assert.deepEqual(
    empty.packages.map((pkg) => pkg.SPDXID),
    ['SPDXRef-Image'],
  );
  assert.equal(empty.hasExtractedLicensingInfos, undefined);

  const hostile = spdxDocument(
    {
      packages: [
        { ...sample.lodash, name: '../../ <script>', version: '1.0 ~rc1/../', licenses: ['(MIT', 'x'.repeat(100_000)] },
        { ...sample.lodash, name: '版本', version: '', licenses: ['MIT WITH'] },
      ],
      notes: [],
    },
    { ...sample.options, organization: undefined, externalUrl: undefined },
  );
  assertValid(hostile);
  for (const pkg of hostile.packages) assert.match(pkg.SPDXID, /^SPDXRef-[A-Za-z0-9.-]+$/);
  assert.equal(new Set(hostile.packages.map((pkg) => pkg.SPDXID)).size, hostile.packages.length);
  assert.equal(hostile.hasExtractedLicensingInfos?.length, 3);
  assert.deepEqual(hostile.creationInfo.creators, ['Tool: berth-0.1.0']);
  assert.ok(hostile.documentNamespace.startsWith('https://berth.invalid/spdx/library/shop-api/'));
});

test('a subject that names no artifact is a coded error', () => {
  const bad = [
    { ...sample.options.subject, digest: 'sha256:nothex' },
    { ...sample.options.subject, repository: '../etc' },
    { ...sample.options.subject, registry: 'host/path' },
  ];
  for (const subject of bad)
    assert.throws(
      () => spdxDocument(sample.analysis, { ...sample.options, subject }),
      (err) => isBerthError(err) && ['DIGEST_INVALID', 'NAME_INVALID', 'BAD_REQUEST'].includes(err.code),
    );
});
