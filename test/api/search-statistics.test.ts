import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { api, basic, startApiBerth } from '../helpers/api.js';
import { assertHarborSchema } from '../helpers/harbor-schema.js';
import { addMember, createProject, createUser } from '../helpers/projects.js';
import { media, pushBlob, pushManifest } from '../helpers/push.js';
import type { TestBerth } from '../helpers/berth.js';

// GET /search and GET /statistics as Harbor answers them: only what the caller may see,
// public counts for everyone signed in, totals and storage for administrators.

interface SearchRepository {
  project_id: number;
  project_name: string;
  project_public: boolean;
  repository_name: string;
  pull_count: number;
  artifact_count: number;
}
interface SearchResult {
  project: { project_id: number; name: string; repo_count: number; current_user_role_id: number }[];
  repository: SearchRepository[];
}
interface Statistic {
  private_project_count: number;
  private_repo_count: number;
  public_project_count: number;
  public_repo_count: number;
  total_project_count: number;
  total_repo_count: number;
  total_storage_consumption: number;
}

let server: TestBerth;
let member: { id: number; username: string; auth: string };
let outsider: { id: number; username: string; auth: string };
const projectIds = new Map<string, number>();
/** Every blob and manifest pushed, by digest: what total_storage_consumption must add up. */
const stored = new Map<string, number>();

/** Pushes a one-layer image from the given bytes and records its blob and manifest sizes. */
async function pushKnown(repository: string, tag: string, config: Buffer, layer: Buffer): Promise<void> {
  const configDigest = await pushBlob(server, repository, config);
  const layerDigest = await pushBlob(server, repository, layer);
  stored.set(configDigest, config.length);
  stored.set(layerDigest, layer.length);
  const manifest = {
    schemaVersion: 2,
    mediaType: media.ociManifest,
    config: { mediaType: media.ociConfig, digest: configDigest, size: config.length },
    layers: [{ mediaType: media.ociLayer, digest: layerDigest, size: layer.length }],
  };
  const pushed = await pushManifest(server, repository, tag, manifest, media.ociManifest);
  stored.set(pushed.digest, pushed.size);
}

const image = () => ({
  config: Buffer.from(JSON.stringify({ architecture: 'amd64', os: 'linux', seed: randomBytes(8).toString('hex') })),
  layer: randomBytes(1000 + Math.floor(Math.random() * 1000)),
});

before(async () => {
  server = await startApiBerth();
  projectIds.set('search-pub', await createProject(server, 'search-pub', { public: true }));
  projectIds.set('search-priv', await createProject(server, 'search-priv'));
  projectIds.set('search-hidden', await createProject(server, 'search-hidden'));
  member = await createUser(server, 'searchmember');
  outsider = await createUser(server, 'searchoutsider');
  await addMember(server, 'search-priv', member.username, 2);
  const shared = image();
  await pushKnown('search-pub/web-app', 'v1', shared.config, shared.layer);
  await pushKnown('search-pub/tools', 'v1', image().config, image().layer);
  const secret = image();
  await pushKnown('search-priv/web-secret', 'v1', secret.config, secret.layer);
  await pushKnown('search-priv/web-secret', 'v2', image().config, image().layer);
  // The same image again: its blobs and manifest count once in the storage total.
  await pushKnown('search-priv/web-copy', 'v1', shared.config, shared.layer);
  await pushKnown('search-hidden/web-hidden', 'v1', image().config, image().layer);
});
after(() => server.close());

async function search(q: string, auth?: string | null) {
  const res = await api<SearchResult>(server, 'GET', `/search?q=${encodeURIComponent(q)}`, { auth });
  assert.equal(res.status, 200, JSON.stringify(res.body));
  assertHarborSchema('GET', '/search', 200, res.body);
  return res.body;
}

const repositoryNames = (body: SearchResult) => body.repository.map((r) => r.repository_name).sort();
const projectNames = (body: SearchResult) => body.project.map((p) => p.name).sort();

test('GET /search as an administrator finds every project and repository whose name contains q', async () => {
  const body = await search('web');
  assert.deepEqual(repositoryNames(body), [
    'search-hidden/web-hidden',
    'search-priv/web-copy',
    'search-priv/web-secret',
    'search-pub/web-app',
  ]);
  const secret = body.repository.find((r) => r.repository_name === 'search-priv/web-secret');
  assert.deepEqual(secret, {
    project_id: projectIds.get('search-priv'),
    project_name: 'search-priv',
    project_public: false,
    repository_name: 'search-priv/web-secret',
    pull_count: 0,
    artifact_count: 2,
  });
  assert.equal(body.repository.find((r) => r.repository_name === 'search-pub/web-app')?.project_public, true);
  assert.deepEqual(body.project, []);
  const projects = await search('search-');
  assert.deepEqual(projectNames(projects), ['search-hidden', 'search-priv', 'search-pub']);
  assert.equal(projects.project.find((p) => p.name === 'search-priv')?.repo_count, 2);
});

test('GET /search shows a user public projects and their own, anonymous callers public ones only', async () => {
  const mine = await search('search', member.auth);
  assert.deepEqual(projectNames(mine), ['search-priv', 'search-pub']);
  assert.equal(mine.project.find((p) => p.name === 'search-priv')?.current_user_role_id, 2);
  assert.deepEqual(repositoryNames(mine), [
    'search-priv/web-copy',
    'search-priv/web-secret',
    'search-pub/tools',
    'search-pub/web-app',
  ]);
  const outside = await search('search', outsider.auth);
  assert.deepEqual(projectNames(outside), ['search-pub']);
  assert.deepEqual(repositoryNames(outside), ['search-pub/tools', 'search-pub/web-app']);
  const anonymous = await search('web', null);
  assert.deepEqual(projectNames(anonymous), []);
  assert.deepEqual(repositoryNames(anonymous), ['search-pub/web-app']);
  assert.deepEqual(projectNames(await search('pub', null)), ['search-pub']);
});

test('GET /search matches repository names ignoring case and project names exactly, as Harbor does', async () => {
  const upper = await search('SEARCH-PUB/WEB');
  assert.deepEqual(repositoryNames(upper), ['search-pub/web-app']);
  assert.deepEqual(upper.project, []);
  assert.deepEqual(await search('no-such-name'), { project: [], repository: [] });
  // LIKE wildcards are literal characters.
  assert.deepEqual(repositoryNames(await search('web%')), []);
  assert.deepEqual(repositoryNames(await search('search_pub')), []);
});

test('GET /search without q, or with an empty q, is 422 as go-swagger answers a missing required parameter', async () => {
  for (const path of ['/search', '/search?q=']) {
    const res = await api<{ errors: { code: string; message: string }[] }>(server, 'GET', path);
    assert.equal(res.status, 422, path);
    assert.equal(res.body.errors[0].code, 'UNPROCESSABLE_ENTITY');
    assert.match(res.body.errors[0].message, /q in query is required/);
  }
});

async function statistics(auth?: string | null) {
  const res = await api<Statistic>(server, 'GET', '/statistics', { auth });
  assert.equal(res.status, 200, JSON.stringify(res.body));
  assertHarborSchema('GET', '/statistics', 200, res.body);
  return res.body;
}

test('GET /statistics gives an administrator every count and the bytes of distinct blobs and manifests', async () => {
  const body = await statistics();
  const expectedStorage = [...stored.values()].reduce((sum, size) => sum + size, 0);
  assert.deepEqual(body, {
    // library (created at first start) and search-pub.
    public_project_count: 2,
    public_repo_count: 2,
    private_project_count: 2,
    private_repo_count: 3,
    total_project_count: 4,
    total_repo_count: 5,
    total_storage_consumption: expectedStorage,
  });
});

test('GET /statistics gives a user public counts and their private memberships, no totals', async () => {
  assert.deepEqual(await statistics(member.auth), {
    public_project_count: 2,
    public_repo_count: 2,
    private_project_count: 1,
    private_repo_count: 2,
    total_project_count: 0,
    total_repo_count: 0,
    total_storage_consumption: 0,
  });
  const outside = await statistics(outsider.auth);
  assert.equal(outside.private_project_count, 0);
  assert.equal(outside.private_repo_count, 0);
  assert.equal(outside.public_repo_count, 2);
});

test('GET /statistics needs a signed-in caller (401), as Harbor requires', async () => {
  const res = await api(server, 'GET', '/statistics', { auth: null });
  assert.equal(res.status, 401);
  const wrong = await api(server, 'GET', '/statistics', { auth: basic('searchmember', 'wrong-password') });
  assert.equal(wrong.status, 401);
});
