import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { api, startApiBerth } from '../helpers/api.js';
import { assertHarborSchema } from '../helpers/harbor-schema.js';
import { addMember, createProject, createUser } from '../helpers/projects.js';
import { encodeRepository, pullManifest, pushImage } from '../helpers/push.js';
import type { TestBerth } from '../helpers/berth.js';

interface Repository {
  id: number;
  project_id: number;
  name: string;
  description: string;
  artifact_count: number;
  pull_count: number;
  creation_time: string;
  update_time: string;
}

const list = '/projects/{project_name}/repositories';
const one = '/projects/{project_name}/repositories/{repository_name}';

let server: TestBerth;
let member: { id: number; username: string; auth: string };
let outsider: { id: number; username: string; auth: string };
let guest: { id: number; username: string; auth: string };

before(async () => {
  server = await startApiBerth();
  await createProject(server, 'secret');
  member = await createUser(server, 'repomember');
  outsider = await createUser(server, 'repooutsider');
  guest = await createUser(server, 'repoguest');
  await addMember(server, 'secret', member.username, 2);
  await addMember(server, 'secret', guest.username, 3);
  await pushImage(server, 'library/alpha', 'v1');
  await pushImage(server, 'library/alpha', 'v2');
  await pushImage(server, 'library/team/beta', 'latest');
  await pushImage(server, 'secret/hidden', 'v1');
});
after(() => server.close());

test("GET /projects/{p}/repositories lists the project's repositories with artifact and pull counts", async () => {
  const res = await api<Repository[]>(server, 'GET', '/projects/library/repositories');
  assert.equal(res.status, 200);
  assertHarborSchema('GET', list, 200, res.body);
  assert.equal(res.headers.get('x-total-count'), '2');
  const alpha = res.body.find((r) => r.name === 'library/alpha');
  assert.ok(alpha, 'library/alpha listed');
  assert.equal(alpha.artifact_count, 2);
  assert.equal(alpha.pull_count, 0);
  assert.ok(res.body.some((r) => r.name === 'library/team/beta'));
  assert.ok(res.body.every((r) => r.project_id === alpha.project_id));
});

test('repository listing filters by q name (fuzzy and exact), sorts and pages with Link headers', async () => {
  const fuzzy = await api<Repository[]>(
    server,
    'GET',
    `/projects/library/repositories?q=${encodeURIComponent('name=~bet')}`,
  );
  assertHarborSchema('GET', list, 200, fuzzy.body);
  assert.deepEqual(
    fuzzy.body.map((r) => r.name),
    ['library/team/beta'],
  );
  const exact = await api<Repository[]>(
    server,
    'GET',
    `/projects/library/repositories?q=${encodeURIComponent('name=library/alpha')}`,
  );
  assert.deepEqual(
    exact.body.map((r) => r.name),
    ['library/alpha'],
  );
  const short = await api<Repository[]>(
    server,
    'GET',
    `/projects/library/repositories?q=${encodeURIComponent('name=alpha')}`,
  );
  assert.deepEqual(
    short.body.map((r) => r.name),
    ['library/alpha'],
  );
  const ascending = await api<Repository[]>(server, 'GET', '/projects/library/repositories?sort=name');
  assert.deepEqual(
    ascending.body.map((r) => r.name),
    ['library/alpha', 'library/team/beta'],
  );
  const descending = await api<Repository[]>(server, 'GET', '/projects/library/repositories?sort=-name');
  assert.deepEqual(
    descending.body.map((r) => r.name),
    ['library/team/beta', 'library/alpha'],
  );
  const page = await api<Repository[]>(server, 'GET', '/projects/library/repositories?sort=name&page=1&page_size=1');
  assert.deepEqual(
    page.body.map((r) => r.name),
    ['library/alpha'],
  );
  assert.equal(page.headers.get('x-total-count'), '2');
  assert.match(page.headers.get('link') ?? '', /page=2.*rel="next"/);
});

test('repository listing ignores unknown q keys and sort keys, as Harbor does', async () => {
  const all = await api<Repository[]>(server, 'GET', '/projects/library/repositories?sort=name');
  const unknownQ = await api<Repository[]>(
    server,
    'GET',
    `/projects/library/repositories?sort=name&q=${encodeURIComponent('colour=red')}`,
  );
  assert.equal(unknownQ.status, 200);
  assertHarborSchema('GET', list, 200, unknownQ.body);
  assert.deepEqual(unknownQ.body, all.body);
  const unknownSort = await api<Repository[]>(server, 'GET', '/projects/library/repositories?sort=colour,name');
  assert.equal(unknownSort.status, 200);
  assert.deepEqual(unknownSort.body, all.body);
});

test('GET /projects/{p}/repositories: 401 anonymous on a private project, 404 to a non-member, 404 for an unknown project', async () => {
  const anonymous = await api(server, 'GET', '/projects/secret/repositories', { auth: null });
  assert.equal(anonymous.status, 401);
  assertHarborSchema('GET', list, 401, anonymous.body);
  const stranger = await api(server, 'GET', '/projects/secret/repositories', { auth: outsider.auth });
  assert.equal(stranger.status, 404);
  assertHarborSchema('GET', list, 404, stranger.body);
  const unknown = await api(server, 'GET', '/projects/nosuch/repositories');
  assert.equal(unknown.status, 404);
  const asMember = await api<Repository[]>(server, 'GET', '/projects/secret/repositories', { auth: member.auth });
  assert.equal(asMember.status, 200);
  assert.deepEqual(
    asMember.body.map((r) => r.name),
    ['secret/hidden'],
  );
});

test('GET /repositories lists what the caller may see: all for admins, public plus memberships for users', async () => {
  const admin = await api<Repository[]>(server, 'GET', '/repositories?sort=name');
  assert.equal(admin.status, 200);
  assertHarborSchema('GET', '/repositories', 200, admin.body);
  assert.deepEqual(
    admin.body.map((r) => r.name),
    ['library/alpha', 'library/team/beta', 'secret/hidden'],
  );
  const anonymous = await api<Repository[]>(server, 'GET', '/repositories?sort=name', { auth: null });
  assertHarborSchema('GET', '/repositories', 200, anonymous.body);
  assert.deepEqual(
    anonymous.body.map((r) => r.name),
    ['library/alpha', 'library/team/beta'],
  );
  const stranger = await api<Repository[]>(server, 'GET', '/repositories?sort=name', { auth: outsider.auth });
  assert.deepEqual(
    stranger.body.map((r) => r.name),
    ['library/alpha', 'library/team/beta'],
  );
  const asMember = await api<Repository[]>(server, 'GET', '/repositories?sort=name', { auth: member.auth });
  assert.deepEqual(
    asMember.body.map((r) => r.name),
    ['library/alpha', 'library/team/beta', 'secret/hidden'],
  );
  const filtered = await api<Repository[]>(server, 'GET', `/repositories?q=${encodeURIComponent('name=~hid')}`, {
    auth: member.auth,
  });
  assert.deepEqual(
    filtered.body.map((r) => r.name),
    ['secret/hidden'],
  );
  // Harbor reads page 0 as the first page; a page that is no int64 is go-swagger's 422.
  const first = await api<Repository[]>(server, 'GET', '/repositories?page=0&sort=name', { auth: member.auth });
  assert.equal(first.status, 200);
  assert.deepEqual(first.body, asMember.body);
  const bad = await api(server, 'GET', '/repositories?page=first');
  assert.equal(bad.status, 422);
  assert.deepEqual((bad.body as { errors: unknown }).errors, [
    { code: 'UNPROCESSABLE_ENTITY', message: 'validation failure list:\npage in query must be of type int64: "first"' },
  ]);
});

test("GET one repository takes Harbor's double-encoded name; 404 for an unknown one", async () => {
  const res = await api<Repository>(server, 'GET', `/projects/library/repositories/${encodeRepository('team/beta')}`);
  assert.equal(res.status, 200);
  assertHarborSchema('GET', one, 200, res.body);
  assert.equal(res.body.name, 'library/team/beta');
  assert.equal(res.body.artifact_count, 1);
  const single = await api<Repository>(
    server,
    'GET',
    `/projects/library/repositories/${encodeURIComponent('team/beta')}`,
  );
  assert.equal(single.status, 200);
  assert.equal(single.body.name, 'library/team/beta');
  const missing = await api(server, 'GET', '/projects/library/repositories/nothing-here');
  assert.equal(missing.status, 404);
  assertHarborSchema('GET', one, 404, missing.body);
});

test('PUT a repository updates its description; guests may not, anonymous callers get 401', async () => {
  const res = await api(server, 'PUT', '/projects/library/repositories/alpha', {
    body: { description: 'the first letter' },
  });
  assert.equal(res.status, 200);
  assertHarborSchema('PUT', one, 200, res.body);
  const read = await api<Repository>(server, 'GET', '/projects/library/repositories/alpha');
  assert.equal(read.body.description, 'the first letter');
  const asGuest = await api(server, 'PUT', '/projects/secret/repositories/hidden', {
    auth: guest.auth,
    body: { description: 'x' },
  });
  assert.equal(asGuest.status, 403);
  assertHarborSchema('PUT', one, 403, asGuest.body);
  const anonymous = await api(server, 'PUT', '/projects/library/repositories/alpha', {
    auth: null,
    body: { description: 'x' },
  });
  assert.equal(anonymous.status, 401);
  assertHarborSchema('PUT', one, 401, anonymous.body);
  const badBody = await api(server, 'PUT', '/projects/library/repositories/alpha', { body: { description: 42 } });
  assert.equal(badBody.status, 400);
  assertHarborSchema('PUT', one, 400, badBody.body);
  const missing = await api(server, 'PUT', '/projects/library/repositories/nothing-here', {
    body: { description: 'x' },
  });
  assert.equal(missing.status, 404);
  assertHarborSchema('PUT', one, 404, missing.body);
});

test('DELETE a repository removes its artifacts from /v2 too; developers may not, unknown names are 404', async () => {
  await pushImage(server, 'secret/doomed', 'v1');
  const asDeveloper = await api(server, 'DELETE', '/projects/secret/repositories/doomed', { auth: member.auth });
  assert.equal(asDeveloper.status, 403);
  assertHarborSchema('DELETE', one, 403, asDeveloper.body);
  assert.equal(await pullManifest(server, 'secret/doomed', 'v1'), 200);
  const res = await api(server, 'DELETE', '/projects/secret/repositories/doomed');
  assert.equal(res.status, 200);
  assertHarborSchema('DELETE', one, 200, res.body);
  assert.equal(await pullManifest(server, 'secret/doomed', 'v1'), 404);
  const again = await api(server, 'DELETE', '/projects/secret/repositories/doomed');
  assert.equal(again.status, 404);
  assertHarborSchema('DELETE', one, 404, again.body);
  const listed = await api<Repository[]>(server, 'GET', '/projects/secret/repositories');
  assert.ok(!listed.body.some((r) => r.name === 'secret/doomed'));
});
