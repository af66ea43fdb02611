import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, test } from 'vitest';
import { isValidFilter, vulnerabilityQuery } from '../../lib/vulnerability-query';
import { fakeApi, json, renderWith, type Call } from '../../test/render';
import { SecurityHub } from './SecurityHub';

describe('vulnerabilityQuery', () => {
  test("joins exact matches with commas and gives the CVSS range Harbor's [from~to] with open ends filled", () => {
    expect(vulnerabilityQuery({})).toBeUndefined();
    expect(vulnerabilityQuery({ cveId: ' CVE-1 ', severity: 'High', tag: 'v1' })).toBe(
      'cve_id=CVE-1,severity=High,tag=v1',
    );
    expect(vulnerabilityQuery({ cvssFrom: '7' })).toBe('cvss_score_v3=[7~10.0]');
    expect(vulnerabilityQuery({ cvssTo: '5.5' })).toBe('cvss_score_v3=[0.0~5.5]');
    expect(vulnerabilityQuery({ project: 'p', repository: 'p/app', digest: 'sha256:1' }, 4)).toBe(
      'repository_name=p/app,digest=sha256:1,project_id=4',
    );
  });

  test('a score is a number from 0 to 10, the lower bound not above the upper', () => {
    expect(isValidFilter({ cvssFrom: '7.5', cvssTo: '10' })).toBe(true);
    expect(isValidFilter({ cvssFrom: '11' })).toBe(false);
    expect(isValidFilter({ cvssFrom: 'abc' })).toBe(false);
    expect(isValidFilter({ cvssFrom: '8', cvssTo: '7' })).toBe(false);
  });
});

const summary = {
  total_artifact: 5,
  scanned_cnt: 3,
  total_vuls: 12,
  fixable_cnt: 7,
  critical_cnt: 2,
  high_cnt: 4,
  medium_cnt: 3,
  low_cnt: 1,
  unknown_cnt: 2,
  none_cnt: 0,
  dangerous_artifacts: [
    {
      project_id: 1,
      repository_name: 'p/app',
      digest: 'sha256:aaaaaaaaaaaaaaaa',
      critical_cnt: 2,
      high_cnt: 1,
      medium_cnt: 0,
    },
  ],
  dangerous_cves: [
    { cve_id: 'CVE-2023-0001', severity: 'Critical', cvss_score_v3: 9.8, package: 'openssl', version: '3.0.9' },
  ],
};
const item = (cve: string, severity: string) => ({
  project_id: 1,
  repository_name: 'p/app',
  digest: 'sha256:aaaaaaaaaaaaaaaa',
  tags: ['v1'],
  cve_id: cve,
  severity,
  cvss_v3_score: 9.8,
  package: 'openssl',
  version: '3.0.9',
  fixed_version: '3.0.10',
  links: [`https://osv.dev/${cve}`],
});

function hubApi() {
  return fakeApi((call) => {
    const path = call.url.pathname;
    if (path === '/api/v2.0/security/summary') return json(summary);
    if (path === '/api/v2.0/projects')
      return json(call.url.searchParams.get('q') === 'name=p' ? [{ project_id: 1, name: 'p' }] : [], 1);
    if (path === '/api/v2.0/security/vul') {
      const q = call.url.searchParams.get('q') ?? '';
      const rows = q.includes('severity=Critical')
        ? [item('CVE-2023-0001', 'Critical')]
        : [item('CVE-2023-0001', 'Critical'), item('CVE-2023-0002', 'Low')];
      return json(rows, rows.length);
    }
    return undefined;
  });
}

const vulQueries = (calls: Call[]) =>
  calls.filter((c) => c.url.pathname === '/api/v2.0/security/vul').map((c) => c.url.searchParams);

describe('SecurityHub', () => {
  test("shows the summary's numbers and the top artifacts and CVEs", async () => {
    const { client, calls } = hubApi();
    renderWith(client, <SecurityHub />);
    expect((await screen.findByTestId('hub-artifacts')).textContent).toBe('5 artifacts, 3 scanned, 2 not scanned');
    expect(screen.getByTestId('hub-total-vuls').textContent).toBe('12');
    expect(screen.getByTestId('hub-fixable').textContent).toBe('7');
    const counts = Object.fromEntries(
      screen.getAllByTestId('hub-severity-count').map((cell) => [cell.dataset.severity, cell.textContent]),
    );
    expect(counts).toEqual({ Critical: '2', High: '4', Medium: '3', Low: '1', Unknown: '2', None: '0' });
    expect(within(screen.getByTestId('hub-top-artifacts')).getByText('Critical 2 · High 1 · Medium 0')).toBeTruthy();
    expect(within(screen.getByTestId('hub-top-cves')).getByText('openssl@3.0.9')).toBeTruthy();
    const summaryCall = calls.find((c) => c.url.pathname === '/api/v2.0/security/summary');
    expect(summaryCall?.url.searchParams.get('with_dangerous_cve')).toBe('true');
    expect(summaryCall?.url.searchParams.get('with_dangerous_artifact')).toBe('true');
  });

  test('the list is paged on the server, and Search sends the filter as q', async () => {
    const { client, calls } = hubApi();
    renderWith(client, <SecurityHub />);
    await waitFor(() => expect(screen.getAllByTestId('hub-vulnerability')).toHaveLength(2));
    const first = vulQueries(calls)[0];
    expect(first?.get('page')).toBe('1');
    expect(first?.get('page_size')).toBe('10');
    expect(first?.get('with_tag')).toBe('true');
    expect(first?.get('q')).toBeNull();

    const filter = screen.getByTestId('hub-filter');
    await userEvent.click(within(filter).getByRole('combobox', { name: 'Severity' }));
    await userEvent.click(await screen.findByRole('option', { name: 'Critical' }));
    await userEvent.type(within(filter).getByRole('textbox', { name: 'CVSS v3 from' }), '7');
    await userEvent.type(within(filter).getByRole('textbox', { name: 'Project' }), 'p');
    await userEvent.click(within(filter).getByRole('button', { name: 'Search' }));
    await waitFor(() => expect(screen.getAllByTestId('hub-vulnerability')).toHaveLength(1));
    expect(vulQueries(calls).at(-1)?.get('q')).toBe('severity=Critical,cvss_score_v3=[7~10.0],project_id=1');
  });

  test('a bad score disables Search; a top CVE and a top artifact become the filter', async () => {
    const { client, calls } = hubApi();
    renderWith(client, <SecurityHub />);
    const filter = await screen.findByTestId('hub-filter');
    await userEvent.type(within(filter).getByRole('textbox', { name: 'CVSS v3 to' }), '12');
    expect(within(filter).getByRole('button', { name: 'Search' }).hasAttribute('disabled')).toBe(true);
    expect(within(filter).getByText('A score from 0 to 10')).toBeTruthy();

    await userEvent.click(await screen.findByRole('button', { name: 'Show the artifacts affected by CVE-2023-0001' }));
    await waitFor(() => expect(vulQueries(calls).at(-1)?.get('q')).toBe('cve_id=CVE-2023-0001'));
    expect(
      (within(screen.getByTestId('hub-filter')).getByRole('textbox', { name: 'CVE ID' }) as HTMLInputElement).value,
    ).toBe('CVE-2023-0001');
    await userEvent.click(screen.getByRole('button', { name: 'Show the vulnerabilities of p/app' }));
    await waitFor(() =>
      expect(vulQueries(calls).at(-1)?.get('q')).toBe('repository_name=p/app,digest=sha256:aaaaaaaaaaaaaaaa'),
    );
  });

  test('in 简体中文 the summary speaks Chinese', async () => {
    const { client } = hubApi();
    renderWith(client, <SecurityHub />, { language: 'zh-CN' });
    expect((await screen.findByTestId('hub-artifacts')).textContent).toBe('5 个制品，已扫描 3 个，未扫描 2 个');
    expect(screen.getByRole('button', { name: '搜索' })).toBeTruthy();
  });
});
