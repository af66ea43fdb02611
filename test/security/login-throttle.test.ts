import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { adminPassword, api, startApiBerth } from '../helpers/api.js';
import { startTestBerth, tempDir, type TestBerth } from '../helpers/berth.js';
import { createProject, createUser, userPassword } from '../helpers/projects.js';
import { freshRedisDb } from '../helpers/redis.js';
import { basicHeader, portalLogin, send, type Answer } from './client.js';

// Failed logins are throttled per (user name, client address): past auth.maxLoginFailures
// the pair gets 429 with Retry-After for a delay that doubles with each further failure,
// capped; the same user from another address still logs in; a success clears the pair;
// a coarse per-address limit stops spraying over many names. Clients are told apart by
// their source address on the loopback network (127.0.0.x).

type Attempt = (server: TestBerth, user: string, password: string, from: string) => Promise<Answer>;
const basicOn =
  (path: string): Attempt =>
  (server, user, password, from) =>
    send(`${server.url}${path}`, { from, headers: { authorization: basicHeader(user, password) } });

/** Each way to check a password, with the error code its 429 carries. */
const endpoints: Record<string, { attempt: Attempt; code: string }> = {
  '/c/login': { attempt: (s, u, p, from) => portalLogin(s.url, u, p, from), code: 'TOO_MANY_REQUESTS' },
  '/service/token': {
    attempt: basicOn('/service/token?service=harbor-registry&scope=repository:library/x:pull'),
    code: 'TOOMANYREQUESTS',
  },
  '/v2 (Basic)': { attempt: basicOn('/v2/'), code: 'TOOMANYREQUESTS' },
  '/api/v2.0 (Basic)': { attempt: basicOn('/api/v2.0/users/current'), code: 'TOO_MANY_REQUESTS' },
};

function assertRefused(res: Answer, code: string, maxWait: number): number {
  assert.equal(res.status, 429, res.text);
  const wait = Number(res.headers['retry-after']);
  assert.ok(Number.isInteger(wait) && wait >= 1 && wait <= maxWait, `Retry-After: ${res.headers['retry-after']}`);
  assert.equal(res.json().errors[0].code, code);
  return wait;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('login throttling over HTTP', () => {
  let server: TestBerth;
  let robot: { name: string; secret: string };
  before(async () => {
    server = await startApiBerth({
      auth: { maxLoginFailures: 3, maxLoginFailuresPerAddress: 8, loginBackoffMaxSeconds: 2 },
    });
    for (const name of ['t-login', 't-token', 't-v2', 't-api', 't-reset', 't-backoff']) await createUser(server, name);
    await createProject(server, 'throttled');
    const created = await api<{ name: string; secret: string }>(server, 'POST', '/robots', {
      body: {
        name: 'ci',
        level: 'project',
        duration: -1,
        permissions: [
          { kind: 'project', namespace: 'throttled', access: [{ resource: 'repository', action: 'pull' }] },
        ],
      },
    });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    robot = created.body;
  });
  after(() => server.close());

  const users: Record<string, string> = {
    '/c/login': 't-login',
    '/service/token': 't-token',
    '/v2 (Basic)': 't-v2',
    '/api/v2.0 (Basic)': 't-api',
  };
  let octet = 10;
  for (const [endpoint, { attempt, code }] of Object.entries(endpoints)) {
    test(`${endpoint}: past the limit one address is refused with 429 and Retry-After while another address logs in`, async () => {
      const user = users[endpoint];
      const attacker = `127.0.0.${octet++}`;
      for (let i = 1; i <= 3; i++) assert.equal((await attempt(server, user, `Wr0ng${i}`, attacker)).status, 401);
      assertRefused(await attempt(server, user, userPassword, attacker), code, 1);
      assert.equal((await attempt(server, user, userPassword, '127.0.0.1')).status, 200, 'another address');
    });
  }

  test('a robot account is throttled the same way, per address', async () => {
    const attacker = '127.0.0.20';
    const v2 = endpoints['/v2 (Basic)'].attempt;
    for (let i = 1; i <= 3; i++) assert.equal((await v2(server, robot.name, `Wr0ng${i}`, attacker)).status, 401);
    assertRefused(await v2(server, robot.name, robot.secret, attacker), 'TOOMANYREQUESTS', 1);
    assert.equal((await v2(server, robot.name, robot.secret, '127.0.0.1')).status, 200);
  });

  test('the admin cannot be locked out from another address', async () => {
    const attacker = '127.0.0.21';
    for (let i = 1; i <= 3; i++)
      assert.equal((await portalLogin(server.url, 'admin', `Wr0ng${i}`, attacker)).status, 401);
    assert.equal((await portalLogin(server.url, 'admin', adminPassword, attacker)).status, 429);
    assert.equal((await portalLogin(server.url, 'admin', adminPassword, '127.0.0.1')).status, 200);
  });

  test('a right password clears the pair: failures start again from zero', async () => {
    const from = '127.0.0.22';
    for (let i = 1; i <= 2; i++) assert.equal((await portalLogin(server.url, 't-reset', 'Wr0ng', from)).status, 401);
    assert.equal((await portalLogin(server.url, 't-reset', userPassword, from)).status, 200);
    for (let i = 1; i <= 2; i++) assert.equal((await portalLogin(server.url, 't-reset', 'Wr0ng', from)).status, 401);
    assert.equal((await portalLogin(server.url, 't-reset', userPassword, from)).status, 200);
  });

  test('the delay doubles with each failure past the limit, up to auth.loginBackoffMaxSeconds', async () => {
    const from = '127.0.0.23';
    const code = 'TOO_MANY_REQUESTS';
    for (let i = 1; i <= 3; i++) assert.equal((await portalLogin(server.url, 't-backoff', 'Wr0ng', from)).status, 401);
    const first = assertRefused(await portalLogin(server.url, 't-backoff', userPassword, from), code, 1);
    await sleep(first * 1000 + 100);
    assert.equal((await portalLogin(server.url, 't-backoff', 'Wr0ng', from)).status, 401, 'tried again after the wait');
    const second = assertRefused(await portalLogin(server.url, 't-backoff', userPassword, from), code, 2);
    assert.equal(second, 2, 'doubled');
    await sleep(second * 1000 + 100);
    assert.equal((await portalLogin(server.url, 't-backoff', 'Wr0ng', from)).status, 401);
    assert.equal(assertRefused(await portalLogin(server.url, 't-backoff', userPassword, from), code, 2), 2, 'capped');
    await sleep(2100);
    assert.equal((await portalLogin(server.url, 't-backoff', userPassword, from)).status, 200, 'after the wait');
  });

  test('spraying many names from one address hits the per-address limit there and nowhere else', async () => {
    const sprayer = '127.0.0.24';
    for (let i = 1; i <= 8; i++)
      assert.equal((await portalLogin(server.url, `nobody${i}`, 'Wr0ng', sprayer)).status, 401);
    assertRefused(await portalLogin(server.url, 'someone', 'Wr0ng', sprayer), 'TOO_MANY_REQUESTS', 1);
    assert.equal((await portalLogin(server.url, 't-login', userPassword, '127.0.0.1')).status, 200);
  });
});

// Two Berths on one data directory share one database; with Redis (db 9) they share it too.
const redisUrl = await freshRedisDb(9);
const shared: Record<string, { redis: { url?: string }; skip?: string }> = {
  'the database': { redis: {} },
  Redis: { redis: redisUrl ? { url: redisUrl } : {}, skip: redisUrl ? undefined : 'Redis is not running' },
};
for (const [through, { redis, skip }] of Object.entries(shared)) {
  test(
    `two Berths sharing ${through} agree: a pair throttled through one is refused by the other`,
    { skip },
    async () => {
      const dataDir = tempDir();
      const auth = { maxLoginFailures: 3 };
      const a = await startTestBerth({ dataDir, redis, auth });
      const b = await startTestBerth({ dataDir, redis, auth });
      try {
        const attacker = '127.0.0.30';
        for (let i = 1; i <= 3; i++) assert.equal((await portalLogin(a.url, 'admin', 'Wr0ng', attacker)).status, 401);
        assertRefused(await portalLogin(b.url, 'admin', adminPassword, attacker), 'TOO_MANY_REQUESTS', 1);
        const token = endpoints['/service/token'].attempt;
        assertRefused(await token(b, 'admin', adminPassword, attacker), 'TOOMANYREQUESTS', 1);
        assert.equal((await portalLogin(b.url, 'admin', adminPassword, '127.0.0.1')).status, 200);
      } finally {
        await a.close();
        await b.close();
        rmSync(dataDir, { recursive: true, force: true });
      }
    },
  );
}
