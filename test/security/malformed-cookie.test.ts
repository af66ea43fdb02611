import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startApiBerth } from '../helpers/api.js';
import type { TestBerth } from '../helpers/berth.js';
import { createProject } from '../helpers/projects.js';
import { send } from './client.js';

// A session cookie that cannot be decoded (bad percent-encoding) names no session:
// the caller is anonymous, never a 500.

let server: TestBerth;
before(async () => {
  server = await startApiBerth();
  await createProject(server, 'cookie-public', { public: true });
  await createProject(server, 'cookie-private', { public: false });
});
after(() => server.close());

const badCookies = ['sid=%E0%A4%A', 'sid=%', 'sid=%zz; other=1', 'theme=dark; sid=%E0%A4%A'];

for (const cookie of badCookies) {
  test(`GET /api/v2.0/projects with "Cookie: ${cookie}" lists the public projects as for an anonymous caller`, async () => {
    const res = await send(`${server.url}/api/v2.0/projects`, { headers: { cookie } });
    assert.equal(res.status, 200, res.text);
    const names = res.json<{ name: string }[]>().map((p) => p.name);
    assert.ok(names.includes('cookie-public'));
    assert.ok(!names.includes('cookie-private'));
  });

  test(`GET /c/log_out with "Cookie: ${cookie}" answers 200 and clears the cookie, as for an anonymous caller`, async () => {
    const res = await send(`${server.url}/c/log_out`, { headers: { cookie } });
    assert.equal(res.status, 200, res.text);
    assert.match(String(res.headers['set-cookie']), /^sid=;.*Max-Age=0/);
  });
}

test('a bad cookie does not hide Basic credentials sent with it', async () => {
  const res = await send(`${server.url}/api/v2.0/users/current`, {
    headers: {
      cookie: 'sid=%E0%A4%A',
      authorization: `Basic ${Buffer.from('admin:Harbor12345').toString('base64')}`,
    },
  });
  assert.equal(res.status, 200, res.text);
});

test("GET /api/v2.0/users/current with a bad cookie is 401 with Harbor's error body, not 500", async () => {
  const res = await send(`${server.url}/api/v2.0/users/current`, { headers: { cookie: 'sid=%E0%A4%A' } });
  assert.equal(res.status, 401);
  assert.equal(res.json().errors[0].code, 'UNAUTHORIZED');
});
