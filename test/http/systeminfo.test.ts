import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { api, startApiBerth } from '../helpers/api.js';
import { assertHarborSchema } from '../helpers/harbor-schema.js';
import type { TestBerth } from '../helpers/berth.js';

let server: TestBerth;
before(async () => {
  server = await startApiBerth();
});
after(() => server.close());

test('GET /api/v2.0/ping answers Pong', async () => {
  const res = await api(server, 'GET', '/ping', { auth: null });
  assert.equal(res.status, 200);
  assert.equal(res.body, 'Pong');
});

test("GET /api/v2.0/systeminfo matches Harbor's schema, with more detail for a logged-in user", async () => {
  const anonymous = await api<Record<string, unknown>>(server, 'GET', '/systeminfo', { auth: null });
  assert.equal(anonymous.status, 200);
  assertHarborSchema('GET', '/systeminfo', 200, anonymous.body);
  assert.equal(anonymous.body.auth_mode, 'db_auth');
  assert.equal(anonymous.body.external_url, undefined);
  const admin = await api<Record<string, unknown>>(server, 'GET', '/systeminfo');
  assertHarborSchema('GET', '/systeminfo', 200, admin.body);
  assert.equal(admin.body.external_url, server.url);
});

test("an unknown API path answers Harbor's error body", async () => {
  const res = await api<{ errors: { code: string }[] }>(server, 'GET', '/no-such-thing');
  assert.equal(res.status, 404);
  assert.equal(res.body.errors[0].code, 'NOT_FOUND');
});

test('GET /api/v2.0/systeminfo tells what this Berth has: every GeneralInfo field', async () => {
  const admin = await api<Record<string, unknown>>(server, 'GET', '/systeminfo');
  assert.equal(admin.status, 200);
  assertHarborSchema('GET', '/systeminfo', 200, admin.body);
  const { current_time: now, harbor_version: version, ...rest } = admin.body;
  assert.ok(!Number.isNaN(Date.parse(String(now))));
  assert.match(String(version), /^v2\./);
  assert.deepEqual(rest, {
    auth_mode: 'db_auth',
    primary_auth_mode: false,
    self_registration: false,
    banner_message: '',
    oidc_provider_name: '',
    external_url: server.url,
    registry_url: server.host,
    has_ca_root: false,
    project_creation_restriction: 'everyone',
    read_only: false,
    notification_enable: false,
    registry_storage_provider_name: server.berth.config.storage.type,
    with_notary: false,
    with_chartmuseum: false,
  });
});

test('systeminfo follows the settings: read-only, self-registration, project creation', async () => {
  const changes = { read_only: true, self_registration: true, project_creation_restriction: 'adminonly' };
  assert.equal((await api(server, 'PUT', '/configurations', { body: changes })).status, 200);
  try {
    const admin = await api<Record<string, unknown>>(server, 'GET', '/systeminfo');
    assert.equal(admin.body.read_only, true);
    assert.equal(admin.body.self_registration, true);
    assert.equal(admin.body.project_creation_restriction, 'adminonly');
  } finally {
    const off = { read_only: false, self_registration: false, project_creation_restriction: 'everyone' };
    assert.equal((await api(server, 'PUT', '/configurations', { body: off })).status, 200);
  }
});
