import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Locator, Page } from 'playwright-core';
import { startTestBerth, testAdminPassword, type TestBerth } from '../helpers/berth.js';
import { api } from '../helpers/api.js';
import { addMember, createProject, createUser, idFromLocation, userPassword } from '../helpers/projects.js';
import { pushImage } from '../helpers/push.js';
import { needTool } from '../helpers/tools.js';
import { chromiumPath, openPortalBrowser, type PortalBrowser, logIn, logOut } from './browser.js';
import { englishLeft } from './english-left.js';

// Labels in the portal, driven in Chromium and checked through the API after each step: an
// administrator manages global labels, a maintainer a project label, a developer puts labels
// on an artifact, takes one off and filters the list by one; a guest sees the chips only;
// in 简体中文 the label pages, the Add labels menu and the dialog show no English.

const project = 'labels-proj';

interface Label {
  id: number;
  name: string;
  description: string;
  color: string;
  scope: string;
  project_id: number;
}

interface Artifact {
  digest: string;
  labels?: Label[];
}

let server: TestBerth;
let portal: PortalBrowser | undefined;
let projectId: number;
let v1: string;
let v2: string;
/** A global label made through the API for the artifact steps. */
let release: Label;

before(async () => {
  server = await startTestBerth({ adminPassword: testAdminPassword });
  projectId = await createProject(server, project);
  for (const [user, role] of [
    ['maint', 4],
    ['dev', 2],
    ['guest', 3],
  ] as const) {
    await createUser(server, user);
    await addMember(server, project, user, role);
  }
  v1 = (await pushImage(server, `${project}/app`, 'v1')).digest;
  v2 = (await pushImage(server, `${project}/app`, 'v2')).digest;
  const created = await api(server, 'POST', '/labels', {
    body: { name: 'release', description: 'Shipped', color: '#48960C', scope: 'g' },
  });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  release = await label(idFromLocation(created.headers));
});
after(async () => {
  await portal?.close();
  await server.close();
});

async function browserPage(): Promise<Page> {
  portal ??= await openPortalBrowser(server.url);
  return portal.page;
}

async function label(id: number): Promise<Label> {
  const got = await api<Label>(server, 'GET', `/labels/${id}`);
  assert.equal(got.status, 200, JSON.stringify(got.body));
  return got.body;
}

async function labels(query: string): Promise<Label[]> {
  const listed = await api<Label[]>(server, 'GET', `/labels?${query}&page_size=100`);
  assert.equal(listed.status, 200, JSON.stringify(listed.body));
  return listed.body;
}

async function labelsOn(digest: string): Promise<string[]> {
  const got = await api<Artifact>(
    server,
    'GET',
    `/projects/${project}/repositories/app/artifacts/${digest}?with_label=true`,
  );
  assert.equal(got.status, 200, JSON.stringify(got.body));
  return (got.body.labels ?? []).map((item) => item.name).sort();
}

function artifactRow(page: Page, digest: string): Locator {
  return page.locator(`[data-testid=artifacts] tbody tr[data-digest="${digest}"]`);
}

async function chipsIn(scope: Locator): Promise<string[]> {
  return (await scope.getByTestId('label-chip').allInnerTexts()).map((text) => text.trim()).sort();
}

test('an administrator creates, edits and deletes a global label', async (t) => {
  if (!needTool(t, chromiumPath, 'apt-get install chromium')) return;
  const page = await browserPage();
  await logIn(page, 'admin', testAdminPassword);
  await page.getByRole('link', { name: 'Administration' }).click();
  await page.getByRole('tab', { name: 'Labels' }).click();
  await page.waitForURL(/\/admin\/labels$/);
  const list = page.getByTestId('label-list');
  await list.locator('[data-testid=label-row][data-label=release]').waitFor();

  await list.getByRole('button', { name: 'New label' }).click();
  const dialog = page.getByRole('dialog');
  await dialog.getByRole('textbox', { name: /Name/ }).fill('nightly');
  await dialog.getByRole('textbox', { name: 'Description' }).fill('Built every night');
  await dialog.getByRole('radio', { name: '#C92100' }).click();
  await dialog.getByTestId('label-preview').getByText('nightly').waitFor();
  await dialog.getByRole('button', { name: 'Create' }).click();
  await dialog.waitFor({ state: 'detached' });
  const row = list.locator('[data-testid=label-row][data-label=nightly]');
  await row.getByText('Built every night').waitFor();
  const [created] = (await labels('scope=g')).filter((item) => item.name === 'nightly');
  assert.ok(created, 'the label is stored');
  assert.deepEqual(
    { description: created.description, color: created.color, scope: created.scope },
    { description: 'Built every night', color: '#C92100', scope: 'g' },
  );

  // A taken name: the API's 409 in the dialog, which stays open.
  await list.getByRole('button', { name: 'New label' }).click();
  await dialog.getByRole('textbox', { name: /Name/ }).fill('release');
  await dialog.getByRole('button', { name: 'Create' }).click();
  await dialog.getByText('label release already exists').waitFor();
  await dialog.getByRole('button', { name: 'Cancel' }).click();
  await dialog.waitFor({ state: 'detached' });

  await row.getByRole('button', { name: 'Actions for label nightly' }).click();
  await page.getByRole('menuitem', { name: 'Edit' }).click();
  assert.equal(await dialog.getByRole('textbox', { name: 'Custom color' }).inputValue(), '#C92100');
  await dialog.getByRole('textbox', { name: /Name/ }).fill('nightly-build');
  await dialog.getByRole('textbox', { name: 'Custom color' }).fill('1d5100');
  await dialog.getByRole('button', { name: 'Save' }).click();
  await dialog.waitFor({ state: 'detached' });
  await list.locator('[data-testid=label-row][data-label=nightly-build]').waitFor();
  const edited = await label(created.id);
  assert.deepEqual({ name: edited.name, color: edited.color }, { name: 'nightly-build', color: '#1D5100' });
  await portal?.screenshot('labels-admin-en');

  await list
    .locator('[data-testid=label-row][data-label=nightly-build]')
    .getByRole('button', { name: 'Actions for label nightly-build' })
    .click();
  await page.getByRole('menuitem', { name: 'Delete' }).click();
  await dialog.getByText(/Delete the label nightly-build\?/).waitFor();
  await dialog.getByRole('button', { name: 'Delete' }).click();
  await dialog.waitFor({ state: 'detached' });
  await list.locator('[data-testid=label-row][data-label=nightly-build]').waitFor({ state: 'detached' });
  assert.deepEqual(
    (await labels('scope=g')).map((item) => item.name),
    ['release'],
  );
  assert.equal((await api(server, 'GET', `/labels/${created.id}`)).status, 404);
  await logOut(page);
});

test("a maintainer creates a label on the project's Labels tab", async (t) => {
  if (!needTool(t, chromiumPath, 'apt-get install chromium')) return;
  const page = await browserPage();
  await logIn(page, 'maint', userPassword);
  await page.goto(`/projects/${projectId}/summary`);
  await page.getByRole('tab', { name: 'Labels' }).click();
  await page.waitForURL(/\/labels$/);
  const list = page.getByTestId('label-list');
  await list.getByTestId('empty').waitFor();
  await list.getByRole('button', { name: 'New label' }).click();
  const dialog = page.getByRole('dialog');
  await dialog.getByRole('textbox', { name: /Name/ }).fill('beta');
  await dialog.getByRole('radio', { name: '#F57600' }).click();
  await dialog.getByRole('button', { name: 'Create' }).click();
  await dialog.waitFor({ state: 'detached' });
  await list.locator('[data-testid=label-row][data-label=beta]').waitFor();
  const stored = await labels(`scope=p&project_id=${projectId}`);
  assert.deepEqual(
    stored.map(({ name, color, scope, project_id }) => ({ name, color, scope, project_id })),
    [{ name: 'beta', color: '#F57600', scope: 'p', project_id: projectId }],
  );
  // The project's labels are not global ones.
  assert.deepEqual(
    (await labels('scope=g')).map((item) => item.name),
    ['release'],
  );
  await logOut(page);
});

test('a developer adds and removes labels on an artifact and filters the list by a label', async (t) => {
  if (!needTool(t, chromiumPath, 'apt-get install chromium')) return;
  const page = await browserPage();
  await logIn(page, 'dev', userPassword);
  await page.goto(`/projects/${projectId}/repositories/app`);
  const row = artifactRow(page, v1);
  await row.waitFor();

  await row.getByRole('button', { name: `Add labels to ${v1.slice(0, 19)}` }).click();
  const menu = page.getByTestId('label-menu');
  await menu.getByRole('menuitem', { name: 'release' }).click();
  await row.locator('[data-testid=label-chip][data-label=release]').waitFor();
  assert.deepEqual(await labelsOn(v1), ['release']);
  await menu.locator('[role=menuitem][aria-label=release][data-checked=true]').waitFor();
  await menu.getByRole('menuitem', { name: 'beta' }).click();
  await row.locator('[data-testid=label-chip][data-label=beta]').waitFor();
  assert.deepEqual(await labelsOn(v1), ['beta', 'release']);
  assert.deepEqual(await chipsIn(row), ['beta', 'release']);
  await portal?.screenshot('labels-artifacts-en');

  await menu.getByRole('menuitem', { name: 'release' }).click();
  await row.locator('[data-testid=label-chip][data-label=release]').waitFor({ state: 'detached' });
  assert.deepEqual(await labelsOn(v1), ['beta']);
  await page.keyboard.press('Escape');
  await menu.waitFor({ state: 'hidden' });

  // v2 carries release only: the filter on beta lists v1, the filter on release v2.
  const added = await api(server, 'POST', `/projects/${project}/repositories/app/artifacts/v2/labels`, {
    body: { id: release.id },
  });
  assert.equal(added.status, 200, JSON.stringify(added.body));
  const beta = (await labels(`scope=p&project_id=${projectId}`))[0]!;
  await page.reload();
  await artifactRow(page, v2).locator('[data-testid=label-chip][data-label=release]').waitFor();
  const filtered = page.waitForRequest((request) => request.url().includes('/artifacts?'));
  await page.getByPlaceholder('Filter by label').click();
  await page.getByRole('option', { name: 'beta' }).click();
  const q = new URL((await filtered).url()).searchParams.get('q');
  assert.equal(q, `labels=(${beta.id})`);
  await artifactRow(page, v2).waitFor({ state: 'detached' });
  await artifactRow(page, v1).waitFor();
  assert.equal(await page.locator('[data-testid=artifacts] tbody tr[data-digest]').count(), 1);
  const byApi = await api<Artifact[]>(
    server,
    'GET',
    `/projects/${project}/repositories/app/artifacts?q=${encodeURIComponent(`labels=(${beta.id})`)}`,
  );
  assert.deepEqual(
    byApi.body.map((artifact) => artifact.digest),
    [v1],
  );

  await page.getByPlaceholder('Filter by label').fill('release');
  await page.getByRole('option', { name: 'release' }).click();
  await artifactRow(page, v2).waitFor();
  await artifactRow(page, v1).waitFor({ state: 'detached' });

  // The artifact's page shows its chips.
  await page.goto(`/projects/${projectId}/repositories/app/artifacts/${v1}`);
  const card = page.getByTestId('artifact-labels');
  await card.locator('[data-testid=label-chip][data-label=beta]').waitFor();
  assert.deepEqual(await chipsIn(card), ['beta']);
  await card.getByRole('button', { name: `Add labels to ${v1.slice(0, 19)}` }).waitFor();
  await logOut(page);
});

test('a guest sees the chips but cannot add labels or manage them', async (t) => {
  if (!needTool(t, chromiumPath, 'apt-get install chromium')) return;
  const page = await browserPage();
  await logIn(page, 'guest', userPassword);
  await page.goto(`/projects/${projectId}/repositories/app`);
  const row = artifactRow(page, v1);
  await row.locator('[data-testid=label-chip][data-label=beta]').waitFor();
  assert.equal(await row.getByRole('button', { name: /Add labels/ }).count(), 0);

  await page.goto(`/projects/${projectId}/repositories/app/artifacts/${v1}`);
  const card = page.getByTestId('artifact-labels');
  await card.locator('[data-testid=label-chip][data-label=beta]').waitFor();
  assert.equal(await card.getByRole('button', { name: /Add labels/ }).count(), 0);

  await page.goto(`/projects/${projectId}/labels`);
  const list = page.getByTestId('label-list');
  await list.locator('[data-testid=label-row][data-label=beta]').waitFor();
  assert.equal(await list.getByRole('button', { name: 'New label' }).count(), 0);
  assert.equal(await list.getByRole('button', { name: /Actions for label/ }).count(), 0);
  const guest = `Basic ${Buffer.from(`guest:${userPassword}`).toString('base64')}`;
  const refused = await api(server, 'POST', `/projects/${project}/repositories/app/artifacts/v1/labels`, {
    auth: guest,
    body: { id: release.id },
  });
  assert.equal(refused.status, 403);
  await logOut(page);
});

const allowed = [/\blabels-proj(\/app)?\b/g, /\b(release|beta|Shipped|app)\b/g];

test('in 简体中文 the label pages, the menu and the dialog are translated', async (t) => {
  if (!needTool(t, chromiumPath, 'apt-get install chromium')) return;
  const page = await browserPage();
  await logIn(page, 'admin', testAdminPassword);
  await page.getByRole('combobox', { name: 'Language' }).selectOption('zh-CN');
  await page.getByRole('heading', { name: '项目' }).waitFor();
  const failures: string[] = [];
  async function check(where: string) {
    await page.waitForLoadState('networkidle');
    const left = [...new Set(await englishLeft(page, { allowed }))];
    if (left.length > 0) failures.push(`${where}:\n  ${left.join('\n  ')}`);
  }

  await page.goto('/admin/labels');
  await page.getByRole('tab', { name: '标记' }).waitFor();
  await page.locator('[data-testid=label-row][data-label=release]').waitFor();
  await check('/admin/labels');
  await page.getByRole('button', { name: '新建标记' }).click();
  await page.getByRole('dialog').getByRole('textbox', { name: '自定义颜色' }).fill('zz');
  await page.getByRole('dialog').getByText('颜色是 # 加六位十六进制数字').waitFor();
  await check('/admin/labels (新建标记)');
  await portal?.screenshot('labels-zh-CN');
  await page.getByRole('dialog').getByRole('button', { name: '取消' }).click();

  await page.goto(`/projects/${projectId}/labels`);
  await page.locator('[data-testid=label-row][data-label=beta]').waitFor();
  await check(`/projects/${projectId}/labels`);

  await page.goto(`/projects/${projectId}/repositories/app`);
  const row = artifactRow(page, v1);
  await row.locator('[data-testid=label-chip][data-label=beta]').waitFor();
  await check(`/projects/${projectId}/repositories/app`);
  await row.getByRole('button', { name: /添加标记/ }).click();
  await page.getByTestId('label-menu').getByRole('menuitem', { name: 'release' }).waitFor();
  await check(`/projects/${projectId}/repositories/app (添加标记)`);
  // The artifact page, chips included, is zh-cn-complete.test.ts's (with its allowances for manifest data).
  assert.deepEqual(failures, [], `English left in 简体中文:\n${failures.join('\n')}`);
});
