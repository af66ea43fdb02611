import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { adminAuth, api, basic, startApiBerth, type ApiResponse } from '../helpers/api.js';
import { assertHarborSchema } from '../helpers/harbor-schema.js';
import type { TestBerth } from '../helpers/berth.js';
import { openDatabase, type Db } from '../../src/db/index.js';
import { hashSecret, passwordProblem } from '../../src/auth/passwords.js';

// Robot accounts through Harbor's /api/v2.0/robots and /permissions, and what a robot
// can then do on /v2 and /service/token.

type Json = Record<string, unknown>;
interface Robot {
  id: number;
  name: string;
  description: string;
  level: string;
  duration: number;
  editable: boolean;
  disable: boolean;
  expires_at: number;
  permissions: { kind: string; namespace: string; access: { resource: string; action: string; effect?: string }[] }[];
  creation_time: string;
  update_time: string;
  secret?: string;
}
interface Created {
  id: number;
  name: string;
  secret: string;
  creation_time: string;
  expires_at: number;
}
interface Errors {
  errors: { code: string; message: string }[];
}

const day = 86_400;
const alice = basic('alice', 'Alice12345'); // project admin of proj
const bob = basic('bob', 'Bob123456'); // developer in proj: may read and list robots, not create
const carol = basic('carol', 'Carol12345'); // member of nothing

let server: TestBerth;
let db: Db;
const projectIds: Record<string, number> = {};

/** Test fixtures written straight into Berth's database: projects and members. */
async function addProject(name: string): Promise<void> {
  const now = new Date().toISOString();
  const row = await db.kysely
    .insertInto('projects')
    .values({ name, owner_id: 1, registry_id: null, creation_time: now, update_time: now })
    .returning('id')
    .executeTakeFirstOrThrow();
  await db.kysely
    .insertInto('project_metadata')
    .values({ project_id: row.id, name: 'public', value: 'false' })
    .execute();
  projectIds[name] = row.id;
}

async function addUser(username: string, password: string, memberships: Record<string, number>): Promise<void> {
  const now = new Date().toISOString();
  const user = await db.kysely
    .insertInto('users')
    .values({
      username,
      email: `${username}@example.com`,
      password_hash: await hashSecret(password),
      creation_time: now,
      update_time: now,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  for (const [project, role] of Object.entries(memberships)) {
    await db.kysely
      .insertInto('project_members')
      .values({
        project_id: projectIds[project],
        entity_id: user.id,
        entity_type: 'u',
        role,
        creation_time: now,
        update_time: now,
      })
      .execute();
  }
}

before(async () => {
  // Many deliberate failed logins below: keep the per-address limiter out of the way.
  server = await startApiBerth({ auth: { maxLoginFailures: 10_000 } });
  db = openDatabase(server.berth.config.database.url);
  for (const name of ['proj', 'other', 'third']) await addProject(name);
  await addUser('alice', 'Alice12345', { proj: 1 });
  await addUser('bob', 'Bob123456', { proj: 2 });
  await addUser('carol', 'Carol12345', {});
});
after(async () => {
  await db.close();
  await server.close();
});

/** Error statuses Harbor answers but its swagger does not list for the operation: check Harbor's Errors body. */
function assertHarborErrors(res: ApiResponse, status: number, code: string): void {
  assert.equal(res.status, status);
  const body = res.body as Errors;
  assert.ok(Array.isArray(body.errors) && body.errors.length === 1, JSON.stringify(body));
  assert.equal(body.errors[0].code, code);
  assert.equal(typeof body.errors[0].message, 'string');
}

function expectError(res: ApiResponse, method: string, template: string, status: number, code: string): void {
  assert.equal(res.status, status, JSON.stringify(res.body));
  assertHarborSchema(method, template, status, res.body);
  assert.equal((res.body as Errors).errors[0].code, code);
}

function projectRobot(name: string, project: string, access: [string, string][], extra: Json = {}): Json {
  return {
    name,
    level: 'project',
    duration: -1,
    permissions: [
      { kind: 'project', namespace: project, access: access.map(([resource, action]) => ({ resource, action })) },
    ],
    ...extra,
  };
}

async function createRobot(body: Json, auth = adminAuth): Promise<Created> {
  const res = await api<Created>(server, 'POST', '/robots', { body, auth });
  assert.equal(res.status, 201, JSON.stringify(res.body));
  assertHarborSchema('POST', '/robots', 201, res.body);
  return res.body;
}

async function getRobot(id: number): Promise<Robot> {
  const res = await api<Robot>(server, 'GET', `/robots/${id}`);
  assert.equal(res.status, 200);
  assertHarborSchema('GET', '/robots/{robot_id}', 200, res.body);
  return res.body;
}

async function v2Status(auth: string): Promise<number> {
  const res = await fetch(`${server.url}/v2/`, { headers: { authorization: auth } });
  await res.arrayBuffer();
  return res.status;
}

async function tokenFor(auth: string, scope: string): Promise<{ status: number; token?: string }> {
  const res = await fetch(`${server.url}/service/token?service=harbor-registry&scope=${encodeURIComponent(scope)}`, {
    headers: { authorization: auth },
  });
  const body = (await res.json()) as { token?: string };
  return { status: res.status, token: body.token };
}

function accessClaim(token: string): { type: string; name: string; actions: string[] }[] {
  const payload = JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString('utf8')) as {
    access: { type: string; name: string; actions: string[] }[];
  };
  return payload.access;
}

/** Waits up to `ms` for `check` to hold; returns whether it did. */
async function eventually(check: () => Promise<boolean>, ms = 3000): Promise<boolean> {
  const deadline = Date.now() + ms;
  for (;;) {
    if (await check()) return true;
    if (Date.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, 100));
  }
}

const sha256 = (data: Buffer) => `sha256:${createHash('sha256').update(data).digest('hex')}`;

/** Pushes a one-layer OCI image with the given /v2 Authorization; answers the manifest PUT status. */
async function pushImage(repository: string, tag: string, auth: string): Promise<number> {
  const config = Buffer.from(
    JSON.stringify({ architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: [] } }),
  );
  const layer = Buffer.from(`layer of ${repository}:${tag} ${Math.random()}`);
  for (const blob of [config, layer]) {
    const res = await fetch(`${server.url}/v2/${repository}/blobs/uploads/?digest=${sha256(blob)}`, {
      method: 'POST',
      headers: { authorization: auth, 'content-type': 'application/octet-stream' },
      body: blob,
    });
    await res.arrayBuffer();
    if (res.status !== 201) return res.status;
  }
  const manifest = JSON.stringify({
    schemaVersion: 2,
    mediaType: 'application/vnd.oci.image.manifest.v1+json',
    config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: sha256(config), size: config.length },
    layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar', digest: sha256(layer), size: layer.length }],
  });
  const res = await fetch(`${server.url}/v2/${repository}/manifests/${tag}`, {
    method: 'PUT',
    headers: { authorization: auth, 'content-type': 'application/vnd.oci.image.manifest.v1+json' },
    body: manifest,
  });
  await res.arrayBuffer();
  return res.status;
}

describe('GET /permissions', () => {
  test("system admins see system and project permissions from Harbor's catalogue", async () => {
    const res = await api<{
      system: { resource: string; action: string }[];
      project: { resource: string; action: string }[];
    }>(server, 'GET', '/permissions');
    assert.equal(res.status, 200);
    assertHarborSchema('GET', '/permissions', 200, res.body);
    assert.ok(res.body.project.some((p) => p.resource === 'repository' && p.action === 'pull'));
    assert.ok(res.body.project.some((p) => p.resource === 'repository' && p.action === 'push'));
    assert.ok(res.body.system.some((p) => p.resource === 'garbage-collection' && p.action === 'create'));
    assert.ok(!res.body.project.some((p) => p.resource === 'garbage-collection'));
  });

  test('a project admin sees the project permissions only', async () => {
    const res = await api<Json>(server, 'GET', '/permissions', { auth: alice });
    assert.equal(res.status, 200);
    assertHarborSchema('GET', '/permissions', 200, res.body);
    assert.equal(res.body.system, undefined);
    assert.ok(Array.isArray(res.body.project));
  });

  test('others are refused: 403 for a developer, 401 for anonymous', async () => {
    expectError(await api(server, 'GET', '/permissions', { auth: bob }), 'GET', '/permissions', 403, 'FORBIDDEN');
    expectError(await api(server, 'GET', '/permissions', { auth: null }), 'GET', '/permissions', 401, 'UNAUTHORIZED');
  });
});

describe('POST /robots', () => {
  test('a project admin creates a project robot; the secret is answered once, with Location and expiry', async () => {
    const before = Math.floor(Date.now() / 1000);
    const res = await api<Created>(server, 'POST', '/robots', {
      body: projectRobot('ci', 'proj', [['repository', 'pull']], { duration: 7, description: 'CI pulls' }),
      auth: alice,
    });
    assert.equal(res.status, 201, JSON.stringify(res.body));
    assertHarborSchema('POST', '/robots', 201, res.body);
    assert.equal(res.body.name, 'robot$proj+ci');
    assert.equal(passwordProblem(res.body.secret), undefined);
    assert.equal(res.headers.get('location'), `/api/v2.0/robots/${res.body.id}`);
    const created = Math.floor(Date.parse(res.body.creation_time) / 1000);
    assert.ok(created >= before - 1);
    assert.equal(res.body.expires_at, created + 7 * day);

    const robot = await getRobot(res.body.id);
    assert.equal(robot.secret, undefined);
    assert.equal(JSON.stringify(robot).includes(res.body.secret), false);
    assert.equal(robot.name, 'robot$proj+ci');
    assert.equal(robot.level, 'project');
    assert.equal(robot.description, 'CI pulls');
    assert.equal(robot.duration, 7);
    assert.equal(robot.editable, true);
    assert.equal(robot.disable, false);
    assert.deepEqual(robot.permissions, [
      { kind: 'project', namespace: 'proj', access: [{ resource: 'repository', action: 'pull', effect: 'allow' }] },
    ]);

    const audit = await db.kysely
      .selectFrom('audit_logs')
      .selectAll()
      .where('resource_type', '=', 'robot')
      .where('resource', '=', 'robot$proj+ci')
      .execute();
    assert.equal(audit.length, 1);
    assert.equal(audit[0].operation, 'create');
    assert.equal(audit[0].username, 'alice');
    assert.equal(audit[0].project_id, projectIds.proj);
  });

  test("a system admin creates a system robot; duration -1 never expires and duration 0 takes Harbor's 30 days", async () => {
    const never = await createRobot({
      name: 'sys-never',
      level: 'system',
      duration: -1,
      permissions: [{ kind: 'system', namespace: '/', access: [{ resource: 'audit-log', action: 'list' }] }],
    });
    assert.equal(never.name, 'robot$sys-never');
    assert.equal(never.expires_at, -1);
    const byDefault = await createRobot({
      name: 'sys-default',
      level: 'system',
      duration: 0,
      permissions: [{ kind: 'system', namespace: '/', access: [{ resource: 'catalog', action: 'read' }] }],
    });
    assert.equal(byDefault.expires_at, Math.floor(Date.parse(byDefault.creation_time) / 1000) + 30 * day);
    assert.equal((await getRobot(byDefault.id)).duration, 30);
  });

  test("invalid bodies are 400 with Harbor's error body", async () => {
    const pull: [string, string][] = [['repository', 'pull']];
    const cases: [string, Json][] = [
      ['upper-case name', projectRobot('CI', 'proj', pull)],
      ['a + in the name', projectRobot('a+b', 'proj', pull)],
      ['no name', { ...projectRobot('x', 'proj', pull), name: undefined }],
      ['unknown level', { ...projectRobot('x', 'proj', pull), level: 'global' }],
      ['duration below -1', projectRobot('x', 'proj', pull, { duration: -2 })],
      ['fractional duration', projectRobot('x', 'proj', pull, { duration: 1.5 })],
      ['no permissions', { name: 'x', level: 'project', duration: -1, permissions: [] }],
      [
        'empty access',
        {
          name: 'x',
          level: 'project',
          duration: -1,
          permissions: [{ kind: 'project', namespace: 'proj', access: [] }],
        },
      ],
      ['unknown action', projectRobot('x', 'proj', [['repository', 'fly']])],
      ['unknown resource', projectRobot('x', 'proj', [['spaceship', 'pull']])],
      ['a system resource in a project permission', projectRobot('x', 'proj', [['garbage-collection', 'create']])],
      [
        'a project robot with a system permission',
        {
          name: 'x',
          level: 'project',
          duration: -1,
          permissions: [{ kind: 'system', namespace: '/', access: [{ resource: 'catalog', action: 'read' }] }],
        },
      ],
      ['a project robot for every project', projectRobot('x', '*', pull)],
      [
        'a project robot with two permissions',
        {
          name: 'x',
          level: 'project',
          duration: -1,
          permissions: [
            projectRobot('x', 'proj', pull).permissions as Json,
            projectRobot('x', 'other', pull).permissions as Json,
          ].flat(),
        },
      ],
      [
        'a system permission outside "/"',
        {
          name: 'x',
          level: 'system',
          duration: -1,
          permissions: [{ kind: 'system', namespace: 'proj', access: [{ resource: 'catalog', action: 'read' }] }],
        },
      ],
      [
        'an unknown effect',
        projectRobot('x', 'proj', pull, {
          permissions: [
            {
              kind: 'project',
              namespace: 'proj',
              access: [{ resource: 'repository', action: 'pull', effect: 'maybe' }],
            },
          ],
        }),
      ],
      ['not an object', [] as unknown as Json],
    ];
    for (const [what, body] of cases) {
      const res = await api(server, 'POST', '/robots', { body });
      assert.equal(res.status, 400, `${what}: ${JSON.stringify(res.body)}`);
      expectError(res, 'POST', '/robots', 400, 'BAD_REQUEST');
    }
  });

  test("a project that does not exist is 404, for a project robot and in a system robot's namespace", async () => {
    expectError(
      await api(server, 'POST', '/robots', { body: projectRobot('x', 'nope', [['repository', 'pull']]) }),
      'POST',
      '/robots',
      404,
      'NOT_FOUND',
    );
    const system = {
      name: 'x',
      level: 'system',
      duration: -1,
      permissions: [{ kind: 'project', namespace: 'nope', access: [{ resource: 'repository', action: 'pull' }] }],
    };
    expectError(await api(server, 'POST', '/robots', { body: system }), 'POST', '/robots', 404, 'NOT_FOUND');
  });

  test('callers without robot:create are refused', async () => {
    const body = projectRobot('x', 'proj', [['repository', 'pull']]);
    expectError(await api(server, 'POST', '/robots', { body, auth: null }), 'POST', '/robots', 401, 'UNAUTHORIZED');
    expectError(await api(server, 'POST', '/robots', { body, auth: bob }), 'POST', '/robots', 403, 'FORBIDDEN');
    // alice administers proj only: another private project is not even visible to her.
    expectError(
      await api(server, 'POST', '/robots', { body: projectRobot('x', 'other', [['repository', 'pull']]), auth: alice }),
      'POST',
      '/robots',
      404,
      'NOT_FOUND',
    );
    const system = {
      name: 'x',
      level: 'system',
      duration: -1,
      permissions: [{ kind: 'system', namespace: '/', access: [{ resource: 'catalog', action: 'read' }] }],
    };
    expectError(
      await api(server, 'POST', '/robots', { body: system, auth: alice }),
      'POST',
      '/robots',
      403,
      'FORBIDDEN',
    );
  });

  test('a second robot of the same name in the same project is 409, as Harbor answers', async () => {
    await createRobot(projectRobot('twin', 'proj', [['repository', 'pull']]));
    const again = await api(server, 'POST', '/robots', {
      body: projectRobot('twin', 'proj', [['repository', 'pull']]),
    });
    // Harbor's swagger lists no 409 for CreateRobot, but Harbor answers the conflict with 409.
    assertHarborErrors(again, 409, 'CONFLICT');
    // The same bare name in another project, or at system level, is another robot.
    assert.equal((await createRobot(projectRobot('twin', 'other', [['repository', 'pull']]))).name, 'robot$other+twin');
  });
});

describe('GET /robots', () => {
  test("paging, X-Total-Count and Link over a project's robots (the portal's q=Level=project,ProjectID=<id>)", async () => {
    for (const n of ['page-a', 'page-b', 'page-c'])
      await createRobot(projectRobot(n, 'third', [['repository', 'pull']]));
    const q = encodeURIComponent(`Level=project,ProjectID=${projectIds.third}`);
    const first = await api<Robot[]>(server, 'GET', `/robots?q=${q}&page=1&page_size=2`);
    assert.equal(first.status, 200);
    assertHarborSchema('GET', '/robots', 200, first.body);
    assert.equal(first.headers.get('x-total-count'), '3');
    assert.equal(first.body.length, 2);
    assert.match(first.headers.get('link') ?? '', /rel="next"/);
    const second = await api<Robot[]>(server, 'GET', `/robots?q=${q}&page=2&page_size=2`);
    assertHarborSchema('GET', '/robots', 200, second.body);
    assert.equal(second.body.length, 1);
    assert.match(second.headers.get('link') ?? '', /rel="prev"/);
    const names = [...first.body, ...second.body].map((r) => r.name).sort();
    assert.deepEqual(names, ['robot$third+page-a', 'robot$third+page-b', 'robot$third+page-c']);
    for (const robot of [...first.body, ...second.body]) assert.equal(robot.secret, undefined);
  });

  test('without Level, system robots only; name filters exact and fuzzy; sort by name', async () => {
    const system = await api<Robot[]>(server, 'GET', '/robots?page_size=100');
    assertHarborSchema('GET', '/robots', 200, system.body);
    assert.ok(system.body.length >= 2);
    assert.ok(system.body.every((r) => r.level === 'system' && r.name.startsWith('robot$') && !r.name.includes('+')));
    const fuzzy = await api<Robot[]>(
      server,
      'GET',
      `/robots?q=${encodeURIComponent(`Level=project,ProjectID=${projectIds.third},name=~page-`)}&sort=-name`,
    );
    assertHarborSchema('GET', '/robots', 200, fuzzy.body);
    assert.deepEqual(
      fuzzy.body.map((r) => r.name),
      ['robot$third+page-c', 'robot$third+page-b', 'robot$third+page-a'],
    );
    const exact = await api<Robot[]>(
      server,
      'GET',
      `/robots?q=${encodeURIComponent(`Level=project,ProjectID=${projectIds.third},name=robot$third+page-b`)}`,
    );
    assert.deepEqual(
      exact.body.map((r) => r.name),
      ['robot$third+page-b'],
    );
    const literal = await api<Robot[]>(
      server,
      'GET',
      `/robots?q=${encodeURIComponent(`Level=project,ProjectID=${projectIds.third},name=~page%`)}`,
    );
    assert.equal(literal.body.length, 0);
  });

  test("project members with robot:list see their project's robots; others do not", async () => {
    const q = encodeURIComponent(`Level=project,ProjectID=${projectIds.proj}`);
    for (const auth of [alice, bob]) {
      const res = await api<Robot[]>(server, 'GET', `/robots?q=${q}&page_size=100`, { auth });
      assert.equal(res.status, 200);
      assertHarborSchema('GET', '/robots', 200, res.body);
      assert.ok(res.body.some((r) => r.name === 'robot$proj+ci'));
      assert.ok(res.body.every((r) => r.name.startsWith('robot$proj+')));
    }
    // A private project carol cannot see is "not found".
    expectError(await api(server, 'GET', `/robots?q=${q}`, { auth: carol }), 'GET', '/robots', 404, 'NOT_FOUND');
    // System robots need system permission; Harbor's swagger lists no 401/403 here but Harbor answers them.
    assertHarborErrors(await api(server, 'GET', '/robots', { auth: alice }), 403, 'FORBIDDEN');
    assertHarborErrors(await api(server, 'GET', '/robots', { auth: null }), 401, 'UNAUTHORIZED');
  });

  test('bad queries are 400; unknown q and sort keys are ignored, as Harbor does', async () => {
    for (const q of [
      'Level=project',
      'Level=everything',
      `Level=project,ProjectID=abc`,
      `ProjectID=${projectIds.proj}`,
    ]) {
      expectError(await api(server, 'GET', `/robots?q=${encodeURIComponent(q)}`), 'GET', '/robots', 400, 'BAD_REQUEST');
    }
    const all = await api(server, 'GET', '/robots');
    for (const query of [`q=${encodeURIComponent('colour=red')}`, 'sort=secret', 'page=0']) {
      const res = await api(server, 'GET', `/robots?${query}`);
      assert.equal(res.status, 200, query);
      assert.deepEqual(res.body, all.body, query);
    }
    const bad = await api<Errors>(server, 'GET', '/robots?page=x');
    assert.equal(bad.status, 422);
    assert.equal(bad.body.errors[0].code, 'UNPROCESSABLE_ENTITY');
  });
});

describe('GET /robots/{robot_id}', () => {
  test('404 for an unknown or malformed id, 401 anonymous, 403 or 404 without access', async () => {
    expectError(await api(server, 'GET', '/robots/999999'), 'GET', '/robots/{robot_id}', 404, 'NOT_FOUND');
    expectError(await api(server, 'GET', '/robots/abc'), 'GET', '/robots/{robot_id}', 404, 'NOT_FOUND');
    const robot = await createRobot(projectRobot('seen', 'proj', [['repository', 'pull']]));
    expectError(
      await api(server, 'GET', `/robots/${robot.id}`, { auth: null }),
      'GET',
      '/robots/{robot_id}',
      401,
      'UNAUTHORIZED',
    );
    expectError(
      await api(server, 'GET', `/robots/${robot.id}`, { auth: carol }),
      'GET',
      '/robots/{robot_id}',
      404,
      'NOT_FOUND',
    );
    const bobSees = await api(server, 'GET', `/robots/${robot.id}`, { auth: bob });
    assert.equal(bobSees.status, 200);
    assertHarborSchema('GET', '/robots/{robot_id}', 200, bobSees.body);
    const system = await createRobot({
      name: 'sys-hidden',
      level: 'system',
      duration: -1,
      permissions: [{ kind: 'system', namespace: '/', access: [{ resource: 'catalog', action: 'read' }] }],
    });
    expectError(
      await api(server, 'GET', `/robots/${system.id}`, { auth: alice }),
      'GET',
      '/robots/{robot_id}',
      403,
      'FORBIDDEN',
    );
  });
});

describe('PUT /robots/{robot_id}', () => {
  test('updates description, duration (expiry recomputed from creation), disable and permissions; audited', async () => {
    const created = await createRobot(projectRobot('editable', 'proj', [['repository', 'pull']], { duration: 3 }));
    const robot = await getRobot(created.id);
    const body = {
      ...robot,
      description: 'now pushes',
      duration: 10,
      disable: true,
      permissions: [
        {
          kind: 'project',
          namespace: 'proj',
          access: [
            { resource: 'repository', action: 'pull' },
            { resource: 'repository', action: 'push' },
          ],
        },
      ],
    };
    const res = await api(server, 'PUT', `/robots/${created.id}`, { body, auth: alice });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assertHarborSchema('PUT', '/robots/{robot_id}', 200, res.body);
    const updated = await getRobot(created.id);
    assert.equal(updated.description, 'now pushes');
    assert.equal(updated.duration, 10);
    assert.equal(updated.expires_at, Math.floor(Date.parse(robot.creation_time) / 1000) + 10 * day);
    assert.equal(updated.disable, true);
    assert.deepEqual(
      updated.permissions[0].access.map((a) => a.action),
      ['pull', 'push'],
    );
    assert.equal(updated.creation_time, robot.creation_time);

    const never = await api(server, 'PUT', `/robots/${created.id}`, { body: { ...body, duration: -1 }, auth: alice });
    assert.equal(never.status, 200);
    assert.equal((await getRobot(created.id)).expires_at, -1);

    const audit = await db.kysely
      .selectFrom('audit_logs')
      .select('operation')
      .where('resource', '=', 'robot$proj+editable')
      .where('operation', '=', 'update')
      .execute();
    assert.equal(audit.length, 2);
  });

  test('the level, the name and the project stay; permissions are validated; 404, 401, 403', async () => {
    const created = await createRobot(projectRobot('fixed', 'proj', [['repository', 'pull']]));
    const robot = await getRobot(created.id);
    const template = '/robots/{robot_id}';
    const path = `/robots/${created.id}`;
    const cases: [string, Json][] = [
      ['another level', { ...robot, level: 'system' }],
      ['another name', { ...robot, name: 'robot$proj+renamed' }],
      ['no permissions', { ...robot, permissions: [] }],
      [
        'an unknown permission',
        {
          ...robot,
          permissions: [
            { kind: 'project', namespace: 'proj', access: [{ resource: 'repository', action: 'teleport' }] },
          ],
        },
      ],
      [
        'another project',
        {
          ...robot,
          permissions: [{ kind: 'project', namespace: 'other', access: [{ resource: 'repository', action: 'pull' }] }],
        },
      ],
      ['a bad duration', { ...robot, duration: -5 }],
    ];
    for (const [what, body] of cases) {
      const res = await api(server, 'PUT', path, { body });
      assert.equal(res.status, 400, `${what}: ${JSON.stringify(res.body)}`);
      expectError(res, 'PUT', template, 400, 'BAD_REQUEST');
    }
    expectError(await api(server, 'PUT', '/robots/999999', { body: robot }), 'PUT', template, 404, 'NOT_FOUND');
    expectError(await api(server, 'PUT', path, { body: robot, auth: null }), 'PUT', template, 401, 'UNAUTHORIZED');
    expectError(await api(server, 'PUT', path, { body: robot, auth: bob }), 'PUT', template, 403, 'FORBIDDEN');
    assert.deepEqual(await getRobot(created.id), robot);
  });
});

describe('PATCH /robots/{robot_id} (refresh the secret)', () => {
  test('an empty body generates a new secret; the old one stops working at once', async () => {
    const created = await createRobot(projectRobot('rotating', 'proj', [['repository', 'pull']]));
    assert.equal(await v2Status(basic(created.name, created.secret)), 200);
    const res = await api<{ secret: string }>(server, 'PATCH', `/robots/${created.id}`, { body: {}, auth: alice });
    assert.equal(res.status, 200);
    assertHarborSchema('PATCH', '/robots/{robot_id}', 200, res.body);
    assert.equal(passwordProblem(res.body.secret), undefined);
    assert.notEqual(res.body.secret, created.secret);
    assert.equal(await v2Status(basic(created.name, created.secret)), 401);
    assert.equal(await v2Status(basic(created.name, res.body.secret)), 200);
    const noBody = await api<{ secret: string }>(server, 'PATCH', `/robots/${created.id}`);
    assert.equal(noBody.status, 200);
    assertHarborSchema('PATCH', '/robots/{robot_id}', 200, noBody.body);
    assert.equal(await v2Status(basic(created.name, noBody.body.secret)), 200);
  });

  test('a given secret must meet the password rule and is not echoed', async () => {
    const created = await createRobot(projectRobot('chosen', 'proj', [['repository', 'pull']]));
    const template = '/robots/{robot_id}';
    expectError(
      await api(server, 'PATCH', `/robots/${created.id}`, { body: { secret: 'short' } }),
      'PATCH',
      template,
      400,
      'BAD_REQUEST',
    );
    expectError(
      await api(server, 'PATCH', `/robots/${created.id}`, { body: { secret: 'alllowercase123' } }),
      'PATCH',
      template,
      400,
      'BAD_REQUEST',
    );
    const res = await api<Json>(server, 'PATCH', `/robots/${created.id}`, { body: { secret: 'MyOwnSecret42' } });
    assert.equal(res.status, 200);
    assertHarborSchema('PATCH', template, 200, res.body);
    assert.deepEqual(res.body, {});
    assert.equal(await v2Status(basic(created.name, 'MyOwnSecret42')), 200);
    assert.equal(await v2Status(basic(created.name, created.secret)), 401);
  });

  test('404, 401 and 403', async () => {
    const created = await createRobot(projectRobot('guarded', 'proj', [['repository', 'pull']]));
    const template = '/robots/{robot_id}';
    expectError(await api(server, 'PATCH', '/robots/999999', { body: {} }), 'PATCH', template, 404, 'NOT_FOUND');
    expectError(
      await api(server, 'PATCH', `/robots/${created.id}`, { body: {}, auth: null }),
      'PATCH',
      template,
      401,
      'UNAUTHORIZED',
    );
    expectError(
      await api(server, 'PATCH', `/robots/${created.id}`, { body: {}, auth: bob }),
      'PATCH',
      template,
      403,
      'FORBIDDEN',
    );
    assert.equal(await v2Status(basic(created.name, created.secret)), 200);
  });
});

describe('DELETE /robots/{robot_id}', () => {
  test('deletes, audits, and answers 404 afterwards; 401 and 403 for others', async () => {
    const created = await createRobot(projectRobot('doomed', 'proj', [['repository', 'pull']]));
    const template = '/robots/{robot_id}';
    expectError(
      await api(server, 'DELETE', `/robots/${created.id}`, { auth: null }),
      'DELETE',
      template,
      401,
      'UNAUTHORIZED',
    );
    expectError(
      await api(server, 'DELETE', `/robots/${created.id}`, { auth: bob }),
      'DELETE',
      template,
      403,
      'FORBIDDEN',
    );
    const res = await api(server, 'DELETE', `/robots/${created.id}`, { auth: alice });
    assert.equal(res.status, 200);
    assertHarborSchema('DELETE', template, 200, res.body);
    expectError(await api(server, 'GET', `/robots/${created.id}`), 'GET', template, 404, 'NOT_FOUND');
    expectError(await api(server, 'DELETE', `/robots/${created.id}`), 'DELETE', template, 404, 'NOT_FOUND');
    const audit = await db.kysely
      .selectFrom('audit_logs')
      .select(['operation', 'username'])
      .where('resource', '=', 'robot$proj+doomed')
      .where('operation', '=', 'delete')
      .execute();
    assert.deepEqual(audit, [{ operation: 'delete', username: 'alice' }]);
  });
});

describe('what a robot may do on the registry', () => {
  test('a project robot with only repository pull can pull but not push', async () => {
    assert.equal(await pushImage('proj/app', 'v1', adminAuth), 201);
    const robot = await createRobot(projectRobot('puller', 'proj', [['repository', 'pull']]));
    const auth = basic(robot.name, robot.secret);
    const { status, token } = await tokenFor(auth, 'repository:proj/app:pull,push');
    assert.equal(status, 200);
    assert.ok(token);
    assert.deepEqual(accessClaim(token), [{ type: 'repository', name: 'proj/app', actions: ['pull'] }]);

    const pulled = await fetch(`${server.url}/v2/proj/app/manifests/v1`, {
      headers: { authorization: `Bearer ${token}`, accept: 'application/vnd.oci.image.manifest.v1+json' },
    });
    await pulled.arrayBuffer();
    assert.equal(pulled.status, 200);
    assert.equal(await pushImage('proj/app', 'v2', `Bearer ${token}`), 403);
    assert.equal(await pushImage('proj/app', 'v2', auth), 403);
    // Nor may it read another project.
    const elsewhere = await tokenFor(auth, 'repository:other/app:pull');
    assert.deepEqual(accessClaim(elsewhere.token ?? ''), [{ type: 'repository', name: 'other/app', actions: [] }]);
  });

  test('a system robot with project permissions on namespace "*" can push to any project', async () => {
    const robot = await createRobot({
      name: 'everywhere',
      level: 'system',
      duration: -1,
      permissions: [
        {
          kind: 'project',
          namespace: '*',
          access: [
            { resource: 'repository', action: 'pull' },
            { resource: 'repository', action: 'push' },
          ],
        },
      ],
    });
    const auth = basic(robot.name, robot.secret);
    for (const project of ['proj', 'other', 'third']) {
      const { token } = await tokenFor(auth, `repository:${project}/pushed:pull,push`);
      assert.deepEqual(accessClaim(token ?? ''), [
        { type: 'repository', name: `${project}/pushed`, actions: ['pull', 'push'] },
      ]);
      assert.equal(await pushImage(`${project}/pushed`, 'v1', `Bearer ${token}`), 201, project);
    }
    // A project created afterwards is covered too.
    await addProject('later');
    assert.equal(await pushImage('later/pushed', 'v1', auth), 201);
  });

  test('a disabled robot loses access within 3 seconds, and regains it when enabled', async () => {
    const robot = await createRobot(projectRobot('switch', 'proj', [['repository', 'pull']]));
    const auth = basic(robot.name, robot.secret);
    assert.equal(await v2Status(auth), 200);
    const body = await getRobot(robot.id);
    assert.equal((await api(server, 'PUT', `/robots/${robot.id}`, { body: { ...body, disable: true } })).status, 200);
    assert.ok(
      await eventually(
        async () => (await v2Status(auth)) === 401 && (await tokenFor(auth, 'repository:proj/app:pull')).status === 401,
      ),
    );
    assert.equal((await api(server, 'PUT', `/robots/${robot.id}`, { body: { ...body, disable: false } })).status, 200);
    assert.ok(await eventually(async () => (await v2Status(auth)) === 200));
  });

  test('a deleted robot loses access within 3 seconds', async () => {
    const robot = await createRobot(projectRobot('gone', 'proj', [['repository', 'pull']]));
    const auth = basic(robot.name, robot.secret);
    const { token } = await tokenFor(auth, 'repository:proj/app:pull');
    assert.equal(await v2Status(auth), 200);
    assert.equal((await api(server, 'DELETE', `/robots/${robot.id}`)).status, 200);
    assert.ok(
      await eventually(
        async () => (await v2Status(auth)) === 401 && (await tokenFor(auth, 'repository:proj/app:pull')).status === 401,
      ),
    );
    // A token issued before the deletion no longer pulls either.
    const res = await fetch(`${server.url}/v2/proj/app/manifests/v1`, {
      headers: { authorization: `Bearer ${token}`, accept: 'application/vnd.oci.image.manifest.v1+json' },
    });
    await res.arrayBuffer();
    assert.equal(res.status, 401);
  });

  test('an expired robot is refused: its expiry moved into the past in the database', async () => {
    const robot = await createRobot(projectRobot('expiring', 'proj', [['repository', 'pull']], { duration: 1 }));
    assert.equal(robot.expires_at, Math.floor(Date.parse(robot.creation_time) / 1000) + day);
    const auth = basic(robot.name, robot.secret);
    assert.equal(await v2Status(auth), 200);
    // A day cannot pass in a test: set the stored expiry to a second ago, as if it had.
    await db.kysely
      .updateTable('robots')
      .set({ expires_at: Math.floor(Date.now() / 1000) - 1 })
      .where('id', '=', robot.id)
      .execute();
    assert.ok(
      await eventually(
        async () => (await v2Status(auth)) === 401 && (await tokenFor(auth, 'repository:proj/app:pull')).status === 401,
      ),
    );
    assert.ok((await getRobot(robot.id)).expires_at < Date.now() / 1000);
  });
});
