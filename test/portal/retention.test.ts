import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { startTestBerth, testAdminPassword, type TestBerth } from '../helpers/berth.js';
import { api } from '../helpers/api.js';
import { addMember, createProject, createUser, userPassword } from '../helpers/projects.js';
import { pushImage } from '../helpers/push.js';
import { needTool } from '../helpers/tools.js';
import { chromiumPath, openPortalBrowser, type PortalBrowser, logIn, logOut } from './browser.js';
import { englishLeft } from './english-left.js';

// A project's Policy tab, Tag retention section, driven in Chromium and checked through the
// API: a maintainer adds a rule (which creates the policy), dry-runs it and reads a task's
// log, runs it for real (the right artifacts go) and sets a schedule; a guest has no tab; in
// 简体中文 the section and its dialog show no English.

const project = 'retention-proj';

interface Policy {
  id: number;
  rules: { template: string; params: Record<string, number>; tag_selectors: { pattern: string; extras?: string }[] }[];
  trigger: { settings: { cron?: string } };
}

let server: TestBerth;
let portal: PortalBrowser | undefined;
let projectId: number;
/** app:v1, app:v2, app:v3 in push order. */
const pushed: string[] = [];

before(async () => {
  server = await startTestBerth({ adminPassword: testAdminPassword });
  projectId = await createProject(server, project);
  await createUser(server, 'maint');
  await addMember(server, project, 'maint', 4);
  await createUser(server, 'guest');
  await addMember(server, project, 'guest', 3);
  for (const tag of ['v1', 'v2', 'v3']) pushed.push((await pushImage(server, `${project}/app`, tag)).digest);
  await pushImage(server, `${project}/other`, 'keep');
});
after(async () => {
  await portal?.close();
  await server.close();
});

async function browserPage(): Promise<Page> {
  portal ??= await openPortalBrowser(server.url);
  return portal.page;
}

async function policyId(): Promise<number | undefined> {
  const res = await api<{ metadata?: { retention_id?: string } }>(server, 'GET', `/projects/${project}`);
  assert.equal(res.status, 200);
  const id = res.body.metadata?.retention_id;
  return id ? Number(id) : undefined;
}

async function policy(): Promise<Policy> {
  const id = await policyId();
  assert.ok(id, 'the project has a retention policy');
  const res = await api<Policy>(server, 'GET', `/retentions/${id}`);
  assert.equal(res.status, 200, JSON.stringify(res.body));
  return res.body;
}

async function artifactDigests(repository: string): Promise<string[]> {
  const res = await api<{ digest: string }[]>(
    server,
    'GET',
    `/projects/${project}/repositories/${repository}/artifacts?page_size=100`,
  );
  assert.equal(res.status, 200);
  return res.body.map((artifact) => artifact.digest).sort();
}

test('a maintainer adds a rule, dry-runs it, reads a log, runs it and schedules it', async (t) => {
  if (!needTool(t, chromiumPath, 'apt-get install chromium')) return;
  const page = await browserPage();
  await logIn(page, 'maint', userPassword);
  await page.goto(`/projects/${projectId}/summary`);
  await page.getByRole('tab', { name: 'Policy' }).click();
  await page.waitForURL(/\/policy$/);
  const section = page.getByTestId('retention');
  await section.getByRole('heading', { name: 'Tag retention' }).waitFor();
  await section.getByTestId('empty').waitFor();
  assert.equal(await section.getByRole('button', { name: 'Run now' }).isDisabled(), true);
  assert.equal(await policyId(), undefined);

  // The first rule creates the policy.
  await section.getByRole('button', { name: 'Add rule' }).click();
  const dialog = page.getByRole('dialog');
  assert.equal(await dialog.getByRole('combobox', { name: 'Retain' }).inputValue(), 'latestPushedK');
  assert.equal(await dialog.getByRole('checkbox', { name: 'Untagged artifacts' }).isChecked(), true);
  await dialog.getByRole('textbox', { name: /Repository pattern/ }).fill('app');
  await dialog.getByRole('textbox', { name: 'Count' }).fill('2');
  await dialog.getByRole('button', { name: 'Add' }).click();
  await dialog.waitFor({ state: 'detached' });
  const row = section.getByTestId('retention-rule');
  await row
    .getByText(
      'For the repositories matching app, retain the most recently pushed 2 artifacts with tags matching ** with untagged',
    )
    .waitFor();
  const created = await policy();
  assert.deepEqual(
    created.rules.map((rule) => [rule.template, rule.params, rule.tag_selectors[0]?.extras]),
    [['latestPushedK', { latestPushedK: 2 }, '{"untagged":true}']],
  );

  // A dry run: it succeeds, its task counts the 3 artifacts of app and keeps 2, and deletes nothing.
  await section.getByRole('button', { name: 'Dry run' }).click();
  const runs = section.getByTestId('retention-run');
  await section.locator('[data-testid=retention-run][data-status=Success]').waitFor();
  assert.equal(await runs.count(), 1);
  await runs
    .first()
    .getByRole('button', { name: /Show the repositories of run/ })
    .click();
  const task = section.getByTestId('retention-task');
  await task.waitFor();
  assert.equal(await task.getAttribute('data-repository'), `${project}/app`);
  assert.equal(await task.getByTestId('task-total').innerText(), '3');
  assert.equal(await task.getByTestId('task-retained').innerText(), '2');
  const [log] = await Promise.all([
    page.context().waitForEvent('page'),
    task.getByRole('link', { name: `Log of ${project}/app` }).click(),
  ]);
  await log.waitForLoadState();
  const logText = await log.locator('body').innerText();
  assert.match(logText, new RegExp(`${pushed[0]}.*\\| DEL `));
  assert.match(logText, new RegExp(`${pushed[2]}.*\\| RETAIN `));
  await log.close();
  assert.deepEqual(await artifactDigests('app'), [...pushed].sort(), 'a dry run deletes nothing');
  await portal?.screenshot('retention-en');

  // The real run, after its confirmation: app:v1 goes, other is no rule's and stays.
  await section.getByRole('button', { name: 'Run now' }).click();
  await dialog.getByRole('button', { name: 'Run', exact: true }).click();
  await dialog.waitFor({ state: 'detached' });
  await runs.nth(1).waitFor();
  await section.locator('[data-testid=retention-run][data-status=Success]').nth(1).waitFor();
  assert.equal(await runs.first().locator('td').nth(4).innerText(), 'No', 'the newest run is the real one');
  assert.deepEqual(await artifactDigests('app'), [pushed[1], pushed[2]].sort());
  assert.equal((await artifactDigests('other')).length, 1);

  // The schedule: Daily, then a custom cron.
  const schedule = section.getByTestId('retention-schedule');
  await schedule.getByRole('combobox', { name: 'Schedule' }).selectOption('Daily');
  await schedule.getByRole('button', { name: 'Save schedule' }).click();
  await schedule.getByText('The schedule was saved.').waitFor();
  assert.equal((await policy()).trigger.settings.cron, '0 0 0 * * *');
  await schedule.getByRole('combobox', { name: 'Schedule' }).selectOption('Custom');
  await schedule.getByRole('textbox', { name: /Cron expression/ }).fill('0 30 2 * * *');
  await schedule.getByRole('button', { name: 'Save schedule' }).click();
  await schedule.getByText('The schedule was saved.').waitFor();
  const scheduled = await policy();
  assert.equal(scheduled.trigger.settings.cron, '0 30 2 * * *');
  assert.equal(scheduled.rules.length, 1, 'the schedule keeps the rules');
  await page.reload();
  assert.equal(await schedule.getByRole('combobox', { name: 'Schedule' }).inputValue(), 'Custom');
  assert.equal(await schedule.getByRole('textbox', { name: /Cron expression/ }).inputValue(), '0 30 2 * * *');
  await logOut(page);
});

test('a guest has no Policy tab, and the API refuses them the policy', async (t) => {
  if (!needTool(t, chromiumPath, 'apt-get install chromium')) return;
  const page = await browserPage();
  await logIn(page, 'guest', userPassword);
  await page.goto(`/projects/${projectId}/summary`);
  await page.getByRole('tab', { name: 'Repositories' }).waitFor();
  await page.waitForLoadState('networkidle');
  assert.equal(await page.getByRole('tab', { name: 'Policy' }).count(), 0);
  await page.goto(`/projects/${projectId}/policy`);
  await page.waitForLoadState('networkidle');
  assert.equal(await page.getByTestId('retention').count(), 0);
  assert.equal(await page.getByRole('button', { name: 'Run now' }).count(), 0);
  const denied = await api(server, 'GET', `/retentions/${await policyId()}`, {
    auth: `Basic ${Buffer.from(`guest:${userPassword}`).toString('base64')}`,
  });
  assert.equal(denied.status, 403);
  await logOut(page);
});

// Data (the project and repository names) and Cron, which the 简体中文 catalogue keeps as the term it is.
const allowed = [/\bretention-proj\b/g, /\bapp\b/g, /\bCron\b/g];

test('in 简体中文 the Tag retention section, its runs and its dialog are translated', async (t) => {
  if (!needTool(t, chromiumPath, 'apt-get install chromium')) return;
  const page = await browserPage();
  await logIn(page, 'admin', testAdminPassword);
  await page.getByRole('combobox', { name: 'Language' }).selectOption('zh-CN');
  await page.getByRole('heading', { name: '项目' }).waitFor();
  await page.goto(`/projects/${projectId}/summary`);
  await page.getByRole('tab', { name: '策略' }).click();
  const section = page.getByTestId('retention');
  await section.getByRole('heading', { name: '标签保留' }).waitFor();
  await section
    .getByText('对于匹配 app 的镜像仓库，保留最近推送的 2 个制品，其标签匹配 ** ，包括无标签的制品')
    .waitFor();
  await section
    .getByTestId('retention-run')
    .first()
    .getByRole('button', { name: /显示执行/ })
    .click();
  await section.getByTestId('retention-task').first().waitFor();
  await page.waitForLoadState('networkidle');
  const failures = [...new Set(await englishLeft(page, { allowed }))];

  await section.getByRole('button', { name: '添加规则' }).click();
  const dialog = page.getByRole('dialog');
  await dialog.getByRole('textbox', { name: /标签模式/ }).waitFor();
  failures.push(...new Set(await englishLeft(page, { allowed })));
  await portal?.screenshot('retention-zh-CN');
  assert.deepEqual(failures, [], `English left in 简体中文:\n${failures.join('\n')}`);
});
