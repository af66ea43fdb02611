import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { startTestBerth, type TestBerth } from '../helpers/berth.js';
import { api } from '../helpers/api.js';
import { createProject } from '../helpers/projects.js';
import { pushImage } from '../helpers/push.js';
import { needTool } from '../helpers/tools.js';
import { chromiumPath, openPortalBrowser, screenshotDir, type PortalBrowser } from './browser.js';

// The header's search box and the projects page's statistics, in Chromium against a real Berth:
// type a repository name, find it among the results, open it; the cards show the API's counts.

let server: TestBerth;
let portal: PortalBrowser | undefined;
const adminPassword = 'Harbor12345';
const docsImages = new URL('../../docs/images/', import.meta.url).pathname;

before(async () => {
  server = await startTestBerth();
  await createProject(server, 'shop', { public: true });
  await createProject(server, 'vault');
  await pushImage(server, 'shop/checkout-api', 'v1');
  await pushImage(server, 'shop/checkout-api', 'v2');
  await pushImage(server, 'shop/catalog', 'v1');
  await pushImage(server, 'vault/checkout-secrets', 'v1');
});
after(async () => {
  await portal?.close();
  await server.close();
});

test('the header search finds a repository and opens it; the projects page shows the statistics, in English and 简体中文', async (t) => {
  if (!needTool(t, chromiumPath, 'apt-get install chromium')) return;
  portal = await openPortalBrowser(server.url);
  const { page, screenshot } = portal;
  const keepScreenshot = async (name: string) => {
    await screenshot(name);
    mkdirSync(docsImages, { recursive: true });
    copyFileSync(join(screenshotDir, `${name}.png`), join(docsImages, `${name}.png`));
  };

  await page.goto('/');
  await page.getByLabel('Username').fill('admin');
  await page.locator('input[name=password]').fill(adminPassword);
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.getByRole('heading', { name: 'Projects' }).waitFor();

  await t.test('the statistics cards show the counts the API gives an administrator', async () => {
    const stats = await api<Record<string, number>>(server, 'GET', '/statistics');
    // library and shop are public; vault is private.
    assert.equal(stats.body.public_project_count, 2);
    const cards = page.getByTestId('statistics');
    await cards.waitFor();
    const text = async (id: string) => (await page.getByTestId(id).innerText()).trim();
    assert.equal(await text('project-private'), '1');
    assert.equal(await text('project-public'), '2');
    assert.equal(await text('project-total'), '3');
    assert.equal(await text('repo-private'), '1');
    assert.equal(await text('repo-public'), '2');
    assert.equal(await text('repo-total'), '3');
    assert.match(await text('storage-total'), /^\d+(\.\d+)? (B|KiB)$/);
  });

  await t.test('type a repository name, see it among the results, click through to the repository', async () => {
    const box = page.getByLabel('Search Berth');
    await box.fill('checkout');
    await box.press('Enter');
    await page.waitForURL(/\/search\?q=checkout$/);
    const repositories = page.getByTestId('search-repositories');
    await repositories.getByRole('link', { name: 'shop/checkout-api' }).waitFor();
    await repositories.getByRole('link', { name: 'vault/checkout-secrets' }).waitFor();
    assert.equal(await repositories.locator('tbody tr').count(), 2);
    const row = repositories.locator('tr', { hasText: 'shop/checkout-api' });
    assert.match(await row.innerText(), /public\s+2\s+0$/i);
    await keepScreenshot('portal-search');
    await repositories.getByRole('link', { name: 'shop/checkout-api' }).click();
    await page.waitForURL(/\/projects\/\d+\/repositories\/shop%2Fcheckout-api$/);
    await page.getByRole('heading', { name: /checkout-api/ }).waitFor();
  });

  await t.test('a project name finds the project; a name nobody has says so', async () => {
    const box = page.getByLabel('Search Berth');
    await box.fill('vault');
    await box.press('Enter');
    await page.getByTestId('search-projects').getByRole('link', { name: 'vault' }).waitFor();
    await box.fill('nothing-here');
    await box.press('Enter');
    await page.getByText('No repository name contains this text.').waitFor();
  });

  await t.test('简体中文', async () => {
    await page.getByRole('combobox', { name: 'Language' }).selectOption('zh-CN');
    const box = page.getByLabel('全局搜索');
    await box.fill('checkout');
    await box.press('Enter');
    await page.getByRole('heading', { name: '"checkout" 的搜索结果' }).waitFor();
    await page.getByTestId('search-repositories').getByRole('link', { name: 'shop/checkout-api' }).waitFor();
    await page.getByRole('heading', { name: '镜像仓库（2）' }).waitFor();
    await keepScreenshot('portal-search-zh');
    await page.goto('/projects');
    await page.getByTestId('statistics').getByText('私有').first().waitFor();
    await screenshot('projects-statistics-zh');
  });
});
