import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestBerth } from '../helpers/berth.js';
import { testAdminPassword } from '../helpers/berth.js';
import { needTool } from '../helpers/tools.js';
import { chromiumPath, openPortalBrowser } from './browser.js';

// The portal under its Content-Security-Policy: Chromium renders the login page and the
// signed-in pages with no CSP violation reported.

test('the portal works under its Content-Security-Policy', async (t) => {
  if (!needTool(t, chromiumPath, 'apt-get install chromium')) return;
  const server = await startTestBerth();
  const portal = await openPortalBrowser(server.url);
  t.after(async () => {
    await portal.close();
    await server.close();
  });
  const { page } = portal;
  const violations: string[] = [];
  page.on('console', (message) => {
    if (/Content Security Policy/i.test(message.text())) violations.push(message.text());
  });
  // The browser's own report, also for violations that print nothing.
  await page.exposeFunction('reportCspViolation', (text: string) => violations.push(text));
  // A script string: the test is compiled without the DOM's types.
  await page.addInitScript({
    content:
      "document.addEventListener('securitypolicyviolation', (e) => window.reportCspViolation(e.violatedDirective + ' blocked ' + e.blockedURI));",
  });

  const response = await page.goto('/');
  assert.match((await response?.allHeaders())?.['content-security-policy'] ?? '', /script-src 'self'/);
  await page.waitForURL(/\/login\?redirect=/);
  await page.getByLabel('Username').fill('admin');
  await page.locator('input[name=password]').fill(testAdminPassword);
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.getByRole('heading', { name: 'Projects' }).waitFor();
  await page.goto('/harbor/users');
  await page.waitForLoadState('networkidle');
  assert.deepEqual(violations, []);
});
