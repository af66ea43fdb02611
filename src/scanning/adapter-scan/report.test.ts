import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BerthError } from '../../shared/errors.js';
import { harborReportType, sbomReportType, vulnerabilityReportType } from '../scanners/adapter.js';
import { summarize } from '../scans/reports.js';
import { refreshAfter } from './client.js';
import { checkAdapterReport, reportTypeOf } from './report.js';

// What Berth accepts from an adapter: a report in the shape of the Trivy adapter's (its
// harbor+json report, with fields left out), Harbor's severity scale, the report type it asks for.

const scanner = { name: 'Registered', vendor: '', version: '' };
const digest = 'sha256:' + 'a'.repeat(64);

test('a Trivy-adapter-like report is checked and completed; Negligible counts as Low', () => {
  const report = checkAdapterReport(
    {
      generated_at: '2026-11-02T10:00:00Z',
      scanner: { name: 'Trivy', vendor: 'Aqua Security', version: '0.50.1' },
      severity: 'High',
      vulnerabilities: [
        {
          id: 'CVE-2023-5363',
          package: 'libssl3',
          version: '3.0.9-1',
          fix_version: '3.0.11-1~deb12u2',
          severity: 'High',
          description: 'Incorrect cipher key and IV length processing',
          links: ['https://avd.aquasec.com/nvd/cve-2023-5363'],
          preferred_cvss: { score_v3: 7.5, vector_v3: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N' },
          cwe_ids: ['CWE-325'],
        },
        { id: 'CVE-2011-3374', package: 'apt', version: '2.6.1', severity: 'Negligible' },
      ],
    },
    scanner,
    digest,
  );
  assert.equal(report.scanner.name, 'Trivy');
  assert.deepEqual(report.notes, []);
  assert.equal(report.vulnerabilities[0]!.preferred_cvss.score_v2, 0);
  assert.equal(report.vulnerabilities[0]!.artifact_digest, digest);
  assert.deepEqual(report.vulnerabilities[1]!.links, []);
  assert.deepEqual(summarize(report), { severity: 'High', total: 2, fixable: 1, summary: { High: 1, Low: 1 } });
});

test('a report without a severity takes its highest; one without scanner names the registration', () => {
  const report = checkAdapterReport(
    { vulnerabilities: [{ id: 'GHSA-x', package: 'semver', severity: 'Medium' }] },
    scanner,
    digest,
  );
  assert.equal(report.severity, 'Medium');
  assert.equal(report.scanner.name, 'Registered');
});

test('malformed reports are refused with the reason', () => {
  const refused = (value: unknown, reason: RegExp) =>
    assert.throws(
      () => checkAdapterReport(value, scanner, digest),
      (err: unknown) => err instanceof BerthError && err.status === 422 && reason.test(err.message),
    );
  refused([], /not a JSON object/);
  refused({ severity: 'High' }, /no vulnerabilities array/);
  refused({ vulnerabilities: [{ package: 'x', severity: 'Low' }] }, /vulnerability 0 has no id/);
  refused({ vulnerabilities: [{ id: 'CVE-1', package: 'x', severity: 'Severe' }] }, /severity "Severe"/);
  refused({ severity: 'Bad', vulnerabilities: [] }, /the report has severity "Bad"/);
});

test('the report type asked for: the 1.1 report when the adapter writes it, else the native one, never an SBOM', () => {
  const meta = (produces: string[], type?: 'vulnerability' | 'sbom') => ({
    scanner: { name: 'a', vendor: 'b', version: '1' },
    capabilities: [{ ...(type ? { type } : {}), consumes_mime_types: [], produces_mime_types: produces }],
  });
  assert.equal(reportTypeOf(meta([harborReportType, vulnerabilityReportType])), vulnerabilityReportType);
  assert.equal(reportTypeOf(meta([harborReportType])), harborReportType);
  assert.equal(reportTypeOf(meta([sbomReportType], 'sbom')), undefined);
  assert.equal(reportTypeOf(meta(['application/vnd.scanner.adapter.vuln.report.raw'])), undefined);
});

test("Refresh-After is the adapter's, within 1..60 s; missing or garbled, 5 s", () => {
  assert.equal(refreshAfter({ headers: { 'refresh-after': '3' } }), 3);
  assert.equal(refreshAfter({ headers: { 'refresh-after': '0' } }), 1);
  assert.equal(refreshAfter({ headers: { 'refresh-after': '3600' } }), 60);
  assert.equal(refreshAfter({ headers: { 'refresh-after': 'soon' } }), 5);
  assert.equal(refreshAfter({ headers: {} }), 5);
});
