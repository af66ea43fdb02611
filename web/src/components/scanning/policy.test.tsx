import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { useState } from 'react';
import { describe, expect, test } from 'vitest';
import { allowlistBody, isExpired, parseCveIds, type AllowlistDraft } from '../../api/allowlists';
import { spdxPackages } from '../../api/sbom';
import { fakeApi, json, renderWith } from '../../test/render';
import { AllowlistEditor, dayToSeconds, secondsToDay } from './AllowlistEditor';
import { GenerateSbomButton, SbomStatus } from './SbomStatus';
import { SbomTab } from './SbomTab';
import { SystemAllowlistPanel } from './SystemAllowlistPanel';

const base = '/api/v2.0/projects/p/repositories/app/artifacts';
const spdx = {
  spdxVersion: 'SPDX-2.3',
  packages: [
    {
      name: 'policyproj/app',
      versionInfo: 'sha256:abc',
      licenseConcluded: 'NOASSERTION',
      licenseDeclared: 'NOASSERTION',
      externalRefs: [{ referenceType: 'purl', referenceLocator: 'pkg:oci/app@sha256%3Aabc' }],
    },
    {
      name: 'semver',
      versionInfo: '7.5.1',
      licenseConcluded: 'NOASSERTION',
      licenseDeclared: 'ISC',
      externalRefs: [
        { referenceType: 'cpe23Type', referenceLocator: 'cpe:2.3:a:semver' },
        { referenceType: 'purl', referenceLocator: 'pkg:npm/semver@7.5.1' },
      ],
    },
    { name: 'openssl', versionInfo: '3.0.11', licenseConcluded: 'Apache-2.0' },
    {},
  ],
};

describe('allowlist helpers', () => {
  test('CVE ids typed at once, split on commas, spaces and new lines, without duplicates', () => {
    expect(parseCveIds(' CVE-1, CVE-2\nCVE-3  CVE-1,,', ['CVE-2'])).toEqual(['CVE-2', 'CVE-1', 'CVE-3']);
  });
  test("Harbor's body: items of cve_id, expires_at in seconds or null for never", () => {
    expect(allowlistBody({ items: ['CVE-1'], expiresAt: null })).toEqual({
      items: [{ cve_id: 'CVE-1' }],
      expires_at: null,
    });
    expect(dayToSeconds('2099-12-31')).toBe(Date.UTC(2099, 11, 31) / 1000);
    expect(secondsToDay(Date.UTC(2099, 11, 31) / 1000)).toBe('2099-12-31');
    expect(dayToSeconds('')).toBeNull();
    expect(isExpired(null)).toBe(false);
    expect(isExpired(1000, 2_000_000)).toBe(true);
  });
});

test('spdxPackages: name, version, the concluded licence else the declared one, the purl; nameless ones dropped', () => {
  expect(spdxPackages(spdx)).toEqual([
    { name: 'policyproj/app', version: 'sha256:abc', license: '', purl: 'pkg:oci/app@sha256%3Aabc' },
    { name: 'semver', version: '7.5.1', license: 'ISC', purl: 'pkg:npm/semver@7.5.1' },
    { name: 'openssl', version: '3.0.11', license: 'Apache-2.0', purl: '' },
  ]);
  expect(spdxPackages(null)).toEqual([]);
  expect(spdxPackages({ packages: 'no' })).toEqual([]);
});

function Editable({ initial }: { initial: AllowlistDraft }) {
  const [value, setValue] = useState(initial);
  return (
    <>
      <AllowlistEditor testId="editor" value={value} onChange={setValue} />
      <output data-testid="value">{JSON.stringify(value)}</output>
    </>
  );
}

test('AllowlistEditor adds several ids, removes one, and sets or clears the expiry', async () => {
  renderWith(fakeApi(() => undefined).client, <Editable initial={{ items: ['CVE-1'], expiresAt: null }} />);
  const value = () => JSON.parse(screen.getByTestId('value').textContent ?? '{}') as AllowlistDraft;
  await userEvent.type(screen.getByLabelText('CVE IDs, separated by commas or spaces'), 'CVE-2, CVE-1 CVE-3{Enter}');
  expect(value().items).toEqual(['CVE-1', 'CVE-2', 'CVE-3']);
  await userEvent.click(screen.getByRole('button', { name: 'Remove CVE-2' }));
  expect(value().items).toEqual(['CVE-1', 'CVE-3']);
  expect((screen.getByLabelText('Expires at') as HTMLInputElement).disabled).toBe(true);
  await userEvent.click(screen.getByLabelText('Never expires'));
  expect(value().expiresAt).toBeGreaterThan(Date.now() / 1000);
  await userEvent.click(screen.getByLabelText('Never expires'));
  expect(value().expiresAt).toBeNull();
});

test('SystemAllowlistPanel shows the system allowlist and PUTs it changed', async () => {
  const { client, calls } = fakeApi((call) => {
    if (call.url.pathname === '/api/v2.0/system/CVEAllowlist' && call.method === 'GET')
      return json({ project_id: 0, items: [{ cve_id: 'CVE-2024-1' }], expires_at: 4_000_000_000 });
    if (call.method === 'PUT') return new Response(null);
    return undefined;
  });
  renderWith(client, <SystemAllowlistPanel />);
  const editor = await screen.findByTestId('system-allowlist');
  expect(within(editor).getByText('CVE-2024-1')).toBeTruthy();
  expect((within(editor).getByLabelText('Expires at') as HTMLInputElement).value).toBe(secondsToDay(4_000_000_000));
  expect(screen.getByRole('button', { name: 'Save' }).hasAttribute('disabled')).toBe(true);
  await userEvent.click(within(editor).getByLabelText('Never expires'));
  await userEvent.click(screen.getByRole('button', { name: 'Save' }));
  await waitFor(() => expect(calls.some((c) => c.method === 'PUT')).toBe(true));
  expect(calls.find((c) => c.method === 'PUT')?.body).toEqual({ items: [{ cve_id: 'CVE-2024-1' }], expires_at: null });
});

describe('SbomStatus', () => {
  const props = { projectName: 'p', repository: 'p/app', digest: 'sha256:abc', artifactLink: '/a' };
  test('No SBOM, Queued, Generating, a link to the SBOM tab, or the log of a failed generation', () => {
    const client = fakeApi(() => undefined).client;
    const none = renderWith(client, <SbomStatus {...props} overview={undefined} />);
    expect(screen.getByText('No SBOM')).toBeTruthy();
    none.unmount();
    const queued = renderWith(client, <SbomStatus {...props} overview={{ scan_status: 'Pending' }} />);
    expect(screen.getByText('Queued')).toBeTruthy();
    queued.unmount();
    const running = renderWith(client, <SbomStatus {...props} overview={{ scan_status: 'Running' }} />);
    expect(screen.getByText('Generating')).toBeTruthy();
    running.unmount();
    const done = renderWith(
      client,
      <SbomStatus {...props} overview={{ scan_status: 'Success', sbom_digest: 'sha256:def' }} />,
    );
    expect(screen.getByRole('link').getAttribute('href')).toBe('/a?tab=sbom');
    done.unmount();
    renderWith(client, <SbomStatus {...props} overview={{ scan_status: 'Error', report_id: 'r1' }} />);
    expect(screen.getByRole('link').getAttribute('href')).toBe(`${base}/sha256%3Aabc/scan/r1/log`);
  });

  test('Generate SBOM posts a scan of type sbom', async () => {
    const { client, calls } = fakeApi((call) =>
      call.method === 'POST' ? new Response(null, { status: 202 }) : undefined,
    );
    renderWith(
      client,
      <GenerateSbomButton projectName="p" repository="p/app" digest="sha256:abc" overview={undefined} />,
    );
    await userEvent.click(screen.getByRole('button', { name: 'Generate SBOM of sha256:abc' }));
    await waitFor(() => expect(calls.some((c) => c.method === 'POST')).toBe(true));
    const post = calls.find((c) => c.method === 'POST');
    expect(post?.url.pathname).toBe(`${base}/sha256%3Aabc/scan`);
    expect(post?.body).toEqual({ scan_type: 'sbom' });
  });
});

test('SbomTab lists the SPDX packages of the accessory, filters them, and links both downloads', async () => {
  const { client } = fakeApi((call) => {
    const path = call.url.pathname;
    if (path === `${base}/sha256%3Aabc`)
      return json({
        sbom_overview: {
          report_id: 'r1',
          scan_status: 'Success',
          sbom_digest: 'sha256:def',
          scanner: { name: 'Berth' },
        },
      });
    if (path === `${base}/sha256%3Adef/additions/sbom`) return json(spdx);
    return undefined;
  });
  renderWith(client, <SbomTab projectName="p" repository="p/app" digest="sha256:abc" canGenerate canStop />);
  const rows = await screen.findAllByTestId('sbom-package');
  expect(rows.map((row) => row.dataset.name)).toEqual(['policyproj/app', 'semver', 'openssl']);
  expect(within(rows[1]!).getByText('pkg:npm/semver@7.5.1')).toBeTruthy();
  expect(screen.getByText('Generated by Berth')).toBeTruthy();
  const spdxLink = screen.getByRole('link', { name: 'Download SPDX' });
  expect(spdxLink.getAttribute('href')).toBe(`${base}/sha256%3Adef/additions/sbom.spdx`);
  expect(spdxLink.getAttribute('download')).toBe('app_sha256-abc.spdx.json');
  expect(screen.getByRole('link', { name: 'Download CycloneDX' }).getAttribute('href')).toBe(
    `${base}/sha256%3Adef/additions/sbom.cyclonedx`,
  );
  await userEvent.type(screen.getByLabelText('Filter packages'), 'npm');
  expect(screen.getAllByTestId('sbom-package').map((row) => row.dataset.name)).toEqual(['semver']);
  expect(screen.getByText('1 of 3 packages')).toBeTruthy();
});

test('SbomTab without an SBOM says so and offers Generate SBOM', async () => {
  const { client } = fakeApi((call) => (call.url.pathname === `${base}/sha256%3Aabc` ? json({}) : undefined));
  renderWith(client, <SbomTab projectName="p" repository="p/app" digest="sha256:abc" canGenerate canStop={false} />);
  expect(await screen.findByText('No SBOM has been generated for this artifact yet.')).toBeTruthy();
  expect(screen.getByRole('button', { name: 'Generate SBOM' })).toBeTruthy();
  expect(screen.queryByRole('link', { name: 'Download SPDX' })).toBeNull();
});
