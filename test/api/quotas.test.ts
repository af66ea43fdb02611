import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { api, startApiBerth } from '../helpers/api.js';
import { assertHarborSchema } from '../helpers/harbor-schema.js';
import type { TestBerth } from '../helpers/berth.js';
import { addMember, createUser, idFromLocation } from '../helpers/projects.js';
import { media, pushBlob, sha256 } from '../helpers/push.js';

// Harbor's quota API (GET /quotas, GET|PUT /quotas/{id}), the quota a project gets at creation,
// the quota in a project's summary, the configuration keys, and enforcement over /v2 and the
// artifact copy, each answer checked against Harbor's swagger and messages.

interface Quota {
  id: number;
  ref: { id: number; name: string; owner_name: string };
  hard: { storage: number };
  used: { storage: number };
  creation_time: string;
  update_time: string;
}
interface Errors {
  errors: { code: string; message: string }[];
}

const MiB = 1024 * 1024;
const LIST = '/quotas';
const ONE = '/quotas/{id}';

let server: TestBerth;
let carol: Awaited<ReturnType<typeof createUser>>;
let dave: Awaited<ReturnType<typeof createUser>>;

before(async () => {
  server = await startApiBerth();
  carol = await createUser(server, 'carol');
  dave = await createUser(server, 'dave');
});
after(() => server.close());

async function newProject(name: string, extra: Record<string, unknown> = {}, auth?: string): Promise<number> {
  const res = await api(server, 'POST', '/projects', {
    auth,
    body: { project_name: name, metadata: { public: 'false' }, ...extra },
  });
  assert.equal(res.status, 201, JSON.stringify(res.body));
  return idFromLocation(res.headers);
}

async function quotaOf(projectId: number): Promise<Quota> {
  const res = await api<Quota[]>(server, 'GET', `${LIST}?reference=project&reference_id=${projectId}`);
  assert.equal(res.status, 200, JSON.stringify(res.body));
  assert.equal(res.body.length, 1, `one quota for project ${projectId}`);
  return res.body[0];
}

/** The creation event gives the quota just after the 201: wait for the limit to show. */
async function quotaWithHard(projectId: number, hard: number): Promise<Quota> {
  for (let i = 0; i < 50; i++) {
    const quota = await quotaOf(projectId);
    if (quota.hard.storage === hard) return quota;
    await sleep(40);
  }
  assert.fail(`project ${projectId} never got the quota ${hard}: ${JSON.stringify(await quotaOf(projectId))}`);
}

async function setHard(projectId: number, storage: number): Promise<void> {
  const quota = await quotaOf(projectId);
  const res = await api(server, 'PUT', `/quotas/${quota.id}`, { body: { hard: { storage } } });
  assert.equal(res.status, 200, JSON.stringify(res.body));
}

async function setConfig(changes: Record<string, unknown>): Promise<void> {
  const res = await api(server, 'PUT', '/configurations', { body: changes });
  assert.equal(res.status, 200, JSON.stringify(res.body));
}

function assertError(
  res: { status: number; body: unknown },
  status: number,
  code: string,
  method: string,
  template: string,
  message?: string | RegExp,
): void {
  assert.equal(res.status, status, JSON.stringify(res.body));
  assertHarborSchema(method, template, status, res.body);
  const error = (res.body as Errors).errors[0];
  assert.equal(error.code, code);
  if (typeof message === 'string') assert.equal(error.message, message);
  else if (message) assert.match(error.message, message);
}

/** An image whose config, layer and manifest sizes are known: `bytes` is what it stores in a project. */
function image(layerBytes: number, seed = randomBytes(8).toString('hex')) {
  const config = Buffer.from(JSON.stringify({ architecture: 'amd64', os: 'linux', rootfs: { type: 'layers' }, seed }));
  const layer = randomBytes(layerBytes);
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: media.ociManifest,
      config: { mediaType: media.ociConfig, digest: sha256(config), size: config.length },
      layers: [{ mediaType: media.ociLayer, digest: sha256(layer), size: layer.length }],
    }),
  );
  return { config, layer, manifest, digest: sha256(manifest), bytes: config.length + layer.length + manifest.length };
}

async function putManifest(repository: string, tag: string, manifest: Buffer): Promise<Response> {
  return fetch(`${server.url}/v2/${repository}/manifests/${tag}`, {
    method: 'PUT',
    headers: { authorization: adminHeader(), 'content-type': media.ociManifest },
    body: manifest,
  });
}

function adminHeader(): string {
  return `Basic ${Buffer.from('admin:Harbor12345').toString('base64')}`;
}

async function pushWhole(repository: string, tag: string, img: ReturnType<typeof image>): Promise<void> {
  await pushBlob(server, repository, img.config);
  await pushBlob(server, repository, img.layer);
  const res = await putManifest(repository, tag, img.manifest);
  assert.equal(res.status, 201, await res.text());
}

/** A project's summary quota, as Harbor's GET /projects/{name}/summary answers it. */
async function summaryQuota(
  project: string,
  auth?: string,
): Promise<{ hard?: { storage: number }; used?: { storage: number } } | undefined> {
  const res = await api<{ quota?: { hard?: { storage: number }; used?: { storage: number } } }>(
    server,
    'GET',
    `/projects/${project}/summary`,
    { auth },
  );
  assert.equal(res.status, 200, JSON.stringify(res.body));
  assertHarborSchema('GET', '/projects/{project_name_or_id}/summary', 200, res.body);
  return res.body.quota;
}

test("GET /quotas lists every project quota in Harbor's Quota schema, with paging headers and reference filters", async () => {
  const first = await newProject('q-list-a');
  const second = await newProject('q-list-b');
  const res = await api<Quota[]>(server, 'GET', `${LIST}?page=1&page_size=100`);
  assert.equal(res.status, 200, JSON.stringify(res.body));
  assertHarborSchema('GET', LIST, 200, res.body);
  const names = res.body.map((q) => q.ref.name);
  assert.ok(names.includes('q-list-a') && names.includes('q-list-b') && names.includes('library'), names.join());
  assert.equal(Number(res.headers.get('x-total-count')), res.body.length);
  const a = res.body.find((q) => q.ref.id === first) as Quota;
  assert.deepEqual(a.ref, { id: first, name: 'q-list-a', owner_name: 'admin' });
  assert.deepEqual(a.hard, { storage: -1 }, 'the default storage_per_project is unlimited');
  assert.deepEqual(a.used, { storage: 0 });
  assert.ok(!Number.isNaN(Date.parse(a.creation_time)) && !Number.isNaN(Date.parse(a.update_time)));

  const paged = await api<Quota[]>(server, 'GET', `${LIST}?page=1&page_size=1`);
  assert.equal(paged.body.length, 1);
  assert.match(paged.headers.get('link') ?? '', /rel="next"/);

  const filtered = await api<Quota[]>(server, 'GET', `${LIST}?reference=project&reference_id=${second}`);
  assert.deepEqual(
    filtered.body.map((q) => q.ref.name),
    ['q-list-b'],
  );
  assert.equal(filtered.headers.get('x-total-count'), '1');
  for (const query of ['reference=registry', `reference_id=${second}99999`, 'reference_id=abc']) {
    const none = await api<Quota[]>(server, 'GET', `${LIST}?${query}`);
    assert.equal(none.status, 200);
    assert.deepEqual(none.body, [], query);
    assert.equal(none.headers.get('x-total-count'), '0', query);
  }
});

test('GET /quotas sorts by used.storage, hard.storage (unlimited largest), creation_time; an unknown key keeps newest first', async () => {
  const small = await newProject('q-sort-small', { storage_limit: 10 * MiB });
  const big = await newProject('q-sort-big', { storage_limit: 20 * MiB });
  await quotaWithHard(small, 10 * MiB);
  await quotaWithHard(big, 20 * MiB);
  await pushWhole('q-sort-big/app', 'v1', image(4096));
  await pushWhole('q-sort-small/app', 'v1', image(1024));

  const order = async (sort: string) => {
    const res = await api<Quota[]>(server, 'GET', `${LIST}?page_size=100&sort=${encodeURIComponent(sort)}`);
    assert.equal(res.status, 200, JSON.stringify(res.body));
    return res.body.map((q) => q.ref.name).filter((n) => n.startsWith('q-sort-'));
  };
  assert.deepEqual(await order('-used.storage'), ['q-sort-big', 'q-sort-small']);
  assert.deepEqual(await order('used.storage'), ['q-sort-small', 'q-sort-big']);
  assert.deepEqual(await order('hard.storage'), ['q-sort-small', 'q-sort-big']);
  assert.deepEqual(await order('-hard.storage'), ['q-sort-big', 'q-sort-small']);
  assert.deepEqual(await order('creation_time'), ['q-sort-small', 'q-sort-big']);
  assert.deepEqual(await order('nonsense'), ['q-sort-big', 'q-sort-small'], 'default: newest first');

  const all = await api<Quota[]>(server, 'GET', `${LIST}?page_size=100&sort=hard.storage`);
  const hards = all.body.map((q) => (q.hard.storage === -1 ? Infinity : q.hard.storage));
  assert.deepEqual(
    hards,
    [...hards].sort((x, y) => x - y),
    'unlimited (-1) sorts last ascending',
  );
});

test("GET /quotas/{id} answers one Quota; an unknown id is 404 in Harbor's error body", async () => {
  const projectId = await newProject('q-get');
  const listed = await quotaOf(projectId);
  const res = await api<Quota>(server, 'GET', `/quotas/${listed.id}`);
  assert.equal(res.status, 200);
  assertHarborSchema('GET', ONE, 200, res.body);
  assert.deepEqual(res.body, listed);
  assertError(await api(server, 'GET', '/quotas/987654'), 404, 'NOT_FOUND', 'GET', ONE, 'quota 987654 not found');
});

test("PUT /quotas/{id} sets hard.storage (-1 unlimited) and answers Harbor's 400s for bad limits", async () => {
  const projectId = await newProject('q-put');
  const quota = await quotaOf(projectId);
  const path = `/quotas/${quota.id}`;
  const ok = await api(server, 'PUT', path, { body: { hard: { storage: 5 * MiB } } });
  assert.equal(ok.status, 200, JSON.stringify(ok.body));
  const updated = await quotaOf(projectId);
  assert.equal(updated.hard.storage, 5 * MiB);
  assert.ok(updated.update_time >= quota.update_time);
  assert.equal((await api(server, 'PUT', path, { body: { hard: { storage: -1 } } })).status, 200);
  assert.equal((await quotaOf(projectId)).hard.storage, -1);

  const bad: [unknown, string | RegExp][] = [
    [{}, 'hard required in body'],
    [{ hard: {} }, 'hard required in body'],
    [{ hard: { count: 10 } }, 'resource count not support'],
    [{ hard: { storage: 0 } }, 'invalid value for resource storage'],
    [{ hard: { storage: -2 } }, 'invalid value for resource storage'],
    [{ hard: { storage: 'lots' } }, /hard\.storage must be an integer/],
    [{ hard: { storage: 1.5 } }, /hard\.storage must be an integer/],
  ];
  for (const [body, message] of bad)
    assertError(await api(server, 'PUT', path, { body }), 400, 'BAD_REQUEST', 'PUT', ONE, message);
  assertError(
    await api(server, 'PUT', '/quotas/987654', { body: { hard: { storage: MiB } } }),
    404,
    'NOT_FOUND',
    'PUT',
    ONE,
  );
  assertError(
    await api(server, 'PUT', '/quotas/987654', { body: { hard: {} } }),
    400,
    'BAD_REQUEST',
    'PUT',
    ONE,
    'hard required in body',
  );
});

test('quotas are for system administrators: 401 anonymous, 403 for users and project admins', async () => {
  const projectId = await newProject('q-perm', {}, carol.auth);
  const quota = await quotaOf(projectId);
  for (const [method, template, path, body] of [
    ['GET', LIST, LIST, undefined],
    ['GET', ONE, `/quotas/${quota.id}`, undefined],
    ['PUT', ONE, `/quotas/${quota.id}`, { hard: { storage: MiB } }],
  ] as const) {
    assertError(await api(server, method, path, { auth: null, body }), 401, 'UNAUTHORIZED', method, template);
    assertError(await api(server, method, path, { auth: carol.auth, body }), 403, 'FORBIDDEN', method, template);
  }
  assert.equal((await quotaOf(projectId)).hard.storage, -1, 'the refused PUT changed nothing');
});

test("a project's summary shows its quota (hard and used) to members, not to others; nothing while quotas are off", async () => {
  const projectId = await newProject('q-summary', { storage_limit: 50 * MiB, metadata: { public: 'true' } });
  await quotaWithHard(projectId, 50 * MiB);
  const img = image(3000);
  await pushWhole('q-summary/app', 'v1', img);
  assert.deepEqual(await summaryQuota('q-summary'), { hard: { storage: 50 * MiB }, used: { storage: img.bytes } });
  await addMember(server, 'q-summary', 'carol', 3);
  assert.deepEqual(await summaryQuota('q-summary', carol.auth), {
    hard: { storage: 50 * MiB },
    used: { storage: img.bytes },
  });
  assert.equal(await summaryQuota('q-summary', dave.auth), undefined, 'a non-member of the public project');
  await setConfig({ quota_per_project_enable: false });
  try {
    assert.equal(await summaryQuota('q-summary'), undefined);
  } finally {
    await setConfig({ quota_per_project_enable: true });
  }
});

test('a project gets storage_limit from POST /projects, else the storage_per_project of /configurations', async () => {
  const limited = await newProject('q-create-limit', { storage_limit: 7 * MiB });
  assert.equal((await quotaWithHard(limited, 7 * MiB)).hard.storage, 7 * MiB);
  const unlimited = await newProject('q-create-unlimited', { storage_limit: -1 });
  assert.equal((await quotaOf(unlimited)).hard.storage, -1);

  await setConfig({ storage_per_project: 3 * MiB });
  try {
    const config = await api<Record<string, { value: unknown; editable: boolean }>>(server, 'GET', '/configurations');
    assert.deepEqual(config.body.storage_per_project, { value: 3 * MiB, editable: true });
    const defaulted = await newProject('q-create-default');
    assert.equal((await quotaWithHard(defaulted, 3 * MiB)).hard.storage, 3 * MiB);
    const zero = await newProject('q-create-zero', { storage_limit: 0 });
    assert.equal((await quotaWithHard(zero, 3 * MiB)).hard.storage, 3 * MiB, '0 means the default, as in Harbor');
  } finally {
    await setConfig({ storage_per_project: -1 });
  }
  for (const value of [0, -2, 1.5, 'big'])
    assert.equal(
      (await api(server, 'PUT', '/configurations', { body: { storage_per_project: value } })).status,
      400,
      `storage_per_project ${String(value)}`,
    );
  const badLimit = await api(server, 'POST', '/projects', { body: { project_name: 'q-bad', storage_limit: -5 } });
  assertError(badLimit, 400, 'BAD_REQUEST', 'POST', '/projects');
});

test("a push over the limit is refused with DENIED and Harbor's message, counts nothing, and is audited", async () => {
  const projectId = await newProject('q-deny', { storage_limit: 64 * 1024 });
  await quotaWithHard(projectId, 64 * 1024);
  const fits = image(40 * 1024);
  await pushWhole('q-deny/app', 'v1', fits);
  assert.equal((await quotaOf(projectId)).used.storage, fits.bytes);

  // The layer's upload is refused before the blob is accepted.
  const big = image(30 * 1024);
  await pushBlob(server, 'q-deny/app', big.config);
  const upload = await fetch(`${server.url}/v2/q-deny/app/blobs/uploads/?digest=${sha256(big.layer)}`, {
    method: 'POST',
    headers: { authorization: adminHeader(), 'content-type': 'application/octet-stream' },
    body: big.layer,
  });
  assert.equal(upload.status, 403);
  const uploadError = ((await upload.json()) as Errors).errors[0];
  assert.equal(uploadError.code, 'DENIED');
  assert.equal(
    uploadError.message,
    `Quota exceeded when processing the request of adding 30.0 KiB of storage resource, which when updated to ` +
      `current usage of ${(fits.bytes / 1024).toFixed(1)} KiB will exceed the configured upper limit of 64.0 KiB.`,
  );
  const head = await fetch(`${server.url}/v2/q-deny/app/blobs/${sha256(big.layer)}`, {
    method: 'HEAD',
    headers: { authorization: adminHeader() },
  });
  assert.equal(head.status, 404, 'the refused blob is not in the repository');

  // Blobs uploaded while there was room (usage counts what artifacts reference): the manifest PUT is refused.
  await setHard(projectId, -1);
  await pushBlob(server, 'q-deny/app', big.layer);
  await setHard(projectId, 64 * 1024);
  const usedBefore = (await quotaOf(projectId)).used.storage;
  assert.equal(usedBefore, fits.bytes, 'uploaded blobs count once an artifact references them');
  const put = await putManifest('q-deny/app', 'v2', big.manifest);
  const body = (await put.json()) as Errors;
  assert.equal(put.status, 403, JSON.stringify(body));
  assert.equal(body.errors[0].code, 'DENIED');
  assert.match(body.errors[0].message, /^Quota exceeded when processing the request of adding .* of storage resource/);
  assert.equal((await quotaOf(projectId)).used.storage, usedBefore, 'nothing of the refused push is counted');
  const tags = await api<unknown[]>(server, 'GET', '/projects/q-deny/repositories/app/artifacts?with_tag=true');
  assert.equal(tags.body.length, 1, 'the refused manifest is not an artifact');

  const audited = await waitForAudit('operation=quota_exceeded,resource=~q-deny', 1);
  assert.equal(audited[0].resource_type, 'quota');
});

test('quota.warning is recorded when a push takes usage to 85% of the limit', async () => {
  const img = image(8000);
  const hard = Math.ceil(img.bytes / 0.9);
  const projectId = await newProject('q-warn', { storage_limit: hard });
  await quotaWithHard(projectId, hard);
  await pushWhole('q-warn/app', 'v1', img);
  const entries = await waitForAudit('operation=quota_warning,resource=q-warn', 1);
  assert.equal(entries[0].resource, 'q-warn');
  assert.equal(entries[0].resource_type, 'quota');
});

test('quota_per_project_enable=false lets a push pass any limit', async () => {
  const projectId = await newProject('q-off', { storage_limit: 1024 });
  await quotaWithHard(projectId, 1024);
  await setConfig({ quota_per_project_enable: false });
  try {
    const img = image(4096);
    await pushWhole('q-off/app', 'v1', img);
    assert.equal((await quotaOf(projectId)).used.storage, img.bytes, 'usage is still counted');
  } finally {
    await setConfig({ quota_per_project_enable: true });
  }
});

test("an artifact copy into a project without room is refused with 403 DENIED in Harbor's error body", async () => {
  const source = await newProject('q-copy-src');
  const target = await newProject('q-copy-dst', { storage_limit: 2048 });
  await quotaWithHard(target, 2048);
  const img = image(4096);
  await pushWhole('q-copy-src/app', 'v1', img);
  const res = await api(
    server,
    'POST',
    `/projects/q-copy-dst/repositories/app/artifacts?from=${encodeURIComponent(`q-copy-src/app@${img.digest}`)}`,
  );
  assertError(
    res,
    403,
    'DENIED',
    'POST',
    '/projects/{project_name}/repositories/{repository_name}/artifacts',
    /^Quota exceeded when processing the request of adding 4\.\d KiB of storage resource, which when updated to current usage of 0 B will exceed the configured upper limit of 2\.0 KiB\.$/,
  );
  assert.equal((await quotaOf(target)).used.storage, 0);
  await setHard(target, -1);
  const copied = await api(
    server,
    'POST',
    `/projects/q-copy-dst/repositories/app/artifacts?from=${encodeURIComponent(`q-copy-src/app@${img.digest}`)}`,
  );
  assert.equal(copied.status, 201, JSON.stringify(copied.body));
  assert.equal((await quotaOf(target)).used.storage, img.bytes, 'the copy counts in the target');
  assert.equal((await quotaOf(source)).used.storage, img.bytes, 'and still in the source');
});

interface AuditEntry {
  operation: string;
  resource: string;
  resource_type: string;
}

async function waitForAudit(q: string, count: number): Promise<AuditEntry[]> {
  for (let i = 0; i < 50; i++) {
    const res = await api<AuditEntry[]>(server, 'GET', `/audit-logs?q=${encodeURIComponent(q)}`);
    assert.equal(res.status, 200, JSON.stringify(res.body));
    if (res.body.length >= count) return res.body;
    await sleep(50);
  }
  assert.fail(`no ${count} audit entries for ${q}`);
}

test('20 parallel pushes into a project with room for 5 of them: exactly 5 succeed and usage stays within the limit', async () => {
  const images = Array.from({ length: 20 }, () => image(10 * 1024));
  const each = Math.max(...images.map((img) => img.bytes));
  const hard = 5 * each + 1024;
  const projectId = await newProject('q-race', { storage_limit: -1 });
  // Every blob is uploaded first (uploads alone count nothing), so the manifest PUTs race for the room.
  await Promise.all(images.map((img) => pushBlob(server, 'q-race/app', img.config)));
  await Promise.all(images.map((img) => pushBlob(server, 'q-race/app', img.layer)));
  await setHard(projectId, hard);
  const statuses = await Promise.all(
    images.map(async (img, i) => {
      // 503 is the busy database pool's answer (small in tests): clients try again, as this one does.
      for (let attempt = 0; ; attempt++) {
        const res = await putManifest('q-race/app', `t${i}`, img.manifest);
        await res.arrayBuffer();
        if (res.status !== 503 || attempt === 20) return res.status;
        await sleep(100);
      }
    }),
  );
  assert.equal(statuses.filter((s) => s === 201).length, 5, statuses.join());
  assert.equal(statuses.filter((s) => s === 403).length, 15, statuses.join());
  const used = (await quotaOf(projectId)).used.storage;
  const stored = images.filter((_, i) => statuses[i] === 201).reduce((sum, img) => sum + img.bytes, 0);
  assert.equal(used, stored, 'usage is what the accepted pushes stored');
  assert.ok(used <= hard);
});

test("a project's quota goes with the project", async () => {
  const projectId = await newProject('q-gone');
  const quota = await quotaOf(projectId);
  assert.equal((await api(server, 'DELETE', '/projects/q-gone')).status, 200);
  assertError(await api(server, 'GET', `/quotas/${quota.id}`), 404, 'NOT_FOUND', 'GET', ONE);
  const res = await api<Quota[]>(server, 'GET', `${LIST}?reference_id=${projectId}`);
  assert.deepEqual(res.body, []);
});
