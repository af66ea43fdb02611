import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestBerth } from '../helpers/berth.js';
import { adminAuth } from '../helpers/api.js';

// The portal's pages and assets carry a Content-Security-Policy and anti-framing,
// referrer and no-sniff headers; API and registry responses are never content-sniffed.

function directives(policy: string | null): Map<string, string> {
  return new Map(
    (policy ?? '')
      .split(';')
      .map((part) => part.trim())
      .filter(Boolean)
      .map((part) => [part.split(/\s+/)[0], part.slice(part.indexOf(' ') + 1)]),
  );
}

test('security headers', async (t) => {
  const server = await startTestBerth();
  t.after(() => server.close());

  await t.test('portal pages and assets: CSP, X-Frame-Options, Referrer-Policy, nosniff', async () => {
    const index = await fetch(`${server.url}/`);
    const html = await index.text();
    const asset = html.match(/src="(\/assets\/[^"]+\.js)"/)?.[1];
    const paths = ['/', '/harbor/projects', '/favicon.svg', ...(asset ? [asset] : [])];
    for (const path of paths) {
      const res = await fetch(`${server.url}${path}`);
      await res.arrayBuffer();
      assert.equal(res.status, 200, path);
      const csp = directives(res.headers.get('content-security-policy'));
      assert.equal(csp.get('default-src'), "'self'", `${path} default-src`);
      assert.equal(csp.get('script-src'), "'self'", `${path} allows no inline or foreign script`);
      assert.equal(csp.get('frame-ancestors'), "'none'", path);
      assert.equal(csp.get('base-uri'), "'self'", path);
      assert.equal(csp.get('form-action'), "'self'", path);
      assert.equal(csp.get('img-src'), "'self' data:", path);
      assert.equal(res.headers.get('x-frame-options'), 'DENY', path);
      assert.equal(res.headers.get('referrer-policy'), 'same-origin', path);
      assert.equal(res.headers.get('x-content-type-options'), 'nosniff', path);
    }
  });

  await t.test('API, token and registry responses, errors included, are nosniff', async () => {
    for (const [path, auth] of [
      ['/api/v2.0/projects', adminAuth],
      ['/api/v2.0/users/current', null],
      ['/api/v2.0/no-such-thing', adminAuth],
      ['/v2/', adminAuth],
      ['/v2/', null],
      ['/v2/library/missing/manifests/latest', adminAuth],
      ['/service/token?service=harbor-registry', adminAuth],
    ] as const) {
      const res = await fetch(`${server.url}${path}`, { headers: auth ? { authorization: auth } : {} });
      await res.arrayBuffer();
      assert.equal(res.headers.get('x-content-type-options'), 'nosniff', `${path} (${res.status})`);
    }
  });
});
