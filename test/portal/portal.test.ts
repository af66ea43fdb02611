import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { startTestBerth, tempDir, type TestBerth } from '../helpers/berth.js';
import { adminAuth, api, basic } from '../helpers/api.js';
import { buildImage, readJsonBlob, type Descriptor, type ImageManifest } from '../helpers/images.js';
import { media, pushBlob, pushManifest, sha256 } from '../helpers/push.js';
import { needTool } from '../helpers/tools.js';
import { skopeoIn } from '../e2e/clients.js';
import { chromiumPath, openPortalBrowser, type PortalBrowser } from './browser.js';

// The portal end to end: Debian's Chromium drives the built portal against a real Berth,
// as a Harbor user would; skopeo pushes and pulls, and the API confirms each change.

let server: TestBerth;
let portal: PortalBrowser | undefined;
const work = tempDir('berth-portal-');

before(async () => {
  server = await startTestBerth();
});
after(async () => {
  await portal?.close();
  await server.close();
  rmSync(work, { recursive: true, force: true });
});

const adminPassword = 'Harbor12345';

/** A cosign-style signature of `subject`, pushed as an OCI referrer (its subject field); returns its digest. */
async function pushSignature(server: TestBerth, repository: string, subject: Descriptor): Promise<string> {
  const config = Buffer.from('{}');
  const payload = Buffer.from(JSON.stringify({ critical: { image: { 'docker-manifest-digest': subject.digest } } }));
  const configDigest = await pushBlob(server, repository, config);
  const layerDigest = await pushBlob(server, repository, payload);
  const manifest = {
    schemaVersion: 2,
    mediaType: media.ociManifest,
    artifactType: 'application/vnd.dev.cosign.artifact.sig.v1+json',
    config: { mediaType: 'application/vnd.oci.empty.v1+json', digest: configDigest, size: config.length },
    layers: [
      { mediaType: 'application/vnd.dev.cosign.simplesigning.v1+json', digest: layerDigest, size: payload.length },
    ],
    subject: { mediaType: subject.mediaType, digest: subject.digest, size: subject.size },
  };
  return (
    await pushManifest(server, repository, sha256(Buffer.from(JSON.stringify(manifest))), manifest, media.ociManifest)
  ).digest;
}

test('a user logs in, creates a project, finds an image skopeo pushed, adds a member and a robot that pulls, manages users, system robots and the audit log, deletes the artifact and reads the portal in 简体中文', async (t) => {
  if (!needTool(t, chromiumPath, 'apt-get install chromium') || !needTool(t, 'skopeo') || !needTool(t, 'umoci')) return;
  const suffix = randomBytes(3).toString('hex');
  const project = `portal-${suffix}`;
  const repository = `${project}/app`;
  const member = `alice-${suffix}`;
  const created = await api(server, 'POST', '/users', {
    auth: adminAuth,
    body: { username: member, email: `${member}@example.com`, realname: 'Alice', password: 'Alice12345' },
  });
  assert.equal(created.status, 201);
  const skopeo = skopeoIn(work);
  const layout = join(work, 'layout');
  const image = await buildImage(layout, 'v1', {
    files: { 'hello.txt': 'hello from the portal\n' },
    env: ['GREETING=hello'],
    cmd: ['/hello.txt'],
  });
  const manifest = readJsonBlob<ImageManifest>(layout, image.digest);

  portal = await openPortalBrowser(server.url);
  const { page, screenshot } = portal;
  const logIn = async (username: string, password: string) => {
    await page.getByLabel('Username').fill(username);
    await page.locator('input[name=password]').fill(password);
    await page.getByRole('button', { name: 'Log in' }).click();
  };

  await t.test('login', async () => {
    await page.goto('/');
    await page.waitForURL(/\/login\?redirect=/);
    await logIn('admin', 'wrong-password');
    await page.getByRole('alert').waitFor();
    await screenshot('login-error');
    await logIn('admin', adminPassword);
    await page.getByRole('heading', { name: 'Projects' }).waitFor();
    assert.match(page.url(), /\/projects$/);
  });

  await t.test('create a public project', async () => {
    await page.getByRole('button', { name: 'New project' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel('Project name').fill(project);
    await dialog.getByLabel('Public').check();
    await dialog.getByRole('button', { name: 'Create' }).click();
    await dialog.waitFor({ state: 'hidden' });
    await page.getByLabel('Search projects').fill(project);
    await page.getByRole('link', { name: project }).waitFor();
    await screenshot('projects');
    const res = await api<{ metadata: { public: string } }>(server, 'GET', `/projects/${project}`, { auth: adminAuth });
    assert.equal(res.body.metadata.public, 'true');
  });

  await t.test('skopeo pushes an image; it shows with its tag, type and pull command', async () => {
    await skopeo([
      'copy',
      '--preserve-digests',
      '--dest-tls-verify=false',
      '--dest-creds',
      `admin:${adminPassword}`,
      `oci:${layout}:v1`,
      `docker://${server.host}/${repository}:v1`,
    ]);
    await page.getByRole('link', { name: project }).click();
    await page.getByRole('tab', { name: 'Repositories' }).click();
    await page.getByRole('link', { name: repository }).waitFor();
    await screenshot('repositories');
    await page.getByRole('link', { name: repository }).click();
    const row = page.locator(`tr[data-digest="${image.digest}"]`);
    await row.waitFor();
    assert.match(await row.innerText(), /\bv1\b/);
    assert.match(await row.innerText(), /Image/);
    await row.getByRole('button', { name: 'Copy the pull command' }).click();
    const docker = page.getByRole('menuitem', { name: 'Pull with docker' });
    assert.equal(await docker.getAttribute('data-command'), `docker pull ${server.host}/${repository}:v1`);
    await page.keyboard.press('Escape');
    await screenshot('artifacts');
  });

  await t.test(
    'the artifact page shows tags, layers, build history, a signature, manifest and config; a tag is added',
    async () => {
      const signatureDigest = await pushSignature(server, repository, image);
      await page.locator(`tr[data-digest="${image.digest}"] a`).first().click();
      await page.getByTestId('summary').waitFor();
      assert.match(await page.getByTestId('summary').innerText(), new RegExp(image.digest));
      const layerSize = page.locator('[data-testid="layers"] td[data-size]');
      await layerSize.waitFor();
      assert.equal(await layerSize.getAttribute('data-size'), String(manifest.layers[0].size));
      assert.match(await page.getByTestId('config').innerText(), /\/hello\.txt/);
      const signature = page.locator(`[data-testid="accessories"] tr[data-accessory="${signatureDigest}"]`);
      await signature.waitFor();
      assert.match(await signature.innerText(), /signature\.cosign/);
      await page.getByLabel('New tag').fill('stable');
      await page.getByRole('button', { name: 'Add tag' }).click();
      await page.getByTestId('tags').getByText('stable').waitFor();
      await screenshot('artifact');
      const history = page.waitForResponse((res) =>
        decodeURIComponent(res.url()).endsWith(`/artifacts/${image.digest}/additions/build_history`),
      );
      await page.reload();
      assert.equal((await history).status(), 200);
      await page.getByRole('tab', { name: 'Build history' }).click();
      await page.getByTestId('history').waitFor();
      assert.match(await page.getByTestId('history').innerText(), /umoci/);
      await page.getByRole('tab', { name: 'Manifest' }).click();
      const shown = JSON.parse(await page.getByTestId('manifest').innerText()) as { config: { digest: string } };
      assert.equal(shown.config.digest, manifest.config.digest);
      const tags = await api<{ name: string }[]>(
        server,
        'GET',
        `/projects/${project}/repositories/app/artifacts/${image.digest}/tags`,
        { auth: adminAuth },
      );
      assert.deepEqual(tags.body.map((tag) => tag.name).sort(), ['stable', 'v1']);
    },
  );

  await t.test('add a member and change the role', async () => {
    await page.goto(`/projects/${project}/members`);
    await page.getByRole('button', { name: 'Add member' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel('Username').fill(member);
    await dialog.getByRole('button', { name: 'Add' }).click();
    await dialog.waitFor({ state: 'hidden' });
    await page.getByRole('combobox', { name: `Role of ${member}` }).click();
    const updated = page.waitForResponse((res) => res.url().includes('/members/') && res.request().method() === 'PUT');
    await page.getByRole('option', { name: 'Maintainer' }).click();
    assert.equal((await updated).status(), 200);
    const members = await api<{ entity_name: string; role_id: number }[]>(
      server,
      'GET',
      `/projects/${project}/members?entityname=${member}`,
      { auth: adminAuth },
    );
    assert.equal(members.body[0]?.role_id, 4);
    await screenshot('members');
  });

  await t.test('a robot is created, its secret shown once, and skopeo pulls with it', async () => {
    await page.getByRole('tab', { name: 'Robot accounts' }).click();
    await page.getByRole('button', { name: 'New robot account' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByRole('textbox', { name: /^Name/ }).fill('ci');
    await dialog.getByRole('button', { name: 'Create' }).click();
    const secret = (await page.getByTestId('robot-secret').innerText()).trim();
    const name = (await page.getByTestId('robot-name').innerText()).trim();
    assert.equal(name, `robot$${project}+ci`);
    await screenshot('robot-secret');
    await page.getByRole('button', { name: 'Close' }).click();
    await robotDialogsClosed(page);
    const inspected = JSON.parse(
      await skopeo([
        'inspect',
        '--raw',
        '--tls-verify=false',
        '--creds',
        `${name}:${secret}`,
        `docker://${server.host}/${repository}:v1`,
      ]),
    ) as { config: { digest: string } };
    assert.equal(inspected.config.digest, manifest.config.digest);
    await skopeo([
      'copy',
      '--src-tls-verify=false',
      '--src-creds',
      `${name}:${secret}`,
      `docker://${server.host}/${repository}:v1`,
      `oci:${join(work, 'pulled')}:v1`,
    ]);
    await page.locator(`tr[data-robot="${name}"]`).waitFor();
    await screenshot('robots');
  });

  await t.test("the project's logs show the push, paged by the server", async () => {
    await page.getByRole('tab', { name: 'Logs' }).click();
    const table = page.getByTestId('audit-logs');
    await table.getByText(`${repository}:v1`).first().waitFor();
    assert.match(await page.getByTestId('total').innerText(), /^\d+ in total$/);
    await screenshot('project-logs');
  });

  await t.test('admin: create a user, make them admin, reset the password, delete them', async () => {
    const bob = `bob-${suffix}`;
    await page.getByRole('link', { name: 'Administration' }).click();
    await page.getByRole('heading', { name: 'Administration' }).waitFor();
    await page.getByRole('button', { name: 'New user' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel('Username').fill(bob);
    await dialog.getByLabel('Email').fill(`${bob}@example.com`);
    await dialog.getByLabel('Full name').fill('Bob');
    await dialog.getByLabel(/^Password/).fill('Bob123456');
    await dialog.getByLabel('Confirm password').fill('Bob123456');
    await dialog.getByRole('button', { name: 'Create' }).click();
    await dialog.waitFor({ state: 'hidden' });
    await page.locator(`tr[data-user="${member}"]`).waitFor();
    const searched = page.waitForResponse(
      (res) => res.url().includes('/api/v2.0/users?') && decodeURIComponent(res.url()).includes(`username=~${bob}`),
    );
    await page.getByLabel('Search users').fill(bob);
    assert.equal((await searched).headers()['x-total-count'], '1');
    await page.locator(`tr[data-user="${member}"]`).waitFor({ state: 'detached' });
    const row = page.locator(`tr[data-user="${bob}"]`);
    await row.waitFor();
    assert.equal(
      await page.locator('[data-testid="users"] tbody tr').count(),
      1,
      'the search narrows the list on the server',
    );

    await row.getByRole('button', { name: `Actions for ${bob}` }).click();
    await page.getByRole('menuitem', { name: 'Make administrator' }).click();
    await row.getByText('Yes').waitFor();
    const users = await api<{ username: string; sysadmin_flag: boolean; user_id: number }[]>(
      server,
      'GET',
      `/users?q=username%3D${bob}`,
      { auth: adminAuth },
    );
    assert.equal(users.body[0]?.sysadmin_flag, true);
    await screenshot('admin-users');

    await row.getByRole('button', { name: `Actions for ${bob}` }).click();
    await page.getByRole('menuitem', { name: 'Reset password' }).click();
    await dialog.getByLabel('New password').fill('Changed12345');
    await dialog.getByLabel('Confirm password').fill('Changed12345');
    await dialog.getByRole('button', { name: 'Save' }).click();
    await dialog.waitFor({ state: 'hidden' });
    const asBob = await api(server, 'GET', '/users/current', { auth: basic(bob, 'Changed12345') });
    assert.equal(asBob.status, 200);

    await row.getByRole('button', { name: `Actions for ${bob}` }).click();
    await page.getByRole('menuitem', { name: 'Delete' }).click();
    await dialog.getByRole('button', { name: 'Delete' }).click();
    await row.waitFor({ state: 'detached' });
    const gone = await api(server, 'GET', `/users/${users.body[0]?.user_id}`, { auth: adminAuth });
    assert.equal(gone.status, 404);
  });

  await t.test('admin: a system robot with a system and a project permission pulls with its secret', async () => {
    await page.getByRole('tab', { name: 'Robot accounts' }).click();
    await page.waitForURL(/\/admin\/robots$/);
    await page.getByRole('button', { name: 'New robot account' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByRole('textbox', { name: /^Name/ }).fill(`sys-${suffix}`);
    await dialog.getByLabel('System project list').check();
    await dialog.getByRole('button', { name: 'Add a project' }).click();
    await dialog.getByRole('textbox', { name: /^Project/ }).fill(project);
    await dialog.getByRole('button', { name: 'Create' }).click();
    const secret = (await page.getByTestId('robot-secret').innerText()).trim();
    const name = (await page.getByTestId('robot-name').innerText()).trim();
    assert.equal(name, `robot$sys-${suffix}`);
    await page.getByRole('button', { name: 'Close' }).click();
    await robotDialogsClosed(page);
    const row = page.locator(`tr[data-robot="${name}"]`);
    await row.waitFor();
    assert.match(await row.innerText(), new RegExp(project));
    await screenshot('admin-robots');
    const pulled = await fetch(`${server.url}/v2/${repository}/manifests/v1`, {
      headers: { authorization: basic(name, secret), accept: 'application/vnd.oci.image.manifest.v1+json' },
    });
    assert.equal(pulled.status, 200);
    assert.equal(pulled.headers.get('docker-content-digest'), image.digest);
    const projects = await api(server, 'GET', '/projects', { auth: basic(name, secret) });
    assert.equal(projects.status, 200, 'the system permission project:list works');
  });

  await t.test('admin: the audit log filters by operation and resource on the server', async () => {
    await page.getByRole('tab', { name: 'Audit log' }).click();
    const table = page.getByTestId('audit-logs');
    await table.locator('tbody tr').first().waitFor();
    const filtered = page.waitForResponse(
      (res) => res.url().includes('/audit-logs') && decodeURIComponent(res.url()).includes(`resource=~${project}`),
    );
    await page.getByRole('textbox', { name: 'Resource' }).fill(project);
    assert.equal((await filtered).status(), 200);
    await page.getByRole('combobox', { name: 'Operation' }).click();
    const byOperation = page.waitForResponse(
      (res) => res.url().includes('/audit-logs') && decodeURIComponent(res.url()).includes('operation=create'),
    );
    await page.getByRole('option', { name: 'create', exact: true }).click();
    await byOperation;
    await table.locator('tbody tr[data-operation="create"]').first().waitFor();
    const rows = await table.locator('tbody tr').count();
    assert.equal(await table.locator('tbody tr[data-operation="create"]').count(), rows, 'only creates are listed');
    assert.match(await table.innerText(), new RegExp(project));
    await screenshot('admin-audit-log');
  });

  await t.test('admin: the configuration page shows the keys and their values', async () => {
    await page.getByRole('tab', { name: 'Configuration' }).click();
    const table = page.getByTestId('configurations');
    await page.locator('[data-testid="configurations"] tr[data-key], [data-testid="error"]').first().waitFor();
    const res = await api<Record<string, { value: unknown }>>(server, 'GET', '/configurations', { auth: adminAuth });
    if (res.status === 200) {
      const [key, item] = Object.entries(res.body)[0];
      assert.match(
        await table.locator(`tr[data-key="${key}"]`).innerText(),
        new RegExp(String(item.value).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')),
      );
    } else {
      assert.ok(await page.getByTestId('error').isVisible(), 'without the endpoint the page shows the API error');
    }
    await screenshot('admin-configuration');
  });

  await t.test('delete the artifact after confirming', async () => {
    await page.goto(`/projects/${project}/repositories/${encodeURIComponent(repository)}`);
    const row = page.locator(`tr[data-digest="${image.digest}"]`);
    await row.getByRole('button', { name: /^Delete artifact/ }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Delete' }).click();
    await row.waitFor({ state: 'detached' });
    await page.getByTestId('empty').waitFor();
    const res = await api(server, 'GET', `/projects/${project}/repositories/app/artifacts/${image.digest}`, {
      auth: adminAuth,
    });
    assert.equal(res.status, 404);
  });

  await t.test('a user who is not an administrator is told the admin pages are not for them', async () => {
    await page.getByRole('button', { name: 'Log out' }).click();
    await page.waitForURL(/\/login/);
    await logIn(member, 'Alice12345');
    await page.getByRole('heading', { name: 'Projects' }).waitFor();
    assert.equal(await page.getByRole('link', { name: 'Administration' }).count(), 0);
    await page.goto('/admin/users');
    await page.getByTestId('not-allowed').waitFor();
    await screenshot('admin-not-allowed');
    await page.getByRole('button', { name: 'Log out' }).click();
    await page.waitForURL(/\/login/);
    await logIn('admin', adminPassword);
    await page.getByRole('heading', { name: 'Projects' }).waitFor();
  });

  await t.test('switch to 简体中文 and visit each page', async () => {
    await page.getByRole('combobox', { name: 'Language' }).selectOption('zh-CN');
    await page.getByRole('heading', { name: '项目' }).waitFor();
    await page.getByRole('button', { name: '新建项目' }).waitFor();
    await screenshot('projects-zh');
    await page.reload();
    await page.getByRole('heading', { name: '项目' }).waitFor();
    for (const tab of ['repositories', 'members', 'robots', 'logs']) {
      await page.goto(`/projects/${project}/${tab}`);
      await page.getByRole('tab', { selected: true }).waitFor();
      await page.locator('table tbody tr').first().waitFor();
      await screenshot(`project-${tab}-zh`);
    }
    for (const [tab, name] of [
      ['users', '用户'],
      ['robots', '机器人账户'],
      ['audit-logs', '审计日志'],
      ['configuration', '配置'],
    ] as const) {
      await page.goto(`/admin/${tab}`);
      await page.getByRole('heading', { name: '系统管理' }).waitFor();
      const nav = page.getByRole('tablist', { name: '系统管理' });
      assert.equal(await nav.getByRole('tab', { selected: true }).innerText(), name);
      await page.locator('table tbody tr').first().waitFor();
      await screenshot(`admin-${tab}-zh`);
    }
  });
});

/**
 * The create dialog hands over to the secret dialog: for a moment both are open, so
 * wait for each by name rather than for "the" dialog.
 */
async function robotDialogsClosed(page: Page): Promise<void> {
  for (const name of ['New robot account', 'Robot account secret'])
    await page.getByRole('dialog', { name }).waitFor({ state: 'hidden' });
}
