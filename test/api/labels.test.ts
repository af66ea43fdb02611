import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { api, startApiBerth } from '../helpers/api.js';
import { assertArtifactSchema } from '../helpers/artifact-schema.js';
import { assertHarborSchema } from '../helpers/harbor-schema.js';
import type { TestBerth } from '../helpers/berth.js';
import { addMember, createProject, createUser, idFromLocation } from '../helpers/projects.js';
import { pushImage } from '../helpers/push.js';

// Harbor's labels: GET|POST /labels, GET|PUT|DELETE /labels/{id} for global (system admin) and
// project labels (project admins and maintainers), labels on artifacts (POST …/labels,
// DELETE …/labels/{id}), `labels` in artifact listings and details, and Harbor's
// `q=labels=(…)` filter. Every answer is checked against Harbor's swagger.

interface Label {
  id: number;
  name: string;
  description: string;
  color: string;
  scope: string;
  project_id: number;
  creation_time: string;
  update_time: string;
}
interface Artifact {
  digest: string;
  labels?: Label[];
}

const LIST = '/labels';
const ONE = '/labels/{label_id}';
const ARTIFACTS = '/projects/{project_name}/repositories/{repository_name}/artifacts';
const ARTIFACT = `${ARTIFACTS}/{reference}`;
const ADD = `${ARTIFACT}/labels`;
const REMOVE = `${ARTIFACT}/labels/{label_id}`;

let server: TestBerth;
let projectId: number;
let otherProjectId: number;
let maintainer: Awaited<ReturnType<typeof createUser>>;
let developer: Awaited<ReturnType<typeof createUser>>;

before(async () => {
  server = await startApiBerth();
  projectId = await createProject(server, 'lab');
  otherProjectId = await createProject(server, 'lab-other');
  maintainer = await createUser(server, 'lab-maintainer');
  developer = await createUser(server, 'lab-developer');
  await addMember(server, 'lab', maintainer.username, 4);
  await addMember(server, 'lab', developer.username, 2);
});
after(() => server.close());

async function createLabel(body: object, auth?: string): Promise<number> {
  const res = await api(server, 'POST', LIST, { body, auth });
  assert.equal(res.status, 201, JSON.stringify(res.body));
  assertHarborSchema('POST', LIST, 201, res.body ?? undefined);
  return idFromLocation(res.headers);
}

test('global labels: a system admin creates, reads, renames and deletes them; everyone signed in lists them', async () => {
  const id = await createLabel({ name: 'release', description: 'shipped', color: '#48960C', scope: 'g' });
  const one = await api<Label>(server, 'GET', `/labels/${id}`);
  assert.equal(one.status, 200);
  assertHarborSchema('GET', ONE, 200, one.body);
  assert.equal(one.body.name, 'release');
  assert.equal(one.body.scope, 'g');
  assert.equal(one.body.project_id, 0);
  assert.equal(one.body.color, '#48960C');

  const listed = await api<Label[]>(server, 'GET', '/labels?scope=g&name=REL', { auth: developer.auth });
  assert.equal(listed.status, 200, JSON.stringify(listed.body));
  assertHarborSchema('GET', LIST, 200, listed.body);
  assert.deepEqual(
    listed.body.map((l) => l.name),
    ['release'],
  );
  assert.equal(listed.headers.get('x-total-count'), '1');

  const byDeveloper = await api(server, 'POST', LIST, { auth: developer.auth, body: { name: 'nope', scope: 'g' } });
  assert.equal(byDeveloper.status, 403);
  const updated = await api(server, 'PUT', `/labels/${id}`, { body: { name: 'released', color: '#C92100' } });
  assert.equal(updated.status, 200, JSON.stringify(updated.body));
  const after = await api<Label>(server, 'GET', `/labels/${id}`);
  assert.equal(after.body.name, 'released');
  assert.equal(after.body.color, '#C92100');
  assert.equal(after.body.scope, 'g', 'an update does not change the scope');

  const deleted = await api(server, 'DELETE', `/labels/${id}`);
  assert.equal(deleted.status, 200);
  const gone = await api(server, 'GET', `/labels/${id}`);
  assert.equal(gone.status, 404);
  assertHarborSchema('GET', ONE, 404, gone.body);
});

test('bad labels get 400, a taken name 409, an unknown id 404', async () => {
  await createLabel({ name: 'taken', scope: 'g' });
  const cases: [string, object, number][] = [
    ['no name', { scope: 'g' }, 400],
    ['blank name', { name: '  ', scope: 'g' }, 400],
    ['long name', { name: 'x'.repeat(129), scope: 'g' }, 400],
    ['bad scope', { name: 'a', scope: 'x' }, 400],
    ['project scope without project', { name: 'a', scope: 'p' }, 400],
    ['bad color', { name: 'a', scope: 'g', color: 'red' }, 400],
    ['taken name', { name: 'taken', scope: 'g' }, 409],
  ];
  for (const [name, body, status] of cases) {
    const res = await api(server, 'POST', LIST, { body });
    assert.equal(res.status, status, `${name}: ${JSON.stringify(res.body)}`);
    assertHarborSchema('POST', LIST, status, res.body);
  }
  const noScope = await api(server, 'GET', '/labels');
  assert.equal(noScope.status, 400);
  assertHarborSchema('GET', LIST, 400, noScope.body);
  const noProject = await api(server, 'GET', '/labels?scope=p');
  assert.equal(noProject.status, 400);
  const missing = await api(server, 'PUT', '/labels/999999', { body: { name: 'x' } });
  assert.equal(missing.status, 404);
  assertHarborSchema('PUT', ONE, 404, missing.body);
});

test('project labels: maintainers manage them, developers list them, names are per project', async () => {
  const id = await createLabel({ name: 'qa', scope: 'p', project_id: projectId }, maintainer.auth);
  await createLabel({ name: 'qa', scope: 'p', project_id: otherProjectId });
  await createLabel({ name: 'qa', scope: 'g' });
  const byDeveloper = await api(server, 'POST', LIST, {
    auth: developer.auth,
    body: { name: 'dev', scope: 'p', project_id: projectId },
  });
  assert.equal(byDeveloper.status, 403);
  const listed = await api<Label[]>(server, 'GET', `/labels?scope=p&project_id=${projectId}`, { auth: developer.auth });
  assert.equal(listed.status, 200);
  assert.deepEqual(
    listed.body.map((l) => [l.id, l.name, l.scope, l.project_id]),
    [[id, 'qa', 'p', projectId]],
  );
  const outsider = await createUser(server, 'lab-outsider');
  const hidden = await api(server, 'GET', `/labels?scope=p&project_id=${projectId}`, { auth: outsider.auth });
  assert.ok([403, 404].includes(hidden.status), String(hidden.status));
  const duplicate = await api(server, 'PUT', `/labels/${id}`, { auth: maintainer.auth, body: { name: 'qa' } });
  assert.equal(duplicate.status, 200, 'keeping its own name is no conflict');
  const byDeveloperDelete = await api(server, 'DELETE', `/labels/${id}`, { auth: developer.auth });
  assert.equal(byDeveloperDelete.status, 403);
});

test('labels on artifacts: add, list with with_label, filter with q=labels, remove; a deleted label leaves every artifact', async () => {
  const first = await pushImage(server, 'lab/app', 'v1', { seed: 'one' });
  const second = await pushImage(server, 'lab/app', 'v2', { seed: 'two' });
  const global = await createLabel({ name: 'approved', scope: 'g', color: '#0065AB' });
  const local = await createLabel({ name: 'nightly', scope: 'p', project_id: projectId });
  const foreign = await createLabel({ name: 'theirs', scope: 'p', project_id: otherProjectId });
  const path = (digest: string) => `/projects/lab/repositories/app/artifacts/${digest}/labels`;

  for (const [digest, label, auth] of [
    [first.digest, global, developer.auth],
    [first.digest, local, maintainer.auth],
    [second.digest, local, undefined],
  ] as const) {
    const res = await api(server, 'POST', path(digest), { auth, body: { id: label } });
    assert.equal(res.status, 200, JSON.stringify(res.body));
  }
  const twice = await api(server, 'POST', path(first.digest), { body: { id: global } });
  assert.equal(twice.status, 409);
  assertHarborSchema('POST', ADD, 409, twice.body);
  const wrongProject = await api(server, 'POST', path(first.digest), { body: { id: foreign } });
  assert.equal(wrongProject.status, 400, JSON.stringify(wrongProject.body));
  assertHarborSchema('POST', ADD, 400, wrongProject.body);
  const unknown = await api(server, 'POST', path(first.digest), { body: { id: 999999 } });
  assert.equal(unknown.status, 404);
  const noArtifact = await api(server, 'POST', path(`sha256:${'0'.repeat(64)}`), { body: { id: global } });
  assert.equal(noArtifact.status, 404);
  const guest = await createUser(server, 'lab-guest');
  await addMember(server, 'lab', guest.username, 3);
  const byGuest = await api(server, 'POST', path(second.digest), { auth: guest.auth, body: { id: global } });
  assert.equal(byGuest.status, 403);

  const listed = await api<Artifact[]>(server, 'GET', '/projects/lab/repositories/app/artifacts?with_label=true');
  assert.equal(listed.status, 200);
  assertArtifactSchema('GET', ARTIFACTS, 200, listed.body);
  const byDigest = new Map(listed.body.map((a) => [a.digest, (a.labels ?? []).map((l) => l.name)]));
  assert.deepEqual(byDigest.get(first.digest), ['approved', 'nightly']);
  assert.deepEqual(byDigest.get(second.digest), ['nightly']);
  const detail = await api<Artifact>(server, 'GET', `/projects/lab/repositories/app/artifacts/v1?with_label=true`);
  assertArtifactSchema('GET', ARTIFACT, 200, detail.body);
  assert.deepEqual(
    detail.body.labels?.map((l) => [l.id, l.scope]),
    [
      [global, 'g'],
      [local, 'p'],
    ],
  );
  const without = await api<Artifact[]>(server, 'GET', '/projects/lab/repositories/app/artifacts');
  assert.ok(
    without.body.every((a) => a.labels === undefined),
    'labels only with with_label=true',
  );

  const filter = async (q: string) => {
    const res = await api<Artifact[]>(
      server,
      'GET',
      `/projects/lab/repositories/app/artifacts?q=${encodeURIComponent(q)}`,
    );
    assert.equal(res.status, 200, `${q}: ${JSON.stringify(res.body)}`);
    return res.body.map((a) => a.digest).sort();
  };
  assert.deepEqual(await filter(`labels=(${global} ${local})`), [first.digest], 'all of them');
  assert.deepEqual(await filter(`labels={${global} ${local}}`), [first.digest, second.digest].sort(), 'any of them');
  assert.deepEqual(await filter(`labels=${local}`), [first.digest, second.digest].sort());
  assert.deepEqual(await filter(`labels=${foreign}`), []);
  const badFilter = await api(
    server,
    'GET',
    `/projects/lab/repositories/app/artifacts?q=${encodeURIComponent('labels=abc')}`,
  );
  assert.equal(badFilter.status, 400);

  const removed = await api(server, 'DELETE', `${path(first.digest)}/${local}`);
  assert.equal(removed.status, 200);
  const again = await api(server, 'DELETE', `${path(first.digest)}/${local}`);
  assert.equal(again.status, 404);
  assertHarborSchema('DELETE', REMOVE, 404, again.body);

  assert.equal((await api(server, 'DELETE', `/labels/${global}`)).status, 200);
  const afterDelete = await api<Artifact>(server, 'GET', '/projects/lab/repositories/app/artifacts/v1?with_label=true');
  assert.deepEqual(afterDelete.body.labels, [], 'the deleted label left the artifact');
});
