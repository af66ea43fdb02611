import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Locator, Page } from 'playwright-core';
import { adminCredentials, startTestBerth, tempDir, testAdminPassword, type TestBerth } from '../helpers/berth.js';
import { api } from '../helpers/api.js';
import { assertHarborSchema } from '../helpers/harbor-schema.js';
import { buildImage } from '../helpers/images.js';
import { createProject } from '../helpers/projects.js';
import { importOsvFixture, scanArtifact, vulnerableImageFiles, vulnMime } from '../helpers/scanning.js';
import { hasTool, needTool } from '../helpers/tools.js';
import { skopeoIn, skopeoPushArgs } from '../e2e/clients.js';
import { chromiumPath, logIn, openPortalBrowser, type PortalBrowser } from './browser.js';
import { englishLeft } from './english-left.js';

// The portal's scan policies, CVE allowlists and SBOMs in Chromium, checked through the API and
// skopeo: prevent_vul at High turned on in a project's Configuration tab refuses the pull of a
// scanned vulnerable image, and the project allowlist set there with its CVEs lets it through;
// the system allowlist set in Administration → Configuration → Security; an SBOM generated from
// the artifact list, its packages on the SBOM tab, its SPDX and CycloneDX documents downloaded;
// these pages in 简体中文.

const project = 'policyproj';
const artifactPath = `/projects/${project}/repositories/app/artifacts`;
const projectPath = '/projects/{project_name_or_id}';
const allowlistPath = '/system/CVEAllowlist';

interface ProjectBody {
  metadata?: Record<string, string>;
  cve_allowlist?: { items?: { cve_id: string }[]; expires_at?: number | null };
}
interface Allowlist {
  items: { cve_id: string }[];
  expires_at?: number | null;
}

let server: TestBerth;
let work: string;
let portal: PortalBrowser | undefined;
let projectId: number;
let digest = '';
let skopeo: (args: string[]) => Promise<string>;
const tools = ['umoci', 'skopeo', 'zip'];

before(async () => {
  server = await startTestBerth({ adminPassword: testAdminPassword });
  work = tempDir('berth-portal-policy-');
  projectId = await createProject(server, project);
  if (!tools.every(hasTool)) return;
  await importOsvFixture(server, work);
  const layout = join(work, 'images');
  digest = (await buildImage(layout, 'v1', { files: vulnerableImageFiles })).digest;
  skopeo = skopeoIn(work);
  await skopeo(skopeoPushArgs(layout, 'v1', server.host, `${project}/app:v1`));
  const overview = await scanArtifact(server, `${artifactPath}/${digest}`);
  assert.equal(overview.scan_status, 'Success');
  assert.equal(overview.severity, 'High');
});
after(async () => {
  await portal?.close();
  await server.close();
  rmSync(work, { recursive: true, force: true });
});

function needAll(t: Parameters<typeof needTool>[0]): boolean {
  return needTool(t, chromiumPath, 'apt-get install chromium') && tools.every((tool) => needTool(t, tool));
}

async function browserPage(): Promise<Page> {
  if (portal) return portal.page;
  portal = await openPortalBrowser(server.url);
  await logIn(portal.page, 'admin', testAdminPassword);
  return portal.page;
}

async function projectBody(): Promise<ProjectBody> {
  const res = await api<ProjectBody>(server, 'GET', `/projects/${project}`);
  assertHarborSchema('GET', projectPath, res.status, res.body);
  return res.body;
}

/** Pulls the image with skopeo; resolves with skopeo's error message, or undefined when the pull went through. */
async function pullError(): Promise<string | undefined> {
  return skopeo([
    'copy',
    '--src-tls-verify=false',
    '--src-creds',
    adminCredentials,
    `docker://${server.host}/${project}/app:v1`,
    `oci:${join(work, 'pulled')}:v1`,
  ]).then(
    () => undefined,
    (err: unknown) => (err as Error).message,
  );
}

/** The CVE ids shown as the badges of an allowlist editor. */
async function shownIds(editor: Locator): Promise<string[]> {
  return attributes(editor.locator('[data-cve]'), 'data-cve');
}

/** An attribute of every element the locator finds, sorted. */
async function attributes(locator: Locator, name: string): Promise<string[]> {
  const values = await Promise.all((await locator.all()).map((element) => element.getAttribute(name)));
  return values.filter((value): value is string => value !== null).sort();
}

test('prevent_vul at High set in the Configuration tab refuses the pull; the project allowlist set there lets it through', async (t) => {
  if (!needAll(t)) return;
  const page = await browserPage();
  await page.goto(`/projects/${projectId}/configuration`);
  const form = page.getByTestId('project-configuration');
  const save = form.getByRole('button', { name: 'Save' });
  await form.getByLabel('Prevent vulnerable images from running').check();
  await form.getByLabel('Prevent images with vulnerability severity of this or higher').selectOption('high');
  await form.getByLabel('Automatically scan images on push').check();
  await form.getByLabel('Automatically generate SBOM on push').check();
  assert.equal(await form.getByLabel('System allowlist').isChecked(), true, "Harbor's default");
  await save.click();
  await form.getByText('The configuration was saved.').waitFor();
  const saved = await projectBody();
  assert.equal(saved.metadata?.prevent_vul, 'true');
  assert.equal(saved.metadata?.severity, 'high');
  assert.equal(saved.metadata?.auto_scan, 'true');
  assert.equal(saved.metadata?.auto_sbom_generation, 'true');
  assert.equal(saved.metadata?.reuse_sys_cve_allowlist ?? 'true', 'true');
  assert.equal(await save.isDisabled(), true, 'nothing left to save');

  assert.match(
    (await pullError()) ?? 'pulled',
    /current image with 2 vulnerabilities cannot be pulled due to configured policy in 'Prevent images with vulnerability severity of \\?"High\\?" or higher/,
  );

  // Every finding of the report on the project's own allowlist, typed in at once.
  const report = await api<Record<string, { vulnerabilities: { id: string }[] }>>(
    server,
    'GET',
    `${artifactPath}/${digest}/additions/vulnerabilities`,
  );
  const cves = [...new Set(report.body[vulnMime]!.vulnerabilities.map((v) => v.id))].sort();
  assert.ok(cves.length >= 2);
  await form.getByLabel('Project allowlist').check();
  const editor = form.getByTestId('project-allowlist');
  await editor.getByLabel('CVE IDs, separated by commas or spaces').fill(`${cves.join(', ')} CVE-2000-0001`);
  await editor.getByRole('button', { name: 'Add', exact: true }).click();
  assert.deepEqual(await shownIds(editor), [...cves, 'CVE-2000-0001'].sort());
  await editor.getByRole('button', { name: 'Remove CVE-2000-0001' }).click();
  assert.deepEqual(await shownIds(editor), cves);
  assert.equal(await editor.getByLabel('Never expires').isChecked(), true);
  await editor.getByLabel('Never expires').uncheck();
  await editor.getByLabel('Expires at').fill('2099-12-31');
  await portal?.screenshot('scan-policy-project-en');
  await save.click();
  await form.getByText('The configuration was saved.').waitFor();
  const allowed = await projectBody();
  assert.equal(allowed.metadata?.reuse_sys_cve_allowlist, 'false');
  assert.deepEqual(allowed.cve_allowlist?.items?.map((item) => item.cve_id).sort(), cves);
  assert.equal(allowed.cve_allowlist?.expires_at, Date.UTC(2099, 11, 31) / 1000);

  assert.equal(await pullError(), undefined, 'the allowlist exempts every finding');
});

test('the system allowlist is set in Configuration → Security, and "Add system" copies it into the project allowlist', async (t) => {
  if (!needAll(t)) return;
  const page = await browserPage();
  await page.goto('/admin/configuration');
  await page.getByRole('tab', { name: 'Security' }).click();
  const editor = page.getByTestId('system-allowlist');
  await editor.getByLabel('CVE IDs, separated by commas or spaces').fill('CVE-2024-0001,CVE-2024-0002\nCVE-2024-0003');
  await editor.getByRole('button', { name: 'Add', exact: true }).click();
  await editor.getByRole('button', { name: 'Remove CVE-2024-0002' }).click();
  assert.deepEqual(await shownIds(editor), ['CVE-2024-0001', 'CVE-2024-0003']);
  await editor.getByLabel('Never expires').uncheck();
  await editor.getByLabel('Expires at').fill('2098-06-15');
  await page.getByRole('button', { name: 'Save' }).click();
  await page.getByText('The allowlist was saved.').waitFor();
  await portal?.screenshot('scan-policy-security-en');
  const system = await api<Allowlist>(server, 'GET', allowlistPath);
  assertHarborSchema('GET', allowlistPath, system.status, system.body);
  assert.deepEqual(system.body.items.map((item) => item.cve_id).sort(), ['CVE-2024-0001', 'CVE-2024-0003']);
  assert.equal(system.body.expires_at, Date.UTC(2098, 5, 15) / 1000);

  // Never expires again: expires_at null.
  await editor.getByLabel('Never expires').check();
  await page.getByRole('button', { name: 'Save' }).click();
  await page.getByText('The allowlist was saved.').waitFor();
  const never = await api<Allowlist>(server, 'GET', allowlistPath);
  assert.equal(never.body.expires_at ?? null, null);

  await page.goto(`/projects/${projectId}/configuration`);
  const project = page.getByTestId('project-allowlist');
  await project.locator('[data-cve]').first().waitFor();
  const before = await shownIds(project);
  assert.equal(before.length, 4, 'the allowlist saved by the test before');
  await project.getByRole('button', { name: 'Add system' }).click();
  assert.deepEqual(await shownIds(project), [...before, 'CVE-2024-0001', 'CVE-2024-0003'].sort());
  await page.getByTestId('project-configuration').getByRole('button', { name: 'Cancel' }).click();
  assert.deepEqual(await shownIds(project), before, 'nothing saved');
  await page.getByTestId('project-configuration').getByLabel('System allowlist').check();
  const shownSystem = page.getByTestId('system-allowlist-items');
  assert.deepEqual(await shownIds(shownSystem), ['CVE-2024-0001', 'CVE-2024-0003']);
  await page.getByTestId('project-configuration').getByRole('button', { name: 'Cancel' }).click();
});

test('an SBOM generated from the artifact list: its packages on the SBOM tab, its SPDX and CycloneDX downloads', async (t) => {
  if (!needAll(t)) return;
  const page = await browserPage();
  await page.goto(`/projects/${projectId}/repositories/${encodeURIComponent(`${project}/app`)}`);
  const row = page.locator(`tr[data-digest="${digest}"]`);
  await row.locator('[data-testid=sbom-overview][data-status=NotGenerated]').getByText('No SBOM').waitFor();
  await row.getByRole('button', { name: `Generate SBOM of ${digest.slice(0, 19)}` }).click();
  const status = row.locator('[data-testid=sbom-overview][data-status=Success]');
  await status.waitFor({ timeout: 60_000 });
  const listed = await api<{ sbom_overview?: { scan_status: string; sbom_digest?: string } }>(
    server,
    'GET',
    `${artifactPath}/${digest}?with_sbom_overview=true`,
  );
  assert.equal(listed.status, 200);
  const sbomDigest = listed.body.sbom_overview?.sbom_digest;
  assert.ok(sbomDigest, JSON.stringify(listed.body));
  assert.equal(await status.getAttribute('data-sbom-digest'), sbomDigest);
  await portal?.screenshot('sbom-repository-en');

  // The SPDX document through Harbor's `sbom` addition of the accessory: what the tab lists.
  const addition = await api<string>(server, 'GET', `${artifactPath}/${sbomDigest}/additions/sbom`);
  assert.equal(addition.status, 200);
  assert.equal(addition.headers.get('content-type'), 'application/vnd.goharbor.harbor.sbom.v1');
  const spdx = JSON.parse(addition.body) as { spdxVersion: string; packages: { name: string }[] };
  assert.equal(spdx.spdxVersion, 'SPDX-2.3');
  const names = spdx.packages.map((p) => p.name).sort();
  for (const name of ['libssl3', 'semver', 'jinja2']) assert.ok(names.includes(name), `${name} in ${names.join(', ')}`);

  await status.getByText('SBOM').click();
  await page.waitForURL(/\/artifacts\/sha256:[0-9a-f]+\?tab=sbom$/);
  const tab = page.getByTestId('sbom-tab');
  const rows = tab.getByTestId('sbom-package');
  await rows.first().waitFor();
  const shown = await attributes(rows, 'data-name');
  assert.deepEqual(shown, names);
  const semver = tab.locator('[data-testid=sbom-package][data-name=semver]');
  assert.match(await semver.innerText(), /7\.5\.1\s+ISC\s+pkg:npm\/semver@7\.5\.1/);
  await tab.getByLabel('Filter packages').fill('jinja');
  await tab.locator('[data-testid=sbom-package][data-name=jinja2]').waitFor();
  assert.equal(await rows.count(), 1);
  await portal?.screenshot('sbom-tab-en');

  const download = async (name: string) => {
    const [file] = await Promise.all([page.waitForEvent('download'), tab.getByRole('link', { name }).click()]);
    const path = await file.path();
    return { name: file.suggestedFilename(), body: JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown> };
  };
  const spdxFile = await download('Download SPDX');
  assert.match(spdxFile.name, /^app_sha256-[0-9a-f]+\.spdx\.json$/);
  assert.equal(spdxFile.body.spdxVersion, 'SPDX-2.3');
  assert.deepEqual(spdxFile.body, spdx);
  const cdxFile = await download('Download CycloneDX');
  assert.match(cdxFile.name, /^app_sha256-[0-9a-f]+\.cdx\.json$/);
  assert.equal(cdxFile.body.bomFormat, 'CycloneDX');
  assert.equal(cdxFile.body.specVersion, '1.5');
  const components = (cdxFile.body.components as { name: string }[]).map((c) => c.name);
  assert.ok(components.includes('semver'));
});

const allowedWords = [
  /\b(architecture|created|os|amd64|linux)\b/g,
  /\b(CVE|DSA|GHSA)-[\w-]+/g,
  /\bharbor\.sbom\b/g,
  /\b(policyproj|app)\b/g,
  /\bv?\d[\w.+-]*/g,
];
/** What the server and the artifact wrote: packages, digests, keys and values of the configuration. */
const dataSelectors = [
  'code',
  'pre',
  'select option',
  '[data-testid=sbom-packages] td',
  '[data-testid=config] td',
  '[data-testid=manifest]',
];

test('in 简体中文 the Configuration tab, Security and the SBOM pages are translated', async (t) => {
  if (!needAll(t)) return;
  const page = await browserPage();
  await page.goto('/projects');
  await page.getByRole('combobox', { name: 'Language' }).selectOption('zh-CN');
  await page.getByRole('heading', { name: '项目' }).waitFor();
  const failures: string[] = [];
  const check = async (name: string) => {
    await page.waitForLoadState('networkidle');
    failures.push(
      ...new Set((await englishLeft(page, { allowed: allowedWords, dataSelectors })).map((text) => `${name}: ${text}`)),
    );
    await portal?.screenshot(`${name}-zh-CN`);
  };
  await page.goto(`/projects/${projectId}/configuration`);
  await page.getByTestId('project-configuration').getByText('阻止潜在漏洞镜像运行').waitFor();
  await check('scan-policy-project');
  await page.goto('/admin/configuration');
  await page.getByRole('tab', { name: '安全' }).click();
  await page.getByTestId('system-allowlist').getByText('永不过期').waitFor();
  await check('scan-policy-security');
  await page.goto(`/projects/${projectId}/repositories/${encodeURIComponent(`${project}/app`)}`);
  await page.locator(`tr[data-digest="${digest}"] [data-testid=sbom-overview][data-status=Success]`).waitFor();
  await check('sbom-repository');
  await page.goto(`/projects/${projectId}/repositories/${encodeURIComponent(`${project}/app`)}/artifacts/${digest}`);
  await page.getByRole('tab', { name: 'SBOM' }).click();
  await page.getByTestId('sbom-package').first().waitFor();
  await page.getByRole('link', { name: '下载 SPDX' }).waitFor();
  await check('sbom-tab');
  await page.getByRole('combobox', { name: '语言' }).selectOption('en');
  assert.deepEqual(failures, [], `English left in 简体中文:\n${failures.join('\n')}`);
});
