import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Spec, Validation } from '@cyclonedx/cyclonedx-library';
import * as sample from '../../../test/fixtures/scanning/sbom/analysis.js';
import { writeSbom, type SpdxDocument } from './index.js';

test('writeSbom writes SPDX JSON as application/spdx+json', () => {
  const sbom = writeSbom(sample.analysis, { ...sample.options, format: 'spdx' });
  assert.equal(sbom.mediaType, 'application/spdx+json');
  assert.ok(Buffer.isBuffer(sbom.content));
  const document = JSON.parse(sbom.content.toString('utf8')) as SpdxDocument;
  assert.equal(document.spdxVersion, 'SPDX-2.3');
  assert.equal(document.packages.length, sample.packages.length + 2, 'the image, its OS and every package');
});

test('writeSbom writes CycloneDX JSON as application/vnd.cyclonedx+json', async () => {
  const sbom = writeSbom(sample.analysis, { ...sample.options, format: 'cyclonedx' });
  assert.equal(sbom.mediaType, 'application/vnd.cyclonedx+json');
  const json = sbom.content.toString('utf8');
  assert.equal(await new Validation.JsonStrictValidator(Spec.Version.v1dot5).validate(json), null);
  assert.equal((JSON.parse(json) as { components: unknown[] }).components.length, sample.packages.length + 1);
});

test('two runs differ only where the formats require it', () => {
  const later = { ...sample.options, created: new Date('2027-01-01T00:00:00Z') };
  const text = (format: 'spdx' | 'cyclonedx', options: typeof sample.options) =>
    writeSbom(sample.analysis, { ...options, format })
      .content.toString('utf8')
      .replace(/"documentNamespace": "[^"]+"/, '')
      .replace(/"serialNumber": "[^"]+"/, '')
      .replace(/"(created|timestamp)": "[^"]+"/, '');
  for (const format of ['spdx', 'cyclonedx'] as const) assert.equal(text(format, later), text(format, sample.options));
});
