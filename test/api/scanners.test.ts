import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { api } from '../helpers/api.js';
import { startApiBerth } from '../helpers/api.js';
import type { TestBerth } from '../helpers/berth.js';
import { assertHarborErrors, assertHarborSchema } from '../helpers/harbor-schema.js';
import { addMember, createProject, createUser } from '../helpers/projects.js';
import { startTestAdapter, type TestAdapter } from '../helpers/scanner-adapter.js';

// Harbor's scanner registrations (/scanners, tag "scanner") and a project's scanner
// (/projects/{p}/scanner, …/candidates): the built-in scanner registered and default from the
// start, immutable; an adapter of the pluggable scanner API v1.2 registered by URL and auth,
// pinged before it is saved, its credential never shown; one default; each project's pick.

interface Registration {
  uuid: string;
  name: string;
  url: string;
  is_default: boolean;
  disabled: boolean;
  auth: string;
  access_credential: string;
  health: string;
  adapter?: string;
  version?: string;
  capabilities?: Record<string, boolean>;
}

const token = 'Bearer s3cr3t-adapter-token';
let server: TestBerth;
let adapter: TestAdapter;

before(async () => {
  server = await startApiBerth();
  adapter = await startTestAdapter({ authorization: token });
});
after(async () => {
  await server.close();
  await adapter.close();
});

async function registrations(query = ''): Promise<Registration[]> {
  const res = await api<Registration[]>(server, 'GET', `/scanners${query}`);
  assert.equal(res.status, 200, JSON.stringify(res.body));
  assertHarborSchema('GET', '/scanners', 200, res.body);
  return res.body;
}

async function register(name: string, body: Record<string, unknown> = {}): Promise<string> {
  const res = await api(server, 'POST', '/scanners', {
    body: { name, url: adapter.url, auth: 'Bearer', access_credential: 's3cr3t-adapter-token', ...body },
  });
  assert.equal(res.status, 201, JSON.stringify(res.body));
  const location = res.headers.get('location') ?? '';
  assert.match(location, /^\/api\/v2\.0\/scanners\/[0-9a-f-]{36}$/);
  return location.split('/').pop()!;
}

function refused(res: { status: number; body: unknown }, status: number, message: RegExp): void {
  assert.equal(res.status, status, JSON.stringify(res.body));
  assertHarborErrors(res.body);
  assert.match((res.body as { errors: { message: string }[] }).errors[0]!.message, message);
}

test('the built-in scanner is registered, default, healthy, and immutable', async () => {
  const [builtin, ...others] = await registrations();
  assert.equal(others.length, 0);
  assert.equal(builtin!.name, 'Berth');
  assert.equal(builtin!.is_default, true);
  assert.equal(builtin!.health, 'healthy');
  assert.deepEqual(builtin!.capabilities, { support_vulnerability: true, support_sbom: true });

  const one = await api<Registration>(server, 'GET', `/scanners/${builtin!.uuid}`);
  assertHarborSchema('GET', '/scanners/{registration_id}', 200, one.body);
  assert.equal(one.body.adapter, 'Berth');

  const meta = await api<{ scanner: { name: string }; capabilities: unknown[]; properties: Record<string, string> }>(
    server,
    'GET',
    `/scanners/${builtin!.uuid}/metadata`,
  );
  assertHarborSchema('GET', '/scanners/{registration_id}/metadata', 200, meta.body);
  assert.equal(meta.body.scanner.name, 'Berth');
  assert.equal(meta.body.capabilities.length, 2);
  assert.equal(meta.body.properties['harbor.scanner-adapter/scanner-type'], 'os-package-vulnerability');

  refused(
    await api(server, 'DELETE', `/scanners/${builtin!.uuid}`),
    403,
    /^registration Berth is not allowed to delete as it is immutable: scanner API: delete$/,
  );
  refused(
    await api(server, 'PUT', `/scanners/${builtin!.uuid}`, { body: { name: 'Other', url: 'http://127.0.0.1:1' } }),
    403,
    /^registration Berth is not allowed to update as it is immutable/,
  );
});

test('an adapter is registered by URL and Bearer auth, pinged first, and its credential is never shown', async () => {
  const before = adapter.metadataRequests.length;
  const uuid = await register('Trivy');
  assert.ok(adapter.metadataRequests.length > before, 'Berth asked the adapter for its metadata before saving it');
  assert.equal(adapter.metadataRequests.at(-1)!.authorization, token);

  const res = await api<Registration>(server, 'GET', `/scanners/${uuid}`);
  assert.equal(res.status, 200);
  assertHarborSchema('GET', '/scanners/{registration_id}', 200, res.body);
  assert.equal(res.body.health, 'healthy');
  assert.equal(res.body.adapter, 'Test Scanner');
  assert.equal(res.body.version, '1.2.3');
  assert.equal(res.body.auth, 'Bearer');
  assert.equal(res.body.access_credential, '', 'the credential stays in Berth');
  assert.equal(res.body.is_default, false);
  assert.deepEqual(res.body.capabilities, { support_vulnerability: true, support_sbom: false });
  assert.ok(!JSON.stringify(await registrations()).includes('s3cr3t'), 'no listing shows the credential');

  // An update without the credential keeps it: the adapter still answers.
  const update = await api(server, 'PUT', `/scanners/${uuid}`, {
    body: { name: 'Trivy', description: 'the Trivy adapter', url: `${adapter.url}/`, auth: 'Bearer' },
  });
  assert.equal(update.status, 200, JSON.stringify(update.body));
  const meta = await api(server, 'GET', `/scanners/${uuid}/metadata`);
  assert.equal(meta.status, 200, JSON.stringify(meta.body));
  assertHarborSchema('GET', '/scanners/{registration_id}/metadata', 200, meta.body);

  const deleted = await api<Registration>(server, 'DELETE', `/scanners/${uuid}`);
  assert.equal(deleted.status, 200);
  assertHarborSchema('DELETE', '/scanners/{registration_id}', 200, deleted.body);
  assert.equal(deleted.body.uuid, uuid);
  assert.equal((await api(server, 'GET', `/scanners/${uuid}`)).status, 404);
});

test('bad registrations are refused with a reason, and nothing is saved', async () => {
  const count = (await registrations()).length;
  refused(await api(server, 'POST', '/scanners', { body: { url: adapter.url } }), 400, /missing registration name/);
  refused(
    await api(server, 'POST', '/scanners', { body: { name: 'x', url: 'ftp://host' } }),
    400,
    /must be http or https/,
  );
  refused(
    await api(server, 'POST', '/scanners', {
      body: { name: 'x', url: adapter.url, auth: 'Digest', access_credential: 'a' },
    }),
    400,
    /auth type Digest is not supported/,
  );
  refused(
    await api(server, 'POST', '/scanners', { body: { name: 'x', url: adapter.url, auth: 'Bearer' } }),
    400,
    /access_credential is required for auth type Bearer/,
  );
  refused(
    await api(server, 'POST', '/scanners', {
      body: { name: 'x', url: adapter.url, auth: 'Bearer', access_credential: 'wrong' },
    }),
    400,
    /refused its metadata: invalid credentials/,
  );
  refused(
    await api(server, 'POST', '/scanners', { body: { name: 'x', url: 'http://127.0.0.1:9' } }),
    400,
    /could not be reached/,
  );
  refused(await api(server, 'POST', '/scanners', { body: { name: 'Berth', url: adapter.url } }), 400, /is reserved/);
  refused(await api(server, 'POST', '/scanners', { body: 'not json' }), 400, /.+/);
  assert.equal((await registrations()).length, count);

  await register('Unique');
  refused(
    await api(server, 'POST', '/scanners', { body: { name: 'Unique', url: 'http://127.0.0.1:2' } }),
    409,
    /already exists/,
  );
  refused(
    await api(server, 'POST', '/scanners', {
      body: { name: 'Elsewhere', url: adapter.url, auth: 'Bearer', access_credential: 'x' },
    }),
    409,
    /already registered at/,
  );
  assert.equal((await registrations('?q=name%3D~niq')).length, 1, 'q=name=~ filters');
  assert.equal((await registrations('?name=niq')).length, 1, "Harbor's older name parameter filters too");
  assert.equal((await registrations('?q=name%3DUniq')).length, 0, 'q=name= is exact');
});

test('ping checks settings without saving them', async () => {
  const ok = await api(server, 'POST', '/scanners/ping', {
    body: { name: 'probe', url: adapter.url, auth: 'Bearer', access_credential: 's3cr3t-adapter-token' },
  });
  assert.equal(ok.status, 200, JSON.stringify(ok.body));
  refused(
    await api(server, 'POST', '/scanners/ping', { body: { name: 'probe', url: adapter.url } }),
    400,
    /refused its metadata/,
  );
  assert.ok(!(await registrations()).some((r) => r.name === 'probe'));
});

test('one default: PATCH moves it, deleting the default gives it back to the built-in scanner', async () => {
  const uuid = await register('Second', { url: `${adapter.url}/second` });
  const patch = await api(server, 'PATCH', `/scanners/${uuid}`, { body: { is_default: true } });
  assert.equal(patch.status, 200, JSON.stringify(patch.body));
  let all = await registrations();
  assert.deepEqual(
    all.filter((r) => r.is_default).map((r) => r.name),
    ['Second'],
  );
  refused(
    await api(server, 'PUT', `/scanners/${uuid}`, {
      body: { name: 'Second', url: `${adapter.url}/second`, disabled: true },
    }),
    400,
    /can not be marked to deactivated/,
  );
  assert.equal((await api(server, 'DELETE', `/scanners/${uuid}`)).status, 200);
  all = await registrations();
  assert.deepEqual(
    all.filter((r) => r.is_default).map((r) => r.name),
    ['Berth'],
  );
});

test("a project's scanner: the default until the project admin picks one; others may look, not pick", async () => {
  await createProject(server, 'scanned');
  const dev = await createUser(server, 'scan-dev');
  await addMember(server, 'scanned', dev.username, 2);
  const pick = await register('ForProject', { url: `${adapter.url}/project` });

  const initial = await api<Registration>(server, 'GET', '/projects/scanned/scanner');
  assert.equal(initial.status, 200);
  assertHarborSchema('GET', '/projects/{project_name_or_id}/scanner', 200, initial.body);
  assert.equal(initial.body.name, 'Berth');

  const candidates = await api<Registration[]>(server, 'GET', '/projects/scanned/scanner/candidates?page_size=100');
  assert.equal(candidates.status, 200);
  assertHarborSchema('GET', '/projects/{project_name_or_id}/scanner/candidates', 200, candidates.body);
  assert.ok(candidates.body.some((r) => r.uuid === pick));

  assert.equal(
    (await api(server, 'PUT', '/projects/scanned/scanner', { body: { uuid: pick }, auth: dev.auth })).status,
    403,
  );
  assert.equal((await api(server, 'GET', '/projects/scanned/scanner/candidates', { auth: dev.auth })).status, 403);
  const seen = await api<Registration>(server, 'GET', '/projects/scanned/scanner', { auth: dev.auth });
  assert.equal(seen.status, 200);

  const set = await api(server, 'PUT', '/projects/scanned/scanner', { body: { uuid: pick } });
  assert.equal(set.status, 200, JSON.stringify(set.body));
  assert.equal((await api<Registration>(server, 'GET', '/projects/scanned/scanner')).body.uuid, pick);
  refused(
    await api(server, 'PUT', '/projects/scanned/scanner', { body: { uuid: 'nope' } }),
    404,
    /scanner nope not found/,
  );

  // A deleted registration no longer serves the project: it falls back to the default.
  assert.equal((await api(server, 'DELETE', `/scanners/${pick}`)).status, 200);
  assert.equal((await api<Registration>(server, 'GET', '/projects/scanned/scanner')).body.name, 'Berth');
});

test('scanner registrations are for system admins only', async () => {
  const user = await createUser(server, 'scan-nobody');
  assert.equal((await api(server, 'GET', '/scanners', { auth: user.auth })).status, 403);
  assert.equal((await api(server, 'GET', '/scanners', { auth: null })).status, 401);
  assert.equal(
    (await api(server, 'POST', '/scanners', { auth: user.auth, body: { name: 'x', url: adapter.url } })).status,
    403,
  );
});
