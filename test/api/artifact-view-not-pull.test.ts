import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { api, startApiBerth } from '../helpers/api.js';
import { createProject } from '../helpers/projects.js';
import { encodeRepository, pullManifest, pushImage, type Pushed } from '../helpers/push.js';
import type { TestBerth } from '../helpers/berth.js';

// Viewing an artifact is not a pull: every request the portal's artifact page sends
// leaves the audit log, the repository's pull_count and the artifact's pull_time alone
// (retention rules rely on real pull times); a client's manifest GET on /v2 still counts.

interface Artifact {
  digest: string;
  pull_time: string;
  layers?: unknown;
}

const neverPulled = '0001-01-01T00:00:00.000Z';
// The pull recorder writes in batches, at most once a second.
const recorderFlush = 1500;

let server: TestBerth;
let pushed: Pushed;
const project = 'viewed';
const repository = `${project}/app`;
const base = `/projects/${project}/repositories/${encodeRepository('app')}`;

async function pullState(): Promise<{ pullCount: number; pullTime: string; pullLogs: number }> {
  const repo = await api<{ pull_count: number }>(server, 'GET', base);
  const artifact = await api<Artifact>(server, 'GET', `${base}/artifacts/${pushed.digest}`);
  const logs = await api<unknown[]>(
    server,
    'GET',
    `/audit-logs?q=${encodeURIComponent(`operation=pull,resource=~${repository}`)}`,
  );
  assert.equal(logs.status, 200);
  return { pullCount: repo.body.pull_count, pullTime: artifact.body.pull_time, pullLogs: logs.body.length };
}

before(async () => {
  server = await startApiBerth();
  await createProject(server, project);
  pushed = await pushImage(server, repository, 'v1');
});
after(() => server.close());

test('everything the artifact page requests answers, and none of it is a pull', async () => {
  const id = (await api<{ project_id: number }>(server, 'GET', `/projects/${project}`)).body.project_id;
  const artifact = `${base}/artifacts/${pushed.digest}`;
  // ArtifactPage.tsx: the project, the artifact (by digest, and by tag from the repository page),
  // its accessories, its manifest and build history; Harbor's with_* flags too.
  const requests = [
    `/projects/${id}`,
    '/systeminfo',
    `${artifact}?with_tag=true`,
    `${base}/artifacts/v1?with_tag=true&with_label=true&with_scan_overview=true&with_accessory=true&with_signature=true&with_immutable_status=true`,
    `${artifact}/accessories?page=1&page_size=10`,
    `${artifact}/additions/manifest`,
    `${artifact}/additions/build_history`,
    `${artifact}/additions/vulnerabilities`,
    `${base}/artifacts?with_tag=true&page=1&page_size=10`,
    base,
  ];
  for (const path of requests) {
    const res = await api(server, 'GET', path);
    assert.equal(res.status, 200, `${path}: ${res.status} ${JSON.stringify(res.body)}`);
  }
  await sleep(recorderFlush);
  assert.deepEqual(await pullState(), { pullCount: 0, pullTime: neverPulled, pullLogs: 0 });
});

test('the manifest addition is the manifest as pushed, with its media type', async () => {
  const ok = await api<Record<string, unknown>>(server, 'GET', `${base}/artifacts/v1/additions/manifest`);
  assert.equal(ok.status, 200);
  assert.equal(ok.headers.get('content-type')?.split(';')[0], pushed.mediaType);
  assert.equal((ok.body as { config: { digest: string } }).config.digest, pushed.configDigest);
});

test('a manifest GET on /v2 is a pull: audit entry, pull_count and pull_time', async () => {
  const before = await pullState();
  assert.equal(await pullManifest(server, repository, 'v1'), 200);
  await sleep(recorderFlush);
  const after = await pullState();
  assert.equal(after.pullCount, before.pullCount + 1);
  assert.notEqual(after.pullTime, neverPulled);
  assert.equal(after.pullLogs, before.pullLogs + 1);
});
