import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { openDatabase } from '../../src/db/index.js';
import { startScannerServer } from '../../src/scanning/adapter-scan/server.js';
import { createVulnDb } from '../../src/scanning/index.js';
import { adminAuth, api } from '../helpers/api.js';
import { startTestBerth, tempDir, type TestBerth } from '../helpers/berth.js';
import { buildImage } from '../helpers/images.js';
import { createProject, pushImage } from '../helpers/projects.js';
import { needTool } from '../helpers/tools.js';
import { importOsvFixture, scanArtifact, vulnMime, vulnerableImageFiles } from '../helpers/scanning.js';
import { skopeoIn, skopeoPushArgs } from './clients.js';

// Scans by external scanner adapters end to end: `berth scanner serve` (the built-in scanner
// behind the pluggable scanner API v1.2) registered in a Berth as an adapter finds what the
// built-in scanner finds, pulling the image from Berth's /v2 with the short-lived token the
// scan request carries; an adapter that answers 302 + Refresh-After before its report is
// polled until it has one; an adapter that fails the scan leaves its message in the scan log.

const imageMime = 'application/vnd.oci.image.manifest.v1+json';

interface Report {
  severity: string;
  scanner: { name: string };
  vulnerabilities: { id: string; package: string; version: string; fix_version: string; severity: string }[];
  notes: string[];
}

async function importDatabase(server: TestBerth, work: string): Promise<void> {
  await importOsvFixture(server, work, ['debian', 'npm', 'pypi']);
}

const scan = scanArtifact;

async function register(server: TestBerth, body: Record<string, unknown>): Promise<string> {
  const res = await api(server, 'POST', '/scanners', { body });
  assert.equal(res.status, 201, JSON.stringify(res.body));
  return (res.headers.get('location') ?? '').split('/').pop()!;
}

async function useScanner(server: TestBerth, project: string, uuid: string): Promise<void> {
  const res = await api(server, 'PUT', `/projects/${project}/scanner`, { body: { uuid } });
  assert.equal(res.status, 200, JSON.stringify(res.body));
}

const findings = (report: Report) =>
  report.vulnerabilities.map((v) => `${v.id} ${v.package} ${v.version} fix=${v.fix_version} ${v.severity}`).sort();

test('berth scanner serve, registered as an adapter, finds what the built-in scanner finds, pulling from /v2 with the scan token', async (t) => {
  if (!needTool(t, 'skopeo') || !needTool(t, 'umoci') || !needTool(t, 'zip')) return;
  const server = await startTestBerth();
  const work = tempDir('berth-e2e-adapter-scan-');
  // The scanner reads the vulnerability database Berth imports into: the same database, its own connection.
  const db = openDatabase(server.berth.config.database.url, server.berth.config.database);
  const scanner = await startScannerServer({
    vulnDb: createVulnDb(db.kysely),
    version: 'test',
    apiKey: 'k3y-of-the-adapter',
  });
  t.after(async () => {
    await scanner.close();
    await db.close();
    await server.close();
    rmSync(work, { recursive: true, force: true });
  });
  await importDatabase(server, work);

  const anonymous = await fetch(`${scanner.url}/api/v1/metadata`);
  assert.equal(anonymous.status, 401, 'the API key is required');
  const uuid = await register(server, {
    name: 'berth-scanner-serve',
    url: scanner.url,
    auth: 'X-ScannerAdapter-API-Key',
    access_credential: 'k3y-of-the-adapter',
  });
  const registration = await api<{ health: string; adapter: string; capabilities: Record<string, boolean> }>(
    server,
    'GET',
    `/scanners/${uuid}`,
  );
  assert.equal(registration.body.health, 'healthy');
  assert.deepEqual(registration.body.capabilities, { support_vulnerability: true, support_sbom: false });

  await createProject(server, 'builtin');
  await createProject(server, 'viaadapter');
  await useScanner(server, 'viaadapter', uuid);
  // The project refuses unscanned pulls: the adapter's own pull (its token grants scanner-pull) still goes through.
  const guard = await api(server, 'PUT', '/projects/viaadapter', {
    body: { metadata: { prevent_vul: 'true', severity: 'critical' } },
  });
  assert.equal(guard.status, 200, JSON.stringify(guard.body));
  const layout = join(work, 'images');
  await buildImage(layout, 'v1', { files: vulnerableImageFiles });
  const skopeo = skopeoIn(work);
  await skopeo(skopeoPushArgs(layout, 'v1', server.host, 'builtin/app:v1'));
  await skopeo(skopeoPushArgs(layout, 'v1', server.host, 'viaadapter/app:v1'));

  const builtinPath = '/projects/builtin/repositories/app/artifacts/v1';
  const adapterPath = '/projects/viaadapter/repositories/app/artifacts/v1';
  const expected = await scan(server, builtinPath);
  assert.equal(expected.scan_status, 'Success');
  const overview = await scan(server, adapterPath);
  const log = await api<string>(server, 'GET', `${adapterPath}/scan/${overview.report_id}/log`);
  assert.equal(overview.scan_status, 'Success', log.body);
  assert.equal(overview.severity, 'High');
  assert.deepEqual(overview.summary, expected.summary);
  assert.equal(overview.summary?.total, 4);
  assert.equal(overview.scanner?.name, 'Berth', "the adapter's own name, from its metadata");

  const viaAdapter = await api<Record<string, Report>>(server, 'GET', `${adapterPath}/additions/vulnerabilities`);
  const builtin = await api<Record<string, Report>>(server, 'GET', `${builtinPath}/additions/vulnerabilities`);
  assert.deepEqual(findings(viaAdapter.body[vulnMime]!), findings(builtin.body[vulnMime]!));
  assert.ok(findings(viaAdapter.body[vulnMime]!).includes('CVE-2023-5363 libssl3 3.0.9-1 fix=3.0.11-1~deb12u2 High'));
  assert.match(log.body, /the adapter accepted scan request [0-9a-f-]{36}/);
  assert.match(log.body, /4 vulnerabilities \(3 fixable\), severity High/);
});

interface FakeAdapter {
  url: string;
  scanRequests: { headers: IncomingHttpHeaders; body: { registry: { url: string; authorization: string } } }[];
  reportPolls: IncomingHttpHeaders[];
  close(): Promise<void>;
}

/** An adapter whose report is `pending` 302s away, then `answer` (status and body). */
async function startFakeAdapter(pending: number, answer: { status: number; body: unknown }): Promise<FakeAdapter> {
  const adapter: Omit<FakeAdapter, 'url' | 'close'> = { scanRequests: [], reportPolls: [] };
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      if (req.url === '/api/v1/metadata') {
        res.writeHead(200, { 'content-type': 'application/vnd.scanner.adapter.metadata+json; version=1.1' });
        return void res.end(
          JSON.stringify({
            scanner: { name: 'Fake', vendor: 'Berth tests', version: '0.1' },
            capabilities: [{ consumes_mime_types: [imageMime], produces_mime_types: [vulnMime] }],
          }),
        );
      }
      if (req.url === '/api/v1/scan' && req.method === 'POST') {
        adapter.scanRequests.push({
          headers: req.headers,
          body: JSON.parse(body) as FakeAdapter['scanRequests'][0]['body'],
        });
        res.writeHead(202, { 'content-type': 'application/vnd.scanner.adapter.scan.response+json; version=1.0' });
        return void res.end(JSON.stringify({ id: `scan-${String(adapter.scanRequests.length)}` }));
      }
      if (req.url?.endsWith('/report')) {
        adapter.reportPolls.push(req.headers);
        if (adapter.reportPolls.length <= pending) {
          res.writeHead(302, { 'refresh-after': '1' });
          return void res.end();
        }
        res.writeHead(answer.status, { 'content-type': vulnMime });
        return void res.end(JSON.stringify(answer.body));
      }
      res.writeHead(404).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    ...adapter,
    url: `http://127.0.0.1:${String((server.address() as AddressInfo).port)}`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

test("an adapter's 302 + Refresh-After is polled until its report; a 500 ends the scan in Error with its message", async (t) => {
  const server = await startTestBerth();
  const ready = await startFakeAdapter(3, {
    status: 200,
    body: {
      generated_at: '2026-01-01T00:00:00Z',
      scanner: { name: 'Fake', vendor: 'Berth tests', version: '0.1' },
      severity: 'Critical',
      vulnerabilities: [
        { id: 'CVE-2099-0001', package: 'libfoo', version: '1.0', fix_version: '1.1', severity: 'Critical' },
        { id: 'CVE-2099-0002', package: 'libbar', version: '2.0', severity: 'Negligible' },
      ],
    },
  });
  const failing = await startFakeAdapter(0, {
    status: 500,
    body: { error: { message: 'the trivy database is corrupt' } },
  });
  t.after(async () => {
    await Promise.all([ready.close(), failing.close()]);
    await server.close();
  });
  await createProject(server, 'polled');
  await createProject(server, 'other');
  await createProject(server, 'failed');
  const pushed = await pushImage(server, 'polled/app', 'v1', adminAuth);
  assert.equal(pushed.status, 201);
  assert.equal((await pushImage(server, 'other/secret', 'v1', adminAuth)).status, 201);
  assert.equal((await pushImage(server, 'failed/app', 'v1', adminAuth)).status, 201);
  await useScanner(server, 'polled', await register(server, { name: 'fake-ready', url: ready.url }));
  await useScanner(server, 'failed', await register(server, { name: 'fake-failing', url: failing.url }));

  const started = Date.now();
  const overview = await scan(server, '/projects/polled/repositories/app/artifacts/v1');
  assert.equal(overview.scan_status, 'Success');
  assert.ok(Date.now() - started >= 3000, 'three Refresh-After waits of a second');
  assert.equal(ready.reportPolls.length, 4);
  assert.ok(ready.reportPolls.every((headers) => headers.accept === vulnMime));
  assert.equal(overview.severity, 'Critical');
  assert.deepEqual(overview.summary, { total: 2, fixable: 1, summary: { Critical: 1, Low: 1 } });
  const report = await api<Record<string, Report>>(
    server,
    'GET',
    '/projects/polled/repositories/app/artifacts/v1/additions/vulnerabilities',
  );
  assert.deepEqual(report.body[vulnMime]!.notes, []);
  assert.equal(report.body[vulnMime]!.vulnerabilities[1]!.fix_version, '');

  // The scan request: Berth's /v2 and a token that pulls this repository and nothing else.
  const [request] = ready.scanRequests;
  assert.equal(request!.headers['content-type'], 'application/vnd.scanner.adapter.scan.request+json; version=1.1');
  assert.deepEqual((request!.body as unknown as { artifact: unknown }).artifact, {
    repository: 'polled/app',
    digest: pushed.digest,
    mime_type: imageMime,
  });
  assert.equal(request!.body.registry.url, server.url);
  const authorization = request!.body.registry.authorization;
  assert.match(authorization, /^Bearer /);
  const claims = JSON.parse(Buffer.from(authorization.split('.')[1]!, 'base64url').toString('utf8')) as {
    sub: string;
    access: unknown;
  };
  assert.deepEqual(claims.access, [{ type: 'repository', name: 'polled/app', actions: ['pull', 'scanner-pull'] }]);
  const pull = await fetch(`${server.url}/v2/polled/app/manifests/${pushed.digest}`, {
    headers: { authorization, accept: imageMime },
  });
  assert.equal(pull.status, 200, 'the token pulls the image');
  const elsewhere = await fetch(`${server.url}/v2/other/secret/manifests/v1`, { headers: { authorization } });
  assert.equal(elsewhere.status, 401, 'and nothing else');
  const push = await fetch(`${server.url}/v2/polled/app/blobs/uploads/`, {
    method: 'POST',
    headers: { authorization },
  });
  assert.equal(push.status, 401, 'nor pushes');

  const broken = await scan(server, '/projects/failed/repositories/app/artifacts/v1');
  assert.equal(broken.scan_status, 'Error');
  const log = await api<string>(
    server,
    'GET',
    `/projects/failed/repositories/app/artifacts/v1/scan/${broken.report_id}/log`,
  );
  assert.match(log.body, /the adapter failed the scan: the trivy database is corrupt/);
  assert.equal(failing.reportPolls.length, 1, 'a 500 is final: no retry');
});
