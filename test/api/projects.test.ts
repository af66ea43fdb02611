import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { adminAuth, api, startApiBerth } from '../helpers/api.js';
import { assertHarborSchema, harborOperation } from '../helpers/harbor-schema.js';
import type { TestBerth } from '../helpers/berth.js';
import { addMember, createProject, createUser, idFromLocation, pushImage } from '../helpers/projects.js';
import { openDatabase } from '../../src/db/index.js';

// Harbor's /projects operations: create, HEAD, list, get, update, delete, _deletable,
// summary and metadata, each response checked against Harbor's swagger.

interface Project {
  project_id: number;
  name: string;
  owner_id: number;
  owner_name?: string;
  repo_count: number;
  current_user_role_id: number;
  current_user_role_ids: number[];
  metadata?: Record<string, string>;
  togglable: boolean;
  deleted: boolean;
}
interface Errors {
  errors: { code: string; message: string }[];
}

const P = '/projects';
const ONE = '/projects/{project_name_or_id}';

let server: TestBerth;
let alice: Awaited<ReturnType<typeof createUser>>;
let bob: Awaited<ReturnType<typeof createUser>>;

before(async () => {
  server = await startApiBerth();
  alice = await createUser(server, 'alice');
  bob = await createUser(server, 'bob');
});
after(() => server.close());

/** HEAD answers carry no body: check that Harbor documents the status. */
function assertHeadStatus(status: number): void {
  assert.ok(harborOperation('HEAD', P).responses?.[String(status)], `Harbor documents ${status} for HEAD /projects`);
}

function assertError(
  res: { status: number; body: unknown },
  status: number,
  code: string,
  method: string,
  template: string,
): void {
  assert.equal(res.status, status, JSON.stringify(res.body));
  assertHarborSchema(method, template, status, res.body);
  assert.equal((res.body as Errors).errors[0].code, code);
}

test('POST /projects creates a project: 201 with Location by id, or by name with X-Resource-Name-In-Location', async () => {
  const res = await api(server, 'POST', P, {
    body: { project_name: 'created', metadata: { public: 'false', auto_scan: 'true', severity: 'High' } },
  });
  assert.equal(res.status, 201);
  assertHarborSchema('POST', P, 201, res.body);
  const id = idFromLocation(res.headers);
  assert.equal(res.headers.get('location'), `/api/v2.0/projects/${id}`);

  const byName = await api(server, 'POST', P, {
    body: { project_name: 'created-by-name' },
    headers: { 'X-Resource-Name-In-Location': 'true' },
  });
  assert.equal(byName.status, 201);
  assert.equal(byName.headers.get('location'), '/api/v2.0/projects/created-by-name');

  const got = await api<Project>(server, 'GET', `/projects/${id}`);
  assert.equal(got.status, 200);
  assertHarborSchema('GET', ONE, 200, got.body);
  assert.equal(got.body.name, 'created');
  assert.equal(got.body.owner_name, 'admin');
  assert.equal(got.body.deleted, false);
  assert.deepEqual(got.body.metadata, { auto_scan: 'true', public: 'false', severity: 'high' });
  const defaults = await api<Project>(server, 'GET', '/projects/created-by-name');
  assert.deepEqual(defaults.body.metadata, { public: 'false' }, 'public defaults to "false"');
});

test('POST /projects accepts the deprecated `public` flag and storage_limit, and ignores proxy-cache metadata', async () => {
  const res = await api(server, 'POST', P, {
    body: { project_name: 'legacy-public', public: true, storage_limit: -1, metadata: { proxy_speed_kb: '10' } },
  });
  assert.equal(res.status, 201);
  const got = await api<Project>(server, 'GET', '/projects/legacy-public');
  assert.deepEqual(got.body.metadata, { public: 'true' });
  const explicit = await api(server, 'POST', P, {
    body: { project_name: 'explicit-wins', public: true, metadata: { public: 'false' } },
  });
  assert.equal(explicit.status, 201);
  assert.equal((await api<Project>(server, 'GET', '/projects/explicit-wins')).body.metadata?.public, 'false');
});

test("POST /projects refuses names outside Harbor's rule with 400", async () => {
  for (const name of ['', 'Upper', '-lead', 'trail-', 'two--dashes', 'a/b', 'sp ace', 'x'.repeat(256)]) {
    const res = await api(server, 'POST', P, { body: { project_name: name } });
    assertError(res, 400, 'BAD_REQUEST', 'POST', P);
  }
  const longest = await api(server, 'POST', P, { body: { project_name: 'x'.repeat(255) } });
  assert.equal(longest.status, 201, 'a 255-character name is allowed');
  for (const name of ['a', 'a.b_c-d', '0day']) {
    assert.equal((await api(server, 'POST', P, { body: { project_name: name } })).status, 201, name);
  }
});

test('POST /projects refuses bad bodies and metadata with 400', async () => {
  const cases: unknown[] = [
    { project_name: 'badmeta', metadata: { public: 'yes' } },
    { project_name: 'badmeta', metadata: { severity: 'extreme' } },
    { project_name: 'badmeta', metadata: { retention_id: '7' } },
    { project_name: 'badmeta', metadata: 'public' },
    { project_name: 'badmeta', public: 'true' },
    { project_name: 'badmeta', storage_limit: -2 },
    { project_name: 'badmeta', registry_id: 1 },
    { project_name: 42 },
    [],
  ];
  for (const body of cases) assertError(await api(server, 'POST', P, { body }), 400, 'BAD_REQUEST', 'POST', P);
  assert.equal((await api(server, 'HEAD', `${P}?project_name=badmeta`)).status, 404, 'nothing was created');
});

test('POST /projects answers 409 for a taken name, 401 to anonymous callers', async () => {
  await createProject(server, 'taken');
  assertError(await api(server, 'POST', P, { body: { project_name: 'taken' } }), 409, 'CONFLICT', 'POST', P);
  assertError(
    await api(server, 'POST', P, { auth: null, body: { project_name: 'anon' } }),
    401,
    'UNAUTHORIZED',
    'POST',
    P,
  );
});

test('any logged-in user may create a project and becomes its project admin', async () => {
  await createProject(server, 'alices', { auth: alice.auth });
  const got = await api<Project>(server, 'GET', '/projects/alices', { auth: alice.auth });
  assert.equal(got.status, 200);
  assertHarborSchema('GET', ONE, 200, got.body);
  assert.equal(got.body.owner_id, alice.id);
  assert.equal(got.body.owner_name, 'alice');
  assert.equal(got.body.current_user_role_id, 1);
  assert.deepEqual(got.body.current_user_role_ids, [1]);
  assert.equal(got.body.togglable, true);
  const members = await api<{ entity_name: string; role_id: number }[]>(server, 'GET', '/projects/alices/members', {
    auth: alice.auth,
  });
  assert.deepEqual(
    members.body.map((m) => [m.entity_name, m.role_id]),
    [['alice', 1]],
  );
  const asAdmin = await api<Project>(server, 'GET', '/projects/alices');
  assert.equal(asAdmin.body.current_user_role_id, 0, 'the admin is not a member');
  assert.deepEqual(asAdmin.body.current_user_role_ids, []);
  assert.equal(asAdmin.body.togglable, true);
});

test('HEAD /projects?project_name= answers 200 when the project exists and 404 otherwise; 400 without a name', async () => {
  await createProject(server, 'head-private');
  assert.equal((await api(server, 'HEAD', `${P}?project_name=head-private`)).status, 200);
  assertHeadStatus(200);
  assert.equal(
    (await api(server, 'HEAD', `${P}?project_name=head-private`, { auth: bob.auth })).status,
    200,
    'users learn that a name is taken',
  );
  const missing = await api(server, 'HEAD', `${P}?project_name=no-such-project`);
  assert.equal(missing.status, 404);
  assertHeadStatus(404);
  assert.equal((await api(server, 'HEAD', P)).status, 400);
  assertHeadStatus(400);
  assert.equal((await api(server, 'HEAD', `${P}?project_name=library`, { auth: null })).status, 200);
  assert.equal(
    (await api(server, 'HEAD', `${P}?project_name=head-private`, { auth: null })).status,
    404,
    'anonymous callers see public projects only',
  );
});

test('GET /projects: admins see all, users public and member projects, anonymous callers public ones', async () => {
  await createProject(server, 'vis-public', { public: true });
  await createProject(server, 'vis-private');
  await createProject(server, 'vis-member');
  await addMember(server, 'vis-member', 'bob', 3);
  const names = async (auth: string | null, query = '') => {
    const res = await api<Project[]>(server, 'GET', `${P}?name=vis-&page_size=100${query}`, { auth });
    assert.equal(res.status, 200);
    assertHarborSchema('GET', P, 200, res.body);
    assert.equal(res.headers.get('x-total-count'), String(res.body.length));
    return res.body.map((p) => p.name).sort();
  };
  assert.deepEqual(await names(adminAuth), ['vis-member', 'vis-private', 'vis-public']);
  assert.deepEqual(await names(bob.auth), ['vis-member', 'vis-public']);
  assert.deepEqual(await names(null), ['vis-public']);
  assert.deepEqual(await names(bob.auth, '&public=false'), ['vis-member']);
  assert.deepEqual(await names(bob.auth, '&public=true'), ['vis-public']);
  assert.deepEqual(await names(null, '&public=false'), []);
  assert.deepEqual(await names(adminAuth, '&public=false'), ['vis-member', 'vis-private']);
  const bobs = await api<Project[]>(server, 'GET', `${P}?name=vis-member`, { auth: bob.auth });
  assert.equal(bobs.body[0].current_user_role_id, 3);
  assert.equal(bobs.body[0].togglable, false);
});

test('GET /projects filters with q, name and owner, sorts, and pages with X-Total-Count and Link', async () => {
  for (const name of ['flt-a', 'flt-b', 'flt-c']) await createProject(server, name);
  await createProject(server, 'flt-owned', { auth: alice.auth });
  const list = async (query: string) => {
    const res = await api<Project[]>(server, 'GET', `${P}?${query}`);
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assertHarborSchema('GET', P, 200, res.body);
    return res;
  };
  assert.deepEqual(
    (await list('q=name%3Dflt-b')).body.map((p) => p.name),
    ['flt-b'],
  );
  assert.deepEqual(
    (await list('q=name%3D~flt-&sort=name')).body.map((p) => p.name),
    ['flt-a', 'flt-b', 'flt-c', 'flt-owned'],
  );
  assert.deepEqual(
    (await list('q=name%3D%7Bflt-a%20flt-c%7D&sort=-name')).body.map((p) => p.name),
    ['flt-c', 'flt-a'],
  );
  assert.deepEqual(
    (await list('name=flt&owner=alice')).body.map((p) => p.name),
    ['flt-owned'],
  );
  assert.deepEqual(
    (await list('q=owner%3Dalice,name%3D~flt')).body.map((p) => p.name),
    ['flt-owned'],
  );

  const page1 = await list('name=flt-&sort=name&page=1&page_size=2');
  assert.deepEqual(
    page1.body.map((p) => p.name),
    ['flt-a', 'flt-b'],
  );
  assert.equal(page1.headers.get('x-total-count'), '4');
  assert.match(page1.headers.get('link') ?? '', /page=2.*rel="next"/);
  const page2 = await list('name=flt-&sort=name&page=2&page_size=2');
  assert.deepEqual(
    page2.body.map((p) => p.name),
    ['flt-c', 'flt-owned'],
  );
  assert.match(page2.headers.get('link') ?? '', /page=1.*rel="prev"/);
  assert.doesNotMatch(page2.headers.get('link') ?? '', /rel="next"/);

  const lean = await list('name=flt-a&with_detail=false');
  assert.equal(lean.body[0].metadata, undefined);
  assert.equal(lean.body[0].owner_name, undefined);
  const none = await list('name=no-match-at-all');
  assert.deepEqual(none.body, []);
  assert.equal(none.headers.get('x-total-count'), '0');
});

test('GET /projects ignores unknown q and sort keys (as Harbor) and refuses bad parameters', async () => {
  const all = await api(server, 'GET', `${P}?page_size=100`);
  for (const query of ['q=color%3Dred', 'sort=size', 'page=0']) {
    const res = await api(server, 'GET', `${P}?page_size=100&${query}`);
    assert.equal(res.status, 200, query);
    assert.deepEqual(res.body, all.body, query);
  }
  for (const query of ['public=maybe', 'q=name']) {
    assertError(await api(server, 'GET', `${P}?${query}`), 400, 'BAD_REQUEST', 'GET', P);
  }
  const bad = await api<Errors>(server, 'GET', `${P}?page_size=x`);
  assert.equal(bad.status, 422);
  assert.equal(bad.body.errors[0].code, 'UNPROCESSABLE_ENTITY');
});

test('GET /projects/{project_name_or_id}: numbers are ids unless X-Is-Resource-Name is true', async () => {
  const id = await createProject(server, '4242');
  const byName = await api<Project>(server, 'GET', '/projects/4242', { headers: { 'X-Is-Resource-Name': 'true' } });
  assert.equal(byName.status, 200);
  assert.equal(byName.body.project_id, id);
  const byId = await api<Project>(server, 'GET', `/projects/${id}`);
  assert.equal(byId.body.name, '4242');
  if (id !== 4242) assertError(await api(server, 'GET', '/projects/4242'), 404, 'NOT_FOUND', 'GET', ONE);
  assertError(await api(server, 'GET', '/projects/nope'), 404, 'NOT_FOUND', 'GET', ONE);
});

test('GET /projects/{project_name_or_id}: private projects are hidden from outsiders, public ones open to anyone', async () => {
  await createProject(server, 'hidden');
  assertError(await api(server, 'GET', '/projects/hidden', { auth: bob.auth }), 404, 'NOT_FOUND', 'GET', ONE);
  assertError(await api(server, 'GET', '/projects/hidden', { auth: null }), 401, 'UNAUTHORIZED', 'GET', ONE);
  const library = await api<Project>(server, 'GET', '/projects/library', { auth: null });
  assert.equal(library.status, 200);
  assertHarborSchema('GET', ONE, 200, library.body);
  assert.equal(library.body.metadata?.public, 'true');
});

test('PUT /projects/{project_name_or_id} merges metadata; project admins and system admins only', async () => {
  await createProject(server, 'upd', { auth: alice.auth });
  await addMember(server, 'upd', 'bob', 2);
  const res = await api(server, 'PUT', '/projects/upd', {
    auth: alice.auth,
    body: { project_name: 'ignored', metadata: { public: 'true', prevent_vul: 'true', severity: 'critical' } },
  });
  assert.equal(res.status, 200, JSON.stringify(res.body));
  assertHarborSchema('PUT', ONE, 200, res.body);
  const got = await api<Project>(server, 'GET', '/projects/upd');
  assert.equal(got.body.name, 'upd');
  assert.deepEqual(got.body.metadata, { prevent_vul: 'true', public: 'true', severity: 'critical' });
  assert.equal((await api(server, 'PUT', '/projects/upd', { body: { metadata: { auto_scan: 'true' } } })).status, 200);
  assert.equal((await api<Project>(server, 'GET', '/projects/upd')).body.metadata?.auto_scan, 'true');

  assertError(
    await api(server, 'PUT', '/projects/upd', { auth: bob.auth, body: { metadata: { public: 'false' } } }),
    403,
    'FORBIDDEN',
    'PUT',
    ONE,
  );
  assertError(
    await api(server, 'PUT', '/projects/upd', { auth: null, body: { metadata: { public: 'false' } } }),
    401,
    'UNAUTHORIZED',
    'PUT',
    ONE,
  );
  assertError(
    await api(server, 'PUT', '/projects/upd', { body: { metadata: { public: 'nope' } } }),
    400,
    'BAD_REQUEST',
    'PUT',
    ONE,
  );
  assertError(await api(server, 'PUT', '/projects/no-such', { body: { metadata: {} } }), 404, 'NOT_FOUND', 'PUT', ONE);
  assert.equal(
    (await api<Project>(server, 'GET', '/projects/upd')).body.metadata?.public,
    'true',
    'refused updates changed nothing',
  );
});

test('making a project private takes away anonymous pulls at once', async () => {
  await createProject(server, 'flip', { public: true });
  const token = async () => {
    const res = await fetch(`${server.url}/service/token?service=harbor-registry&scope=repository:flip/app:pull`);
    const { token: jwt } = (await res.json()) as { token: string };
    return JSON.parse(Buffer.from(jwt.split('.')[1], 'base64url').toString()) as { access: { actions: string[] }[] };
  };
  assert.deepEqual((await token()).access[0].actions, ['pull']);
  assert.equal((await api(server, 'PUT', '/projects/flip', { body: { metadata: { public: 'false' } } })).status, 200);
  assert.deepEqual((await token()).access[0]?.actions ?? [], []);
});

test('DELETE /projects/{project_name_or_id} answers 412 while repositories remain', async () => {
  await createProject(server, 'busy', { auth: alice.auth });
  assert.equal((await pushImage(server, 'busy/app', 'v1', adminAuth)).status, 201);
  const blocked = await api<{ deletable: boolean; message: string }>(server, 'GET', '/projects/busy/_deletable', {
    auth: alice.auth,
  });
  assert.equal(blocked.status, 200);
  assertHarborSchema('GET', '/projects/{project_name_or_id}/_deletable', 200, blocked.body);
  assert.deepEqual(blocked.body, {
    deletable: false,
    message: 'the project contains repositories, can not be deleted',
  });
  assertError(await api(server, 'DELETE', '/projects/busy', { auth: alice.auth }), 412, 'PRECONDITION', 'DELETE', ONE);
  const still = await api<Project>(server, 'GET', '/projects/busy');
  assert.equal(still.status, 200);
  assert.equal(still.body.repo_count, 1);
});

test('DELETE /projects/{project_name_or_id} removes an empty project with its members and metadata', async () => {
  await createProject(server, 'doomed', { auth: alice.auth });
  await addMember(server, 'doomed', 'bob', 1);
  const open = await api(server, 'GET', '/projects/doomed/_deletable', { auth: alice.auth });
  assert.deepEqual(open.body, { deletable: true });
  const carol = await createUser(server, 'carol');
  assertError(await api(server, 'DELETE', '/projects/doomed', { auth: carol.auth }), 404, 'NOT_FOUND', 'DELETE', ONE);

  const res = await api(server, 'DELETE', '/projects/doomed', { auth: bob.auth });
  assert.equal(res.status, 200, JSON.stringify(res.body));
  assertHarborSchema('DELETE', ONE, 200, res.body);
  assertError(await api(server, 'GET', '/projects/doomed'), 404, 'NOT_FOUND', 'GET', ONE);
  assertError(await api(server, 'DELETE', '/projects/doomed'), 404, 'NOT_FOUND', 'DELETE', ONE);
  const bobsProjects = await api<Project[]>(server, 'GET', `${P}?name=doomed`, { auth: bob.auth });
  assert.deepEqual(bobsProjects.body, []);

  const db = openDatabase(server.berth.config.database.url);
  try {
    const leftovers = await db.kysely
      .selectFrom('project_members')
      .select('project_id')
      .where('project_id', 'not in', db.kysely.selectFrom('projects').select('id'))
      .execute();
    assert.deepEqual(leftovers, [], 'no membership outlives its project');
    const metadata = await db.kysely
      .selectFrom('project_metadata')
      .select('project_id')
      .where('project_id', 'not in', db.kysely.selectFrom('projects').select('id'))
      .execute();
    assert.deepEqual(metadata, [], 'no metadata outlives its project');
  } finally {
    await db.close();
  }
  // The name is free again, with a fresh member list.
  await createProject(server, 'doomed');
  const members = await api<{ entity_name: string }[]>(server, 'GET', '/projects/doomed/members');
  assert.deepEqual(
    members.body.map((m) => m.entity_name),
    ['admin'],
  );
});

test('DELETE and _deletable need project:delete: 403 for a maintainer, 401 for anonymous callers', async () => {
  await createProject(server, 'keep');
  await addMember(server, 'keep', 'alice', 4);
  assertError(await api(server, 'DELETE', '/projects/keep', { auth: alice.auth }), 403, 'FORBIDDEN', 'DELETE', ONE);
  assertError(
    await api(server, 'GET', '/projects/keep/_deletable', { auth: alice.auth }),
    403,
    'FORBIDDEN',
    'GET',
    '/projects/{project_name_or_id}/_deletable',
  );
  assertError(
    await api(server, 'GET', '/projects/keep/_deletable', { auth: null }),
    401,
    'UNAUTHORIZED',
    'GET',
    '/projects/{project_name_or_id}/_deletable',
  );
  assertError(
    await api(server, 'GET', '/projects/nope/_deletable'),
    404,
    'NOT_FOUND',
    'GET',
    '/projects/{project_name_or_id}/_deletable',
  );
});

test('GET /projects/{project_name_or_id}/summary counts repositories and members by role', async () => {
  const SUMMARY = '/projects/{project_name_or_id}/summary';
  await createProject(server, 'summed');
  const users = await Promise.all(['sum1', 'sum2', 'sum3', 'sum4', 'sum5'].map((n) => createUser(server, n)));
  for (const [i, user] of users.entries()) await addMember(server, 'summed', user.username, i + 1);
  assert.equal((await pushImage(server, 'summed/one', 'v1', adminAuth)).status, 201);
  assert.equal((await pushImage(server, 'summed/two', 'v1', adminAuth)).status, 201);
  const res = await api(server, 'GET', '/projects/summed/summary');
  assert.equal(res.status, 200);
  assertHarborSchema('GET', SUMMARY, 200, res.body);
  // The storage quota (Harbor's `quota`) is test/api/quotas.test.ts's subject.
  const { quota, ...counts } = res.body as Record<string, unknown>;
  assert.deepEqual((quota as { hard: unknown }).hard, { storage: -1 });
  assert.deepEqual(counts, {
    repo_count: 2,
    project_admin_count: 2,
    developer_count: 1,
    guest_count: 1,
    maintainer_count: 1,
    limited_guest_count: 1,
  });
  const limited = await api(server, 'GET', '/projects/summed/summary', { auth: users[4].auth });
  const { quota: limitedQuota, ...limitedCounts } = limited.body as Record<string, unknown>;
  assert.deepEqual(limitedCounts, { repo_count: 2 }, 'a limited guest may not list members, so sees no member counts');
  assert.deepEqual(limitedQuota, quota, 'but may read the quota');
  assertError(
    await api(server, 'GET', '/projects/summed/summary', { auth: bob.auth }),
    404,
    'NOT_FOUND',
    'GET',
    SUMMARY,
  );
  assertError(
    await api(server, 'GET', '/projects/summed/summary', { auth: null }),
    401,
    'UNAUTHORIZED',
    'GET',
    SUMMARY,
  );
});

test('project metadata: list, get, add, update and delete one key at a time', async () => {
  const LIST = '/projects/{project_name_or_id}/metadatas/';
  const ONE_META = '/projects/{project_name_or_id}/metadatas/{meta_name}';
  await createProject(server, 'meta');
  const list = await api(server, 'GET', '/projects/meta/metadatas/');
  assert.equal(list.status, 200);
  assertHarborSchema('GET', LIST, 200, list.body);
  assert.deepEqual(list.body, { public: 'false' });
  assert.deepEqual(
    (await api(server, 'GET', '/projects/meta/metadatas')).body,
    { public: 'false' },
    'served without the trailing slash too',
  );

  const added = await api(server, 'POST', '/projects/meta/metadatas/', { body: { auto_scan: 'TRUE' } });
  assert.equal(added.status, 200);
  assertHarborSchema('POST', LIST, 200, added.body);
  const one = await api(server, 'GET', '/projects/meta/metadatas/auto_scan');
  assert.equal(one.status, 200);
  assertHarborSchema('GET', ONE_META, 200, one.body);
  assert.deepEqual(one.body, { auto_scan: 'true' });
  assert.deepEqual(
    (await api(server, 'GET', '/projects/meta/metadatas/severity')).body,
    {},
    'an unset key is an empty object, as in Harbor',
  );

  assertError(
    await api(server, 'POST', '/projects/meta/metadatas/', { body: { auto_scan: 'false' } }),
    409,
    'CONFLICT',
    'POST',
    LIST,
  );
  assertError(
    await api(server, 'POST', '/projects/meta/metadatas/', { body: { auto_scan: 'false', public: 'true' } }),
    400,
    'BAD_REQUEST',
    'POST',
    LIST,
  );
  assertError(
    await api(server, 'POST', '/projects/meta/metadatas/', { body: { color: 'red' } }),
    400,
    'BAD_REQUEST',
    'POST',
    LIST,
  );
  assertError(
    await api(server, 'POST', '/projects/meta/metadatas/', { body: { severity: 'awful' } }),
    400,
    'BAD_REQUEST',
    'POST',
    LIST,
  );

  const put = await api(server, 'PUT', '/projects/meta/metadatas/severity', { body: { severity: 'Medium' } });
  assert.equal(put.status, 200);
  assertHarborSchema('PUT', ONE_META, 200, put.body);
  assert.deepEqual((await api(server, 'GET', '/projects/meta/metadatas/severity')).body, { severity: 'medium' });
  assertError(
    await api(server, 'PUT', '/projects/meta/metadatas/severity', { body: { other: 'x' } }),
    400,
    'BAD_REQUEST',
    'PUT',
    ONE_META,
  );
  assertError(
    await api(server, 'PUT', '/projects/meta/metadatas/color', { body: { color: 'red' } }),
    400,
    'BAD_REQUEST',
    'PUT',
    ONE_META,
  );

  const deleted = await api(server, 'DELETE', '/projects/meta/metadatas/auto_scan');
  assert.equal(deleted.status, 200);
  assertHarborSchema('DELETE', ONE_META, 200, deleted.body);
  assert.deepEqual((await api(server, 'GET', '/projects/meta/metadatas/')).body, {
    public: 'false',
    severity: 'medium',
  });
  assertError(await api(server, 'GET', '/projects/nope/metadatas/'), 404, 'NOT_FOUND', 'GET', LIST);
  assertError(await api(server, 'DELETE', '/projects/nope/metadatas/public'), 404, 'NOT_FOUND', 'DELETE', ONE_META);
});

test('project metadata follows the roles: maintainers change it, guests may not read it', async () => {
  const LIST = '/projects/{project_name_or_id}/metadatas/';
  const ONE_META = '/projects/{project_name_or_id}/metadatas/{meta_name}';
  await createProject(server, 'meta-roles');
  await addMember(server, 'meta-roles', 'alice', 4);
  await addMember(server, 'meta-roles', 'bob', 3);
  assert.equal(
    (
      await api(server, 'PUT', '/projects/meta-roles/metadatas/auto_scan', {
        auth: alice.auth,
        body: { auto_scan: 'true' },
      })
    ).status,
    200,
  );
  assertError(
    await api(server, 'GET', '/projects/meta-roles/metadatas/', { auth: bob.auth }),
    403,
    'FORBIDDEN',
    'GET',
    LIST,
  );
  assertError(
    await api(server, 'PUT', '/projects/meta-roles/metadatas/auto_scan', {
      auth: bob.auth,
      body: { auto_scan: 'false' },
    }),
    403,
    'FORBIDDEN',
    'PUT',
    ONE_META,
  );
  assertError(
    await api(server, 'DELETE', '/projects/meta-roles/metadatas/auto_scan', { auth: null }),
    401,
    'UNAUTHORIZED',
    'DELETE',
    ONE_META,
  );
  assert.deepEqual((await api(server, 'GET', '/projects/meta-roles/metadatas/auto_scan')).body, { auto_scan: 'true' });
});

test('project changes are written to the audit log', async () => {
  await createProject(server, 'audited', { auth: alice.auth });
  await api(server, 'PUT', '/projects/audited', { auth: alice.auth, body: { metadata: { auto_scan: 'true' } } });
  await api(server, 'DELETE', '/projects/audited', { auth: alice.auth });
  const db = openDatabase(server.berth.config.database.url);
  try {
    const rows = await db.kysely
      .selectFrom('audit_logs')
      .select(['operation', 'username'])
      .where('resource_type', '=', 'project')
      .where('resource', '=', 'audited')
      .orderBy('id')
      .execute();
    assert.deepEqual(rows, [
      { operation: 'create', username: 'alice' },
      { operation: 'update', username: 'alice' },
      { operation: 'delete', username: 'alice' },
    ]);
  } finally {
    await db.close();
  }
});
