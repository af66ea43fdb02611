import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { api, startApiBerth } from '../helpers/api.js';
import { assertHarborSchema } from '../helpers/harbor-schema.js';
import type { TestBerth } from '../helpers/berth.js';
import { addMember, createProject, createUser, idFromLocation } from '../helpers/projects.js';
import { openDatabase } from '../../src/db/index.js';

// Harbor's /projects/{project_name_or_id}/members operations, swagger-checked.

interface Member {
  id: number;
  project_id: number;
  entity_id: number;
  entity_type: string;
  entity_name: string;
  role_id: number;
  role_name: string;
}
interface Errors {
  errors: { code: string; message: string }[];
}

const LIST = '/projects/{project_name_or_id}/members';
const ONE = '/projects/{project_name_or_id}/members/{mid}';

let server: TestBerth;
let users: Record<string, Awaited<ReturnType<typeof createUser>>>;
let projectId: number;

before(async () => {
  server = await startApiBerth();
  users = {};
  for (const name of ['dev', 'guest', 'limited', 'outsider', 'newbie', 'nina', 'nico'])
    users[name] = await createUser(server, name);
  projectId = await createProject(server, 'team');
  await addMember(server, 'team', 'dev', 2);
  await addMember(server, 'team', 'guest', 3);
  await addMember(server, 'team', 'limited', 5);
});
after(() => server.close());

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

test("GET members lists the project's members with Harbor's role names", async () => {
  const res = await api<Member[]>(server, 'GET', '/projects/team/members');
  assert.equal(res.status, 200);
  assertHarborSchema('GET', LIST, 200, res.body);
  assert.equal(res.headers.get('x-total-count'), '4');
  assert.deepEqual(
    res.body.map((m) => [m.entity_name, m.role_id, m.role_name, m.entity_type]),
    [
      ['admin', 1, 'projectAdmin', 'u'],
      ['dev', 2, 'developer', 'u'],
      ['guest', 3, 'guest', 'u'],
      ['limited', 5, 'limitedGuest', 'u'],
    ],
  );
  assert.ok(res.body.every((m) => m.project_id === projectId));
  assert.equal(res.body[1].entity_id, users.dev.id);
  const byId = await api<Member[]>(server, 'GET', `/projects/${projectId}/members`);
  assert.deepEqual(byId.body, res.body, 'the project may be named by id');
});

test('GET members filters by entityname and pages with X-Total-Count and Link', async () => {
  const filtered = await api<Member[]>(server, 'GET', '/projects/team/members?entityname=e');
  assertHarborSchema('GET', LIST, 200, filtered.body);
  assert.deepEqual(
    filtered.body.map((m) => m.entity_name),
    ['dev', 'guest', 'limited'],
  );
  const page = await api<Member[]>(server, 'GET', '/projects/team/members?page=2&page_size=2');
  assert.equal(page.status, 200);
  assertHarborSchema('GET', LIST, 200, page.body);
  assert.deepEqual(
    page.body.map((m) => m.entity_name),
    ['guest', 'limited'],
  );
  assert.equal(page.headers.get('x-total-count'), '4');
  assert.match(page.headers.get('link') ?? '', /rel="prev"/);
  const none = await api<Member[]>(server, 'GET', '/projects/team/members?entityname=zzz');
  assert.deepEqual(none.body, []);
  assert.equal(none.headers.get('x-total-count'), '0');
  // Harbor's lib/orm applies no LIMIT for page_size 0: the whole list, no Link header.
  const whole = await api<Member[]>(server, 'GET', '/projects/team/members?page_size=0');
  assert.equal(whole.status, 200);
  assert.equal(whole.body.length, 4);
  assert.equal(whole.headers.get('link'), null);
  const tooBig = await api<{ errors: { code: string; message: string }[] }>(
    server,
    'GET',
    '/projects/team/members?page_size=101',
  );
  assert.equal(tooBig.status, 422);
  assert.deepEqual(tooBig.body.errors, [
    {
      code: 'UNPROCESSABLE_ENTITY',
      message: 'validation failure list:\npage_size in query should be less than or equal to 100',
    },
  ]);
});

test('GET members needs member:list: guests may, limited guests and outsiders may not', async () => {
  assert.equal((await api(server, 'GET', '/projects/team/members', { auth: users.guest.auth })).status, 200);
  assertError(
    await api(server, 'GET', '/projects/team/members', { auth: users.limited.auth }),
    403,
    'FORBIDDEN',
    'GET',
    LIST,
  );
  assertError(
    await api(server, 'GET', '/projects/team/members', { auth: users.outsider.auth }),
    404,
    'NOT_FOUND',
    'GET',
    LIST,
  );
  assertError(await api(server, 'GET', '/projects/team/members', { auth: null }), 401, 'UNAUTHORIZED', 'GET', LIST);
  assertError(await api(server, 'GET', '/projects/nope/members'), 404, 'NOT_FOUND', 'GET', LIST);
});

test('POST members adds a user by username or user_id: 201 with Location, then GET by id', async () => {
  const byName = await api(server, 'POST', '/projects/team/members', {
    body: { role_id: 4, member_user: { username: 'nina' } },
  });
  assert.equal(byName.status, 201, JSON.stringify(byName.body));
  assertHarborSchema('POST', LIST, 201, byName.body);
  const mid = idFromLocation(byName.headers);
  assert.equal(byName.headers.get('location'), `/api/v2.0/projects/team/members/${mid}`);
  const got = await api<Member>(server, 'GET', `/projects/team/members/${mid}`);
  assert.equal(got.status, 200);
  assertHarborSchema('GET', ONE, 200, got.body);
  assert.deepEqual(got.body, {
    id: mid,
    project_id: projectId,
    entity_id: users.nina.id,
    entity_type: 'u',
    entity_name: 'nina',
    role_id: 4,
    role_name: 'maintainer',
  });

  const byId = await api(server, 'POST', `/projects/${projectId}/members`, {
    body: { role_id: 2, member_user: { user_id: users.nico.id } },
  });
  assert.equal(byId.status, 201);
  assert.equal(byId.headers.get('location'), `/api/v2.0/projects/${projectId}/members/${idFromLocation(byId.headers)}`);
  const nico = await api<Member>(server, 'GET', `/projects/team/members/${idFromLocation(byId.headers)}`);
  assert.equal(nico.body.entity_name, 'nico');
  assert.equal(nico.body.role_name, 'developer');
});

test('POST members: 409 for an existing member, 400 for bad roles, unknown users and missing members', async () => {
  assertError(
    await api(server, 'POST', '/projects/team/members', { body: { role_id: 3, member_user: { username: 'dev' } } }),
    409,
    'CONFLICT',
    'POST',
    LIST,
  );
  assertError(
    await api(server, 'POST', '/projects/team/members', {
      body: { role_id: 3, member_user: { user_id: users.dev.id } },
    }),
    409,
    'CONFLICT',
    'POST',
    LIST,
  );
  const bad: unknown[] = [
    { role_id: 0, member_user: { username: 'newbie' } },
    { role_id: 6, member_user: { username: 'newbie' } },
    { role_id: '2', member_user: { username: 'newbie' } },
    { member_user: { username: 'newbie' } },
    { role_id: 2, member_user: { username: 'ghost' } },
    { role_id: 2, member_user: { user_id: 99999 } },
    { role_id: 2, member_user: {} },
    { role_id: 2 },
    { role_id: 2, member_group: { group_name: 'devs' } },
    [],
  ];
  for (const body of bad)
    assertError(await api(server, 'POST', '/projects/team/members', { body }), 400, 'BAD_REQUEST', 'POST', LIST);
  const listed = await api<Member[]>(server, 'GET', '/projects/team/members?entityname=newbie');
  assert.deepEqual(listed.body, [], 'no refused request added a member');
});

test('POST members needs member:create: only project admins (and system admins)', async () => {
  for (const name of ['dev', 'guest', 'limited']) {
    assertError(
      await api(server, 'POST', '/projects/team/members', {
        auth: users[name].auth,
        body: { role_id: 3, member_user: { username: 'newbie' } },
      }),
      403,
      'FORBIDDEN',
      'POST',
      LIST,
    );
  }
  assertError(
    await api(server, 'POST', '/projects/team/members', {
      auth: null,
      body: { role_id: 3, member_user: { username: 'newbie' } },
    }),
    401,
    'UNAUTHORIZED',
    'POST',
    LIST,
  );
  await createProject(server, 'owned', { auth: users.newbie.auth });
  const added = await api(server, 'POST', '/projects/owned/members', {
    auth: users.newbie.auth,
    body: { role_id: 3, member_user: { username: 'guest' } },
  });
  assert.equal(added.status, 201, 'the creator of a project administers its members');
});

test('PUT members/{mid} changes the role; 400 for a bad role, 404 for an unknown member', async () => {
  const mid = await addMember(server, 'team', 'outsider', 3);
  const res = await api(server, 'PUT', `/projects/team/members/${mid}`, { body: { role_id: 2 } });
  assert.equal(res.status, 200);
  assertHarborSchema('PUT', ONE, 200, res.body);
  const got = await api<Member>(server, 'GET', `/projects/team/members/${mid}`);
  assert.equal(got.body.role_id, 2);
  assert.equal(got.body.role_name, 'developer');
  for (const body of [{ role_id: 9 }, {}, { role_id: null }])
    assertError(await api(server, 'PUT', `/projects/team/members/${mid}`, { body }), 400, 'BAD_REQUEST', 'PUT', ONE);
  assertError(
    await api(server, 'PUT', '/projects/team/members/99999', { body: { role_id: 2 } }),
    404,
    'NOT_FOUND',
    'PUT',
    ONE,
  );
  assertError(
    await api(server, 'PUT', '/projects/team/members/abc', { body: { role_id: 2 } }),
    400,
    'BAD_REQUEST',
    'PUT',
    ONE,
  );
  assertError(
    await api(server, 'PUT', `/projects/team/members/${mid}`, { auth: users.dev.auth, body: { role_id: 1 } }),
    403,
    'FORBIDDEN',
    'PUT',
    ONE,
  );
  assert.equal(
    (await api<Member>(server, 'GET', `/projects/team/members/${mid}`)).body.role_id,
    2,
    'refused changes changed nothing',
  );
  await api(server, 'DELETE', `/projects/team/members/${mid}`);
});

test("GET members/{mid}: 404 for an unknown id or another project's member, 400 for a non-numeric id", async () => {
  await createProject(server, 'other');
  const foreign = await addMember(server, 'other', 'dev', 2);
  assertError(await api(server, 'GET', `/projects/team/members/${foreign}`), 404, 'NOT_FOUND', 'GET', ONE);
  assertError(await api(server, 'GET', '/projects/team/members/99999'), 404, 'NOT_FOUND', 'GET', ONE);
  assertError(await api(server, 'GET', '/projects/team/members/0'), 400, 'BAD_REQUEST', 'GET', ONE);
  const asGuest = await api<Member>(server, 'GET', `/projects/other/members/${foreign}`, { auth: users.dev.auth });
  assert.equal(asGuest.status, 200, 'developers may read members');
  assertError(
    await api(server, 'GET', `/projects/other/members/${foreign}`, { auth: users.limited.auth }),
    404,
    'NOT_FOUND',
    'GET',
    ONE,
  );
});

test('DELETE members/{mid} removes the member; then 404', async () => {
  const mid = await addMember(server, 'team', 'newbie', 3);
  assertError(
    await api(server, 'DELETE', `/projects/team/members/${mid}`, { auth: users.dev.auth }),
    403,
    'FORBIDDEN',
    'DELETE',
    ONE,
  );
  const res = await api(server, 'DELETE', `/projects/team/members/${mid}`);
  assert.equal(res.status, 200);
  assertHarborSchema('DELETE', ONE, 200, res.body);
  assertError(await api(server, 'GET', `/projects/team/members/${mid}`), 404, 'NOT_FOUND', 'GET', ONE);
  assertError(await api(server, 'DELETE', `/projects/team/members/${mid}`), 404, 'NOT_FOUND', 'DELETE', ONE);
  assertError(
    await api(server, 'GET', '/projects/team', { auth: users.newbie.auth }),
    404,
    'NOT_FOUND',
    'GET',
    '/projects/{project_name_or_id}',
  );
});

test('a role change applies to the next token at once, and removal takes the project away', async () => {
  await createProject(server, 'fast');
  const mid = await addMember(server, 'fast', 'nico', 3);
  const pushGranted = async () => {
    const res = await fetch(`${server.url}/service/token?service=harbor-registry&scope=repository:fast/app:pull,push`, {
      headers: { authorization: users.nico.auth },
    });
    const { token } = (await res.json()) as { token: string };
    const claims = JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString()) as {
      access: { actions: string[] }[];
    };
    return [...claims.access[0].actions].sort();
  };
  assert.deepEqual(await pushGranted(), ['pull']);
  assert.equal((await api(server, 'PUT', `/projects/fast/members/${mid}`, { body: { role_id: 2 } })).status, 200);
  assert.deepEqual(await pushGranted(), ['pull', 'push']);
  assert.equal((await api(server, 'DELETE', `/projects/fast/members/${mid}`)).status, 200);
  assert.deepEqual(await pushGranted(), []);
});

test('member changes are written to the audit log', async () => {
  await createProject(server, 'audited');
  const mid = await addMember(server, 'audited', 'nina', 3);
  await api(server, 'PUT', `/projects/audited/members/${mid}`, { body: { role_id: 2 } });
  await api(server, 'DELETE', `/projects/audited/members/${mid}`);
  const db = openDatabase(server.berth.config.database.url);
  try {
    const rows = await db.kysely
      .selectFrom('audit_logs')
      .select(['operation', 'resource', 'username'])
      .where('resource_type', '=', 'member')
      .where(
        'project_id',
        '=',
        (await db.kysely.selectFrom('projects').select('id').where('name', '=', 'audited').executeTakeFirstOrThrow())
          .id,
      )
      .orderBy('id')
      .execute();
    assert.deepEqual(rows, [
      { operation: 'create', resource: 'audited:nina', username: 'admin' },
      { operation: 'update', resource: 'audited:nina', username: 'admin' },
      { operation: 'delete', resource: 'audited:nina', username: 'admin' },
    ]);
  } finally {
    await db.close();
  }
});
