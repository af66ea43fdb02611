import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import type { VulnDb } from '../model.js';
import { startScannerServer, type ScannerServer } from './server.js';

// `berth scanner serve`'s protocol (pluggable scanner API v1.2) against a small registry that
// speaks the distribution spec's token flow: 401 with a Bearer challenge, a token for Basic
// credentials at the realm, the manifest and config behind it.

const emptyDb: VulnDb = {
  status: () => Promise.resolve({ advisories: 0, ecosystems: [] }),
  match: () => Promise.resolve([]),
};
const imageMime = 'application/vnd.oci.image.manifest.v1+json';
const reportMime = 'application/vnd.security.vulnerability.report; version=1.1';
const digestOf = (bytes: Buffer) => `sha256:${createHash('sha256').update(bytes).digest('hex')}`;

/** A registry that serves one layerless image at `repo`, only with a token its realm gives for `user:pass`. */
async function startTokenRegistry() {
  const config = Buffer.from('{"architecture":"amd64","os":"linux"}');
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: imageMime,
      config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: digestOf(config), size: config.length },
      layers: [],
    }),
  );
  const tokenRequests: { url: string; authorization: string | undefined }[] = [];
  const server = createServer((req: IncomingMessage, res) => {
    const url = new URL(req.url ?? '/', 'http://registry');
    if (url.pathname === '/token') {
      tokenRequests.push({ url: req.url ?? '', authorization: req.headers.authorization });
      const ok = req.headers.authorization === `Basic ${Buffer.from('user:pass').toString('base64')}`;
      res.writeHead(ok ? 200 : 401, { 'content-type': 'application/json' });
      return void res.end(JSON.stringify(ok ? { token: 'the-token' } : { errors: [] }));
    }
    if (req.headers.authorization !== 'Bearer the-token') {
      const { port } = server.address() as AddressInfo;
      res.writeHead(401, {
        'www-authenticate': `Bearer realm="http://127.0.0.1:${String(port)}/token",service="reg",scope="repository:team/app:pull"`,
      });
      return void res.end();
    }
    if (url.pathname === `/v2/team/app/manifests/${digestOf(manifest)}`) {
      res.writeHead(200, { 'content-type': imageMime });
      return void res.end(manifest);
    }
    res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${String((server.address() as AddressInfo).port)}`,
    digest: digestOf(manifest),
    tokenRequests,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

async function post(scanner: ScannerServer, body: unknown, headers: Record<string, string> = {}) {
  return fetch(`${scanner.url}/api/v1/scan`, {
    method: 'POST',
    headers: { 'content-type': 'application/vnd.scanner.adapter.scan.request+json; version=1.1', ...headers },
    body: JSON.stringify(body),
  });
}

async function report(scanner: ScannerServer, id: string, headers: Record<string, string> = {}): Promise<Response> {
  for (;;) {
    const res = await fetch(`${scanner.url}/api/v1/scan/${id}/report`, { headers, redirect: 'manual' });
    if (res.status !== 302) return res;
    assert.equal(res.headers.get('refresh-after'), '1');
    await sleep(50);
  }
}

test('a scan pulls through the Bearer challenge with Basic credentials, and its report is served as asked', async (t) => {
  const registry = await startTokenRegistry();
  const scanner = await startScannerServer({ vulnDb: emptyDb, version: 'test' });
  t.after(async () => {
    await scanner.close();
    await registry.close();
  });
  const artifact = { repository: 'team/app', digest: registry.digest, mime_type: imageMime };
  const accepted = await post(scanner, {
    registry: { url: registry.url, authorization: `Basic ${Buffer.from('user:pass').toString('base64')}` },
    artifact,
  });
  assert.equal(accepted.status, 202);
  const { id } = (await accepted.json()) as { id: string };
  const res = await report(scanner, id, { accept: reportMime });
  assert.equal(res.status, 200, await res.clone().text());
  assert.equal(res.headers.get('content-type'), reportMime);
  const body = (await res.json()) as {
    severity: string;
    vulnerabilities: unknown[];
    notes: string[];
    artifact: unknown;
  };
  assert.deepEqual(body.vulnerabilities, []);
  assert.equal(body.severity, 'Unknown', 'an empty database claims nothing');
  assert.match(body.notes.join('\n'), /vulnerability database is empty/);
  assert.deepEqual(body.artifact, artifact);
  assert.equal(registry.tokenRequests.length, 1, 'one token for the whole scan');
  assert.match(registry.tokenRequests[0]!.url, /service=reg&scope=repository%3Ateam%2Fapp%3Apull/);

  const sbom = await fetch(`${scanner.url}/api/v1/scan/${id}/report`, {
    headers: { accept: 'application/vnd.security.sbom.report+json; version=1.0' },
  });
  assert.equal(sbom.status, 501);
  assert.equal((await fetch(`${scanner.url}/api/v1/scan/unknown/report`)).status, 404);
});

test('a scan that cannot pull fails with the reason; bad requests and a missing API key are refused', async (t) => {
  const registry = await startTokenRegistry();
  const scanner = await startScannerServer({ vulnDb: emptyDb, version: 'test', apiKey: 'sesame' });
  t.after(async () => {
    await scanner.close();
    await registry.close();
  });
  const key = { 'x-scanneradapter-api-key': 'sesame' };
  assert.equal((await fetch(`${scanner.url}/api/v1/metadata`)).status, 401);
  assert.equal(
    (await fetch(`${scanner.url}/api/v1/metadata`, { headers: { authorization: 'Bearer sesame' } })).status,
    200,
  );
  const meta = (await (await fetch(`${scanner.url}/api/v1/metadata`, { headers: key })).json()) as {
    capabilities: { type: string; produces_mime_types: string[] }[];
  };
  assert.deepEqual(
    meta.capabilities.map((c) => c.type),
    ['vulnerability'],
  );

  const artifact = { repository: 'team/app', digest: registry.digest, mime_type: imageMime };
  const wrongPassword = `Basic ${Buffer.from('user:nope').toString('base64')}`;
  const accepted = await post(
    scanner,
    { registry: { url: registry.url, authorization: wrongPassword }, artifact },
    key,
  );
  assert.equal(accepted.status, 202);
  const { id } = (await accepted.json()) as { id: string };
  const failed = await report(scanner, id, key);
  assert.equal(failed.status, 500);
  assert.match(
    ((await failed.json()) as { error: { message: string } }).error.message,
    /token service .* refused: HTTP 401/,
  );

  assert.equal((await post(scanner, { artifact }, key)).status, 400);
  assert.equal((await post(scanner, { registry: { url: 'ftp://x' }, artifact }, key)).status, 422);
  const helm = { ...artifact, mime_type: 'application/vnd.cncf.helm.config.v1+json' };
  assert.equal((await post(scanner, { registry: { url: registry.url }, artifact: helm }, key)).status, 422);
  const sbomOnly = { registry: { url: registry.url }, artifact, enabled_capabilities: [{ type: 'sbom' }] };
  assert.equal((await post(scanner, sbomOnly, key)).status, 501);
  const notJson = await fetch(`${scanner.url}/api/v1/scan`, { method: 'POST', headers: key, body: '{' });
  assert.equal(notJson.status, 400);
  assert.equal(notJson.headers.get('content-type'), 'application/vnd.scanner.adapter.error+json; version=1.0');
});
