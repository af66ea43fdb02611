import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { adminPassword, api, basic, startApiBerth } from '../helpers/api.js';
import { assertHarborSchema } from '../helpers/harbor-schema.js';
import { startTestBerth, type TestBerth } from '../helpers/berth.js';
import { expectError, OciClient, uniqueName } from '../helpers/oci.js';
import { createUser, userPassword } from '../helpers/projects.js';

// GET / PUT /api/v2.0/configurations: what Berth reports, what an administrator may
// change at runtime, and that each change is honoured where Harbor honours it.

type Item = { value: unknown; editable: boolean };
type Configurations = Record<string, Item>;

let server: TestBerth;
let user: { id: number; username: string; auth: string };

before(async () => {
  server = await startApiBerth({ auth: { tokenExpirationMinutes: 45, sessionTimeoutMinutes: 90 } });
  user = await createUser(server, 'cfguser');
});
after(() => server.close());

async function configurations(): Promise<Configurations> {
  const res = await api<Configurations>(server, 'GET', '/configurations');
  assert.equal(res.status, 200);
  assertHarborSchema('GET', '/configurations', 200, res.body);
  return res.body;
}

async function put(body: unknown, auth?: string | null) {
  return api<{ errors: { code: string; message: string }[] }>(server, 'PUT', '/configurations', { body, auth });
}

async function putOk(body: Record<string, unknown>): Promise<void> {
  const res = await put(body);
  assert.equal(res.status, 200, JSON.stringify(res.body));
}

function assertError(res: { status: number; body: unknown }, status: number, code: string, message?: RegExp): void {
  assert.equal(res.status, status, JSON.stringify(res.body));
  const body = res.body as { errors: { code: string; message: string }[] };
  assert.equal(body.errors[0].code, code);
  if (message) assert.match(body.errors[0].message, message);
}

test("GET /configurations shows Berth's values in Harbor's schema, editable only where Berth honours a change", async () => {
  const body = await configurations();
  assert.deepEqual(body.auth_mode, { value: 'db_auth', editable: false });
  assert.deepEqual(body.token_expiration, { value: 45, editable: false }, 'from auth.tokenExpirationMinutes');
  assert.deepEqual(body.session_timeout, { value: 90, editable: false }, 'from auth.sessionTimeoutMinutes');
  assert.deepEqual(body.robot_name_prefix, { value: 'robot$', editable: false });
  assert.deepEqual(body.self_registration, { value: false, editable: true });
  assert.deepEqual(body.project_creation_restriction, { value: 'everyone', editable: true });
  assert.deepEqual(body.robot_token_duration, { value: 30, editable: true });
  assert.deepEqual(body.read_only, { value: false, editable: true });
  assert.deepEqual(body.banner_message, { value: '', editable: true });
  assert.deepEqual(body.storage_per_project, { value: -1, editable: true });
  assert.deepEqual(body.quota_per_project_enable, { value: true, editable: true });
  const editable = Object.entries(body)
    .filter(([, item]) => (item as Item).editable)
    .map(([key]) => key)
    .sort();
  assert.deepEqual(editable, [
    'banner_message',
    'project_creation_restriction',
    'quota_per_project_enable',
    'read_only',
    'robot_token_duration',
    'self_registration',
    'storage_per_project',
  ]);
});

test('configurations are for system administrators: 401 anonymous, 403 for a user, on GET and PUT', async () => {
  assertError(await api(server, 'GET', '/configurations', { auth: null }), 401, 'UNAUTHORIZED');
  assertError(await api(server, 'GET', '/configurations', { auth: user.auth }), 403, 'FORBIDDEN');
  assertError(await put({ self_registration: true }, null), 401, 'UNAUTHORIZED');
  assertError(await put({ self_registration: true }, user.auth), 403, 'FORBIDDEN');
  assert.equal((await configurations()).self_registration.value, false, 'a refused PUT changes nothing');
});

test('PUT /configurations refuses unknown keys, keys Berth cannot change, bad values and bad bodies with 400, changing nothing', async () => {
  assertError(await put({ no_such_key: 1 }), 400, 'BAD_REQUEST', /invalid config key no_such_key/);
  assertError(
    await put({ token_expiration: 10 }),
    400,
    'BAD_REQUEST',
    /token_expiration cannot be changed at runtime.*auth\.tokenExpirationMinutes in berth\.yml/,
  );
  assertError(await put({ ldap_url: 'ldap://x' }), 400, 'BAD_REQUEST', /ldap_url cannot be changed at runtime/);
  assertError(await put({ project_creation_restriction: 'nobody' }), 400, 'BAD_REQUEST', /"everyone" or "adminonly"/);
  assertError(await put({ self_registration: 'yes' }), 400, 'BAD_REQUEST', /self_registration must be true or false/);
  assertError(await put({ robot_token_duration: 0 }), 400, 'BAD_REQUEST', /robot_token_duration/);
  assertError(await put({ robot_token_duration: 1.5 }), 400, 'BAD_REQUEST', /robot_token_duration/);
  assertError(await put({ read_only: null }), 400, 'BAD_REQUEST', /read_only/);
  assertError(await put([{ read_only: true }]), 400, 'BAD_REQUEST', /JSON object/);
  // One bad key spoils the whole body: the good one is not stored either.
  assertError(await put({ self_registration: true, session_timeout: 5 }), 400, 'BAD_REQUEST', /session_timeout/);
  const body = await configurations();
  assert.equal(body.self_registration.value, false);
  assert.equal(body.session_timeout.value, 90);
});

test('self_registration set at runtime lets anyone sign up, and unset stops it; /systeminfo follows', async () => {
  const signUp = (username: string) =>
    api(server, 'POST', '/users', {
      auth: null,
      body: { username, email: `${username}@example.com`, realname: username, password: userPassword },
    });
  assertError(await signUp('selfreg1'), 401, 'UNAUTHORIZED');
  await putOk({ self_registration: true });
  assert.equal((await configurations()).self_registration.value, true);
  assert.equal(
    (await api<{ self_registration: boolean }>(server, 'GET', '/systeminfo', { auth: null })).body.self_registration,
    true,
  );
  assert.equal((await signUp('selfreg2')).status, 201);
  const login = await api(server, 'GET', '/users/current', { auth: basic('selfreg2', userPassword) });
  assert.equal(login.status, 200, 'the new account logs in');
  await putOk({ self_registration: false });
  assertError(await signUp('selfreg3'), 401, 'UNAUTHORIZED');
});

test('project_creation_restriction adminonly: users get 403, administrators still create; everyone restores it', async () => {
  const create = (name: string, auth?: string) =>
    api(server, 'POST', '/projects', { auth, body: { project_name: name, metadata: { public: 'false' } } });
  await putOk({ project_creation_restriction: 'adminonly' });
  try {
    assert.equal(
      (await api<{ project_creation_restriction: string }>(server, 'GET', '/systeminfo')).body
        .project_creation_restriction,
      'adminonly',
    );
    assertError(await create('cfg-user-denied', user.auth), 403, 'FORBIDDEN', /Only system admin can create project/);
    assert.equal((await api(server, 'GET', '/projects/cfg-user-denied')).status, 404, 'no project was created');
    assert.equal((await create('cfg-admin-ok')).status, 201);
  } finally {
    await putOk({ project_creation_restriction: 'everyone' });
  }
  assert.equal((await create('cfg-user-ok', user.auth)).status, 201);
});

test('robot_token_duration is the lifetime of a robot created with duration 0', async () => {
  await putOk({ robot_token_duration: 7 });
  try {
    const created = await api<{ id: number; expires_at: number; creation_time: string }>(server, 'POST', '/robots', {
      body: {
        name: 'cfg-seven',
        level: 'system',
        duration: 0,
        permissions: [{ kind: 'project', namespace: 'library', access: [{ resource: 'repository', action: 'pull' }] }],
      },
    });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const robot = await api<{ duration: number; expires_at: number; creation_time: string }>(
      server,
      'GET',
      `/robots/${created.body.id}`,
    );
    assert.equal(robot.body.duration, 7);
    assert.equal(robot.body.expires_at, Math.floor(Date.parse(robot.body.creation_time) / 1000) + 7 * 86_400);
  } finally {
    await putOk({ robot_token_duration: 30 });
  }
});

test('read_only refuses pushes, deletes and API writes with 403 DENIED; pulls, logins and turning it off still work', async () => {
  const oci = new OciClient(server.url);
  const repository = uniqueName('readonly');
  const image = await oci.pushImage(repository, 'v1');
  await putOk({ read_only: true });
  try {
    assert.equal((await configurations()).read_only.value, true);
    assert.equal((await api<{ read_only: boolean }>(server, 'GET', '/systeminfo')).body.read_only, true);
    await expectError(await oci.fetch(`/v2/${repository}/blobs/uploads/`, { method: 'POST' }), 403, 'DENIED');
    await expectError(await oci.putManifest(repository, 'v2', image), 403, 'DENIED');
    await expectError(
      await oci.fetch(`/v2/${repository}/manifests/${image.digest}`, { method: 'DELETE' }),
      403,
      'DENIED',
    );
    assert.equal(
      (await oci.send('GET', `/v2/${repository}/manifests/v1`, { headers: { accept: image.mediaType } })).status,
      200,
      'pulls go on',
    );
    assert.equal((await oci.send('GET', '/v2/_catalog')).status, 200, 'listings go on');
    assertError(
      await api(server, 'POST', '/projects', { body: { project_name: 'cfg-ro', metadata: {} } }),
      403,
      'DENIED',
      /read only mode/,
    );
    const [, name] = repository.split('/');
    assertError(await api(server, 'DELETE', `/projects/library/repositories/${name}/artifacts/v1`), 403, 'DENIED');
    const login = await fetch(`${server.url}/c/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ principal: 'admin', password: adminPassword }).toString(),
    });
    assert.equal(login.status, 200, 'logins go on');
  } finally {
    await putOk({ read_only: false });
  }
  assert.equal((await oci.putManifest(repository, 'v2', image)).status, 201, 'pushes resume');
});

test('a change made through one replica reaches another sharing the database', async (t) => {
  const replica = await startTestBerth({ dataDir: server.dataDir, adminPassword });
  t.after(() => replica.close());
  const read = async () => (await api<Configurations>(replica, 'GET', '/configurations')).body.banner_message.value;
  assert.equal(await read(), '');
  await putOk({ banner_message: 'maintenance at noon' });
  assert.equal(
    (await api<{ banner_message: string }>(server, 'GET', '/systeminfo', { auth: null })).body.banner_message,
    'maintenance at noon',
  );
  // Shared Redis tells the replica at once; without it, its cache lasts at most 2 s.
  const deadline = Date.now() + 5000;
  while ((await read()) !== 'maintenance at noon' && Date.now() < deadline) await sleep(100);
  assert.equal(await read(), 'maintenance at noon');
  await putOk({ banner_message: '' });
});
