import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Locator, Page } from 'playwright-core';
import { api } from '../helpers/api.js';
import { startTestBerth, tempDir, testAdminPassword, type TestBerth } from '../helpers/berth.js';
import { addMember, createProject, createUser, userPassword } from '../helpers/projects.js';
import { startTestAdapter, type TestAdapter } from '../helpers/scanner-adapter.js';
import { pushVulnerableImage, vulnMime, zipOsvFixture, type ScanOverview } from '../helpers/scanning.js';
import { hasTool, needTool } from '../helpers/tools.js';
import { chromiumPath, logIn, logOut, openPortalBrowser, type PortalBrowser } from './browser.js';
import { englishLeft } from './english-left.js';

// The portal's scanning pages in Chromium, checked through the API: an OSV archive (the test
// fixtures, zipped here) uploaded on Interrogation Services with a live import; an image with a
// vulnerable Debian dpkg database (built with umoci, pushed with skopeo) scanned from its
// repository's list, its severity bar and its Vulnerabilities tab compared with the API's report;
// an external scanner adapter registered (Test connection first), chosen as a project's scanner
// and deleted; a developer sees the project's scanner read-only; the page in 简体中文.

const project = 'scanproj';

interface Finding {
  id: string;
  package: string;
  version: string;
  fix_version?: string;
  severity: string;
  links?: string[];
  preferred_cvss?: { score_v3?: number; vector_v3?: string };
}
interface Scanner {
  uuid: string;
  name: string;
  is_default: boolean;
  health?: string;
  vendor?: string;
}

let server: TestBerth;
let work: string;
let portal: PortalBrowser | undefined;
let adapter: TestAdapter | undefined;
let projectId: number;
let digest = '';
/** The tools the image and the upload need; the tests skip (or fail in CI) without them. */
const tools = ['umoci', 'skopeo', 'zip'];

before(async () => {
  server = await startTestBerth({ adminPassword: testAdminPassword });
  work = tempDir('berth-portal-scan-');
  projectId = await createProject(server, project);
  await createUser(server, 'dev');
  await addMember(server, project, 'dev', 2);
  if (!tools.every(hasTool)) return;
  digest = await pushVulnerableImage(server, work, `${project}/app:v1`);
  zipOsvFixture(work);
});
after(async () => {
  await portal?.close();
  await adapter?.close();
  await server.close();
  rmSync(work, { recursive: true, force: true });
});

function needAll(t: Parameters<typeof needTool>[0]): boolean {
  return needTool(t, chromiumPath, 'apt-get install chromium') && tools.every((tool) => needTool(t, tool));
}

async function browserPage(): Promise<Page> {
  portal ??= await openPortalBrowser(server.url);
  return portal.page;
}

async function scanners(): Promise<Scanner[]> {
  const res = await api<Scanner[]>(server, 'GET', '/scanners');
  assert.equal(res.status, 200);
  return res.body;
}

/** Opens a link that targets a new tab and returns that tab's text. */
async function linkText(page: Page, link: Locator): Promise<string> {
  assert.equal(await link.getAttribute('target'), '_blank');
  const [opened] = await Promise.all([page.context().waitForEvent('page'), link.click()]);
  await opened.waitForLoadState();
  const text = await opened.locator('body').innerText();
  await opened.close();
  return text;
}

test('an admin imports the OSV database from Interrogation Services and follows its progress', async (t) => {
  if (!needAll(t)) return;
  const page = await browserPage();
  await logIn(page, 'admin', testAdminPassword);
  await page.goto('/admin');
  await page.getByRole('tab', { name: 'Interrogation Services' }).click();
  await page.waitForURL(/\/admin\/interrogation-services$/);
  const builtIn = page.locator('[data-testid=scanner][data-name=Berth]');
  await builtIn.waitFor();
  assert.equal(await builtIn.getAttribute('data-default'), 'true');
  await builtIn.getByText('Built-in', { exact: true }).waitFor();
  const panel = page.getByTestId('vulndb');
  await panel.getByTestId('vulndb-empty').waitFor();
  assert.equal(await panel.getByTestId('vulndb-advisories').innerText(), '0');

  await panel.locator('input[type=file]').setInputFiles(join(work, 'osv.zip'));
  const job = panel.getByTestId('vulndb-import');
  await job.waitFor();
  await panel.locator('[data-testid=vulndb-import][data-status=success]').waitFor({ timeout: 60_000 });
  const status = await api<{ advisories: number; ecosystems: string[]; updated_at: string }>(
    server,
    'GET',
    '/vulnerability-database',
  );
  assert.ok(status.body.advisories > 0);
  await panel.getByTestId('vulndb-advisories').getByText(String(status.body.advisories)).waitFor();
  assert.equal(await panel.getByTestId('vulndb-ecosystems').innerText(), status.body.ecosystems.join(', '));
  assert.equal(await panel.getByTestId('vulndb-empty').count(), 0);
  // The fixtures' advisories were modified in 2023-2024: older than a week.
  assert.ok(Date.now() - Date.parse(status.body.updated_at) > 7 * 86_400_000);
  await panel.getByTestId('vulndb-stale').waitFor();
  assert.match(await panel.getByTestId('vulndb-last-import').innerText(), /Last import \(osv\.zip\): \d+ new/);
  assert.match(await linkText(page, job.getByRole('link', { name: 'Import log' })), /imported/);
  await portal?.screenshot('scanning-services-en');
});

test('an image is scanned from its repository: the severity bar and the Vulnerabilities tab show the report', async (t) => {
  if (!needAll(t)) return;
  const page = await browserPage();
  const repository = encodeURIComponent(`${project}/app`);
  await page.goto(`/projects/${projectId}/repositories/${repository}`);
  const row = page.locator(`tr[data-digest="${digest}"]`);
  await row.locator('[data-testid=scan-overview][data-status=NotScanned]').getByText('Not scanned').waitFor();
  await row.getByRole('button', { name: `Scan ${digest.slice(0, 19)}` }).click();
  await row.locator('[data-testid=scan-overview][data-status=Success]').waitFor({ timeout: 60_000 });

  const artifactPath = `/projects/${project}/repositories/app/artifacts/${digest}`;
  const listed = await api<{ scan_overview?: Record<string, ScanOverview> }>(
    server,
    'GET',
    `${artifactPath}?with_scan_overview=true`,
  );
  const overview = listed.body.scan_overview?.[vulnMime];
  assert.ok(overview?.summary, JSON.stringify(listed.body));
  assert.equal(await row.getByTestId('scan-overview').getAttribute('data-total'), String(overview.summary.total));
  const counts: Record<string, number> = {};
  for (const part of await row.locator('[data-severity]').all())
    counts[(await part.getAttribute('data-severity')) ?? ''] = Number(await part.getAttribute('data-count'));
  assert.deepEqual(counts, overview.summary.summary);
  assert.deepEqual(counts, { High: 2, Medium: 2 }, 'the findings of test/e2e/scanning.test.ts');
  await portal?.screenshot('scanning-repository-en');

  const report = await api<Record<string, { vulnerabilities: Finding[]; notes: string[] }>>(
    server,
    'GET',
    `${artifactPath}/additions/vulnerabilities`,
  );
  const expected = report.body[vulnMime]!.vulnerabilities;
  await page.goto(`/projects/${projectId}/repositories/${repository}/artifacts/${digest}`);
  await page.getByRole('tab', { name: 'Vulnerabilities' }).click();
  const tab = page.getByTestId('vulnerabilities-tab');
  const rows = tab.getByTestId('vulnerability');
  await rows.first().waitFor();
  // The rows as shown once `count` of them are there: the list re-renders as the overview is
  // polled, so a read that races a re-render (a row detached, a count not reached) is read again.
  const shown = async (count: number) => {
    const deadline = Date.now() + 15_000;
    for (;;) {
      try {
        if ((await rows.count()) === count) {
          const found = [];
          for (const tr of await rows.all()) {
            const cell = (index: number, name: string) =>
              tr.locator('td').nth(index).getAttribute(name, { timeout: 1000 });
            found.push({
              id: await tr.getAttribute('data-id', { timeout: 1000 }),
              package: await tr.getAttribute('data-package', { timeout: 1000 }),
              severity: await cell(2, 'data-severity'),
              score: (await cell(3, 'data-score')) ?? undefined,
              fix: await cell(6, 'data-fix'),
            });
          }
          if (found.length === count) return found;
        }
      } catch (err) {
        if (Date.now() > deadline) throw err;
      }
      if (Date.now() > deadline) assert.fail(`the Vulnerabilities tab did not show ${String(count)} rows`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  };
  const all = await shown(expected.length);
  assert.deepEqual(
    [...all].sort((a, b) => `${a.id}${a.package}`.localeCompare(`${b.id}${b.package}`)),
    [...expected]
      .sort((a, b) => `${a.id}${a.package}`.localeCompare(`${b.id}${b.package}`))
      .map((v) => ({
        id: v.id,
        package: v.package,
        severity: v.severity,
        // Shown when the record has a CVSS v3 vector or a score; else '-'.
        score:
          v.preferred_cvss?.vector_v3 || v.preferred_cvss?.score_v3 ? String(v.preferred_cvss.score_v3) : undefined,
        fix: v.fix_version ?? '',
      })),
  );
  // Sorted by severity first: the two High before the two Medium.
  assert.deepEqual(
    all.map((v) => v.severity),
    ['High', 'High', 'Medium', 'Medium'],
  );
  await tab.getByRole('button', { name: 'Package' }).click();
  assert.deepEqual(
    (await shown(expected.length)).map((v) => v.package),
    expected.map((v) => v.package).sort((a, b) => a.localeCompare(b)),
  );

  await tab.getByRole('checkbox', { name: 'Fixable only' }).check();
  assert.deepEqual(
    (await shown(expected.filter((v) => v.fix_version).length)).map((v) => v.id).sort(),
    expected
      .filter((v) => v.fix_version)
      .map((v) => v.id)
      .sort(),
  );
  await tab.getByRole('checkbox', { name: 'Fixable only' }).uncheck();
  const severityFilter = tab.getByRole('group', { name: 'Severity' });
  await severityFilter.getByText('Medium', { exact: true }).click();
  assert.deepEqual(
    (await shown(expected.filter((v) => v.severity === 'Medium').length)).map((v) => v.id).sort(),
    expected
      .filter((v) => v.severity === 'Medium')
      .map((v) => v.id)
      .sort(),
  );

  // The description opens under its row; the advisory's links open in a new tab.
  const openssl = expected.find((v) => v.id === 'CVE-2023-5363')!;
  await severityFilter.getByText('High', { exact: true }).click();
  await tab.getByRole('button', { name: 'Details of CVE-2023-5363' }).click();
  const details = tab.getByTestId('vulnerability-details');
  await details.waitFor();
  for (const link of openssl.links ?? [])
    assert.equal(await details.locator(`a[href="${link}"]`).getAttribute('target'), '_blank');
  assert.equal(await tab.getByRole('link', { name: 'CVE-2023-5363', exact: true }).getAttribute('target'), '_blank');

  assert.equal(await tab.getByTestId('scan-notes').count(), report.body[vulnMime]!.notes.length > 0 ? 1 : 0);
  const log = await linkText(page, tab.getByRole('link', { name: 'Scan log' }));
  assert.match(log, /4 vulnerabilities \(3 fixable\), severity High/);
  await portal?.screenshot('scanning-artifact-en');
});

test('an external scanner is registered after a connection test, chosen for a project and deleted', async (t) => {
  if (!needAll(t)) return;
  adapter = await startTestAdapter({ name: 'Portal Adapter' });
  const page = await browserPage();
  await page.goto('/admin/interrogation-services');
  await page.locator('[data-testid=scanner][data-name=Berth]').waitFor();
  await page.getByRole('button', { name: 'New scanner' }).click();
  const dialog = page.getByRole('dialog');
  await dialog.waitFor().catch(async (error: unknown) => {
    await portal?.screenshot('scanning-failed');
    throw error;
  });
  await dialog.getByRole('textbox', { name: 'Name' }).fill('external');
  await dialog.getByRole('textbox', { name: 'Endpoint' }).fill(adapter.url);
  await dialog.getByRole('button', { name: 'Test connection' }).click();
  await dialog.getByTestId('ping-ok').waitFor();
  assert.equal(adapter.metadataRequests.length, 1, 'Test connection asked the adapter');
  assert.equal((await scanners()).length, 1, 'Test connection saves nothing');
  await dialog.getByRole('button', { name: 'Add' }).click();
  await dialog.waitFor({ state: 'detached' });
  const row = page.locator('[data-testid=scanner][data-name=external]');
  await row.locator('[data-health=healthy]').waitFor();
  await row.getByText('Berth tests').waitFor();
  const registered = (await scanners()).find((s) => s.name === 'external');
  assert.ok(registered);
  assert.equal(registered.health, 'healthy');
  assert.equal(registered.is_default, false);

  // The project's scanner, chosen on its Configuration tab.
  await page.goto(`/projects/${projectId}/configuration`);
  const section = page.getByTestId('project-scanner');
  await section.locator('[data-testid=project-scanner-current][data-name=Berth]').waitFor();
  await section.getByRole('combobox', { name: 'Scanner' }).selectOption(registered.uuid);
  await section.getByRole('button', { name: 'Save' }).click();
  await section.getByText('The scanner was saved.').waitFor();
  await section.locator('[data-testid=project-scanner-current][data-name=external]').waitFor();
  const chosen = await api<Scanner>(server, 'GET', `/projects/${project}/scanner`);
  assert.equal(chosen.body.uuid, registered.uuid);
  await logOut(page);

  // A developer sees it, and cannot change it.
  await logIn(page, 'dev', userPassword);
  await page.goto(`/projects/${projectId}/configuration`);
  await section.locator('[data-testid=project-scanner-current][data-name=external]').waitFor();
  assert.equal(await section.getByRole('combobox').count(), 0);
  await logOut(page);

  await logIn(page, 'admin', testAdminPassword);
  await page.goto('/admin/interrogation-services');
  await row.getByRole('button', { name: 'Actions for scanner external' }).click();
  await page.getByRole('menuitem', { name: 'Delete' }).click();
  await dialog.getByRole('button', { name: 'Delete' }).click();
  await dialog.waitFor({ state: 'detached' });
  await row.waitFor({ state: 'detached' });
  assert.deepEqual(
    (await scanners()).map((s) => s.name),
    ['Berth'],
  );
  // The built-in scanner's menu offers no edit or delete.
  await page.getByRole('button', { name: 'Actions for scanner Berth' }).click();
  assert.equal(await page.getByRole('menuitem', { name: 'Edit' }).isDisabled(), true);
  assert.equal(await page.getByRole('menuitem', { name: 'Delete' }).isDisabled(), true);
  await page.keyboard.press('Escape');
});

// Data: names, identifiers, versions, URLs, media types, ecosystems, file names, CVSS vectors.
const allowed = [
  /\bCVSS:\S+/g,
  /\b(architecture|created|os|amd64|linux)\b/g,
  /\b(scanproj|app|osv\.zip)\b/g,
  /\b(Alpine|Debian|Go|Maven|PyPI|npm)\b/g,
  /\b(CVE|DSA|GHSA)-[\w-]+/g,
  /\b(libssl3|bind9-libs|semver|jinja2)\b/g,
  /\bv?\d[\w.+-]*/g,
];

/** What the server wrote (a registration's description, the scanner's notes) and the artifact's own data. */
const dataSelectors = [
  'code',
  'pre',
  'select option',
  '[data-testid=scanner-description]',
  '[data-testid=scan-notes] li',
  '[data-testid=config] td',
  '[data-testid=manifest]',
];

test('in 简体中文 Interrogation Services and the Vulnerabilities tab are translated', async (t) => {
  if (!needAll(t)) return;
  const page = await browserPage();
  await page.goto('/projects');
  await page.getByRole('combobox', { name: 'Language' }).selectOption('zh-CN');
  await page.getByRole('heading', { name: '项目' }).waitFor();
  await page.goto('/admin/interrogation-services');
  await page.getByRole('heading', { name: '漏洞数据库' }).waitFor();
  await page.locator('[data-testid=scanner][data-name=Berth]').getByText('默认').waitFor();
  await page.waitForLoadState('networkidle');
  const failures = [...new Set(await englishLeft(page, { allowed, dataSelectors }))];
  await portal?.screenshot('scanning-services-zh-CN');

  await page.goto(`/projects/${projectId}/repositories/${encodeURIComponent(`${project}/app`)}/artifacts/${digest}`);
  await page.getByRole('tab', { name: '漏洞' }).click();
  await page.getByTestId('vulnerability').first().waitFor();
  await page.getByText('严重 2').waitFor();
  await page.waitForLoadState('networkidle');
  failures.push(...new Set(await englishLeft(page, { allowed, dataSelectors })));
  await portal?.screenshot('scanning-artifact-zh-CN');
  assert.deepEqual(failures, [], `English left in 简体中文:\n${failures.join('\n')}`);
});
