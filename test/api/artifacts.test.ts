import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { adminAuth, api, startApiBerth } from '../helpers/api.js';
import { assertArtifactSchema } from '../helpers/artifact-schema.js';
import { assertHarborSchema } from '../helpers/harbor-schema.js';
import { addMember, createProject, createUser } from '../helpers/projects.js';
import {
  encodeRepository,
  media,
  pullManifest,
  pushChart,
  pushImage,
  pushIndex,
  type Pushed,
} from '../helpers/push.js';
import type { TestBerth } from '../helpers/berth.js';

interface Tag {
  id: number;
  artifact_id: number;
  repository_id: number;
  name: string;
  push_time: string;
  pull_time: string;
  immutable: boolean;
}

interface Artifact {
  id: number;
  type: string;
  media_type: string;
  manifest_media_type: string;
  project_id: number;
  repository_id: number;
  repository_name: string;
  digest: string;
  size: number;
  push_time: string;
  pull_time: string;
  extra_attrs: Record<string, unknown>;
  references: { parent_id: number; child_id?: number; child_digest: string; platform?: Record<string, string> }[];
  tags?: Tag[];
  labels?: unknown[];
  accessories?: unknown[];
  addition_links: Record<string, { href: string; absolute: boolean }>;
}

const list = '/projects/{project_name}/repositories/{repository_name}/artifacts';
const one = `${list}/{reference}`;
const tags = `${one}/tags`;
const oneTag = `${tags}/{tag_name}`;
const neverPulled = '0001-01-01T00:00:00.000Z';

let server: TestBerth;
let developer: { id: number; username: string; auth: string };
let stranger: { id: number; username: string; auth: string };
let amd64: Pushed;
let arm64: Pushed;
let multi: Pushed;
let chart: Pushed;
let plain: Pushed;

before(async () => {
  server = await startApiBerth();
  await createProject(server, 'dev');
  await createProject(server, 'vault');
  developer = await createUser(server, 'artdev');
  stranger = await createUser(server, 'artstranger');
  await addMember(server, 'dev', developer.username, 2);
  plain = await pushImage(server, 'library/app', 'v1', { architecture: 'amd64' });
  await pushImage(server, 'library/app', 'v2', { architecture: 'amd64' });
  amd64 = await pushImage(server, 'library/multi', amd64Digestless(), { architecture: 'amd64' });
  arm64 = await pushImage(server, 'library/multi', amd64Digestless(), { architecture: 'arm64' });
  multi = await pushIndex(server, 'library/multi', 'latest', [
    { ...amd64, platform: { architecture: 'amd64', os: 'linux' } },
    { ...arm64, platform: { architecture: 'arm64', os: 'linux', variant: 'v8' } },
  ]);
  chart = await pushChart(server, 'library/charts/nginx', '1.2.3', { name: 'nginx', version: '1.2.3' });
});
after(() => server.close());

/** Children of an index are pushed by digest; a throwaway tag would make them listed. */
function amd64Digestless(): string {
  return `tmp-${Math.random().toString(36).slice(2, 8)}`;
}

test("GET artifacts lists images with Harbor's fields: type, media types, extra_attrs, tags, addition links", async () => {
  const res = await api<Artifact[]>(server, 'GET', '/projects/library/repositories/app/artifacts');
  assert.equal(res.status, 200);
  assertArtifactSchema('GET', list, 200, res.body);
  assert.equal(res.headers.get('x-total-count'), '2');
  const v1 = res.body.find((a) => a.digest === plain.digest);
  assert.ok(v1);
  assert.equal(v1.type, 'IMAGE');
  assert.equal(v1.media_type, media.ociConfig);
  assert.equal(v1.manifest_media_type, media.ociManifest);
  assert.equal(v1.repository_name, 'library/app');
  assert.equal(v1.pull_time, neverPulled);
  assert.equal(v1.extra_attrs.architecture, 'amd64');
  assert.equal(v1.extra_attrs.os, 'linux');
  assert.deepEqual(v1.extra_attrs.config, { Env: ['PATH=/bin'], Cmd: ['/hello'] });
  assert.deepEqual(
    v1.tags?.map((t) => t.name),
    ['v1'],
  );
  assert.equal(v1.tags?.[0].artifact_id, v1.id);
  assert.equal(v1.tags?.[0].immutable, false);
  assert.ok(v1.size > 0);
  assert.match(
    v1.addition_links.build_history.href,
    new RegExp(`/api/v2.0/projects/library/repositories/app/artifacts/${v1.digest}/additions/build_history$`),
  );
  assert.equal(v1.addition_links.build_history.absolute, false);
  // Newest first by default (Harbor sorts by push_time descending).
  assert.deepEqual(
    res.body.map((a) => a.tags?.[0].name),
    ['v2', 'v1'],
  );
});

test('with_tag=false leaves tags out; with_label and with_accessory add empty lists; the other with_* flags are accepted', async () => {
  const res = await api<Artifact[]>(
    server,
    'GET',
    '/projects/library/repositories/app/artifacts?with_tag=false&with_label=true&with_accessory=true&with_scan_overview=true&with_immutable_status=true&with_signature=true',
  );
  assert.equal(res.status, 200);
  assertArtifactSchema('GET', list, 200, res.body);
  for (const artifact of res.body) {
    assert.equal(artifact.tags, undefined);
    assert.deepEqual(artifact.labels, []);
    assert.deepEqual(artifact.accessories, []);
  }
  const bad = await api(server, 'GET', '/projects/library/repositories/app/artifacts?with_tag=maybe');
  assert.equal(bad.status, 400);
  assertHarborSchema('GET', list, 400, bad.body);
});

test('an OCI index lists its references with platform and child ids; its children are not listed on their own', async () => {
  const res = await api<Artifact[]>(server, 'GET', '/projects/library/repositories/multi/artifacts?q=tags%3D*');
  assertArtifactSchema('GET', list, 200, res.body);
  const index = res.body.find((a) => a.digest === multi.digest);
  assert.ok(index);
  assert.equal(index.type, 'IMAGE');
  assert.equal(index.manifest_media_type, media.ociIndex);
  assert.equal(index.media_type, media.ociIndex);
  assert.equal(index.references.length, 2);
  const arm = index.references.find((r) => r.child_digest === arm64.digest);
  assert.ok(arm);
  assert.deepEqual(arm.platform, { architecture: 'arm64', os: 'linux', variant: 'v8' });
  assert.equal(arm.parent_id, index.id);
  const child = await api<Artifact>(server, 'GET', `/projects/library/repositories/multi/artifacts/${arm64.digest}`);
  assert.equal(child.status, 200);
  assert.equal(arm.child_id, child.body.id);
  assert.equal(child.body.extra_attrs.architecture, 'arm64');

  // Delete the temporary tags of the children: they are then index children only, and hidden.
  for (const digest of [amd64.digest, arm64.digest]) {
    const tagList = await api<Tag[]>(server, 'GET', `/projects/library/repositories/multi/artifacts/${digest}/tags`);
    for (const tag of tagList.body) {
      const deleted = await api(
        server,
        'DELETE',
        `/projects/library/repositories/multi/artifacts/${digest}/tags/${tag.name}`,
      );
      assert.equal(deleted.status, 200);
    }
  }
  const all = await api<Artifact[]>(server, 'GET', '/projects/library/repositories/multi/artifacts');
  assert.deepEqual(
    all.body.map((a) => a.digest),
    [multi.digest],
  );
  assert.equal(all.headers.get('x-total-count'), '1');
});

test('a Helm chart artifact has type CHART with the chart metadata as extra_attrs, in a nested repository', async () => {
  const res = await api<Artifact[]>(
    server,
    'GET',
    `/projects/library/repositories/${encodeRepository('charts/nginx')}/artifacts`,
  );
  assert.equal(res.status, 200);
  assertArtifactSchema('GET', list, 200, res.body);
  assert.equal(res.body.length, 1);
  const [artifact] = res.body;
  assert.equal(artifact.digest, chart.digest);
  assert.equal(artifact.type, 'CHART');
  assert.equal(artifact.media_type, media.helmConfig);
  assert.equal(artifact.extra_attrs.name, 'nginx');
  assert.equal(artifact.extra_attrs.version, '1.2.3');
  assert.ok(artifact.addition_links['values.yaml']);
  assert.ok(artifact.addition_links['values.yaml'].href.includes('/repositories/charts%252Fnginx/'));
  const byType = await api<Artifact[]>(
    server,
    'GET',
    `/projects/library/repositories/${encodeRepository('charts/nginx')}/artifacts?q=${encodeURIComponent('type=CHART')}`,
  );
  assert.equal(byType.body.length, 1);
  const noImages = await api<Artifact[]>(
    server,
    'GET',
    `/projects/library/repositories/${encodeRepository('charts/nginx')}/artifacts?q=${encodeURIComponent('type=IMAGE')}`,
  );
  assert.equal(noImages.body.length, 0);
});

test('artifact listing filters with q on tags and digest, sorts and pages', async () => {
  const base = '/projects/library/repositories/app/artifacts';
  const exact = await api<Artifact[]>(server, 'GET', `${base}?q=${encodeURIComponent('tags=v1')}`);
  assert.deepEqual(
    exact.body.map((a) => a.digest),
    [plain.digest],
  );
  const fuzzy = await api<Artifact[]>(server, 'GET', `${base}?q=${encodeURIComponent('tags=~v')}`);
  assert.equal(fuzzy.body.length, 2);
  const untagged = await api<Artifact[]>(server, 'GET', `${base}?q=${encodeURIComponent('tags=nil')}`);
  assert.equal(untagged.body.length, 0);
  const digest = await api<Artifact[]>(server, 'GET', `${base}?q=${encodeURIComponent(`digest=${plain.digest}`)}`);
  assert.deepEqual(
    digest.body.map((a) => a.digest),
    [plain.digest],
  );
  const byName = await api<Artifact[]>(server, 'GET', `${base}?sort=name`);
  assert.deepEqual(
    byName.body.map((a) => a.tags?.[0].name),
    ['v1', 'v2'],
  );
  const oldest = await api<Artifact[]>(server, 'GET', `${base}?sort=push_time&page_size=1`);
  assertArtifactSchema('GET', list, 200, oldest.body);
  assert.deepEqual(
    oldest.body.map((a) => a.tags?.[0].name),
    ['v1'],
  );
  assert.equal(oldest.headers.get('x-total-count'), '2');
  assert.match(oldest.headers.get('link') ?? '', /rel="next"/);
  // Harbor ignores q and sort keys it cannot use.
  const all = await api<Artifact[]>(server, 'GET', `${base}?sort=push_time`);
  const unknown = await api<Artifact[]>(
    server,
    'GET',
    `${base}?sort=colour,push_time&q=${encodeURIComponent('colour=red')}`,
  );
  assert.equal(unknown.status, 200);
  assert.deepEqual(unknown.body, all.body);
});

test('GET an artifact by tag or digest; 404 for unknown references and repositories, 400 for a malformed one', async () => {
  const byTag = await api<Artifact>(server, 'GET', '/projects/library/repositories/app/artifacts/v1');
  assert.equal(byTag.status, 200);
  assertArtifactSchema('GET', one, 200, byTag.body);
  assert.equal(byTag.body.digest, plain.digest);
  const byDigest = await api<Artifact>(server, 'GET', `/projects/library/repositories/app/artifacts/${plain.digest}`);
  assert.equal(byDigest.body.id, byTag.body.id);
  const unknownTag = await api(server, 'GET', '/projects/library/repositories/app/artifacts/nope');
  assert.equal(unknownTag.status, 404);
  assertHarborSchema('GET', one, 404, unknownTag.body);
  const unknownRepo = await api(server, 'GET', '/projects/library/repositories/nothing/artifacts/v1');
  assert.equal(unknownRepo.status, 404);
  const malformed = await api(server, 'GET', '/projects/library/repositories/app/artifacts/sha256:zz');
  assert.equal(malformed.status, 400);
  assertHarborSchema('GET', one, 400, malformed.body);
  const anonymousPrivate = await api(server, 'GET', '/projects/dev/repositories/app/artifacts/v1', { auth: null });
  assert.equal(anonymousPrivate.status, 401);
  assertHarborSchema('GET', one, 401, anonymousPrivate.body);
});

test('tags: list with paging, create (201, 409 when taken, 400 for a bad name, 404 for an unknown artifact), delete', async () => {
  const base = '/projects/library/repositories/app/artifacts/v1/tags';
  const created = await api(server, 'POST', base, { body: { name: 'stable' } });
  assert.equal(created.status, 201);
  assertHarborSchema('POST', tags, 201, created.body);
  const second = await api(server, 'POST', base, { body: { name: 'prod' } });
  assert.equal(second.status, 201);
  const listed = await api<Tag[]>(server, 'GET', `${base}?sort=name`);
  assert.equal(listed.status, 200);
  assertHarborSchema('GET', tags, 200, listed.body);
  assert.deepEqual(
    listed.body.map((t) => t.name),
    ['prod', 'stable', 'v1'],
  );
  const paged = await api<Tag[]>(server, 'GET', `${base}?sort=name&page=2&page_size=2`);
  assert.deepEqual(
    paged.body.map((t) => t.name),
    ['v1'],
  );
  assert.equal(paged.headers.get('x-total-count'), '3');
  const taken = await api(server, 'POST', base, { body: { name: 'v2' } });
  assert.equal(taken.status, 409);
  assertHarborSchema('POST', tags, 409, taken.body);
  const badName = await api(server, 'POST', base, { body: { name: 'no spaces' } });
  assert.equal(badName.status, 400);
  assertHarborSchema('POST', tags, 400, badName.body);
  const noArtifact = await api(server, 'POST', '/projects/library/repositories/app/artifacts/missing/tags', {
    body: { name: 'x' },
  });
  assert.equal(noArtifact.status, 404);
  assertHarborSchema('POST', tags, 404, noArtifact.body);
  assert.equal(await pullManifest(server, 'library/app', 'stable'), 200);

  const deleted = await api(server, 'DELETE', `${base}/stable`);
  assert.equal(deleted.status, 200);
  assertHarborSchema('DELETE', oneTag, 200, deleted.body);
  assert.equal(await pullManifest(server, 'library/app', 'stable'), 404);
  const again = await api(server, 'DELETE', `${base}/stable`);
  assert.equal(again.status, 404);
  assertHarborSchema('DELETE', oneTag, 404, again.body);
  const otherArtifact = await api(server, 'DELETE', '/projects/library/repositories/app/artifacts/v1/tags/v2');
  assert.equal(otherArtifact.status, 404);
});

test('tag and artifact writes need the project roles: a stranger cannot tag in a public project, a developer cannot delete', async () => {
  const asStranger = await api(server, 'POST', '/projects/library/repositories/app/artifacts/v1/tags', {
    auth: stranger.auth,
    body: { name: 'mine' },
  });
  assert.equal(asStranger.status, 403);
  assertHarborSchema('POST', tags, 403, asStranger.body);
  await pushImage(server, 'dev/tool', 'v1', { auth: developer.auth });
  const tagged = await api(server, 'POST', '/projects/dev/repositories/tool/artifacts/v1/tags', {
    auth: developer.auth,
    body: { name: 'ok' },
  });
  assert.equal(tagged.status, 201);
  const deleteTag = await api(server, 'DELETE', '/projects/dev/repositories/tool/artifacts/v1/tags/ok', {
    auth: developer.auth,
  });
  assert.equal(deleteTag.status, 403);
  assertHarborSchema('DELETE', oneTag, 403, deleteTag.body);
  const deleteArtifact = await api(server, 'DELETE', '/projects/dev/repositories/tool/artifacts/v1', {
    auth: developer.auth,
  });
  assert.equal(deleteArtifact.status, 403);
  assertHarborSchema('DELETE', one, 403, deleteArtifact.body);
});

test('DELETE an artifact by tag removes it and all its tags from the registry; 404 afterwards', async () => {
  const victim = await pushImage(server, 'library/gone', 'v1');
  await api(server, 'POST', '/projects/library/repositories/gone/artifacts/v1/tags', { body: { name: 'also' } });
  const res = await api(server, 'DELETE', '/projects/library/repositories/gone/artifacts/v1');
  assert.equal(res.status, 200);
  assertHarborSchema('DELETE', one, 200, res.body);
  assert.equal(await pullManifest(server, 'library/gone', 'also'), 404);
  assert.equal(await pullManifest(server, 'library/gone', victim.digest), 404);
  const again = await api(server, 'DELETE', `/projects/library/repositories/gone/artifacts/${victim.digest}`);
  assert.equal(again.status, 404);
  assertHarborSchema('DELETE', one, 404, again.body);
});

test('DELETE an index removes its untagged children too', async () => {
  const res = await api(server, 'DELETE', '/projects/library/repositories/multi/artifacts/latest');
  assert.equal(res.status, 200);
  assert.equal(await pullManifest(server, 'library/multi', amd64.digest), 404);
  assert.equal(await pullManifest(server, 'library/multi', arm64.digest), 404);
});

test('copy between projects: 201 with Location, the copy is pullable with its tags, 409 the second time', async () => {
  const source = await pushImage(server, 'library/copyme', 'v1');
  const res = await api(
    server,
    'POST',
    `/projects/dev/repositories/${encodeRepository('copies/copyme')}/artifacts?from=${encodeURIComponent('library/copyme:v1')}`,
  );
  assert.equal(res.status, 201, JSON.stringify(res.body));
  assertHarborSchema('POST', list, 201, res.body);
  assert.match(res.headers.get('location') ?? '', new RegExp(`/artifacts/${source.digest}$`));
  assert.equal(await pullManifest(server, 'dev/copies/copyme', 'v1'), 200);
  const config = await fetch(`${server.url}/v2/dev/copies/copyme/blobs/${source.configDigest}`, {
    headers: { authorization: adminAuth },
  });
  assert.equal(config.status, 200);
  await config.arrayBuffer();
  const copied = await api<Artifact>(
    server,
    'GET',
    `/projects/dev/repositories/${encodeRepository('copies/copyme')}/artifacts/v1`,
  );
  assert.equal(copied.body.digest, source.digest);
  assert.equal(copied.body.repository_name, 'dev/copies/copyme');
  assert.equal(copied.body.extra_attrs.architecture, 'amd64');
  const again = await api(
    server,
    'POST',
    `/projects/dev/repositories/${encodeRepository('copies/copyme')}/artifacts?from=library/copyme@${source.digest}`,
  );
  assert.equal(again.status, 409);
});

test('copy an index by digest brings its children along', async () => {
  const a = await pushImage(server, 'library/idx', 'a', { architecture: 'amd64' });
  const b = await pushImage(server, 'library/idx', 'b', { architecture: 's390x' });
  const index = await pushIndex(server, 'library/idx', 'all', [
    { ...a, platform: { architecture: 'amd64', os: 'linux' } },
    { ...b, platform: { architecture: 's390x', os: 'linux' } },
  ]);
  const res = await api(server, 'POST', `/projects/dev/repositories/idx/artifacts?from=library/idx@${index.digest}`);
  assert.equal(res.status, 201);
  assert.equal(await pullManifest(server, 'dev/idx', index.digest), 200);
  assert.equal(await pullManifest(server, 'dev/idx', b.digest), 200);
  const copied = await api<Artifact>(server, 'GET', `/projects/dev/repositories/idx/artifacts/${index.digest}`);
  assert.equal(copied.body.references.length, 2);
  assert.ok(copied.body.references.every((r) => typeof r.child_id === 'number'));
  assert.deepEqual(
    copied.body.tags?.map((t) => t.name),
    ['all'],
  );
});

test('copy errors: 400 without or with a malformed from, 404 for an unknown source, 403 without pull on the source or push on the target', async () => {
  const target = '/projects/dev/repositories/copy2/artifacts';
  const missing = await api(server, 'POST', target);
  assert.equal(missing.status, 400);
  assertHarborSchema('POST', list, 400, missing.body);
  const malformed = await api(server, 'POST', `${target}?from=justaname`);
  assert.equal(malformed.status, 400);
  const unknown = await api(server, 'POST', `${target}?from=library/nothing:v1`);
  assert.equal(unknown.status, 404);
  assertHarborSchema('POST', list, 404, unknown.body);
  await pushImage(server, 'vault/secret', 'v1');
  const noPull = await api(server, 'POST', `${target}?from=vault/secret:v1`, { auth: developer.auth });
  assert.equal(noPull.status, 404, 'a private source project the caller cannot see is not found');
  const noPush = await api(server, 'POST', '/projects/library/repositories/copy3/artifacts?from=dev/tool:v1', {
    auth: developer.auth,
  });
  assert.equal(noPush.status, 403);
  assertHarborSchema('POST', list, 403, noPush.body);
  const anonymous = await api(server, 'POST', `${target}?from=library/app:v1`, { auth: null });
  assert.equal(anonymous.status, 401);
  assertHarborSchema('POST', list, 401, anonymous.body);
});

test('a pull sets pull_time on the artifact and the tag and counts on the repository, within about two seconds', async () => {
  const pushed = await pushImage(server, 'library/pulled', 'v1');
  const before = Date.now();
  assert.equal(await pullManifest(server, 'library/pulled', 'v1'), 200);
  assert.equal(await pullManifest(server, 'library/pulled', pushed.digest), 200);
  let artifact: Artifact | undefined;
  for (let i = 0; i < 25; i++) {
    const res = await api<Artifact>(server, 'GET', '/projects/library/repositories/pulled/artifacts/v1');
    if (res.body.pull_time !== neverPulled) {
      artifact = res.body;
      break;
    }
    await sleep(100);
  }
  assert.ok(artifact, 'pull_time set within 2.5 s');
  assert.ok(Date.parse(artifact.pull_time) >= before - 5);
  assert.notEqual(artifact.tags?.[0].pull_time, neverPulled);
  const repository = await api<{ pull_count: number }>(server, 'GET', '/projects/library/repositories/pulled');
  assert.equal(repository.body.pull_count, 2);
});
