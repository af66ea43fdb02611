import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { startTestBerth, type TestBerth } from '../helpers/berth.js';
import { adminAuth, api, basic } from '../helpers/api.js';
import { pushImage } from '../helpers/push.js';
import { needTool } from '../helpers/tools.js';
import { chromiumPath, openPortalBrowser, type PortalBrowser } from './browser.js';

// The portal end to end: Debian's Chromium drives the built portal against a real Berth,
// as a Harbor user would, and the API confirms each change.

let server: TestBerth;
let portal: PortalBrowser | undefined;

before(async () => {
  server = await startTestBerth();
});
after(async () => {
  await portal?.close();
  await server.close();
});

test('a user logs in, creates a project, finds a pushed image with its tags and layers, adds a member and a robot, deletes the artifact and reads the portal in 简体中文', async (t) => {
  if (!needTool(t, chromiumPath, 'apt-get install chromium')) return;
  const project = `portal-${randomBytes(3).toString('hex')}`;
  const repository = `${project}/app`;
  const member = `alice-${randomBytes(3).toString('hex')}`;
  const created = await api(server, 'POST', '/users', { auth: adminAuth, body: { username: member, email: `${member}@example.com`, realname: 'Alice', password: 'Alice12345' } });
  assert.equal(created.status, 201);

  portal = await openPortalBrowser(server.url);
  const { page, screenshot } = portal;

  await t.test('login', async () => {
    await page.goto('/');
    await page.waitForURL(/\/login\?redirect=/);
    await page.getByLabel('Username').fill('admin');
    await page.locator('input[name=password]').fill('wrong-password');
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.getByRole('alert').waitFor();
    await screenshot('login-error');
    await page.locator('input[name=password]').fill('Harbor12345');
    await page.getByRole('button', { name: 'Log in' }).click();
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

  const image = await pushImage(server, repository, 'v1');

  await t.test('the pushed image shows with its tag, size and pull command', async () => {
    await page.getByRole('link', { name: project }).click();
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

  await t.test('the artifact page shows tags, layers, manifest and config; a tag is added', async () => {
    await page.locator(`tr[data-digest="${image.digest}"] a`).first().click();
    await page.getByTestId('summary').waitFor();
    assert.match(await page.getByTestId('summary').innerText(), new RegExp(image.digest));
    const layerSize = page.locator('[data-testid="layers"] td[data-size]');
    await layerSize.waitFor();
    assert.equal(await layerSize.getAttribute('data-size'), '64');
    assert.match(await page.getByTestId('config').innerText(), /\/hello/);
    await page.getByLabel('New tag').fill('stable');
    await page.getByRole('button', { name: 'Add tag' }).click();
    await page.getByTestId('tags').getByText('stable').waitFor();
    await screenshot('artifact');
    await page.getByRole('tab', { name: 'Manifest' }).click();
    const manifest = JSON.parse(await page.getByTestId('manifest').innerText()) as { config: { digest: string } };
    assert.equal(manifest.config.digest, image.configDigest);
    const tags = await api<{ name: string }[]>(server, 'GET', `/projects/${project}/repositories/app/artifacts/${image.digest}/tags`, { auth: adminAuth });
    assert.deepEqual(tags.body.map((tag) => tag.name).sort(), ['stable', 'v1']);
  });

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
    const members = await api<{ entity_name: string; role_id: number }[]>(server, 'GET', `/projects/${project}/members?entityname=${member}`, { auth: adminAuth });
    assert.equal(members.body[0]?.role_id, 4);
    await screenshot('members');
  });

  await t.test('a robot is created, its secret shown once, and it pulls with it', async () => {
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
    const pulled = await fetch(`${server.url}/v2/${repository}/manifests/v1`, {
      headers: { authorization: basic(name, secret), accept: 'application/vnd.oci.image.manifest.v1+json' },
    });
    assert.equal(pulled.status, 200);
    assert.equal(pulled.headers.get('docker-content-digest'), image.digest);
    await page.locator(`tr[data-robot="${name}"]`).waitFor();
    await screenshot('robots');
  });

  await t.test('delete the artifact after confirming', async () => {
    await page.goto(`/projects/${project}/repositories/${encodeURIComponent(repository)}`);
    const row = page.locator(`tr[data-digest="${image.digest}"]`);
    await row.getByRole('button', { name: /^Delete artifact/ }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Delete' }).click();
    await row.waitFor({ state: 'detached' });
    await page.getByTestId('empty').waitFor();
    const res = await api(server, 'GET', `/projects/${project}/repositories/app/artifacts/${image.digest}`, { auth: adminAuth });
    assert.equal(res.status, 404);
  });

  await t.test('switch to 简体中文', async () => {
    await page.goto('/projects');
    await page.getByRole('combobox', { name: 'Language' }).click();
    await page.getByRole('option', { name: '简体中文' }).click();
    await page.getByRole('heading', { name: '项目' }).waitFor();
    await page.getByRole('button', { name: '新建项目' }).waitFor();
    await screenshot('projects-zh');
    await page.reload();
    await page.getByRole('heading', { name: '项目' }).waitFor();
  });
});
