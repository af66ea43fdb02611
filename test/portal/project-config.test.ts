import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { startTestBerth, testAdminPassword, type TestBerth } from '../helpers/berth.js';
import { api } from '../helpers/api.js';
import { addMember, createProject, createUser, userPassword } from '../helpers/projects.js';
import { pushImage } from '../helpers/push.js';
import { needTool } from '../helpers/tools.js';
import { chromiumPath, openPortalBrowser, type PortalBrowser, logIn } from './browser.js';

// A project's Summary (the tab a project opens on) and Configuration tabs, as in Harbor:
// a project admin makes the project public; a developer sees the configuration read-only.

const docsImages = new URL('../../docs/images/', import.meta.url).pathname;
const project = 'configured';

let server: TestBerth;
let portal: PortalBrowser | undefined;

before(async () => {
  server = await startTestBerth({ adminPassword: testAdminPassword });
  await createProject(server, project);
  await pushImage(server, `${project}/app`, 'v1');
  const developer = await createUser(server, 'dev');
  await addMember(server, project, developer.username, 2);
});
after(async () => {
  await portal?.close();
  await server.close();
});

async function isPublic(): Promise<string | undefined> {
  const res = await api<{ metadata?: { public?: string } }>(server, 'GET', `/projects/${project}`);
  return res.body.metadata?.public;
}

test('a project opens on its summary; its admin makes it public in the configuration tab', async (t) => {
  if (!needTool(t, chromiumPath, 'apt-get install chromium')) return;
  portal = await openPortalBrowser(server.url);
  const { page } = portal;
  mkdirSync(docsImages, { recursive: true });
  await logIn(page, 'admin', testAdminPassword);

  await page.getByRole('link', { name: project }).click();
  await page.waitForURL(/\/summary$/);
  assert.equal(await page.getByRole('tab', { selected: true }).innerText(), 'Summary');
  assert.match(await page.getByTestId('summary-repositories').innerText(), /\b1\b/);
  assert.match(await page.getByTestId('summary-access').innerText(), /Private/);
  const developers = page.getByTestId('summary-members').locator('[data-count="developer_count"]');
  assert.match(await developers.innerText(), /\b1\b/);
  await page.screenshot({ path: `${docsImages}project-summary-en.png` });

  await page.getByRole('tab', { name: 'Configuration' }).click();
  await page.waitForURL(/\/configuration$/);
  const form = page.getByTestId('project-configuration');
  const save = form.getByRole('button', { name: 'Save' });
  assert.equal(await save.isDisabled(), true, 'nothing changed yet');
  await form.getByLabel('Public').check();
  await page.screenshot({ path: `${docsImages}project-configuration-en.png` });
  await save.click();
  await form.getByText('The configuration was saved.').waitFor();
  assert.equal(await isPublic(), 'true');
  await page.getByRole('tab', { name: 'Summary' }).click();
  await page.getByTestId('summary-access').getByText('Public').waitFor();

  await page.getByRole('combobox', { name: 'Language' }).selectOption('zh-CN');
  await page.getByRole('tab', { name: '概要' }).waitFor();
  await page.screenshot({ path: `${docsImages}project-summary-zh-CN.png` });
  await page.getByRole('tab', { name: '配置管理' }).click();
  await page.getByTestId('project-configuration').getByText('公开', { exact: true }).waitFor();
  await page.screenshot({ path: `${docsImages}project-configuration-zh-CN.png` });
  await page.getByRole('combobox', { name: '语言' }).selectOption('en');
  await page.getByTestId('user-menu').getByRole('button', { name: 'Log out' }).click();
  await page.waitForURL(/\/login/);
});

test('a developer sees the configuration read-only', async (t) => {
  if (!needTool(t, chromiumPath, 'apt-get install chromium') || !portal) return;
  const { page } = portal;
  await logIn(page, 'dev', userPassword);
  await page.goto(`/projects/${project}/configuration`);
  const form = page.getByTestId('project-configuration');
  await form.getByTestId('read-only').waitFor();
  assert.equal(await form.getByLabel('Public').isDisabled(), true);
  assert.equal(await form.getByRole('button', { name: 'Save' }).count(), 0);
  const refused = await api(server, 'PUT', `/projects/${project}`, {
    auth: `Basic ${Buffer.from(`dev:${userPassword}`).toString('base64')}`,
    body: { metadata: { public: 'false' } },
  });
  assert.equal(refused.status, 403, 'the API refuses a developer too');
  assert.equal(await isPublic(), 'true');
});
