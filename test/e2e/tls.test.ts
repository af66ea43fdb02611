import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, rmSync } from 'node:fs';
import { request } from 'node:https';
import { join } from 'node:path';
import {
  adminAuthorization,
  adminCredentials,
  spawnBerth,
  startTestBerth,
  tempDir,
  type TestBerth,
} from '../helpers/berth.js';
import { needTool, type ExecError } from '../helpers/tools.js';
import { makeTestCertificates, type TestCertificates } from '../helpers/tls.js';
import { buildImage } from '../helpers/images.js';
import { podmanIn, skopeoIn } from './clients.js';

// HTTPS: with tls.certificate and tls.key Berth serves TLS itself (docker and podman refuse
// plain HTTP to any registry but localhost). Clients verify it against the test's own CA.

let work: string;
let certs: TestCertificates | undefined;

before(async () => {
  work = tempDir('berth-e2e-tls-');
});
after(() => rmSync(work, { recursive: true, force: true }));

async function testCertificates(): Promise<TestCertificates> {
  certs ??= await makeTestCertificates(join(work, 'tls'));
  return certs;
}

/** GET over HTTPS, trusting `ca` (default: the system's CAs). */
function httpsGet(
  url: string,
  ca?: Buffer,
): Promise<{ status: number; headers: Record<string, string | string[] | undefined> }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { headers: { authorization: adminAuthorization }, ...(ca ? { ca } : {}) }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers }));
    });
    req.on('error', reject);
    req.end();
  });
}

test('skopeo pushes over verified HTTPS with the CA in --dest-cert-dir, and refuses without it', async (t) => {
  if (!needTool(t, 'openssl') || !needTool(t, 'skopeo') || !needTool(t, 'umoci')) return;
  const { certificate, key, certDir, caCertificate } = await testCertificates();
  let server: TestBerth | undefined;
  try {
    server = await startTestBerth({ tls: { certificate, key } });
    assert.match(server.url, /^https:\/\//);
    const ping = await httpsGet(`${server.url}/v2/`, readFileSync(caCertificate));
    assert.equal(ping.status, 200);
    assert.equal(ping.headers['docker-distribution-api-version'], 'registry/2.0');

    const layout = join(work, 'layout');
    const image = await buildImage(layout, 'v1', { files: { 'tls.txt': 'over https\n' } });
    const skopeo = skopeoIn(work);
    const ref = `docker://${server.host}/library/secure:v1`;
    await skopeo([
      'copy',
      '--preserve-digests',
      '--dest-tls-verify=true',
      '--dest-creds',
      adminCredentials,
      '--dest-cert-dir',
      certDir,
      `oci:${layout}:v1`,
      ref,
    ]);
    const inspect = JSON.parse(await skopeo(['inspect', '--tls-verify=true', '--cert-dir', certDir, ref])) as {
      Digest: string;
    };
    assert.equal(inspect.Digest, image.digest);

    await assert.rejects(
      skopeo(['copy', '--dest-tls-verify=true', `oci:${layout}:v1`, `docker://${server.host}/library/secure:v2`]),
      (err: ExecError) =>
        /x509: certificate signed by unknown authority|certificate is not trusted|certificate verify failed/i.test(
          err.stderr,
        ),
    );
    await assert.rejects(
      skopeo(['inspect', '--tls-verify=true', `docker://${server.host}/library/secure:v2`]),
      /x509|certificate/i,
    );
  } finally {
    await server?.close();
  }
});

test('berth serve takes the certificate from BERTH_TLS_CERTIFICATE / BERTH_TLS_KEY and listens on https', async (t) => {
  if (!needTool(t, 'openssl')) return;
  const { certificate, key, caCertificate } = await testCertificates();
  const dataDir = join(work, 'serve-data');
  const berth = await spawnBerth(['--port', '0', '--data-dir', dataDir], {
    BERTH_TLS_CERTIFICATE: certificate,
    BERTH_TLS_KEY: key,
  });
  try {
    assert.match(berth.url, /^https:\/\/127\.0\.0\.1:\d+$/);
    const ping = await httpsGet(`${berth.url}/v2/`, readFileSync(caCertificate));
    assert.equal(ping.status, 200);
    await assert.rejects(httpsGet(`${berth.url}/v2/`), /self-signed|unable to verify|certificate/i);
  } finally {
    assert.equal(await berth.stop(), 0);
  }
});

test('podman pulls over verified HTTPS with --cert-dir, and refuses the unknown CA without it', async (t) => {
  if (!needTool(t, 'openssl') || !needTool(t, 'skopeo') || !needTool(t, 'umoci') || !needTool(t, 'podman')) return;
  const { certificate, key, certDir } = await testCertificates();
  let server: TestBerth | undefined;
  try {
    server = await startTestBerth({ tls: { certificate, key } });
    const layout = join(work, 'podman-layout');
    const image = await buildImage(layout, 'v1', { files: { 'tls.txt': 'podman over https\n' } });
    const ref = `${server.host}/library/podman:v1`;
    await skopeoIn(work)([
      'copy',
      '--preserve-digests',
      '--dest-creds',
      adminCredentials,
      '--dest-cert-dir',
      certDir,
      `oci:${layout}:v1`,
      `docker://${ref}`,
    ]);

    const { podman, policy } = podmanIn(work);
    await assert.rejects(podman(['pull', '--signature-policy', policy, '--tls-verify=true', ref]), /x509|certificate/i);
    await podman(['pull', '--signature-policy', policy, '--tls-verify=true', '--cert-dir', certDir, ref]);
    const [pulled] = JSON.parse(await podman(['image', 'inspect', ref])) as { Digest: string }[];
    assert.equal(pulled.Digest, image.digest);
  } finally {
    await server?.close();
  }
});
