import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Fastify from 'fastify';
import { defaultPortalRoot, portal } from '../../src/api/portal.js';
import { startTestBerth, tempDir, type TestBerth } from '../helpers/berth.js';

// Berth serves the built portal at `/`: hashed assets cached for a year, index.html
// revalidated, unknown non-API paths answered by the app, API paths keep their 404 bodies.

describe('portal static files', () => {
  let server: TestBerth;
  before(async () => {
    assert.ok(existsSync(join(defaultPortalRoot, 'index.html')), 'web/dist is built by npm run build (pretest)');
    server = await startTestBerth();
  });
  after(() => server.close());

  test('/ and SPA paths answer index.html, not cached', async () => {
    for (const path of [
      '/',
      '/projects',
      '/projects/1/repositories/library%2Fnginx/artifacts/sha256:abc',
      '/login?redirect=%2Fprojects',
    ]) {
      const res = await fetch(`${server.url}${path}`);
      assert.equal(res.status, 200, path);
      assert.match(res.headers.get('content-type') ?? '', /^text\/html/);
      assert.equal(res.headers.get('cache-control'), 'no-cache');
      assert.match(await res.text(), /<div id="root"><\/div>/);
    }
  });

  test('hashed assets are immutable for a year; a missing asset is a 404, not HTML', async () => {
    // The entry script that index.html names (route chunks may be only a few hundred bytes).
    const asset = /src="\/assets\/([^"]+\.js)"/.exec(readFileSync(join(defaultPortalRoot, 'index.html'), 'utf8'))?.[1];
    assert.ok(asset && readdirSync(join(defaultPortalRoot, 'assets')).includes(asset));
    const res = await fetch(`${server.url}/assets/${asset}`);
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /^text\/javascript/);
    assert.equal(res.headers.get('cache-control'), 'public, max-age=31536000, immutable');
    assert.ok((await res.arrayBuffer()).byteLength > 1000);
    const head = await fetch(`${server.url}/assets/${asset}`, { method: 'HEAD' });
    assert.equal(head.status, 200);
    const missing = await fetch(`${server.url}/assets/index-nothere.js`);
    assert.equal(missing.status, 404);
    assert.doesNotMatch(missing.headers.get('content-type') ?? '', /html/);
    await missing.arrayBuffer();
  });

  test('a path escaping web/dist gets the app, never a file outside it', async () => {
    for (const path of ['/..%2f..%2fpackage.json', '/%2e%2e/%2e%2e/package.json', '/favicon.svg%00.html']) {
      const res = await fetch(`${server.url}${path}`);
      const text = await res.text();
      assert.doesNotMatch(text, /"name": "berth"/, path);
    }
  });

  test('the API, registry, token and session paths keep their own 404 bodies', async () => {
    const api = await fetch(`${server.url}/api/v2.0/no-such-thing`);
    assert.equal(api.status, 404);
    assert.deepEqual(((await api.json()) as { errors: { code: string; message: string }[] }).errors[0], {
      code: 'NOT_FOUND',
      message: 'no such API: GET /api/v2.0/no-such-thing',
    });
    const oci = await fetch(`${server.url}/v2/no/such/path/at/all`);
    assert.equal(oci.status, 404);
    assert.match(await oci.text(), /"errors"/);
    for (const path of ['/service/nothing', '/c/nothing', '/api/v1/projects']) {
      const res = await fetch(`${server.url}${path}`);
      assert.equal(res.status, 404, path);
      assert.equal(((await res.json()) as { errors: { code: string }[] }).errors[0].code, 'NOT_FOUND', path);
    }
    const ping = await fetch(`${server.url}/api/v2.0/ping`);
    assert.equal(await ping.text(), 'Pong');
  });
});

describe('portal not built', () => {
  test('/ says to run npm run build instead of failing', async () => {
    const root = join(tempDir('berth-portal-'), 'dist');
    mkdirSync(root);
    writeFileSync(join(root, 'robots.txt'), 'User-agent: *\n');
    const app = Fastify();
    await app.register(portal, { root });
    for (const path of ['/', '/projects/1']) {
      const res = await app.inject({ method: 'GET', url: path });
      assert.equal(res.statusCode, 200, path);
      assert.match(res.headers['content-type'] as string, /^text\/html/);
      assert.match(res.body, /npm run build/);
    }
    const file = await app.inject({ method: 'GET', url: '/robots.txt' });
    assert.equal(file.body, 'User-agent: *\n');
    assert.equal(file.headers['cache-control'], 'no-cache');
    await app.close();
  });
});
