import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestBerth, type TestBerth } from '../helpers/berth.js';
import { api } from '../helpers/api.js';
import { addMember, createProject, createUser } from '../helpers/projects.js';
import { pushImage, pushIndex } from '../helpers/push.js';
import { needTool } from '../helpers/tools.js';
import { chromiumPath, openPortalBrowser, type PortalBrowser } from './browser.js';
import { englishLeft } from './english-left.js';

// In 简体中文 every page of the portal shows no English UI text: each visible text, with the
// proper names, data and identifiers taken out, has no word of three or more Latin letters left.

let server: TestBerth;
let portal: PortalBrowser | undefined;
let projectId: number;
let imageDigest: string;
let indexDigest: string;

before(async () => {
  server = await startTestBerth();
  projectId = await createProject(server, 'zh-proj');
  await createUser(server, 'lisi');
  await addMember(server, 'zh-proj', 'lisi', 3);
  const image = await pushImage(server, 'zh-proj/web', 'v1');
  imageDigest = image.digest;
  const arm = await pushImage(server, 'zh-proj/web', 'arm', { architecture: 'arm64' });
  indexDigest = (
    await pushIndex(server, 'zh-proj/web', 'multi', [
      { ...image, platform: { os: 'linux', architecture: 'amd64' } },
      { ...arm, platform: { os: 'linux', architecture: 'arm64' } },
    ])
  ).digest;
  const robot = await api(server, 'POST', '/robots', {
    body: {
      name: 'ci',
      level: 'project',
      duration: -1,
      permissions: [{ kind: 'project', namespace: 'zh-proj', access: [{ resource: 'repository', action: 'pull' }] }],
    },
  });
  assert.equal(robot.status, 201);
  // A rule for the Policy tab, and a global and a project label on the image for the label pages and chips.
  const rule = await api(server, 'POST', `/projects/${projectId}/immutabletagrules`, {
    body: {
      tag_selectors: [{ kind: 'doublestar', decoration: 'matches', pattern: 'release-*' }],
      scope_selectors: { repository: [{ kind: 'doublestar', decoration: 'repoMatches', pattern: '**' }] },
    },
  });
  assert.equal(rule.status, 201);
  for (const label of [
    { name: '发布', description: '已发布', color: '#48960C', scope: 'g' },
    { name: '测试', description: '', color: '#FFDC0B', scope: 'p', project_id: projectId },
  ]) {
    const created = await api(server, 'POST', '/labels', { body: label });
    assert.equal(created.status, 201);
    const id = Number(created.headers.get('location')?.split('/').pop());
    const added = await api(server, 'POST', `/projects/zh-proj/repositories/web/artifacts/v1/labels`, { body: { id } });
    assert.equal(added.status, 200);
  }
});
after(async () => {
  await portal?.close();
  await server.close();
});

// Names and data the pages show as they are: what the test created, identifiers, products, formats.
const allowed: RegExp[] = [
  /\b[0-9a-f]{12,}\b/g,
  /robot\$[\w.+-]+/g,
  /\b(docker|podman|helm) pull \S+/g,
  /\bzh-proj(\/web)?\b/g,
  /\blibrary\b/g,
  // Configuration keys and other JSON field names shown as data.
  /\b[a-z]+(_[a-z]+)+\b/g,
  /\b[\w.-]+@example\.com\b/g,
  /\b(Docker|OCI|Helm Chart|Helm|CNAB|WebAssembly|lisi|web|multi|arm|amd64|arm64|linux|sha256|ci)\b/g,
];

/** Configuration keys and values and JSON shown as data: their rows are data, not UI text. */
const dataSelectors = [
  '[data-testid=config] td',
  '[data-testid=configurations] tbody td',
  '[data-testid=users] tbody td',
  '[data-testid=manifest]',
  'code',
  'pre',
  'select option',
];

test('every page of the portal in 简体中文 has no English UI text', async (t) => {
  if (!needTool(t, chromiumPath, 'apt-get install chromium')) return;
  portal = await openPortalBrowser(server.url);
  const { page, screenshot } = portal;
  await page.goto('/login');
  await page.getByLabel('Username').fill('admin');
  await page.locator('input[name=password]').fill('Harbor12345');
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.getByRole('heading', { name: 'Projects' }).waitFor();
  await page.getByRole('combobox', { name: 'Language' }).selectOption('zh-CN');
  await page.getByRole('heading', { name: '项目' }).waitFor();

  const artifact = (digest: string) =>
    `/projects/${projectId}/repositories/${encodeURIComponent('zh-proj/web')}/artifacts/${digest}`;
  const pages: [string, string][] = [
    ['/projects', '[data-testid=projects] tbody tr'],
    [`/projects/${projectId}/repositories`, '[data-testid=repositories] tbody tr'],
    [`/projects/${projectId}/members`, '[data-member=lisi]'],
    [`/projects/${projectId}/labels`, '[data-testid=label-row]'],
    [`/projects/${projectId}/policy`, '[data-testid=immutable-rule]'],
    [`/projects/${projectId}/robots`, '[data-testid=robots] tbody tr'],
    [`/projects/${projectId}/logs`, 'table tbody tr'],
    [`/projects/${projectId}/repositories/web`, 'tbody tr[data-digest]'],
    [artifact(imageDigest), '[data-testid=layers] tbody tr'],
    [artifact(indexDigest), '[data-testid=platforms] tbody tr'],
    ['/admin/users', 'table tbody tr'],
    ['/admin/robots', 'table tbody tr'],
    ['/admin/audit-logs', 'table tbody tr'],
    ['/admin/configuration', 'table tbody tr'],
    ['/admin/labels', '[data-testid=label-row]'],
    ['/admin/quotas', '[data-testid=quotas] tbody tr'],
    ['/admin/gc', '[data-testid=gc-history] tbody tr'],
  ];
  const failures: string[] = [];
  for (const [path, ready] of pages) {
    await page.goto(path);
    await page
      .locator(ready)
      .first()
      .waitFor()
      .catch(async (error: unknown) => {
        await screenshot('zh-cn-failed');
        throw new Error(`${path}: ${String(error)}\n${await page.locator('body').innerText()}`);
      });
    await page.waitForLoadState('networkidle');
    const left = await englishLeft(page, { allowed, dataSelectors });
    if (left.length > 0) failures.push(`${path}:\n  ${[...new Set(left)].join('\n  ')}`);
  }
  // The artifact page's other tabs: build history and the manifest.
  await page.goto(artifact(imageDigest));
  for (const tab of ['构建历史', '清单']) {
    await page.getByRole('tab', { name: tab }).click();
    await page.waitForLoadState('networkidle');
    const left = await englishLeft(page, { allowed, dataSelectors });
    if (left.length > 0) failures.push(`${artifact(imageDigest)} (${tab}):\n  ${[...new Set(left)].join('\n  ')}`);
  }
  await screenshot('zh-cn-artifact');
  assert.deepEqual(failures, [], `English left in 简体中文:\n${failures.join('\n')}`);
});
