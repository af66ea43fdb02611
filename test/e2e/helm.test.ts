import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { adminAuthorization, startTestBerth, tempDir, testAdminPassword, type TestBerth } from '../helpers/berth.js';
import { exec } from '../helpers/tools.js';
import { needHelm } from '../helpers/helm.js';
import type { ImageManifest } from '../helpers/images.js';

// helm 3.8+ stores charts as OCI artifacts: `helm push` to oci://, `helm pull` back.

let server: TestBerth;
let work: string;

before(async () => {
  server = await startTestBerth();
  work = tempDir('berth-e2e-helm-');
});
after(async () => {
  await server?.close();
  rmSync(work, { recursive: true, force: true });
});

/** A minimal chart: Chart.yaml, values.yaml and one template. */
function writeChart(dir: string, version: string): string {
  const chart = join(dir, `src-${version}`, 'berth-demo');
  mkdirSync(join(chart, 'templates'), { recursive: true });
  writeFileSync(
    join(chart, 'Chart.yaml'),
    `apiVersion: v2\nname: berth-demo\nversion: ${version}\ndescription: A chart pushed to Berth\ntype: application\n`,
  );
  writeFileSync(join(chart, 'values.yaml'), 'greeting: hello\n');
  writeFileSync(
    join(chart, 'templates', 'configmap.yaml'),
    'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Release.Name }}\ndata:\n  greeting: {{ .Values.greeting }}\n',
  );
  return chart;
}

test('helm pushes a packaged chart to oci://, pulls the same bytes back and shows it from the registry', async (t) => {
  const helmPath = await needHelm(t);
  if (!helmPath) return;
  // helm keeps its registry config, cache and plugins in these homes: all in the temp dir.
  const env = {
    HELM_CACHE_HOME: join(work, 'cache'),
    HELM_CONFIG_HOME: join(work, 'config'),
    HELM_DATA_HOME: join(work, 'data'),
    DOCKER_CONFIG: join(work, 'docker'),
  };
  const helm = async (args: string[]) => {
    const { stdout, stderr } = await exec(helmPath, args, { cwd: work, env });
    return stdout + stderr;
  };
  const packages = join(work, 'packages');
  const repo = `oci://${server.host}/library`;
  // As a user would: log in once, push; pulls from the public project need no login.
  await helm([
    'registry',
    'login',
    server.host,
    '--plain-http',
    '--username',
    'admin',
    '--password',
    testAdminPassword,
  ]);

  for (const version of ['0.1.0', '0.2.0'])
    await helm(['package', writeChart(work, version), '--destination', packages]);
  const tgz = readFileSync(join(packages, 'berth-demo-0.1.0.tgz'));
  const pushOutput = await helm(['push', join(packages, 'berth-demo-0.1.0.tgz'), repo, '--plain-http']);
  await helm(['push', join(packages, 'berth-demo-0.2.0.tgz'), repo, '--plain-http']);
  const pushedDigest = /Digest: (sha256:[0-9a-f]{64})/.exec(pushOutput)?.[1];
  assert.ok(pushedDigest, `helm push reports a digest: ${pushOutput}`);

  // Berth holds a Helm OCI artifact: a chart config and the .tgz as its one layer.
  const res = await fetch(`${server.url}/v2/library/berth-demo/manifests/0.1.0`, {
    headers: { accept: 'application/vnd.oci.image.manifest.v1+json', authorization: adminAuthorization },
  });
  assert.equal(res.status, 200);
  assert.equal(res.headers.get('docker-content-digest'), pushedDigest);
  const manifest = (await res.json()) as ImageManifest;
  assert.equal(manifest.config.mediaType, 'application/vnd.cncf.helm.config.v1+json');
  assert.deepEqual(
    manifest.layers.map((l) => [l.mediaType, l.digest, l.size]),
    [
      [
        'application/vnd.cncf.helm.chart.content.v1.tar+gzip',
        `sha256:${createHash('sha256').update(tgz).digest('hex')}`,
        tgz.length,
      ],
    ],
  );

  const pulled = join(work, 'pulled');
  mkdirSync(pulled); // helm pull does not create --destination
  await helm(['pull', `${repo}/berth-demo`, '--version', '0.1.0', '--plain-http', '--destination', pulled]);
  assert.deepEqual(
    readFileSync(join(pulled, 'berth-demo-0.1.0.tgz')),
    tgz,
    'helm pull returns the pushed .tgz byte for byte',
  );

  const shown = await helm(['show', 'chart', `${repo}/berth-demo`, '--version', '0.1.0', '--plain-http']);
  assert.match(shown, /^name: berth-demo$/m);
  assert.match(shown, /^version: 0\.1\.0$/m);
  assert.match(shown, /^description: A chart pushed to Berth$/m);
  // Without --version helm lists the tags and picks the highest semver.
  const latest = await helm(['show', 'chart', `${repo}/berth-demo`, '--plain-http']);
  assert.match(latest, /^version: 0\.2\.0$/m);
  const values = await helm(['show', 'values', `${repo}/berth-demo`, '--version', '0.1.0', '--plain-http']);
  assert.match(values, /^greeting: hello$/m);
});
