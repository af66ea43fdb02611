import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { connect, type Socket } from 'node:net';
import { adminAuthorization, testAdminPassword } from '../helpers/berth.js';
import { configSchema } from '../../src/config/schema.js';
import { httpClient, type HttpClient, type Reply } from './support/http.js';
import { assertPushReadable, planPush, pushImage } from './support/pushes.js';
import {
  cliBuilt,
  envIfKnown,
  hasConfigKey,
  printSummary,
  startReliabilityBerth,
  type ReliabilityBerth,
} from './support/server.js';

// Part 4: abuse. (A readable but wrong name and password is a failed login, throttled with
// 429 by design; the headers here are unreadable, which must never count as one.) Thousands of unfinished upload sessions against the per-user and
// per-repository caps, slow-loris sockets against the headers deadline, and malformed
// credentials and cookies; afterwards admin still logs in and a push and pull still work.

const headersTimeoutSeconds = 3;
const slowSockets = 50;
const password = 'Abuse-Passw0rd!';
const basic = (user: string, secret: string) => `Basic ${Buffer.from(`${user}:${secret}`).toString('base64')}`;

let berth: ReliabilityBerth;
let client: HttpClient;
const figures: [string, string | number][] = [];

before(async () => {
  assert.ok(cliBuilt, 'the reliability tests run the built CLI: run `npx tsc -p tsconfig.build.json` first');
  berth = await startReliabilityBerth(envIfKnown({ 'http.headersTimeoutSeconds': String(headersTimeoutSeconds) }));
  client = httpClient(berth.url, 16);
  await api('POST', '/projects', { project_name: 'abuse', metadata: { public: 'false' } }, 201);
  for (const user of ['ua', 'ub', 'uc', 'ud']) {
    await api('POST', '/users', { username: user, email: `${user}@example.com`, realname: user, password }, 201);
    await api('POST', '/projects/abuse/members', { role_id: 2, member_user: { username: user } }, 201);
  }
});

after(async () => {
  client?.close();
  printSummary('abuse', figures);
  await berth?.close();
});

async function api(method: string, path: string, body: unknown, expected: number): Promise<Reply> {
  const reply = await client.send({
    method,
    path: `/api/v2.0${path}`,
    headers: { authorization: adminAuthorization, 'content-type': 'application/json' },
    body: Buffer.from(JSON.stringify(body)),
  });
  assert.equal(reply.status, expected, `${method} ${path}: ${reply.body.toString()}`);
  return reply;
}

/** Opens upload sessions as `user` in `repository` until one is refused; returns how many opened and the refusal. */
async function openUntilRefused(
  user: string,
  repository: string,
  limit: number,
): Promise<{ opened: number; refusal: Reply }> {
  let opened = 0;
  for (;;) {
    const batch = await Promise.all(
      Array.from({ length: 10 }, () =>
        client.send({
          method: 'POST',
          path: `/v2/${repository}/blobs/uploads/`,
          headers: { authorization: basic(user, password) },
        }),
      ),
    );
    for (const reply of batch) {
      assert.ok(reply.status < 500, `POST upload: ${reply.status} ${reply.body.toString()}`);
      if (reply.status === 202) opened++;
    }
    const refusal = batch.find((reply) => reply.status !== 202);
    if (refusal) return { opened, refusal };
    assert.ok(opened <= limit, `${opened} sessions opened, above the cap of ${limit}`);
  }
}

test('abuse: thousands of unfinished upload sessions hit the per-user and per-repository caps; others still push', async () => {
  for (const key of ['registry.uploads.maxSessionsPerUser', 'registry.uploads.maxSessionsPerRepository'])
    assert.ok(hasConfigKey(key), `the upload session cap ${key} is not in the configuration`);
  const caps = configSchema.parse({}).registry.uploads;
  assert.ok(caps.maxSessionsPerUser > 0 && caps.maxSessionsPerRepository > caps.maxSessionsPerUser);

  // One user, one repository: refused at the per-user cap.
  const perUser = await openUntilRefused('ua', 'abuse/one', caps.maxSessionsPerUser);
  assert.equal(perUser.opened, caps.maxSessionsPerUser);
  assert.ok(perUser.refusal.status >= 400 && perUser.refusal.status < 500, `refusal: ${perUser.refusal.status}`);
  // Two more users fill one repository: refused at the per-repository cap.
  const perUserB = await openUntilRefused('ub', 'abuse/shared', caps.maxSessionsPerUser);
  const perRepository = await openUntilRefused('uc', 'abuse/shared', caps.maxSessionsPerUser);
  assert.equal(
    perUserB.opened + perRepository.opened,
    Math.min(caps.maxSessionsPerRepository, 2 * caps.maxSessionsPerUser),
  );
  // A user with no session of their own is refused there: the repository is full.
  const full = await client.send({
    method: 'POST',
    path: '/v2/abuse/shared/blobs/uploads/',
    headers: { authorization: basic('ud', password) },
  });
  assert.ok(full.status >= 400 && full.status < 500, `POST in a full repository: ${full.status}`);
  assert.match(full.body.toString(), /maxSessionsPerRepository|repository/);
  const total = perUser.opened + perUserB.opened + perRepository.opened;
  figures.push([
    'unfinished upload sessions',
    `${total} (caps: ${caps.maxSessionsPerUser} per user, ${caps.maxSessionsPerRepository} per repository)`,
  ]);
  figures.push([
    'refusal at the user cap',
    `${perUser.refusal.status} ${perUser.refusal.body.toString().slice(0, 110)}`,
  ]);
  figures.push(['refusal at the repository cap', `${full.status} ${full.body.toString().slice(0, 110)}`]);

  // A user with no sessions still pushes and pulls, in another repository.
  const other = httpClient(berth.url, 4);
  const push = planPush('abuse/other', 'v1', { big: false, chunked: true });
  try {
    assert.equal(await pushImage(withAuth(other, basic('ud', password)), push), true);
    await assertPushReadable(other, push);
  } finally {
    other.close();
  }
});

/** A client that sends `authorization` instead of admin's (the push helpers send admin's by default). */
function withAuth(inner: HttpClient, authorization: string): HttpClient {
  return {
    send: (exchange, timeout) => inner.send({ ...exchange, headers: { ...exchange.headers, authorization } }, timeout),
    close: () => inner.close(),
  };
}

/** A socket that sends a request line and then one header line a second, never finishing. */
function slowLoris(url: string): Promise<{ closedAfterMs: number; linesSent: number }> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const started = Date.now();
    let lines = 0;
    const socket: Socket = connect(Number(port), hostname, () => {
      socket.write(`GET /v2/ HTTP/1.1\r\nHost: ${hostname}\r\n`);
    });
    const drip = setInterval(() => {
      if (!socket.destroyed) socket.write(`X-Drip-${lines++}: ${'a'.repeat(8)}\r\n`);
    }, 1000);
    const giveUp = setTimeout(
      () => {
        socket.destroy();
        reject(new Error(`the server kept a slow-loris socket open for ${Date.now() - started} ms`));
      },
      (headersTimeoutSeconds + 30) * 1000,
    );
    socket.on('error', () => undefined);
    socket.on('close', () => {
      clearInterval(drip);
      clearTimeout(giveUp);
      resolve({ closedAfterMs: Date.now() - started, linesSent: lines });
    });
  });
}

test('abuse: slow-loris sockets dribbling headers are closed within the headers timeout, and others are served meanwhile', async () => {
  assert.ok(hasConfigKey('http.headersTimeoutSeconds'), 'http.headersTimeoutSeconds is not in the configuration');
  const sockets = Array.from({ length: slowSockets }, () => slowLoris(berth.url));
  const served = await client.send({ method: 'GET', path: '/v2/', headers: { authorization: adminAuthorization } });
  assert.equal(served.status, 200, 'a normal request during the slow-loris attack');
  const closed = await Promise.all(sockets);
  const worst = Math.max(...closed.map((c) => c.closedAfterMs));
  // Node checks the deadline once a second (connectionsCheckingInterval): allow that and a busy machine's delay.
  assert.ok(worst <= (headersTimeoutSeconds + 3) * 1000, `a slow-loris socket lived ${worst} ms`);
  figures.push([
    'slow-loris sockets',
    `${slowSockets} closed after at most ${(worst / 1000).toFixed(1)} s (headers timeout ${headersTimeoutSeconds} s)`,
  ]);
});

const malformedCredentials: Record<string, string>[] = [
  { authorization: 'Basic %%%%' },
  { authorization: `Basic ${Buffer.from(`:${testAdminPassword}`).toString('base64')}` },
  { authorization: `Basic ${Buffer.from('admin').toString('base64')}` },
  { authorization: 'Basic ' },
  { authorization: 'Basic' },
  { authorization: `Basic ${Buffer.from(':').toString('base64')}` },
  { authorization: 'Digest username="admin"' },
  { authorization: 'Bearer garbage' },
  { authorization: 'Bearer a.b.c' },
  { authorization: `Bearer ${'x'.repeat(8000)}` },
  { authorization: 'Bearer' },
];

/** Session cookies count only on the REST API (the registry and token service read Authorization). */
const malformedCookies: Record<string, string>[] = [
  { cookie: 'sid=%E0%A4%A' },
  { cookie: 'sid=%' },
  { cookie: `sid=${'%ff'.repeat(1000)}` },
  { cookie: 'sid=; sid=%E0' },
];

/** Requests that need a signed-in caller, so a broken credential must end in 400 or 401. */
const protectedRequests = [
  { method: 'GET', path: '/v2/' },
  { method: 'GET', path: '/v2/_catalog' },
  { method: 'POST', path: '/v2/abuse/x/blobs/uploads/' },
  { method: 'GET', path: '/v2/abuse/x/manifests/latest' },
  { method: 'GET', path: '/service/token?service=harbor-registry&scope=repository:abuse/x:pull,push' },
  { method: 'GET', path: '/api/v2.0/users/current' },
  { method: 'POST', path: '/api/v2.0/projects' },
  { method: 'GET', path: '/api/v2.0/audit-logs' },
];

test('abuse: malformed credentials and cookies are refused with 400 or 401; admin then logs in and pushes from the same address', async () => {
  const seen = new Map<number, number>();
  for (let round = 0; round < 3; round++)
    for (const headers of [...malformedCredentials, ...malformedCookies])
      for (const request of protectedRequests.filter((r) => !headers.cookie || r.path.startsWith('/api/'))) {
        const reply = await client.send({ ...request, headers });
        seen.set(reply.status, (seen.get(reply.status) ?? 0) + 1);
        assert.ok(
          reply.status === 400 || reply.status === 401,
          `${request.method} ${request.path} with ${JSON.stringify(headers).slice(0, 100)}: ${reply.status} ${reply.body.toString().slice(0, 200)}`,
        );
      }
  figures.push(['malformed credentials', [...seen.entries()].map(([s, n]) => `${s}×${n}`).join(' ')]);

  const login = await client.send({
    method: 'POST',
    path: '/c/login',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: Buffer.from(`principal=admin&password=${encodeURIComponent(testAdminPassword)}`),
  });
  assert.equal(login.status, 200, `admin login after the abuse: ${login.status} ${login.body.toString()}`);
  const cookie = String(login.headers['set-cookie']?.[0] ?? '').split(';')[0]!;
  const current = await client.send({ method: 'GET', path: '/api/v2.0/users/current', headers: { cookie } });
  assert.equal(current.status, 200, 'the session cookie from the login works');
  const push = planPush('library/after-abuse', 'v1', { big: false, chunked: false });
  assert.equal(await pushImage(client, push), true);
  await assertPushReadable(client, push);
});
