import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Locator, Page } from 'playwright-core';
import { startTestBerth, testAdminPassword, type TestBerth } from '../helpers/berth.js';
import { api } from '../helpers/api.js';
import { addMember, createProject, createUser, userPassword } from '../helpers/projects.js';
import { pushImage } from '../helpers/push.js';
import { needTool } from '../helpers/tools.js';
import { chromiumPath, openPortalBrowser, type PortalBrowser, logIn, logOut } from './browser.js';
import { englishLeft } from './english-left.js';

// A project's Policy tab, Tag immutability section, driven in Chromium and checked through
// the API: a maintainer adds, disables, edits and deletes a rule; a developer sees no rules;
// in 简体中文 the tab, its rules and its dialog show no English.

const project = 'policy-proj';

interface Rule {
  id: number;
  disabled: boolean;
  tag_selectors: { kind: string; decoration: string; pattern: string }[];
  scope_selectors: { repository: { kind: string; decoration: string; pattern: string }[] };
}

let server: TestBerth;
let portal: PortalBrowser | undefined;
let projectId: number;

before(async () => {
  server = await startTestBerth({ adminPassword: testAdminPassword });
  projectId = await createProject(server, project);
  await createUser(server, 'maint');
  await addMember(server, project, 'maint', 4);
  await createUser(server, 'dev');
  await addMember(server, project, 'dev', 2);
  await pushImage(server, `${project}/app`, 'v1');
});
after(async () => {
  await portal?.close();
  await server.close();
});

async function browserPage(): Promise<Page> {
  portal ??= await openPortalBrowser(server.url);
  return portal.page;
}

async function rules(): Promise<Rule[]> {
  const listed = await api<Rule[]>(server, 'GET', `/projects/${project}/immutabletagrules?page_size=100`);
  assert.equal(listed.status, 200, JSON.stringify(listed.body));
  return listed.body;
}

/** Picks `item` in the row's "…" menu. */
async function ruleAction(page: Page, row: Locator, index: number, item: string): Promise<void> {
  await row.getByRole('button', { name: `Actions for rule ${index}` }).click();
  await page.getByRole('menuitem', { name: item }).click();
}

test('a maintainer adds, disables, edits and deletes an immutability rule on the Policy tab', async (t) => {
  if (!needTool(t, chromiumPath, 'apt-get install chromium')) return;
  const page = await browserPage();
  await logIn(page, 'maint', userPassword);
  await page.goto(`/projects/${projectId}/summary`);
  await page.getByRole('tab', { name: 'Policy' }).click();
  await page.waitForURL(/\/policy$/);
  const section = page.getByTestId('immutability');
  await section.getByRole('heading', { name: 'Tag immutability' }).waitFor();
  await section.getByTestId('empty').waitFor();

  await section.getByRole('button', { name: 'Add rule' }).click();
  const dialog = page.getByRole('dialog');
  assert.equal(await dialog.getByRole('combobox', { name: 'Repositories' }).inputValue(), 'repoMatches');
  assert.equal(await dialog.getByRole('textbox', { name: /Repository pattern/ }).inputValue(), '**');
  await dialog.getByText(/\*\* any characters including \//).waitFor();
  await dialog.getByRole('textbox', { name: /Tag pattern/ }).fill('v*');
  await dialog.getByRole('button', { name: 'Add' }).click();
  await dialog.waitFor({ state: 'detached' });

  const row = section.getByTestId('immutable-rule');
  await row.getByText('For the repositories matching **, tags matching v*').waitFor();
  assert.equal(await row.getAttribute('data-status'), 'enabled');
  assert.equal(await section.getByTestId('rule-count').innerText(), '1 of 15 rules');
  const [added] = await rules();
  assert.ok(added);
  assert.equal(added.disabled, false);
  assert.deepEqual(added.tag_selectors, [{ kind: 'doublestar', decoration: 'matches', pattern: 'v*' }]);
  assert.deepEqual(added.scope_selectors.repository, [
    { kind: 'doublestar', decoration: 'repoMatches', pattern: '**' },
  ]);
  // The rule is in force: app:v1 can no longer be deleted.
  const refused = await api(server, 'DELETE', `/projects/${project}/repositories/app/artifacts/v1/tags/v1`);
  assert.equal(refused.status, 412, JSON.stringify(refused.body));

  // The same rule twice: the API's 409, in its words, in the dialog.
  await section.getByRole('button', { name: 'Add rule' }).click();
  await dialog.getByRole('textbox', { name: /Tag pattern/ }).fill('v*');
  await dialog.getByRole('button', { name: 'Add' }).click();
  await dialog.getByText('the project already has the same immutability rule').waitFor();
  await dialog.getByRole('button', { name: 'Cancel' }).click();
  await dialog.waitFor({ state: 'detached' });

  await ruleAction(page, row, 1, 'Disable');
  await section.locator('[data-testid=immutable-rule][data-status=disabled]').waitFor();
  assert.equal((await rules())[0]?.disabled, true);

  await ruleAction(page, row, 1, 'Edit');
  assert.equal(await dialog.getByRole('textbox', { name: /Tag pattern/ }).inputValue(), 'v*');
  await dialog.getByRole('combobox', { name: 'Tags' }).selectOption('excludes');
  await dialog.getByRole('textbox', { name: /Tag pattern/ }).fill('latest, dev-*');
  await dialog.getByRole('button', { name: 'Save' }).click();
  await dialog.waitFor({ state: 'detached' });
  await row.getByText('For the repositories matching **, tags excluding latest,dev-*').waitFor();
  const [edited] = await rules();
  assert.equal(edited?.id, added.id);
  assert.equal(edited.disabled, true, 'an edit keeps the rule disabled');
  assert.deepEqual(edited.tag_selectors, [{ kind: 'doublestar', decoration: 'excludes', pattern: 'latest,dev-*' }]);
  await portal?.screenshot('policy-en');

  await ruleAction(page, row, 1, 'Enable');
  await section.locator('[data-testid=immutable-rule][data-status=enabled]').waitFor();
  assert.equal((await rules())[0]?.disabled, false);

  await ruleAction(page, row, 1, 'Delete');
  await dialog.getByText('For the repositories matching **, tags excluding latest,dev-*').waitFor();
  await dialog.getByRole('button', { name: 'Delete' }).click();
  await dialog.waitFor({ state: 'detached' });
  await section.getByTestId('empty').waitFor();
  assert.deepEqual(await rules(), []);
  await logOut(page);
});

test('at 15 rules Add rule is disabled and the tab says why', async (t) => {
  if (!needTool(t, chromiumPath, 'apt-get install chromium')) return;
  for (let i = 0; i < 15; i++) {
    const created = await api(server, 'POST', `/projects/${project}/immutabletagrules`, {
      body: {
        disabled: false,
        action: 'immutable',
        template: 'immutable_template',
        tag_selectors: [{ kind: 'doublestar', decoration: 'matches', pattern: `r${i}.*` }],
        scope_selectors: { repository: [{ kind: 'doublestar', decoration: 'repoMatches', pattern: '**' }] },
      },
    });
    assert.equal(created.status, 201, JSON.stringify(created.body));
  }
  const page = await browserPage();
  await logIn(page, 'admin', testAdminPassword);
  await page.goto(`/projects/${projectId}/policy`);
  const section = page.getByTestId('immutability');
  await section.getByTestId('immutable-rule').nth(14).waitFor();
  assert.equal(await section.getByTestId('immutable-rule').count(), 15);
  assert.equal(await section.getByRole('button', { name: 'Add rule' }).isDisabled(), true);
  assert.match(await section.getByTestId('rule-count').innerText(), /at most 15 rules/);
  for (const rule of await rules())
    assert.equal((await api(server, 'DELETE', `/projects/${project}/immutabletagrules/${rule.id}`)).status, 200);
  assert.deepEqual(await rules(), []);
  await logOut(page);
});

// Harbor's roles give developers tag retention but not immutability rules: their Policy tab has
// the Tag retention section only.
test('a developer sees Tag retention on the Policy tab but no immutability rules, which the API refuses them', async (t) => {
  if (!needTool(t, chromiumPath, 'apt-get install chromium')) return;
  const page = await browserPage();
  await logIn(page, 'dev', userPassword);
  await page.goto(`/projects/${projectId}/summary`);
  await page.getByRole('tab', { name: 'Policy' }).click();
  await page.getByText('Tag retention', { exact: true }).first().waitFor();
  assert.equal(await page.getByText('Tag immutability', { exact: true }).count(), 0);
  const denied = await api(server, 'GET', `/projects/${project}/immutabletagrules`, {
    auth: `Basic ${Buffer.from(`dev:${userPassword}`).toString('base64')}`,
  });
  assert.equal(denied.status, 403);
  await logOut(page);
});

const allowed = [/\bpolicy-proj\b/g];

test('in 简体中文 the Policy tab, its rules and its dialog are translated', async (t) => {
  if (!needTool(t, chromiumPath, 'apt-get install chromium')) return;
  const created = await api(server, 'POST', `/projects/${project}/immutabletagrules`, {
    body: {
      tag_selectors: [{ kind: 'doublestar', decoration: 'matches', pattern: 'release-*' }],
      scope_selectors: { repository: [{ kind: 'doublestar', decoration: 'repoExcludes', pattern: 'sandbox/**' }] },
    },
  });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  const page = await browserPage();
  await logIn(page, 'admin', testAdminPassword);
  await page.getByRole('combobox', { name: 'Language' }).selectOption('zh-CN');
  await page.getByRole('heading', { name: '项目' }).waitFor();
  await page.goto(`/projects/${projectId}/summary`);
  await page.getByRole('tab', { name: '策略' }).click();
  const section = page.getByTestId('immutability');
  await section.getByRole('heading', { name: '不可变标签' }).waitFor();
  await section.getByText('对于除 sandbox/** 以外的镜像仓库，匹配 release-* 的标签').waitFor();
  await page.waitForLoadState('networkidle');
  const failures = [...new Set(await englishLeft(page, { allowed }))];

  await section.getByRole('button', { name: '添加规则' }).click();
  const dialog = page.getByRole('dialog');
  await dialog.getByRole('textbox', { name: /标签模式/ }).waitFor();
  failures.push(...new Set(await englishLeft(page, { allowed })));
  await portal?.screenshot('policy-zh-CN');
  assert.deepEqual(failures, [], `English left in 简体中文:\n${failures.join('\n')}`);
});
