import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { loadConfig } from '../../src/config/index.js';
import { startBerth, type Berth } from '../../src/main.js';
import { adminAuth, adminPassword } from '../helpers/api.js';
import { tempDir } from '../helpers/berth.js';
import { dropPostgresDatabase, testDatabaseFor, testPool } from '../helpers/database.js';

// Every response carries X-Request-Id (Harbor's requestid middleware): the client's when it is a
// reasonable id, else a new UUID. The same id is in the request's log line and in Harbor's error body.

const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

let berth: Berth;
let url: string;
let dataDir: string;
let database: { name: string } | undefined;
const logLines: Record<string, unknown>[] = [];

before(async () => {
  dataDir = tempDir();
  const db = await testDatabaseFor(dataDir);
  database = db;
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString().split('\n').filter(Boolean)) logLines.push(JSON.parse(line));
      done();
    },
  });
  // Debug level: Berth logs one line per request.
  const logger = pino({ level: 'debug' }, sink);
  const config = loadConfig({
    env: {},
    overrides: {
      logLevel: 'debug',
      adminPassword,
      externalURL: 'http://127.0.0.1:0',
      dataDir,
      ...(db && { database: { ...testPool, url: db.url } }),
      http: { port: 0, host: '127.0.0.1' },
    },
  });
  berth = await startBerth(config, logger);
  url = await berth.listen();
});

after(async () => {
  await berth.close();
  rmSync(dataDir, { recursive: true, force: true });
  if (database) await dropPostgresDatabase(database.name);
});

async function get(path: string, headers: Record<string, string> = {}) {
  const res = await fetch(`${url}${path}`, { headers });
  const text = await res.text();
  return { status: res.status, id: res.headers.get('x-request-id'), text };
}

/** The request log line for `path`, once it is written (after the response). */
async function logLineOf(path: string): Promise<Record<string, unknown>> {
  for (let i = 0; i < 50; i++) {
    const line = logLines.find((l) => l.msg === 'request' && l.url === path);
    if (line) return line;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  assert.fail(`no log line for ${path}`);
}

const cases: { name: string; path: string; headers?: Record<string, string>; status: number }[] = [
  { name: 'a /v2 success', path: '/v2/', headers: { authorization: adminAuth }, status: 200 },
  { name: 'a /v2 error', path: '/v2/', status: 401 },
  { name: 'an /api/v2.0 success', path: '/api/v2.0/ping', status: 200 },
  { name: 'an /api/v2.0 error', path: '/api/v2.0/projects/nosuch', headers: { authorization: adminAuth }, status: 404 },
  { name: 'a /service/token success', path: '/service/token?service=harbor-registry', status: 200 },
  {
    name: 'a /service/token error',
    path: '/service/token?service=harbor-registry',
    headers: { authorization: 'Basic ' + Buffer.from('admin:wrong').toString('base64') },
    status: 401,
  },
];

test("a client's reasonable X-Request-Id comes back on every answer and in the log line", async () => {
  for (const [i, c] of cases.entries()) {
    const sent = `client-${i}.id:A_b-9`;
    const res = await get(`${c.path}${c.path.includes('?') ? '&' : '?'}case=${i}`, {
      ...c.headers,
      'x-request-id': sent,
    });
    assert.equal(res.status, c.status, `${c.name}: ${res.text}`);
    assert.equal(res.id, sent, c.name);
    const line = await logLineOf(`${c.path}${c.path.includes('?') ? '&' : '?'}case=${i}`);
    assert.equal(line.reqId, sent, c.name);
  }
});

test('without an X-Request-Id, or with an unreasonable one, Berth answers a new UUID, each request its own', async () => {
  const seen = new Set<string>();
  for (const sent of [undefined, '', 'x'.repeat(129), 'has space', 'semi;colon', 'ünïcode', 'a\tb']) {
    for (const c of cases) {
      const headers: Record<string, string> = { ...c.headers };
      if (sent !== undefined) headers['x-request-id'] = sent;
      const path = `${c.path}${c.path.includes('?') ? '&' : '?'}n=${seen.size}`;
      const res = await get(path, headers).catch(() => undefined);
      // fetch itself refuses some header values (a tab is allowed, non-Latin-1 is not).
      if (!res) continue;
      assert.equal(res.status, c.status, `${c.name}: ${res.text}`);
      assert.match(res.id ?? '', uuid, `${c.name} with ${JSON.stringify(sent)}`);
      assert.ok(!seen.has(res.id!), 'a fresh id per request');
      seen.add(res.id!);
      assert.equal((await logLineOf(path)).reqId, res.id);
    }
  }
  assert.ok(seen.size >= 6 * cases.length);
});

test('the longest reasonable id (128 characters) is kept', async () => {
  const sent = 'a'.repeat(128);
  const res = await get('/api/v2.0/ping', { 'x-request-id': sent });
  assert.equal(res.id, sent);
});

test("Harbor's error body repeats the request id beside errors; the OCI envelope stays as the spec has it", async () => {
  const harbor = await get('/api/v2.0/projects/nosuch', { authorization: adminAuth, 'x-request-id': 'req-harbor' });
  assert.equal(harbor.status, 404);
  const body = JSON.parse(harbor.text) as { errors: { code: string }[]; request_id: string };
  assert.equal(body.errors[0].code, 'NOT_FOUND');
  assert.equal(body.request_id, 'req-harbor');
  const generated = await get('/api/v2.0/no-such-thing');
  assert.equal((JSON.parse(generated.text) as { request_id: string }).request_id, generated.id);

  const oci = await get('/v2/nosuch/repo/manifests/latest', { authorization: adminAuth, 'x-request-id': 'req-oci' });
  assert.ok(oci.status >= 400 && oci.status < 500, String(oci.status));
  assert.equal(oci.id, 'req-oci');
  const envelope = JSON.parse(oci.text) as { errors: Record<string, unknown>[] };
  assert.deepEqual(Object.keys(envelope), ['errors']);
  for (const key of Object.keys(envelope.errors[0])) assert.ok(['code', 'message', 'detail'].includes(key), key);
});

test('a URL fastify cannot decode still answers with an X-Request-Id', async () => {
  const res = await get('/api/v2.0/projects/%E0%A4%A', { 'x-request-id': 'req-bad-url' });
  assert.ok(res.status >= 400 && res.status < 500, String(res.status));
  assert.equal(res.id, 'req-bad-url');
});
