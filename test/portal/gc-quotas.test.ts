import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import type { Locator, Page } from 'playwright-core';
import { startTestBerth, testAdminPassword, type TestBerth } from '../helpers/berth.js';
import { api } from '../helpers/api.js';
import { createProject } from '../helpers/projects.js';
import { pushImage } from '../helpers/push.js';
import { needTool } from '../helpers/tools.js';
import { chromiumPath, openPortalBrowser, type PortalBrowser } from './browser.js';

// The Clean Up (garbage collection) and Project Quotas pages, the quota field of the new-project
// dialog and the quota bar of a project's summary, driven in Chromium and checked through the API.

const docsImages = new URL('../../docs/images/', import.meta.url).pathname;
const MiB = 1024 ** 2;
const GiB = 1024 ** 3;
const project = 'quota-team';

interface Quota {
  id: number;
  ref?: { id?: number; name?: string };
  hard?: { storage?: number };
  used?: { storage?: number };
}
interface GcRun {
  id: number;
  job_status?: string;
  job_parameters?: string;
}

let server: TestBerth;
let portal: PortalBrowser | undefined;
let projectId: number;

before(async () => {
  server = await startTestBerth({ adminPassword: testAdminPassword });
  projectId = await createProject(server, project);
  await pushImage(server, `${project}/app`, 'v1');
  // An artifact deleted at once leaves two blobs for garbage collection to find.
  const old = await pushImage(server, `${project}/old`, 'v1');
  const deleted = await api(server, 'DELETE', `/projects/${project}/repositories/old/artifacts/${old.digest}`);
  assert.equal(deleted.status, 200);
});
after(async () => {
  await portal?.close();
  await server.close();
});

/** The signed-in admin's page, opened once for all the tests of this file. */
async function adminPage(): Promise<Page> {
  if (!portal) {
    portal = await openPortalBrowser(server.url);
    const { page } = portal;
    await page.goto('/login');
    await page.getByLabel('Username').fill('admin');
    await page.locator('input[name=password]').fill(testAdminPassword);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.getByRole('heading', { name: 'Projects' }).waitFor();
  }
  return portal.page;
}

/** An input's value once it settles on `expected` (a query's answer fills it in), or the last one read. */
async function settledValue(input: Locator, expected: string): Promise<string> {
  let value = await input.inputValue();
  for (let tries = 0; value !== expected && tries < 50; tries++) {
    await input.page().waitForTimeout(100);
    value = await input.inputValue();
  }
  return value;
}

async function projectQuota(id: number): Promise<Quota> {
  const listed = await api<Quota[]>(server, 'GET', `/quotas?reference=project&reference_id=${id}`);
  assert.equal(listed.status, 200, JSON.stringify(listed.body));
  assert.equal(listed.body.length, 1, `one quota for project ${id}`);
  const quota = await api<Quota>(server, 'GET', `/quotas/${listed.body[0].id}`);
  assert.equal(quota.status, 200, JSON.stringify(quota.body));
  return quota.body;
}

test('a dry run from the Clean Up page reaches Success in the history, and its log opens', async (t) => {
  if (!needTool(t, chromiumPath, 'apt-get install chromium')) return;
  const page = await adminPage();
  await page.getByRole('link', { name: 'Administration' }).click();
  await page.getByRole('tab', { name: 'Clean Up' }).click();
  await page.waitForURL(/\/admin\/gc$/);
  // A time window of 0 hours: the blobs just pushed count too.
  await page.getByRole('textbox', { name: /Time window/ }).fill('0');
  await page.getByRole('button', { name: 'Dry run' }).click();
  await page.getByText('Garbage collection started').waitFor();

  // The page polls while the run is pending or running; this run is the only one.
  const row = page.locator('[data-testid=gc-run][data-status=Success]');
  await row.waitFor({ timeout: 60_000 });
  assert.equal(await page.getByTestId('gc-run').count(), 1);
  const id = Number(await row.getAttribute('data-id'));
  const run = await api<GcRun>(server, 'GET', `/system/gc/${id}`);
  assert.equal(run.body.job_status, 'Success');
  const parameters = JSON.parse(run.body.job_parameters ?? '{}') as { dry_run?: boolean; time_window?: number };
  assert.deepEqual([parameters.dry_run, parameters.time_window], [true, 0]);
  assert.match(await row.innerText(), /\bYes\b/, 'the row says it was a dry run');
  assert.match(await row.innerText(), /\b2 blobs, \d+ manifests, [\d.]+ [KM]?i?B to free/);
  mkdirSync(docsImages, { recursive: true });
  await page.screenshot({ path: `${docsImages}gc-en.png` });

  const [log] = await Promise.all([
    page.context().waitForEvent('page'),
    row.getByRole('link', { name: `Log of run ${id}` }).click(),
  ]);
  await log.waitForLoadState();
  assert.match(log.url(), new RegExp(`/api/v2\\.0/system/gc/${id}/log$`));
  assert.notEqual((await log.locator('body').innerText()).trim(), '', 'the log has text');
  await log.close();
});

test('a GC schedule saved on the Clean Up page is still there after a reload', async (t) => {
  if (!needTool(t, chromiumPath, 'apt-get install chromium')) return;
  const page = await adminPage();
  await page.goto('/admin/gc');
  const form = page.getByTestId('gc-schedule');
  await form.getByRole('combobox', { name: 'Schedule' }).selectOption('Custom');
  await form.getByRole('textbox', { name: /Cron expression/ }).fill('0 30 2 * * *');
  await form.getByRole('button', { name: 'Save' }).click();
  await form.getByText('The schedule was saved.').waitFor();

  await page.reload();
  const reloaded = page.getByTestId('gc-schedule');
  assert.equal(await reloaded.getByRole('combobox', { name: 'Schedule' }).inputValue(), 'Custom');
  assert.equal(await reloaded.getByRole('textbox', { name: /Cron expression/ }).inputValue(), '0 30 2 * * *');
  await reloaded.getByText(/^Next run: /).waitFor();
  const saved = await api<{ schedule?: { type?: string; cron?: string } }>(server, 'GET', '/system/gc/schedule');
  assert.deepEqual([saved.body.schedule?.type, saved.body.schedule?.cron], ['Custom', '0 30 2 * * *']);

  await reloaded.getByRole('combobox', { name: 'Schedule' }).selectOption('Daily');
  await reloaded.getByRole('button', { name: 'Save' }).click();
  await reloaded.getByText('The schedule was saved.').waitFor();
  await page.reload();
  assert.equal(await page.getByTestId('gc-schedule').getByRole('combobox', { name: 'Schedule' }).inputValue(), 'Daily');
});

test("a project's quota edited on the Project Quotas page is what GET /quotas/{id} returns", async (t) => {
  if (!needTool(t, chromiumPath, 'apt-get install chromium')) return;
  const page = await adminPage();
  await page.goto('/admin/quotas');
  const row = page.locator(`[data-testid=quota-row][data-project="${project}"]`);
  await row.getByRole('button', { name: `Edit the quota of ${project}` }).click();
  const dialog = page.getByRole('dialog');
  await dialog.getByRole('checkbox', { name: 'Unlimited' }).uncheck();
  await dialog.getByRole('textbox', { name: /Storage quota/ }).fill('3');
  await dialog.getByRole('combobox', { name: 'Unit' }).selectOption('GiB');
  await dialog.getByRole('button', { name: 'Save' }).click();
  await dialog.waitFor({ state: 'detached' });
  await row.getByText(/ of 3 GiB$/).waitFor();
  assert.equal((await projectQuota(projectId)).hard?.storage, 3 * GiB);
  await page.screenshot({ path: `${docsImages}quotas-en.png` });

  // Sorted by usage on the server (sort=used.storage, then -used.storage): the project holding an image last, then first.
  const projects = async () =>
    Promise.all((await page.getByTestId('quota-row').all()).map((row) => row.getAttribute('data-project')));
  await page.getByRole('button', { name: 'Storage used' }).click();
  await page.locator('[data-testid=quotas] th[aria-sort=ascending]').waitFor();
  // The header changes at the click; the rows when the server's answer comes.
  await page.locator(`[data-testid=quota-row]:last-child[data-project="${project}"]`).waitFor();
  assert.equal((await projects()).at(-1), project);
  await page.getByRole('button', { name: 'Storage used' }).click();
  await page.locator('[data-testid=quotas] th[aria-sort=descending]').waitFor();
  await page.locator(`[data-testid=quota-row]:first-child[data-project="${project}"]`).waitFor();
  assert.equal((await projects())[0], project);

  // The default for new projects, read by the next test's dialog.
  await page.getByRole('button', { name: 'Edit default quota' }).click();
  await dialog.getByRole('checkbox', { name: 'Unlimited' }).uncheck();
  await dialog.getByRole('textbox', { name: /Storage quota/ }).fill('20');
  await dialog.getByRole('combobox', { name: 'Unit' }).selectOption('GiB');
  await dialog.getByRole('button', { name: 'Save' }).click();
  await dialog.waitFor({ state: 'detached' });
  assert.equal(await page.getByTestId('default-quota-value').innerText(), '20 GiB');
  const config = await api<{ storage_per_project?: { value?: number } }>(server, 'GET', '/configurations');
  assert.equal(config.body.storage_per_project?.value, 20 * GiB);
});

test("a project created with a storage quota in the dialog shows that limit on its summary's bar", async (t) => {
  if (!needTool(t, chromiumPath, 'apt-get install chromium')) return;
  const page = await adminPage();
  await page.goto('/projects');
  await page.getByRole('button', { name: 'New project' }).click();
  const dialog = page.getByRole('dialog');
  const amount = dialog.getByRole('textbox', { name: /Storage quota/ });
  // The field starts at the default per project that the previous test set.
  assert.equal(await settledValue(amount, '20'), '20');
  assert.equal(await dialog.getByRole('combobox', { name: 'Unit' }).inputValue(), 'GiB');
  await dialog.getByRole('textbox', { name: 'Project name' }).fill('sized');
  await amount.fill('512');
  await dialog.getByRole('combobox', { name: 'Unit' }).selectOption('MiB');
  await dialog.getByRole('button', { name: 'Create' }).click();
  await dialog.waitFor({ state: 'detached' });

  await page.getByRole('link', { name: 'sized', exact: true }).click();
  await page.waitForURL(/\/summary$/);
  const bar = page.getByTestId('summary-quota').getByTestId('quota-bar');
  await bar.getByText('0 B of 512 MiB').waitFor();
  assert.equal(await bar.getAttribute('data-hard'), String(512 * MiB));
  const summary = await api<{ quota?: { hard?: { storage?: number } } }>(server, 'GET', '/projects/sized/summary');
  assert.equal(summary.body.quota?.hard?.storage, 512 * MiB);
});
