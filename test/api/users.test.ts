import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { adminAuth, api, basic, startApiBerth, type ApiResponse } from '../helpers/api.js';
import { assertHarborSchema } from '../helpers/harbor-schema.js';
import type { TestBerth } from '../helpers/berth.js';

// Harbor's /users operations, checked against Harbor's swagger on every response.

interface UserResp {
  user_id: number;
  username: string;
  email: string;
  realname: string;
  comment: string;
  sysadmin_flag: boolean;
  admin_role_in_auth: boolean;
  creation_time: string;
  update_time: string;
}

interface ErrorBody {
  errors: { code: string; message: string }[];
}

const password = 'Passw0rdOne';

let server: TestBerth;
before(async () => {
  // Many deliberate wrong passwords below; keep them clear of the brute-force limit.
  server = await startApiBerth({ auth: { maxLoginFailures: 1000 } });
});
after(() => server.close());

let counter = 0;
function uniqueName(prefix = 'user'): string {
  counter += 1;
  return `${prefix}${counter}${Date.now().toString(36)}`;
}

async function createUser(
  name = uniqueName(),
  extra: Record<string, unknown> = {},
): Promise<{ id: number; name: string; auth: string }> {
  const res = await api(server, 'POST', '/users', {
    body: { username: name, email: `${name}@example.com`, realname: `Real ${name}`, password, ...extra },
  });
  assert.equal(res.status, 201, JSON.stringify(res.body));
  const location = res.headers.get('location') ?? '';
  const id = Number(/^\/api\/v2\.0\/users\/(\d+)$/.exec(location)?.[1]);
  assert.ok(id > 0, `Location header: ${location}`);
  return { id, name, auth: basic(name, password) };
}

function check<T>(method: string, template: string, res: ApiResponse<T>, status: number): ApiResponse<T> {
  assert.equal(res.status, status, JSON.stringify(res.body));
  assertHarborSchema(method, template, res.status, res.body);
  return res;
}

async function registryToken(auth: string, scope = 'repository:library/x:pull'): Promise<string> {
  const res = await fetch(`${server.url}/service/token?service=harbor-registry&scope=${encodeURIComponent(scope)}`, {
    headers: { authorization: auth },
  });
  assert.equal(res.status, 200);
  return ((await res.json()) as { token: string }).token;
}

async function v2Status(authorization: string): Promise<number> {
  const res = await fetch(`${server.url}/v2/`, { headers: { authorization } });
  await res.arrayBuffer();
  return res.status;
}

describe('POST /users', () => {
  test('an administrator creates a user: 201 with Location, and the user can log in', async () => {
    const name = uniqueName();
    const res = await api(server, 'POST', '/users', {
      body: { username: name, email: `${name}@example.com`, realname: 'Real Name', comment: 'a comment', password },
    });
    check('POST', '/users', res, 201);
    const location = res.headers.get('location') ?? '';
    assert.match(location, /^\/api\/v2\.0\/users\/\d+$/);
    const got = check(
      'GET',
      '/users/{user_id}',
      await api<UserResp>(server, 'GET', location.replace('/api/v2.0', '')),
      200,
    );
    assert.equal(got.body.username, name);
    assert.equal(got.body.email, `${name}@example.com`);
    assert.equal(got.body.realname, 'Real Name');
    assert.equal(got.body.comment, 'a comment');
    assert.equal(got.body.sysadmin_flag, false);
    assert.equal(got.body.admin_role_in_auth, false);
    assert.ok(!Number.isNaN(Date.parse(got.body.creation_time)));
    const own = check(
      'GET',
      '/users/current',
      await api<UserResp>(server, 'GET', '/users/current', { auth: basic(name, password) }),
      200,
    );
    assert.equal(own.body.user_id, got.body.user_id);
  });

  test('responses never carry a password or its hash', async () => {
    const user = await createUser();
    const one = await api<Record<string, unknown>>(server, 'GET', `/users/${user.id}`);
    const list = await api<Record<string, unknown>[]>(server, 'GET', `/users?q=username%3D${user.name}`);
    for (const body of [one.body, ...list.body]) {
      for (const key of Object.keys(body)) assert.doesNotMatch(key, /password|hash|salt/i);
      assert.doesNotMatch(JSON.stringify(body), /argon2/);
    }
  });

  test('usernames with any of , " ~ # $ % or over 255 characters are refused with 400', async () => {
    for (const bad of ['a,b', 'a"b', 'a~b', 'a#b', 'robot$x', 'a%b', 'x'.repeat(256), '']) {
      const res = await api<ErrorBody>(server, 'POST', '/users', {
        body: { username: bad, email: `${uniqueName()}@example.com`, realname: 'R', password },
      });
      check('POST', '/users', res, 400);
      assert.equal(res.body.errors[0].code, 'BAD_REQUEST');
    }
    const longest = 'y'.repeat(255);
    check(
      'POST',
      '/users',
      await api(server, 'POST', '/users', {
        body: { username: longest, email: `${uniqueName()}@example.com`, realname: 'R', password },
      }),
      201,
    );
  });

  test('a missing or malformed email, a weak password or a missing body is 400', async () => {
    const name = uniqueName();
    const cases: Record<string, unknown>[] = [
      { username: name, realname: 'R', password },
      { username: name, email: 'not-an-email', realname: 'R', password },
      { username: name, email: 'a@b', realname: 'R', password },
      { username: name, email: `${name}@example.com`, realname: 'R', password: 'short1A' },
      { username: name, email: `${name}@example.com`, realname: 'R', password: 'alllowercase1' },
      { username: name, email: `${name}@example.com`, realname: 'R' },
      { username: name, email: `${name}@example.com`, realname: 'R', password: 12345678 },
    ];
    for (const body of cases) {
      const res = await api<ErrorBody>(server, 'POST', '/users', { body });
      check('POST', '/users', res, 400);
    }
    const noBody = await fetch(`${server.url}/api/v2.0/users`, {
      method: 'POST',
      headers: { authorization: adminAuth, 'content-type': 'application/json' },
      body: '"x"',
    });
    assert.equal(noBody.status, 400);
    assertHarborSchema('POST', '/users', 400, await noBody.json());
    const listed = await api<UserResp[]>(server, 'GET', `/users?q=username%3D${name}`);
    assert.equal(listed.body.length, 0, 'no user is created by a refused request');
  });

  test('a duplicate username or email is 409', async () => {
    const user = await createUser();
    const sameName = await api<ErrorBody>(server, 'POST', '/users', {
      body: { username: user.name, email: `${uniqueName()}@example.com`, realname: 'R', password },
    });
    check('POST', '/users', sameName, 409);
    assert.equal(sameName.body.errors[0].code, 'CONFLICT');
    const sameEmail = await api(server, 'POST', '/users', {
      body: { username: uniqueName(), email: `${user.name}@example.com`, realname: 'R', password },
    });
    check('POST', '/users', sameEmail, 409);
  });

  test('without self-registration, anonymous callers get 401 and non-administrators 403', async () => {
    const user = await createUser();
    const body = { username: uniqueName(), email: `${uniqueName()}@example.com`, realname: 'R', password };
    check('POST', '/users', await api(server, 'POST', '/users', { body, auth: null }), 401);
    check('POST', '/users', await api(server, 'POST', '/users', { body, auth: user.auth }), 403);
  });
});

describe('self-registration', () => {
  let open: TestBerth;
  before(async () => {
    open = await startApiBerth({ auth: { selfRegistration: true } });
  });
  after(() => open.close());

  test('when enabled, anyone may sign up and then log in; the new account is not an administrator', async () => {
    const name = uniqueName('self');
    const res = await api(open, 'POST', '/users', {
      auth: null,
      body: { username: name, email: `${name}@example.com`, realname: 'Self', password },
    });
    check('POST', '/users', res, 201);
    const me = check(
      'GET',
      '/users/current',
      await api<UserResp>(open, 'GET', '/users/current', { auth: basic(name, password) }),
      200,
    );
    assert.equal(me.body.username, name);
    assert.equal(me.body.sysadmin_flag, false);
    const info = await api<{ self_registration: boolean }>(open, 'GET', '/systeminfo', { auth: null });
    assert.equal(info.body.self_registration, true);
    // Signing up still validates like any other creation.
    check(
      'POST',
      '/users',
      await api(open, 'POST', '/users', {
        auth: null,
        body: { username: name, email: `x${name}@example.com`, realname: 'Self', password },
      }),
      409,
    );
  });
});

describe('GET /users', () => {
  test('lists users with paging headers, exact and fuzzy q, and sort; the first administrator is left out', async () => {
    const tag = uniqueName('list');
    const made = [];
    for (const suffix of ['c', 'a', 'b']) made.push(await createUser(`${tag}${suffix}`));
    const all = check('GET', '/users', await api<UserResp[]>(server, 'GET', '/users?page_size=100'), 200);
    assert.ok(!all.body.some((u) => u.username === 'admin'), 'Harbor does not list user 1');
    assert.equal(all.headers.get('x-total-count'), String(all.body.length));

    const fuzzy = check(
      'GET',
      '/users',
      await api<UserResp[]>(server, 'GET', `/users?q=${encodeURIComponent(`username=~${tag}`)}&sort=username`),
      200,
    );
    assert.deepEqual(
      fuzzy.body.map((u) => u.username),
      [`${tag}a`, `${tag}b`, `${tag}c`],
    );
    assert.equal(fuzzy.headers.get('x-total-count'), '3');

    const desc = check(
      'GET',
      '/users',
      await api<UserResp[]>(
        server,
        'GET',
        `/users?q=${encodeURIComponent(`username=~${tag.toUpperCase()}`)}&sort=-username`,
      ),
      200,
    );
    assert.deepEqual(
      desc.body.map((u) => u.username),
      [`${tag}c`, `${tag}b`, `${tag}a`],
      'fuzzy match ignores case',
    );

    const exact = check(
      'GET',
      '/users',
      await api<UserResp[]>(server, 'GET', `/users?q=${encodeURIComponent(`username=${tag}b`)}`),
      200,
    );
    assert.deepEqual(
      exact.body.map((u) => u.user_id),
      [made[2].id],
    );
    const partial = check(
      'GET',
      '/users',
      await api<UserResp[]>(server, 'GET', `/users?q=${encodeURIComponent(`username=${tag}`)}`),
      200,
    );
    assert.equal(partial.body.length, 0, 'an exact match does not match a prefix');

    const byEmail = check(
      'GET',
      '/users',
      await api<UserResp[]>(server, 'GET', `/users?q=${encodeURIComponent(`email=${tag}a@example.com`)}`),
      200,
    );
    assert.deepEqual(
      byEmail.body.map((u) => u.username),
      [`${tag}a`],
    );

    const page2 = check(
      'GET',
      '/users',
      await api<UserResp[]>(
        server,
        'GET',
        `/users?q=${encodeURIComponent(`username=~${tag}`)}&sort=username&page=2&page_size=2`,
      ),
      200,
    );
    assert.deepEqual(
      page2.body.map((u) => u.username),
      [`${tag}c`],
    );
    assert.equal(page2.headers.get('x-total-count'), '3');
    assert.match(page2.headers.get('link') ?? '', /page=1&page_size=2>; rel="prev"/);
    const page1 = await api<UserResp[]>(
      server,
      'GET',
      `/users?q=${encodeURIComponent(`username=~${tag}`)}&sort=username&page=1&page_size=2`,
    );
    assert.match(page1.headers.get('link') ?? '', /page=2&page_size=2>; rel="next"/);
  });

  test('a wildcard character in a fuzzy search matches only itself', async () => {
    const tag = uniqueName('wild');
    await createUser(`${tag}_x`);
    await createUser(`${tag}yx`);
    const res = check(
      'GET',
      '/users',
      await api<UserResp[]>(server, 'GET', `/users?q=${encodeURIComponent(`username=~${tag}_`)}`),
      200,
    );
    assert.deepEqual(
      res.body.map((u) => u.username),
      [`${tag}_x`],
    );
  });

  test('an unknown filter or sort key is ignored, as Harbor does', async () => {
    const all = await api(server, 'GET', '/users?page_size=100');
    for (const query of ['q=password%3Dx', 'sort=password']) {
      const res = await api(server, 'GET', `/users?page_size=100&${query}`);
      assert.equal(res.status, 200, query);
      assert.deepEqual(res.body, all.body, query);
    }
  });

  test('anonymous callers get 401, users who are not administrators 403', async () => {
    const user = await createUser();
    check('GET', '/users', await api(server, 'GET', '/users', { auth: null }), 401);
    check('GET', '/users', await api(server, 'GET', '/users', { auth: user.auth }), 403);
  });
});

describe('GET /users/current and /users/search', () => {
  test('GET /users/current answers the caller, 401 for anonymous callers', async () => {
    const user = await createUser();
    const me = check(
      'GET',
      '/users/current',
      await api<UserResp>(server, 'GET', '/users/current', { auth: user.auth }),
      200,
    );
    assert.equal(me.body.user_id, user.id);
    const admin = check('GET', '/users/current', await api<UserResp>(server, 'GET', '/users/current'), 200);
    assert.equal(admin.body.username, 'admin');
    assert.equal(admin.body.sysadmin_flag, true);
    check('GET', '/users/current', await api(server, 'GET', '/users/current', { auth: null }), 401);
    check(
      'GET',
      '/users/current',
      await api(server, 'GET', '/users/current', { auth: basic(user.name, 'Wr0ngPassword') }),
      401,
    );
  });

  test('any logged-in user searches by username (fuzzy) and gets ids and names only, paged', async () => {
    const tag = uniqueName('find');
    const a = await createUser(`${tag}one`);
    const b = await createUser(`${tag}two`);
    const searcher = await createUser();
    const res = check(
      'GET',
      '/users/search',
      await api<Record<string, unknown>[]>(server, 'GET', `/users/search?username=${tag}`, { auth: searcher.auth }),
      200,
    );
    assert.deepEqual(res.body, [
      { user_id: a.id, username: a.name },
      { user_id: b.id, username: b.name },
    ]);
    assert.equal(res.headers.get('x-total-count'), '2');
    const paged = check(
      'GET',
      '/users/search',
      await api<Record<string, unknown>[]>(server, 'GET', `/users/search?username=${tag}&page=2&page_size=1`, {
        auth: searcher.auth,
      }),
      200,
    );
    assert.deepEqual(paged.body, [{ user_id: b.id, username: b.name }]);
    assert.match(paged.headers.get('link') ?? '', /rel="prev"/);
    const none = check(
      'GET',
      '/users/search',
      await api<unknown[]>(server, 'GET', `/users/search?username=${tag}zzz`, { auth: searcher.auth }),
      200,
    );
    assert.deepEqual(none.body, []);
    check('GET', '/users/search', await api(server, 'GET', `/users/search?username=${tag}`, { auth: null }), 401);
    assert.equal((await api(server, 'GET', '/users/search', { auth: searcher.auth })).status, 400);
  });
});

describe('GET and PUT /users/{user_id}', () => {
  test('users read themselves; others need to be administrators; unknown ids are 404', async () => {
    const user = await createUser();
    const other = await createUser();
    check('GET', '/users/{user_id}', await api(server, 'GET', `/users/${user.id}`, { auth: user.auth }), 200);
    check('GET', '/users/{user_id}', await api(server, 'GET', `/users/${other.id}`, { auth: user.auth }), 403);
    check('GET', '/users/{user_id}', await api(server, 'GET', `/users/${other.id}`), 200);
    check('GET', '/users/{user_id}', await api(server, 'GET', '/users/999999'), 404);
    check('GET', '/users/{user_id}', await api(server, 'GET', `/users/${user.id}`, { auth: null }), 401);
    assert.equal((await api(server, 'GET', '/users/abc')).status, 400);
  });

  test('users change their own email, realname and comment; not their username or rights', async () => {
    const user = await createUser();
    const res = await api(server, 'PUT', `/users/${user.id}`, {
      auth: user.auth,
      body: {
        email: `new-${user.name}@example.org`,
        realname: 'New Name',
        comment: 'updated',
        username: 'hijack',
        sysadmin_flag: true,
      },
    });
    check('PUT', '/users/{user_id}', res, 200);
    const got = await api<UserResp>(server, 'GET', `/users/${user.id}`);
    assert.equal(got.body.email, `new-${user.name}@example.org`);
    assert.equal(got.body.realname, 'New Name');
    assert.equal(got.body.comment, 'updated');
    assert.equal(got.body.username, user.name);
    assert.equal(got.body.sysadmin_flag, false);
    assert.ok(got.body.update_time >= got.body.creation_time);
    // A field left out keeps its value.
    check(
      'PUT',
      '/users/{user_id}',
      await api(server, 'PUT', `/users/${user.id}`, { auth: user.auth, body: { comment: 'again' } }),
      200,
    );
    const again = await api<UserResp>(server, 'GET', `/users/${user.id}`);
    assert.equal(again.body.realname, 'New Name');
    assert.equal(again.body.comment, 'again');
  });

  test('updating another user needs an administrator; bad input is 400; unknown ids 404', async () => {
    const user = await createUser();
    const other = await createUser();
    check(
      'PUT',
      '/users/{user_id}',
      await api(server, 'PUT', `/users/${other.id}`, { auth: user.auth, body: { realname: 'x' } }),
      403,
    );
    check(
      'PUT',
      '/users/{user_id}',
      await api(server, 'PUT', `/users/${other.id}`, { auth: null, body: { realname: 'x' } }),
      401,
    );
    check(
      'PUT',
      '/users/{user_id}',
      await api(server, 'PUT', `/users/${other.id}`, { body: { realname: 'By Admin' } }),
      200,
    );
    assert.equal((await api<UserResp>(server, 'GET', `/users/${other.id}`)).body.realname, 'By Admin');
    check(
      'PUT',
      '/users/{user_id}',
      await api(server, 'PUT', `/users/${other.id}`, { body: { email: 'broken' } }),
      400,
    );
    check(
      'PUT',
      '/users/{user_id}',
      await api(server, 'PUT', `/users/${other.id}`, { body: { realname: 'bad#name' } }),
      400,
    );
    check(
      'PUT',
      '/users/{user_id}',
      await api(server, 'PUT', `/users/${other.id}`, { body: { comment: 'c'.repeat(31) } }),
      400,
    );
    check('PUT', '/users/{user_id}', await api(server, 'PUT', '/users/999999', { body: { realname: 'x' } }), 404);
    // Another user's email: refused (Harbor answers 500 from the unique index; Berth says why).
    const taken = await api<ErrorBody>(server, 'PUT', `/users/${other.id}`, {
      body: { email: `${user.name}@example.com` },
    });
    assert.equal(taken.status, 409);
    assert.equal(taken.body.errors[0].code, 'CONFLICT');
  });
});

describe('PUT /users/{user_id}/password', () => {
  test('users prove their old password; after a change the old one fails and the new one works, on the API and on /v2', async () => {
    const user = await createUser();
    const template = '/users/{user_id}/password';
    const path = `/users/${user.id}/password`;
    const newPassword = 'N3wPassword!';
    check(
      'PUT',
      template,
      await api(server, 'PUT', path, { auth: user.auth, body: { new_password: newPassword } }),
      403,
    );
    check(
      'PUT',
      template,
      await api(server, 'PUT', path, {
        auth: user.auth,
        body: { old_password: 'Wr0ngOldOne', new_password: newPassword },
      }),
      403,
    );
    check(
      'PUT',
      template,
      await api(server, 'PUT', path, { auth: user.auth, body: { old_password: password, new_password: 'weak' } }),
      400,
    );
    check(
      'PUT',
      template,
      await api(server, 'PUT', path, { auth: user.auth, body: { old_password: password, new_password: password } }),
      400,
    );
    assert.equal(await v2Status(user.auth), 200, 'Basic auth on /v2 works before the change');

    check(
      'PUT',
      template,
      await api(server, 'PUT', path, { auth: user.auth, body: { old_password: password, new_password: newPassword } }),
      200,
    );
    check('GET', '/users/current', await api(server, 'GET', '/users/current', { auth: user.auth }), 401);
    check(
      'GET',
      '/users/current',
      await api(server, 'GET', '/users/current', { auth: basic(user.name, newPassword) }),
      200,
    );
    assert.equal(await v2Status(user.auth), 401);
    assert.equal(await v2Status(basic(user.name, newPassword)), 200);
  });

  test("administrators reset another user's password without the old one; others may not", async () => {
    const user = await createUser();
    const other = await createUser();
    const template = '/users/{user_id}/password';
    check(
      'PUT',
      template,
      await api(server, 'PUT', `/users/${other.id}/password`, {
        auth: user.auth,
        body: { old_password: password, new_password: 'Ch4ngedByPeer' },
      }),
      403,
    );
    check(
      'PUT',
      template,
      await api(server, 'PUT', `/users/${other.id}/password`, {
        auth: null,
        body: { new_password: 'Ch4ngedByNobody' },
      }),
      401,
    );
    check(
      'PUT',
      template,
      await api(server, 'PUT', `/users/${other.id}/password`, { body: { new_password: password } }),
      400,
    );
    check(
      'PUT',
      template,
      await api(server, 'PUT', `/users/${other.id}/password`, { body: { new_password: 'R3setByAdmin' } }),
      200,
    );
    assert.equal((await api(server, 'GET', '/users/current', { auth: other.auth })).status, 401);
    assert.equal((await api(server, 'GET', '/users/current', { auth: basic(other.name, 'R3setByAdmin') })).status, 200);
    assert.equal(
      (await api(server, 'PUT', '/users/999999/password', { body: { new_password: 'R3setByAdmin' } })).status,
      404,
    );
  });
});

describe('PUT /users/{user_id}/sysadmin', () => {
  test('administrators grant and revoke system administration, which takes effect at once', async () => {
    const user = await createUser();
    const template = '/users/{user_id}/sysadmin';
    check(
      'PUT',
      template,
      await api(server, 'PUT', `/users/${user.id}/sysadmin`, { auth: user.auth, body: { sysadmin_flag: true } }),
      403,
    );
    check(
      'PUT',
      template,
      await api(server, 'PUT', `/users/${user.id}/sysadmin`, { auth: null, body: { sysadmin_flag: true } }),
      401,
    );
    check('GET', '/users', await api(server, 'GET', '/users', { auth: user.auth }), 403);

    check(
      'PUT',
      template,
      await api(server, 'PUT', `/users/${user.id}/sysadmin`, { body: { sysadmin_flag: true } }),
      200,
    );
    assert.equal((await api<UserResp>(server, 'GET', `/users/${user.id}`)).body.sysadmin_flag, true);
    check('GET', '/users', await api(server, 'GET', '/users', { auth: user.auth }), 200);

    check(
      'PUT',
      template,
      await api(server, 'PUT', `/users/${user.id}/sysadmin`, { body: { sysadmin_flag: false } }),
      200,
    );
    check('GET', '/users', await api(server, 'GET', '/users', { auth: user.auth }), 403);

    check('PUT', template, await api(server, 'PUT', '/users/999999/sysadmin', { body: { sysadmin_flag: true } }), 404);
    assert.equal(
      (await api(server, 'PUT', `/users/${user.id}/sysadmin`, { body: { sysadmin_flag: 'yes' } })).status,
      400,
    );
  });
});

describe('DELETE /users/{user_id}', () => {
  test('only administrators delete, never themselves; unknown ids are 404', async () => {
    const user = await createUser();
    const other = await createUser();
    const template = '/users/{user_id}';
    check('DELETE', template, await api(server, 'DELETE', `/users/${other.id}`, { auth: user.auth }), 403);
    check('DELETE', template, await api(server, 'DELETE', `/users/${other.id}`, { auth: null }), 401);
    const me = await api<UserResp>(server, 'GET', '/users/current');
    check('DELETE', template, await api(server, 'DELETE', `/users/${me.body.user_id}`), 403);
    check('DELETE', template, await api(server, 'DELETE', '/users/999999'), 404);
    check('DELETE', template, await api(server, 'DELETE', `/users/${other.id}`), 200);
    check('GET', '/users/{user_id}', await api(server, 'GET', `/users/${other.id}`), 404);
    check('DELETE', template, await api(server, 'DELETE', `/users/${other.id}`), 404);
  });

  test('a deleted user can no longer log in, and a registry token issued before stops working on /v2 within 3 seconds', async () => {
    const user = await createUser();
    const token = await registryToken(user.auth);
    assert.equal(await v2Status(`Bearer ${token}`), 200);
    check('DELETE', '/users/{user_id}', await api(server, 'DELETE', `/users/${user.id}`), 200);
    const deadline = Date.now() + 3000;
    let status = await v2Status(`Bearer ${token}`);
    while (status === 200 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      status = await v2Status(`Bearer ${token}`);
    }
    assert.equal(status, 401, 'the token still worked 3 s after the user was deleted');
    assert.equal(await v2Status(user.auth), 401);
    assert.equal((await api(server, 'GET', '/users/current', { auth: user.auth })).status, 401);
  });

  test("a deleted user's portal sessions end with the account", async () => {
    const user = await createUser();
    const login = await fetch(`${server.url}/c/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ principal: user.name, password }).toString(),
    });
    assert.equal(login.status, 200);
    const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0];
    assert.equal((await api(server, 'GET', '/users/current', { auth: null, headers: { cookie } })).status, 200);
    await api(server, 'DELETE', `/users/${user.id}`);
    assert.equal((await api(server, 'GET', '/users/current', { auth: null, headers: { cookie } })).status, 401);
  });

  test('a deleted username can be registered again as a new user', async () => {
    const user = await createUser();
    await api(server, 'DELETE', `/users/${user.id}`);
    const again = await createUser(user.name);
    assert.notEqual(again.id, user.id);
  });
});

describe('GET /users/current/permissions', () => {
  interface Permission {
    resource: string;
    action: string;
  }
  const template = '/users/current/permissions';
  const has = (list: Permission[], resource: string, action: string) =>
    list.some((p) => p.resource === resource && p.action === action);

  test('an administrator holds every project permission, absolute or relative to the scope', async () => {
    const absolute = check(
      'GET',
      template,
      await api<Permission[]>(server, 'GET', '/users/current/permissions?scope=/project/1'),
      200,
    );
    assert.ok(has(absolute.body, '/project/1/repository', 'push'));
    assert.ok(has(absolute.body, '/project/1', 'delete'));
    const relative = check(
      'GET',
      template,
      await api<Permission[]>(server, 'GET', '/users/current/permissions?scope=/project/1&relative=true'),
      200,
    );
    assert.ok(has(relative.body, 'repository', 'push'));
    assert.ok(has(relative.body, 'member', 'create'));
    assert.ok(has(relative.body, '.', 'delete'));
    assert.equal(relative.body.length, absolute.body.length);
    const system = check(
      'GET',
      template,
      await api<Permission[]>(server, 'GET', '/users/current/permissions?scope=/system&relative=true'),
      200,
    );
    assert.ok(has(system.body, 'user', 'list'));
    assert.ok(has(system.body, 'project', 'create'));
  });

  test('a user who is not a member of the public project `library` may read and pull there, not push; nothing system-wide', async () => {
    const user = await createUser();
    const project = check(
      'GET',
      template,
      await api<Permission[]>(server, 'GET', '/users/current/permissions?scope=/project/1&relative=true', {
        auth: user.auth,
      }),
      200,
    );
    assert.ok(has(project.body, 'repository', 'pull'));
    assert.ok(has(project.body, '.', 'read'));
    assert.ok(!has(project.body, 'repository', 'push'));
    assert.ok(!has(project.body, 'member', 'create'));
    const system = check(
      'GET',
      template,
      await api<Permission[]>(server, 'GET', '/users/current/permissions?scope=/system', { auth: user.auth }),
      200,
    );
    assert.deepEqual(system.body, []);
    const unknown = check(
      'GET',
      template,
      await api<Permission[]>(server, 'GET', '/users/current/permissions?scope=/project/999999', { auth: user.auth }),
      200,
    );
    assert.deepEqual(unknown.body, []);
    const noScope = check(
      'GET',
      template,
      await api<Permission[]>(server, 'GET', '/users/current/permissions', { auth: user.auth }),
      200,
    );
    assert.deepEqual(noScope.body, []);
  });

  test('anonymous callers get 401', async () => {
    check(
      'GET',
      template,
      await api(server, 'GET', '/users/current/permissions?scope=/project/1', { auth: null }),
      401,
    );
  });
});

describe('robot accounts on /users', () => {
  async function systemRobot(name: string, access: [string, string][]): Promise<string> {
    const body = {
      name,
      level: 'system',
      duration: -1,
      permissions: [
        { kind: 'system', namespace: '/', access: access.map(([resource, action]) => ({ resource, action })) },
      ],
    };
    const res = await api<{ name: string; secret: string }>(server, 'POST', '/robots', { body });
    assert.equal(res.status, 201, JSON.stringify(res.body));
    return basic(res.body.name, res.body.secret);
  }

  // Harbor 2.11's robot catalogue offers no user permissions, so robots never manage users.
  test('a system robot is refused user management, and GET /users/current is 412 for robots', async () => {
    const robot = await systemRobot(uniqueName('reader'), [['catalog', 'read']]);
    const user = await createUser();
    check('GET', '/users', await api(server, 'GET', '/users', { auth: robot }), 403);
    check(
      'POST',
      '/users',
      await api(server, 'POST', '/users', {
        auth: robot,
        body: { username: uniqueName(), email: `${uniqueName()}@example.com`, realname: 'R', password },
      }),
      403,
    );
    check('DELETE', '/users/{user_id}', await api(server, 'DELETE', `/users/${user.id}`, { auth: robot }), 403);
    check('GET', '/users/{user_id}', await api(server, 'GET', `/users/${user.id}`, { auth: robot }), 403);
    check(
      'GET',
      '/users/search',
      await api(server, 'GET', `/users/search?username=${user.name}`, { auth: robot }),
      200,
    );
    const current = await api<ErrorBody>(server, 'GET', '/users/current', { auth: robot });
    check('GET', '/users/current', current, 412);
    assert.equal(current.body.errors[0].code, 'PRECONDITION');
  });
});
