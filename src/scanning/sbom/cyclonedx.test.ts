import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Spec, Validation } from '@cyclonedx/cyclonedx-library';
import * as sample from '../../../test/fixtures/scanning/sbom/analysis.js';
import { cyclonedxJson, layerDigestProperty, packagePathProperty } from './cyclonedx.js';

interface CdxComponent {
  type: string;
  'bom-ref': string;
  name: string;
  version?: string;
  purl?: string;
  description?: string;
  licenses?: ({ license: { id?: string; name?: string } } | { expression: string })[];
  properties?: { name: string; value: string }[];
}

interface CdxBom {
  bomFormat: string;
  specVersion: string;
  serialNumber: string;
  version: number;
  metadata: {
    timestamp: string;
    tools: { components: CdxComponent[] };
    component: CdxComponent;
    supplier?: { name: string };
  };
  components: CdxComponent[];
  dependencies: { ref: string; dependsOn?: string[] }[];
}

const validator = new Validation.JsonStrictValidator(Spec.Version.v1dot5);

/** Validates with the CycloneDX library's own strict JSON validator for spec 1.5. */
async function assertValid(json: string): Promise<void> {
  const errors = await validator.validate(json);
  assert.equal(errors, null, `not CycloneDX 1.5: ${JSON.stringify(errors, null, 2)}`);
}

const propertyOf = (component: CdxComponent, name: string) =>
  component.properties?.find((property) => property.name === name)?.value;

test('an analysed image is a valid CycloneDX 1.5 BOM with the image as its container component', async () => {
  const json = cyclonedxJson(sample.analysis, sample.options);
  await assertValid(json);
  const bom = JSON.parse(json) as CdxBom;
  assert.equal(bom.bomFormat, 'CycloneDX');
  assert.equal(bom.specVersion, '1.5');
  assert.match(bom.serialNumber, /^urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  assert.equal(bom.metadata.timestamp, '2026-12-07T10:11:12.345Z');
  assert.deepEqual(
    bom.metadata.tools.components.map((tool) => [tool.type, tool.name, tool.version]),
    [['application', 'berth', '0.1.0']],
  );
  assert.equal(bom.metadata.supplier?.name, 'Example Shop');
  const image = bom.metadata.component;
  assert.equal(image.type, 'container');
  assert.equal(image.name, 'library/shop-api');
  assert.equal(image.version, sample.options.subject.digest);
  assert.equal(
    image.purl,
    'pkg:oci/shop-api@sha256%3A9d1e6a0c2b7f3e8a4d5c6b7a8f9e0d1c2b3a4f5e6d7c8b9a0f1e2d3c4b5a6f7e?repository_url=harbor.example.com/library/shop-api',
  );
  assert.equal(image['bom-ref'], image.purl);

  // The validator is not vacuous: a component type CycloneDX does not know fails it.
  const broken = JSON.stringify({ ...bom, components: [{ ...bom.components[0], type: 'oci-image' }] });
  assert.notEqual(await validator.validate(broken), null);
});

test('the OS is an operating-system component and every package a library with its purl, layer and path', () => {
  const bom = JSON.parse(cyclonedxJson(sample.analysis, sample.options)) as CdxBom;
  const os = bom.components.filter((component) => component.type === 'operating-system');
  assert.deepEqual(
    os.map((component) => [component.name, component.version, component.description]),
    [['debian', '12', 'Debian GNU/Linux 12 (bookworm)']],
  );
  const libraries = bom.components.filter((component) => component.type === 'library');
  assert.equal(libraries.length, sample.packages.length);
  for (const pkg of sample.packages) {
    const written = libraries.filter(
      (component) => component.purl === pkg.purl && propertyOf(component, packagePathProperty) === pkg.path,
    );
    assert.equal(written.length, 1, `${pkg.purl} in ${pkg.path}`);
    assert.equal(written[0].name, pkg.name);
    assert.equal(written[0].version, pkg.version);
    assert.equal(propertyOf(written[0], layerDigestProperty), pkg.layer);
  }
  const refs = bom.components.map((component) => component['bom-ref']);
  assert.equal(new Set([...refs, bom.metadata.component['bom-ref']]).size, refs.length + 1, 'bom-refs are unique');
  assert.deepEqual(
    libraries.filter((component) => component.name === 'lodash').map((component) => component['bom-ref']),
    ['pkg:npm/lodash@4.17.21', 'pkg:npm/lodash@4.17.21#2'],
  );
});

test('licences are listed ids, names, or one expression, as CycloneDX takes them', () => {
  const bom = JSON.parse(cyclonedxJson(sample.analysis, sample.options)) as CdxBom;
  const licenses = Object.fromEntries(bom.components.map((component) => [component.name, component.licenses]));
  assert.deepEqual(licenses.libc6, [{ expression: 'LGPL-2.1-or-later AND GPL-2.0-only' }]);
  assert.deepEqual(licenses.zlib1g, [{ license: { id: 'Zlib' } }]);
  assert.deepEqual(licenses.lodash, [{ license: { id: 'MIT' } }]);
  assert.deepEqual(licenses['wasm-pack'], [{ expression: 'MIT OR Apache-2.0' }]);
  assert.deepEqual(licenses['org.apache.commons:commons-lang3'], [
    { license: { name: 'Apache License, Version 2.0' } },
  ]);
  assert.equal(licenses['github.com/google/uuid'], undefined);
});

test('the image depends on the OS and every package', () => {
  const bom = JSON.parse(cyclonedxJson(sample.analysis, sample.options)) as CdxBom;
  const image = bom.dependencies.find((dependency) => dependency.ref === bom.metadata.component['bom-ref']);
  assert.deepEqual(
    [...(image?.dependsOn ?? [])].sort(),
    bom.components.map((component) => component['bom-ref']).sort(),
  );
  assert.equal(image?.dependsOn?.length, sample.packages.length + 1);
});

test('the same analysis in another order gives the same BOM but for serial number and time', async () => {
  const strip = (json: string) => ({ ...(JSON.parse(json) as CdxBom), serialNumber: '', metadata: undefined });
  const first = cyclonedxJson(sample.analysis, sample.options);
  const second = cyclonedxJson(
    { ...sample.analysis, packages: [...sample.packages].reverse() },
    { ...sample.options, created: new Date() },
  );
  assert.notEqual((JSON.parse(first) as CdxBom).serialNumber, (JSON.parse(second) as CdxBom).serialNumber);
  assert.deepEqual(strip(second), strip(first));
  assert.deepEqual((JSON.parse(second) as CdxBom).metadata.component, (JSON.parse(first) as CdxBom).metadata.component);
});

test('an empty analysis and hostile package metadata still give valid BOMs', async () => {
  const empty = cyclonedxJson({ packages: [], notes: [] }, { ...sample.options, organization: undefined });
  await assertValid(empty);
  assert.deepEqual((JSON.parse(empty) as CdxBom).components, []);

  const hostile = cyclonedxJson(
    {
      packages: [
        { ...sample.lodash, name: '../../ <script>', version: '', licenses: ['(MIT', 'GPL-2.0+', 'x'.repeat(10_000)] },
        { ...sample.lodash, name: '版本', licenses: ['mit', 'LicenseRef-custom'] },
      ],
      notes: [],
    },
    sample.options,
  );
  await assertValid(hostile);
  const components = (JSON.parse(hostile) as CdxBom).components;
  assert.deepEqual(components.find((component) => component.name === '版本')?.licenses, [
    { expression: 'MIT AND LicenseRef-custom' },
  ]);
});
