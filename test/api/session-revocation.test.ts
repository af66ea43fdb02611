import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { api, basic, startApiBerth } from '../helpers/api.js';
import { startTestBerth, testAdminPassword, type TestBerth } from '../helpers/berth.js';
import { createUser, userPassword } from '../helpers/projects.js';

// A portal session (/c/login cookie) ends when its user's password changes (by the user
// or by an administrator) or the user is deleted, on every replica.

let server: TestBerth;

before(async () => {
  server = await startApiBerth();
});
after(() => server.close());

/** Logs in through /c/login; returns the cookie and the CSRF token. */
async function portalLogin(
  target: TestBerth,
  username: string,
  password: string,
): Promise<{ cookie: string; csrf: string }> {
  const res = await fetch(`${target.url}/c/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ principal: username, password }).toString(),
  });
  assert.equal(res.status, 200, `login ${username}`);
  return {
    cookie: (res.headers.get('set-cookie') ?? '').split(';')[0],
    csrf: res.headers.get('x-harbor-csrf-token') ?? '',
  };
}

/** GET /users/current with the session cookie only; returns the status. */
async function currentWith(target: TestBerth, cookie: string): Promise<number> {
  return (await api(target, 'GET', '/users/current', { auth: null, headers: { cookie } })).status;
}

test("an administrator resetting a password ends every portal session of that user, not others'", async () => {
  const user = await createUser(server, 'revreset');
  const first = await portalLogin(server, user.username, userPassword);
  const second = await portalLogin(server, user.username, userPassword);
  const admin = await portalLogin(server, 'admin', testAdminPassword);
  assert.equal(await currentWith(server, first.cookie), 200);
  const reset = await api(server, 'PUT', `/users/${user.id}/password`, { body: { new_password: 'N3wPassword' } });
  assert.equal(reset.status, 200);
  assert.equal(await currentWith(server, first.cookie), 401);
  assert.equal(await currentWith(server, second.cookie), 401);
  assert.equal(await currentWith(server, admin.cookie), 200, "the administrator's own session goes on");
  const again = await portalLogin(server, user.username, 'N3wPassword');
  assert.equal(await currentWith(server, again.cookie), 200, 'a login with the new password works');
});

test('a user changing their own password through the session ends that session too', async () => {
  const user = await createUser(server, 'revself');
  const session = await portalLogin(server, user.username, userPassword);
  const changed = await api(server, 'PUT', `/users/${user.id}/password`, {
    auth: null,
    headers: { cookie: session.cookie, 'x-harbor-csrf-token': session.csrf },
    body: { old_password: userPassword, new_password: 'S3lfChanged' },
  });
  assert.equal(changed.status, 200, JSON.stringify(changed.body));
  assert.equal(await currentWith(server, session.cookie), 401);
  assert.equal((await api(server, 'GET', '/users/current', { auth: basic(user.username, 'S3lfChanged') })).status, 200);
});

test('a refused password change (wrong old password) leaves the session alone', async () => {
  const user = await createUser(server, 'revwrong');
  const session = await portalLogin(server, user.username, userPassword);
  const refused = await api(server, 'PUT', `/users/${user.id}/password`, {
    auth: user.auth,
    body: { old_password: 'wrong-Passw0rd', new_password: 'An0therOne' },
  });
  assert.equal(refused.status, 403);
  assert.equal(await currentWith(server, session.cookie), 200);
});

test('deleting a user ends their sessions; another replica on the same database stops honouring them within its cache time', async (t) => {
  const replica = await startTestBerth({ dataDir: server.dataDir });
  t.after(() => replica.close());
  const user = await createUser(server, 'revdelete');
  const here = await portalLogin(server, user.username, userPassword);
  const there = await portalLogin(replica, user.username, userPassword);
  assert.equal(await currentWith(replica, there.cookie), 200, 'the replica has the session cached');
  assert.equal((await api(server, 'DELETE', `/users/${user.id}`)).status, 200);
  assert.equal(await currentWith(server, here.cookie), 401);
  // Without shared Redis the replica's session cache lasts at most 2 s.
  const deadline = Date.now() + 5000;
  while ((await currentWith(replica, there.cookie)) !== 401 && Date.now() < deadline) await sleep(100);
  assert.equal(await currentWith(replica, there.cookie), 401);
});
