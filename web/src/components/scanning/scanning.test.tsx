import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, test } from 'vitest';
import { vulnerabilityMime, type Vulnerability } from '../../api/scanning';
import { fakeApi, json, renderWith } from '../../test/render';
import { ScannersTable } from './ScannersTable';
import { SeverityBar } from './SeverityBar';
import { VulnerabilitiesTab } from './VulnerabilitiesTab';
import { isStale } from './VulnDbPanel';
import { visibleVulnerabilities } from './vulnerability-list';

const finding = (id: string, severity: string, pkg: string, fix = '', score?: number): Vulnerability => ({
  id,
  package: pkg,
  version: '1.0',
  fix_version: fix,
  severity,
  links: [`https://example.com/${id}`],
  ...(score === undefined ? {} : { preferred_cvss: { score_v3: score, vector_v3: 'CVSS:3.1/AV:N' } }),
});
const findings = [
  finding('CVE-2024-2', 'Medium', 'zlib', '1.1', 5.3),
  finding('CVE-2024-10', 'Critical', 'openssl', '', 9.8),
  finding('GHSA-x', 'Negligible', 'bash'),
  finding('CVE-2024-1', 'High', 'curl', '1.2', 7.5),
];

describe('visibleVulnerabilities', () => {
  test('sorts by severity (an unlisted one as Unknown), then by id in numeric order', () => {
    const bySeverity = visibleVulnerabilities(findings, { severities: [], fixableOnly: false }, undefined);
    expect(bySeverity.map((v) => v.id)).toEqual(['CVE-2024-10', 'CVE-2024-1', 'CVE-2024-2', 'GHSA-x']);
    const byId = visibleVulnerabilities(findings, { severities: [], fixableOnly: false }, { column: 'id', desc: true });
    expect(byId.map((v) => v.id)).toEqual(['GHSA-x', 'CVE-2024-10', 'CVE-2024-2', 'CVE-2024-1']);
    const byScore = visibleVulnerabilities(
      findings,
      { severities: [], fixableOnly: false },
      { column: 'score', desc: false },
    );
    expect(byScore.map((v) => v.package)).toEqual(['openssl', 'curl', 'zlib', 'bash']);
  });

  test('filters by severities and fixability together', () => {
    const shown = visibleVulnerabilities(findings, { severities: ['Critical', 'High'], fixableOnly: true }, undefined);
    expect(shown.map((v) => v.id)).toEqual(['CVE-2024-1']);
    const unknown = visibleVulnerabilities(findings, { severities: ['Unknown'], fixableOnly: false }, undefined);
    expect(unknown.map((v) => v.id)).toEqual(['GHSA-x']);
  });
});

test('isStale: an advisory older than 7 days; an empty database is not stale, only empty', () => {
  const now = Date.parse('2026-01-10T00:00:00Z');
  expect(isStale({ advisories: 1, ecosystems: [], updated_at: '2026-01-02T00:00:00Z' }, now)).toBe(true);
  expect(isStale({ advisories: 1, ecosystems: [], updated_at: '2026-01-04T00:00:00Z' }, now)).toBe(false);
  expect(isStale({ advisories: 0, ecosystems: [] }, now)).toBe(false);
});

describe('SeverityBar', () => {
  test('says Not scanned, Scanning n%, Error, or the counts by severity', () => {
    const { unmount } = renderWith(fakeApi(() => undefined).client, <SeverityBar overview={undefined} />);
    expect(screen.getByText('Not scanned')).toBeTruthy();
    unmount();
    const running = renderWith(
      fakeApi(() => undefined).client,
      <SeverityBar overview={{ scan_status: 'Running', complete_percent: 42 }} />,
    );
    expect(screen.getByText('Scanning 42%')).toBeTruthy();
    running.unmount();
    const failed = renderWith(fakeApi(() => undefined).client, <SeverityBar overview={{ scan_status: 'Error' }} />);
    expect(screen.getByText('Error')).toBeTruthy();
    failed.unmount();
    renderWith(
      fakeApi(() => undefined).client,
      <SeverityBar
        overview={{ scan_status: 'Success', summary: { total: 5, fixable: 1, summary: { Critical: 1, Low: 4 } } }}
      />,
    );
    expect(screen.getByText('Critical 1')).toBeTruthy();
    expect(screen.getByText('Low 4')).toBeTruthy();
    expect(screen.queryByText(/High/)).toBeNull();
  });
});

describe('VulnerabilitiesTab', () => {
  const base = '/api/v2.0/projects/p/repositories/app/artifacts/sha256%3Aabc';
  test('shows the notes and the findings; Scan posts a vulnerability scan', async () => {
    const { client, calls } = fakeApi((call) => {
      const path = call.url.pathname;
      if (path === base)
        return json({
          scan_overview: {
            [vulnerabilityMime]: {
              report_id: 'r1',
              scan_status: 'Success',
              summary: { total: 4, summary: { High: 1 } },
            },
          },
        });
      if (path === `${base}/additions/vulnerabilities`)
        return json({ [vulnerabilityMime]: { vulnerabilities: findings, notes: ['the database is stale'] } });
      if (path === `${base}/scan` && call.method === 'POST') return new Response(null, { status: 202 });
      return undefined;
    });
    renderWith(client, <VulnerabilitiesTab projectName="p" repository="p/app" digest="sha256:abc" canScan canStop />);
    const rows = await screen.findAllByTestId('vulnerability');
    expect(rows.map((row) => row.dataset.id)).toEqual(['CVE-2024-10', 'CVE-2024-1', 'CVE-2024-2', 'GHSA-x']);
    expect(within(screen.getByTestId('scan-notes')).getByText('the database is stale')).toBeTruthy();
    expect(screen.getByRole('link', { name: 'Scan log' }).getAttribute('href')).toBe(`${base}/scan/r1/log`);
    await userEvent.click(screen.getByRole('button', { name: 'Details of GHSA-x' }));
    expect(screen.getByTestId('vulnerability-details').textContent).toContain('No description.');
    await userEvent.click(screen.getByRole('button', { name: 'Scan' }));
    await waitFor(() => expect(calls.some((c) => c.method === 'POST' && c.url.pathname === `${base}/scan`)).toBe(true));
    expect(calls.find((c) => c.method === 'POST')?.body).toEqual({ scan_type: 'vulnerability' });
  });
});

test('VulnerabilitiesTab: while a scan runs it shows its progress and Stop posts scan/stop', async () => {
  const base = '/api/v2.0/projects/p/repositories/app/artifacts/sha256%3Aabc';
  const { client, calls } = fakeApi((call) => {
    const path = call.url.pathname;
    if (path === base)
      return json({ scan_overview: { [vulnerabilityMime]: { scan_status: 'Running', complete_percent: 42 } } });
    if (path === `${base}/additions/vulnerabilities`) return json({});
    if (path === `${base}/scan/stop`) return new Response(null, { status: 202 });
    return undefined;
  });
  renderWith(client, <VulnerabilitiesTab projectName="p" repository="p/app" digest="sha256:abc" canScan canStop />);
  expect(await screen.findByText('Scanning 42%')).toBeTruthy();
  expect(await screen.findByText('The scan is running; its report shows here when it is done.')).toBeTruthy();
  expect(screen.getByRole('button', { name: 'Scan' }).hasAttribute('disabled')).toBe(true);
  await userEvent.click(screen.getByRole('button', { name: 'Stop scan' }));
  await waitFor(() => expect(calls.some((c) => c.url.pathname === `${base}/scan/stop`)).toBe(true));
  expect(calls.find((c) => c.url.pathname === `${base}/scan/stop`)?.body).toEqual({ scan_type: 'vulnerability' });
});

describe('ScannersTable', () => {
  test('the built-in scanner may not be edited or deleted; another may become the default', async () => {
    const scanners = [
      { uuid: 'b', name: 'Berth', url: 'builtin://berth', is_default: true, health: 'healthy' },
      { uuid: 'x', name: 'trivy', url: 'http://trivy:8080', is_default: false, health: 'unhealthy' },
    ];
    const { client, calls } = fakeApi((call) => {
      if (call.url.pathname === '/api/v2.0/scanners') return json(scanners, 2);
      if (call.method === 'PATCH') return new Response(null);
      return undefined;
    });
    renderWith(client, <ScannersTable />);
    await userEvent.click(await screen.findByRole('button', { name: 'Actions for scanner Berth' }));
    expect(screen.getByRole('menuitem', { name: 'Edit' }).hasAttribute('disabled')).toBe(true);
    expect(screen.getByRole('menuitem', { name: 'Delete' }).hasAttribute('disabled')).toBe(true);
    await userEvent.keyboard('{Escape}');
    expect(screen.getByText('Unhealthy')).toBeTruthy();
    await userEvent.click(screen.getByRole('button', { name: 'Actions for scanner trivy' }));
    await userEvent.click(screen.getByRole('menuitem', { name: 'Set as default' }));
    await waitFor(() => expect(calls.some((c) => c.method === 'PATCH')).toBe(true));
    const patch = calls.find((c) => c.method === 'PATCH');
    expect(patch?.url.pathname).toBe('/api/v2.0/scanners/x');
    expect(patch?.body).toEqual({ is_default: true });
  });
});
