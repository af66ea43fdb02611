import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Response } from 'playwright-core';
import { startTestBerth, type TestBerth } from '../helpers/berth.js';
import { api } from '../helpers/api.js';
import { addMember, createProject, createUser, userPassword } from '../helpers/projects.js';
import { pushImage, pushIndex } from '../helpers/push.js';
import { needTool } from '../helpers/tools.js';
import { chromiumPath, openPortalBrowser, type PortalBrowser, logIn, logOut } from './browser.js';

// What the portal offers follows what the user may do: a developer sees no way to delete a
// project, a repository or an artifact, add a member or create a robot; the administrator does.
// Also: a hand-typed Harbor URL by project id gets its breadcrumb, and an index's page asks
// for no addition it does not advertise.

let server: TestBerth;
let portal: PortalBrowser | undefined;
let projectId: number;
let indexDigest: string;

before(async () => {
  server = await startTestBerth();
  projectId = await createProject(server, 'proj-1');
  await createUser(server, 'dev1');
  await addMember(server, 'proj-1', 'dev1', 2);
  const amd64 = await pushImage(server, 'proj-1/app', 'amd64', { architecture: 'amd64' });
  const arm64 = await pushImage(server, 'proj-1/app', 'arm64', { architecture: 'arm64' });
  indexDigest = (
    await pushIndex(server, 'proj-1/app', 'multi', [
      { ...amd64, platform: { os: 'linux', architecture: 'amd64' } },
      { ...arm64, platform: { os: 'linux', architecture: 'arm64' } },
    ])
  ).digest;
  const restricted = await api(server, 'PUT', '/configurations', {
    body: { project_creation_restriction: 'adminonly' },
  });
  assert.equal(restricted.status, 200);
});
after(async () => {
  await portal?.close();
  await server.close();
});

test('a developer is offered only what a developer may do; the administrator everything', async (t) => {
  if (!needTool(t, chromiumPath, 'apt-get install chromium')) return;
  portal = await openPortalBrowser(server.url);
  const { page, screenshot } = portal;

  await t.test('developer: no project delete, no new project when only admins may create', async () => {
    await logIn(page, 'dev1', userPassword);
    const remove = page.getByRole('button', { name: 'Delete project proj-1' });
    await remove.waitFor();
    assert.equal(await remove.getAttribute('data-disabled'), 'true');
    assert.match((await remove.getAttribute('data-denied')) ?? '', /Only project admins/);
    await remove.hover();
    await page.getByRole('tooltip', { name: /Only project admins/ }).waitFor();
    await screenshot('permissions-developer-projects');
    assert.equal(await page.getByRole('button', { name: 'New project' }).count(), 0);
  });

  await t.test('developer: no repository delete, no add member, no new robot', async () => {
    await page.goto(`/projects/${projectId}/repositories`);
    const remove = page.getByRole('button', { name: 'Delete repository proj-1/app' });
    await remove.waitFor();
    assert.equal(await remove.getAttribute('data-disabled'), 'true');
    await page.goto(`/projects/${projectId}/members`);
    await page.locator('[data-member=dev1]').waitFor();
    assert.equal(await page.getByRole('button', { name: 'Add member' }).count(), 0);
    await page.goto(`/projects/${projectId}/robots`);
    await page.getByTestId('robots').waitFor();
    await page.getByTestId('empty').waitFor();
    assert.equal(await page.getByRole('button', { name: 'New robot account' }).count(), 0);
  });

  await t.test('developer: an artifact without delete or tag removal', async () => {
    await page.goto(`/projects/${projectId}/repositories/app/artifacts/${indexDigest}`);
    await page.getByTestId('platforms').waitFor();
    assert.equal(await page.getByRole('button', { name: 'Delete', exact: true }).count(), 0);
    assert.equal(await page.getByRole('button', { name: 'Remove tag multi' }).count(), 0);
    await logOut(page);
  });

  await t.test('administrator: every action is there', async () => {
    await logIn(page, 'admin', 'Harbor12345');
    const remove = page.getByRole('button', { name: 'Delete project proj-1' });
    await remove.waitFor();
    assert.equal(await remove.getAttribute('data-disabled'), null);
    await page.getByRole('button', { name: 'New project' }).waitFor();
    await page.goto(`/projects/${projectId}/members`);
    await page.getByRole('button', { name: 'Add member' }).waitFor();
    await page.goto(`/projects/${projectId}/robots`);
    await page.getByRole('button', { name: 'New robot account' }).waitFor();
    await page.goto(`/projects/${projectId}/repositories`);
    const removeRepository = page.getByRole('button', { name: 'Delete repository proj-1/app' });
    await removeRepository.waitFor();
    assert.equal(await removeRepository.getAttribute('data-disabled'), null);
  });

  await t.test("a hand-typed Harbor URL by project id shows the project's name in the breadcrumb", async () => {
    await page.goto(`/harbor/projects/${projectId}/repositories/app`);
    await page.waitForURL(new RegExp(`/projects/${projectId}/repositories/app$`));
    const crumbs = page.getByTestId('breadcrumbs');
    await crumbs.getByText('proj-1', { exact: true }).waitFor();
    assert.deepEqual(
      (await crumbs.innerText()).split('\n').filter((part) => part.trim() && part.trim() !== '/'),
      ['Projects', 'proj-1', 'app'],
    );
    await page.getByRole('heading', { name: 'proj-1/app' }).waitFor();
    await page.getByTestId('artifacts').locator('tbody tr[data-digest]').first().waitFor();
  });

  await t.test("an index's page asks for nothing that answers 404, and not for build history", async () => {
    const answers: Response[] = [];
    const record = (response: Response) => answers.push(response);
    page.on('response', record);
    await page.goto(`/projects/${projectId}/repositories/${encodeURIComponent('proj-1/app')}/artifacts/${indexDigest}`);
    await page.getByTestId('platforms').waitFor();
    await page.getByTestId('manifest').waitFor({ state: 'attached' });
    await page.getByTestId('accessories').waitFor();
    await page.waitForLoadState('networkidle');
    page.off('response', record);
    const apiCalls = answers.filter((r) => r.url().includes('/api/v2.0/'));
    assert.ok(apiCalls.length > 0);
    assert.deepEqual(
      answers.filter((r) => r.status() === 404).map((r) => r.url()),
      [],
    );
    assert.deepEqual(
      apiCalls.filter((r) => r.url().includes('build_history')).map((r) => r.url()),
      [],
    );
    await screenshot('permissions-index-artifact');
  });
});
