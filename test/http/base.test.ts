import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { adminAuthorization, startTestBerth, type TestBerth } from '../helpers/berth.js';

let server: TestBerth;
before(async () => {
  server = await startTestBerth();
});
after(() => server.close());

test('GET /v2/ without credentials answers 401 with the token realm (the first step of docker login)', async () => {
  const res = await fetch(`${server.url}/v2/`);
  assert.equal(res.status, 401);
  assert.equal(res.headers.get('docker-distribution-api-version'), 'registry/2.0');
  assert.equal(
    res.headers.get('www-authenticate'),
    `Bearer realm="${server.url}/service/token",service="harbor-registry"`,
  );
  const body = (await res.json()) as { errors: { code: string }[] };
  assert.equal(body.errors[0].code, 'UNAUTHORIZED');
});

test('GET /v2/ with valid credentials answers 200 with the API version header', async () => {
  const res = await fetch(`${server.url}/v2/`, { headers: { authorization: adminAuthorization } });
  assert.equal(res.status, 200);
  assert.equal(res.headers.get('docker-distribution-api-version'), 'registry/2.0');
  assert.deepEqual(await res.json(), {});
});

test('an unknown /v2 route answers a spec error envelope, not a 500', async () => {
  const res = await fetch(`${server.url}/v2/foo/bar/baz`, { headers: { authorization: adminAuthorization } });
  assert.equal(res.status, 404);
  const body = (await res.json()) as { errors: { code: string }[] };
  assert.equal(body.errors[0].code, 'UNSUPPORTED');
});
