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
