import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { startTestBerth, testAdminPassword, type TestBerth } from '../helpers/berth.js';
import { adminAuth, api, basic } from '../helpers/api.js';
import { needTool } from '../helpers/tools.js';
import { chromiumPath, openPortalBrowser, type PortalBrowser } from './browser.js';

// The account pieces of the portal: a user changes their own password from the user menu
// (Berth then ends their sessions: the portal sends them to the login with a notice), the
// built-in admin is listed among the users, and the system configuration is edited.

const docsImages = new URL('../../docs/images/', import.meta.url).pathname;

let server: TestBerth;
let portal: PortalBrowser | undefined;

before(async () => {
  server = await startTestBerth({ adminPassword: testAdminPassword });
});
after(async () => {
  await portal?.close();
  await server.close();
});

async function logIn(page: Page, username: string, password: string): Promise<void> {
  await page.getByLabel('Username').fill(username);
  await page.locator('input[name=password]').fill(password);
  await page.getByRole('button', { name: 'Log in' }).click();
}

test('a user changes their password from the user menu, is sent to the login and logs in with the new one', async (t) => {
  if (!needTool(t, chromiumPath, 'apt-get install chromium')) return;
  const created = await api(server, 'POST', '/users', {
    body: { username: 'carol', email: 'carol@example.com', realname: 'Carol', password: 'Carol12345' },
  });
  assert.equal(created.status, 201);
  portal = await openPortalBrowser(server.url);
  const { page } = portal;
  mkdirSync(docsImages, { recursive: true });

  await page.goto('/login');
  await logIn(page, 'carol', 'Carol12345');
  await page.getByRole('heading', { name: 'Projects' }).waitFor();

  await page.getByTestId('user-menu').getByRole('button', { name: 'Change password' }).click();
  const dialog = page.getByRole('dialog', { name: 'Change password' });
  await dialog.getByLabel('Current password').fill('Wrong12345');
  await dialog.getByLabel('New password').fill('Carol67890');
  await dialog.getByLabel('Confirm password').fill('Carol67890');
  await dialog.getByRole('button', { name: 'Save' }).click();
  await dialog.getByText('Current password is incorrect').waitFor();
  await page.screenshot({ path: `${docsImages}change-password-en.png` });

  await dialog.getByLabel('Current password').fill('Carol12345');
  await dialog.getByRole('button', { name: 'Save' }).click();
  await page.waitForURL(/\/login\?reason=password-changed/);
  await page.getByTestId('login-notice').waitFor();
  const session = await api(server, 'GET', '/users/current', { auth: basic('carol', 'Carol12345') });
  assert.equal(session.status, 401, 'the old password no longer works');

  await logIn(page, 'carol', 'Carol12345');
  await page.getByRole('alert').filter({ hasText: 'Could not log in' }).waitFor();
  await logIn(page, 'carol', 'Carol67890');
  await page.getByRole('heading', { name: 'Projects' }).waitFor();

  // The same dialog in 简体中文, for the documentation.
  await page.getByRole('combobox', { name: 'Language' }).selectOption('zh-CN');
  await page.getByTestId('user-menu').getByRole('button', { name: '修改密码' }).click();
  const zh = page.getByRole('dialog', { name: '修改密码' });
  await zh.getByLabel('当前密码').fill('Carol67890');
  await zh.getByLabel('新密码').fill('short');
  await zh.getByText('8 到 128', { exact: false }).first().waitFor();
  await page.screenshot({ path: `${docsImages}change-password-zh-CN.png` });
  await zh.getByRole('button', { name: '取消' }).click();
  await page.getByRole('combobox', { name: '语言' }).selectOption('en');
  await page.getByTestId('user-menu').getByRole('button', { name: 'Log out' }).click();
  await page.waitForURL(/\/login/);
});

test('the built-in admin is listed among the users', async (t) => {
  if (!needTool(t, chromiumPath, 'apt-get install chromium') || !portal) return;
  const { page } = portal;
  await page.goto('/login');
  await logIn(page, 'admin', testAdminPassword);
  await page.getByRole('heading', { name: 'Projects' }).waitFor();
  await page.goto('/admin/users');
  const row = page.locator('tr[data-user="admin"]');
  await row.waitFor();
  assert.match(await row.innerText(), /Built-in administrator/i);
  await page.locator('tr[data-user="carol"]').waitFor();
  await page.getByLabel('Search users').fill('car');
  await row.waitFor({ state: 'detached' });
});

test('the configuration page saves a changed value; it sticks after a reload', async (t) => {
  if (!needTool(t, chromiumPath, 'apt-get install chromium') || !portal) return;
  const { page } = portal;
  const before = await api<{ self_registration: { value: boolean } }>(server, 'GET', '/configurations', {
    auth: adminAuth,
  });
  assert.equal(before.body.self_registration.value, false);
  await page.goto('/admin/configuration');
  const selfRegistration = page.getByRole('switch', { name: 'self_registration' });
  await selfRegistration.waitFor();
  assert.equal(await selfRegistration.isChecked(), false);
  const save = page.getByRole('button', { name: 'Save' });
  assert.equal(await save.isDisabled(), true, 'nothing changed, nothing to save');

  // A refused value shows its message beside its input, and nothing is saved.
  const duration = page.getByRole('textbox', { name: 'robot_token_duration' });
  await duration.fill('0');
  await save.click();
  await page
    .locator('tr[data-key="robot_token_duration"]')
    .getByText(/robot_token_duration must be/)
    .waitFor();
  await duration.fill('45');

  await selfRegistration.click({ force: true });
  await save.click();
  await page.getByText('The configuration was saved.').waitFor();
  const after = await api<{ self_registration: { value: boolean }; robot_token_duration: { value: number } }>(
    server,
    'GET',
    '/configurations',
    { auth: adminAuth },
  );
  assert.equal(after.body.self_registration.value, true);
  assert.equal(after.body.robot_token_duration.value, 45);

  await page.reload();
  await page.getByRole('switch', { name: 'self_registration' }).waitFor();
  assert.equal(await page.getByRole('switch', { name: 'self_registration' }).isChecked(), true);
  assert.equal(await page.getByRole('textbox', { name: 'robot_token_duration' }).inputValue(), '45');
});
