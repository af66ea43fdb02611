import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { startTestBerth } from '../helpers/berth.js';
import { adminAuth, basic } from '../helpers/api.js';
import { createUser, userPassword } from '../helpers/projects.js';
import { uniqueName } from '../helpers/oci.js';

// Who may read Prometheus metrics: not anonymous callers of the main port. A bearer token
// (metrics.token) or an administrator reads them there; metrics.port moves them to a port of their own.

async function scrape(url: string, authorization?: string): Promise<{ status: number; body: string; type: string }> {
  const res = await fetch(`${url}/metrics`, { headers: authorization ? { authorization } : {} });
  return { status: res.status, body: await res.text(), type: res.headers.get('content-type') ?? '' };
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

const token = 'scrape-token-0123456789abcdef';

test('by default the main port refuses anonymous scrapes and admits an administrator', async (t) => {
  const server = await startTestBerth();
  t.after(() => server.close());
  const anonymous = await scrape(server.url);
  assert.equal(anonymous.status, 401);
  assert.doesNotMatch(anonymous.body, /berth_http_requests_total/);
  const user = await createUser(server, uniqueName('scraper').replace(/^library\//, ''));
  assert.equal((await scrape(server.url, basic(user.username, userPassword))).status, 401, 'a user is not an admin');
  assert.equal((await scrape(server.url, `Bearer ${token}`)).status, 401, 'no token is configured');
  const admin = await scrape(server.url, adminAuth);
  assert.equal(admin.status, 200);
  assert.match(admin.type, /^text\/plain/);
  assert.match(admin.body, /^# TYPE berth_http_requests_total counter$/m);
});

test('metrics.token admits a bearer scraper on the main port', async (t) => {
  const server = await startTestBerth({ metrics: { token } });
  t.after(() => server.close());
  assert.equal((await scrape(server.url)).status, 401);
  assert.equal((await scrape(server.url, `Bearer ${token}x`)).status, 401);
  const scraped = await scrape(server.url, `Bearer ${token}`);
  assert.equal(scraped.status, 200);
  assert.match(scraped.body, /^# TYPE berth_http_requests_total counter$/m);
});

test('metrics.port serves /metrics on its own port, and the main port has none', async (t) => {
  const port = await freePort();
  const server = await startTestBerth({ metrics: { port, token } });
  t.after(() => server.close());
  const separate = await scrape(`http://127.0.0.1:${port}`);
  assert.equal(separate.status, 200);
  assert.match(separate.body, /^# TYPE berth_http_requests_total counter$/m);
  for (const authorization of [undefined, adminAuth, `Bearer ${token}`]) {
    const main = await scrape(server.url, authorization);
    assert.equal(main.status, 404, `main port with ${authorization ?? 'no credentials'}`);
    assert.doesNotMatch(main.body, /berth_/);
  }
  assert.equal((await fetch(`http://127.0.0.1:${port}/api/v2.0/projects`)).status, 404, 'only metrics there');
});

test('metrics.enabled false serves no metrics', async (t) => {
  const server = await startTestBerth({ metrics: { enabled: false } });
  t.after(() => server.close());
  assert.equal((await scrape(server.url, adminAuth)).status, 404);
});
