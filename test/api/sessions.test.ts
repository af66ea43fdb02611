import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { adminPassword, api, basic, startApiBerth } from '../helpers/api.js';
import { assertHarborSchema } from '../helpers/harbor-schema.js';
import type { TestBerth } from '../helpers/berth.js';

// The portal's sessions (POST /c/login, GET /c/log_out, X-Harbor-CSRF-Token) and the
// brute-force limit shared by /c/login, /service/token and Basic auth on /api/v2.0.

function form(fields: Record<string, string>): RequestInit {
  return {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(fields).toString(),
  };
}

async function login(server: TestBerth, principal: string, password: string): Promise<Response> {
  return fetch(`${server.url}/c/login`, form({ principal, password }));
}

/** The `sid=<value>` pair from a Set-Cookie header. */
function sessionCookie(res: Response): string {
  const header = res.headers.get('set-cookie') ?? '';
  const pair = header.split(';')[0];
  assert.match(pair, /^sid=.+/, `Set-Cookie: ${header}`);
  return pair;
}

describe('portal sessions', () => {
  let server: TestBerth;
  before(async () => {
    server = await startApiBerth({ auth: { maxLoginFailures: 1000 } });
  });
  after(() => server.close());

  test('POST /c/login sets an HttpOnly sid cookie and returns the CSRF token; the cookie authenticates API calls', async () => {
    const res = await login(server, 'admin', adminPassword);
    assert.equal(res.status, 200);
    const setCookie = res.headers.get('set-cookie') ?? '';
    assert.match(setCookie, /HttpOnly/i);
    assert.match(setCookie, /Path=\//);
    assert.ok((res.headers.get('x-harbor-csrf-token') ?? '').length >= 16);
    const cookie = sessionCookie(res);
    const me = await api<{ username: string }>(server, 'GET', '/users/current', { auth: null, headers: { cookie } });
    assert.equal(me.status, 200);
    assertHarborSchema('GET', '/users/current', 200, me.body);
    assert.equal(me.body.username, 'admin');
    assert.equal(me.headers.get('x-harbor-csrf-token'), res.headers.get('x-harbor-csrf-token'));
  });

  test('wrong or missing credentials set no cookie', async () => {
    const wrong = await login(server, 'admin', 'Wr0ngPassword');
    assert.equal(wrong.status, 401);
    assert.equal(wrong.headers.get('set-cookie'), null);
    const missing = await fetch(`${server.url}/c/login`, form({ principal: 'admin' }));
    assert.equal(missing.status, 400);
    assert.equal(missing.headers.get('set-cookie'), null);
  });

  test("a cookie-authenticated write without X-Harbor-CSRF-Token is 403; with the session's token it succeeds", async () => {
    const res = await login(server, 'admin', adminPassword);
    const cookie = sessionCookie(res);
    const csrf = res.headers.get('x-harbor-csrf-token') ?? '';
    const me = await api<{ user_id: number }>(server, 'GET', '/users/current', { auth: null, headers: { cookie } });
    const path = `/users/${me.body.user_id}`;

    const without = await api<{ errors: { code: string }[] }>(server, 'PUT', path, {
      auth: null,
      headers: { cookie },
      body: { comment: 'no csrf' },
    });
    assert.equal(without.status, 403);
    assertHarborSchema('PUT', '/users/{user_id}', 403, without.body);
    const forged = await api(server, 'PUT', path, {
      auth: null,
      headers: { cookie, 'x-harbor-csrf-token': 'forged' },
      body: { comment: 'forged' },
    });
    assert.equal(forged.status, 403);
    assert.notEqual((await api<{ comment: string }>(server, 'GET', path)).body.comment, 'forged');

    const withToken = await api(server, 'PUT', path, {
      auth: null,
      headers: { cookie, 'x-harbor-csrf-token': csrf },
      body: { comment: 'with csrf' },
    });
    assert.equal(withToken.status, 200);
    assertHarborSchema('PUT', '/users/{user_id}', 200, withToken.body);
    assert.equal((await api<{ comment: string }>(server, 'GET', path)).body.comment, 'with csrf');
  });

  test("Basic-authenticated writes need no CSRF token (Harbor's scripts)", async () => {
    const me = await api<{ user_id: number }>(server, 'GET', '/users/current');
    const res = await api(server, 'PUT', `/users/${me.body.user_id}`, { body: { comment: 'script' } });
    assert.equal(res.status, 200);
  });

  test('GET /c/log_out ends the session and clears the cookie', async () => {
    const cookie = sessionCookie(await login(server, 'admin', adminPassword));
    assert.equal((await api(server, 'GET', '/users/current', { auth: null, headers: { cookie } })).status, 200);
    const out = await fetch(`${server.url}/c/log_out`, { headers: { cookie } });
    assert.equal(out.status, 200);
    assert.match(out.headers.get('set-cookie') ?? '', /^sid=;.*Max-Age=0/);
    const after = await api(server, 'GET', '/users/current', { auth: null, headers: { cookie } });
    assert.equal(after.status, 401);
    assertHarborSchema('GET', '/users/current', 401, after.body);
  });

  test('after a password change the portal login takes the new password only', async () => {
    const name = `sess${Date.now().toString(36)}`;
    const created = await api(server, 'POST', '/users', {
      body: { username: name, email: `${name}@example.com`, realname: 'S', password: 'F1rstPassword' },
    });
    assert.equal(created.status, 201);
    const id = Number((created.headers.get('location') ?? '').split('/').pop());
    const changed = await api(server, 'PUT', `/users/${id}/password`, {
      auth: basic(name, 'F1rstPassword'),
      body: { old_password: 'F1rstPassword', new_password: 'S3condPassword' },
    });
    assert.equal(changed.status, 200);
    assert.equal((await login(server, name, 'F1rstPassword')).status, 401);
    assert.equal((await login(server, name, 'S3condPassword')).status, 200);
  });
});

describe('failed-login limit', () => {
  // Each case boots its own Berth: the limit also counts per client address, and every request here comes from 127.0.0.1.
  const victim = 'admin';
  const attempts: Record<string, (server: TestBerth, password: string) => Promise<Response>> = {
    '/service/token': (server, password) =>
      fetch(
        `${server.url}/service/token?service=harbor-registry&scope=${encodeURIComponent('repository:library/x:pull')}`,
        { headers: { authorization: basic(victim, password) } },
      ),
    '/c/login': (server, password) => login(server, victim, password),
    '/api/v2.0 (Basic)': (server, password) =>
      fetch(`${server.url}/api/v2.0/users/current`, { headers: { authorization: basic(victim, password) } }),
  };

  for (const [endpoint, attempt] of Object.entries(attempts)) {
    test(`${endpoint}: the 11th wrong password for one user is 429 with Retry-After, and so is the right one until the window ends`, async () => {
      const server = await startApiBerth();
      try {
        for (let i = 1; i <= 10; i++) {
          const res = await attempt(server, `Wr0ngPassword${i}`);
          await res.arrayBuffer();
          assert.equal(res.status, 401, `attempt ${i}`);
        }
        const limited = await attempt(server, 'Wr0ngPassword11');
        assert.equal(limited.status, 429);
        const retryAfter = Number(limited.headers.get('retry-after'));
        assert.ok(
          Number.isInteger(retryAfter) && retryAfter >= 1 && retryAfter <= 60,
          `Retry-After: ${limited.headers.get('retry-after')}`,
        );
        const body = (await limited.json()) as { errors: { code: string }[] };
        assert.ok(body.errors.length > 0);
        const right = await attempt(server, adminPassword);
        await right.arrayBuffer();
        assert.equal(right.status, 429, 'the right password does not get through while the user is locked out');
      } finally {
        await server.close();
      }
    });
  }

  test('the limit counts per address too (auth.maxLoginFailuresPerAddress): failures spread over many usernames lock the address out', async () => {
    const server = await startApiBerth({ auth: { maxLoginFailuresPerAddress: 10 } });
    try {
      for (let i = 1; i <= 10; i++) {
        const res = await login(server, `nobody${i}`, 'Wr0ngPassword');
        assert.equal(res.status, 401);
      }
      const res = await login(server, 'someone-else', 'Wr0ngPassword');
      assert.equal(res.status, 429);
      assert.ok(Number(res.headers.get('retry-after')) >= 1);
    } finally {
      await server.close();
    }
  });

  test('after the window (auth.loginFailureWindowSeconds) the right password works again', async () => {
    const server = await startApiBerth({ auth: { maxLoginFailures: 3, loginFailureWindowSeconds: 1 } });
    try {
      for (let i = 1; i <= 3; i++) assert.equal((await login(server, victim, 'Wr0ngPassword')).status, 401);
      const limited = await login(server, victim, adminPassword);
      assert.equal(limited.status, 429);
      await new Promise((resolve) => setTimeout(resolve, Number(limited.headers.get('retry-after')) * 1000 + 100));
      assert.equal((await login(server, victim, adminPassword)).status, 200);
    } finally {
      await server.close();
    }
  });
});

test("the token service gives a portal session the user's own access, so the portal can read private repositories", async () => {
  const server = await startApiBerth();
  try {
    const project = await api(server, 'POST', '/projects', {
      body: { project_name: 'portal-private', metadata: { public: 'false' } },
    });
    assert.equal(project.status, 201);
    const scope = 'repository:portal-private/app:pull';
    const decode = (token: string) =>
      JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString()) as {
        sub: string;
        access: { actions: string[] }[];
      };
    const anonymous = (await (
      await fetch(`${server.url}/service/token?service=harbor-registry&scope=${scope}`)
    ).json()) as { token: string };
    assert.deepEqual(decode(anonymous.token).access[0].actions, [], 'without a session: nothing on a private project');

    const login = await fetch(`${server.url}/c/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ principal: 'admin', password: adminPassword }).toString(),
    });
    assert.equal(login.status, 200);
    const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0];
    const withSession = (await (
      await fetch(`${server.url}/service/token?service=harbor-registry&scope=${scope}`, { headers: { cookie } })
    ).json()) as { token: string };
    const claims = decode(withSession.token);
    assert.equal(claims.sub, 'admin');
    assert.deepEqual(claims.access[0].actions, ['pull']);
  } finally {
    await server.close();
  }
});
