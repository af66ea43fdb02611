import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { adminPassword, startApiBerth } from '../helpers/api.js';
import type { TestBerth } from '../helpers/berth.js';
import { basicHeader, portalLogin, send } from './client.js';

// An Authorization header that cannot be read is not a login attempt: it answers 401 the
// same way on /v2, /service/token and /api/v2.0, and never counts as a failed login for
// the client address, so a burst of them does not throttle a right login afterwards.

const b64 = (text: string) => Buffer.from(text).toString('base64');
const malformed: Record<string, string> = {
  'Basic %%%%': 'Basic %%%%',
  'Basic with an empty user name': `Basic ${b64(':Harbor12345')}`,
  'Basic without a colon': `Basic ${b64('admin')}`,
  'Basic that is not base64 (though its base64 part reads admin:x)': `Basic ${b64('admin:x')}%%`,
  'Basic with base64 cut to an impossible length': `Basic ${b64('admin:Wr0ng')}A`,
  'Basic with no value': 'Basic',
  'an unknown scheme': 'Digest username="admin", realm="x"',
  'Bearer with no token': 'Bearer',
};

const endpoints: Record<string, (server: TestBerth) => string> = {
  '/v2/': (server) => `${server.url}/v2/`,
  '/service/token': (server) => `${server.url}/service/token?service=harbor-registry`,
  '/api/v2.0': (server) => `${server.url}/api/v2.0/users/current`,
};

let server: TestBerth;
before(async () => {
  // Small limits: were malformed headers counted, a few would throttle the address.
  server = await startApiBerth({ auth: { maxLoginFailures: 3, maxLoginFailuresPerAddress: 3 } });
});
after(() => server.close());

for (const [what, header] of Object.entries(malformed)) {
  test(`${what}: 401 UNAUTHORIZED on /v2, /service/token and /api/v2.0 alike`, async () => {
    for (const [name, url] of Object.entries(endpoints)) {
      const res = await send(url(server), { headers: { authorization: header } });
      assert.equal(res.status, 401, `${name}: ${res.text}`);
      assert.equal(res.json().errors[0].code, 'UNAUTHORIZED', name);
    }
  });
}

test('POST /service/token with an empty username or password is 400, not a failed login', async () => {
  for (const form of ['grant_type=password&username=&password=x', 'grant_type=password&username=admin']) {
    const res = await send(`${server.url}/service/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: `${form}&service=harbor-registry`,
    });
    assert.equal(res.status, 400, res.text);
  }
});

test('a burst of 50 malformed headers does not throttle a right login from the same address', async () => {
  const headers = Object.values(malformed);
  const urls = Object.values(endpoints);
  for (let i = 0; i < 50; i++) {
    const res = await send(urls[i % urls.length](server), { headers: { authorization: headers[i % headers.length] } });
    assert.ok(res.status === 400 || res.status === 401, `attempt ${i}: ${res.status}`);
  }
  const token = await send(`${endpoints['/service/token'](server)}&scope=repository:library/x:pull`, {
    headers: { authorization: basicHeader('admin', adminPassword) },
  });
  assert.equal(token.status, 200, token.text);
  assert.equal((await portalLogin(server.url, 'admin', adminPassword)).status, 200);
  const v2 = await send(`${server.url}/v2/`, { headers: { authorization: basicHeader('admin', adminPassword) } });
  assert.equal(v2.status, 200);
});
