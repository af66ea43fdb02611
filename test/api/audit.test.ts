import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { api, startApiBerth } from '../helpers/api.js';
import { assertHarborSchema } from '../helpers/harbor-schema.js';
import { addMember, createProject, createUser } from '../helpers/projects.js';
import { pullManifest, pushImage, type Pushed } from '../helpers/push.js';
import type { TestBerth } from '../helpers/berth.js';

interface AuditLog {
  id: number;
  username: string;
  resource: string;
  resource_type: string;
  operation: string;
  op_time: string;
}

let server: TestBerth;
let owner: { id: number; username: string; auth: string };
let reader: { id: number; username: string; auth: string };
let stranger: { id: number; username: string; auth: string };
let pushed: Pushed;
let started: string;

/** Audit entries are written by an event subscriber: wait until `count` match. */
async function waitForLogs(path: string, count: number, auth?: string): Promise<AuditLog[]> {
  for (let i = 0; i < 40; i++) {
    const res = await api<AuditLog[]>(server, 'GET', path, { auth });
    if (res.status === 200 && res.body.length >= count) return res.body;
    await sleep(50);
  }
  const res = await api<AuditLog[]>(server, 'GET', path, { auth });
  assert.fail(`expected ${count} audit entries from ${path}, got ${JSON.stringify(res.body)}`);
}

before(async () => {
  server = await startApiBerth();
  started = new Date(Date.now() - 1000).toISOString();
  await createProject(server, 'audited');
  owner = await createUser(server, 'auditowner');
  reader = await createUser(server, 'auditreader');
  stranger = await createUser(server, 'auditstranger');
  await addMember(server, 'audited', owner.username, 1);
  await addMember(server, 'audited', reader.username, 3);
  pushed = await pushImage(server, 'audited/web', 'v1', { auth: owner.auth });
  assert.equal(await pullManifest(server, 'audited/web', 'v1', reader.auth), 200);
  await pushImage(server, 'library/other', 'v1');
});
after(() => server.close());

const q = (query: string) => `q=${encodeURIComponent(query)}`;

test('a push, a pull and a delete over /v2 appear in /audit-logs with the acting username, Harbor-style', async () => {
  const pushes = await waitForLogs(`/audit-logs?${q('resource=audited/web:v1,operation=create')}`, 1);
  assertHarborSchema('GET', '/audit-logs', 200, pushes);
  assert.equal(pushes[0].username, owner.username);
  assert.equal(pushes[0].resource_type, 'artifact');
  const pulls = await waitForLogs(`/audit-logs?${q('operation=pull,resource=audited/web:v1')}`, 1);
  assert.equal(pulls[0].username, reader.username);

  const deleted = await fetch(`${server.url}/v2/audited/web/manifests/${pushed.digest}`, {
    method: 'DELETE',
    headers: { authorization: owner.auth },
  });
  assert.equal(deleted.status, 202);
  const deletes = await waitForLogs(`/audit-logs?${q(`operation=delete,resource_type=artifact`)}`, 1);
  assert.equal(deletes[0].resource, `audited/web:${pushed.digest}`);
  assert.equal(deletes[0].username, owner.username);
});

test('REST API changes are audited too: tag creation and deletion, repository deletion', async () => {
  await pushImage(server, 'library/tagged', 'v1');
  assert.equal(
    (await api(server, 'POST', '/projects/library/repositories/tagged/artifacts/v1/tags', { body: { name: 'extra' } }))
      .status,
    201,
  );
  assert.equal(
    (await api(server, 'DELETE', '/projects/library/repositories/tagged/artifacts/v1/tags/extra')).status,
    200,
  );
  assert.equal((await api(server, 'DELETE', '/projects/library/repositories/tagged')).status, 200);
  const tagLogs = await waitForLogs(
    `/audit-logs?${q('resource_type=tag,resource=library/tagged:extra')}&sort=op_time`,
    2,
  );
  assert.deepEqual(
    tagLogs.map((l) => l.operation),
    ['create', 'delete'],
  );
  assert.ok(tagLogs.every((l) => l.username === 'admin'));
  const repoLogs = await waitForLogs(`/audit-logs?${q('resource_type=repository')}`, 1);
  assert.equal(repoLogs[0].resource, 'library/tagged');
  assert.equal(repoLogs[0].operation, 'delete');
});

test('/audit-logs filters by username (fuzzy), operation lists and op_time ranges, sorts and pages', async () => {
  await waitForLogs(`/audit-logs?${q('operation=pull')}`, 1);
  const fuzzy = await api<AuditLog[]>(server, 'GET', `/audit-logs?${q('username=~auditown')}`);
  assert.ok(fuzzy.body.length > 0);
  assert.ok(fuzzy.body.every((l) => l.username === owner.username));
  const anyOf = await api<AuditLog[]>(server, 'GET', `/audit-logs?${q('operation={pull delete}')}`);
  assert.ok(anyOf.body.length >= 2);
  assert.ok(anyOf.body.every((l) => l.operation === 'pull' || l.operation === 'delete'));
  const inRange = await api<AuditLog[]>(
    server,
    'GET',
    `/audit-logs?${q(`op_time=[${started}~${new Date(Date.now() + 60_000).toISOString()}]`)}`,
  );
  assert.ok(inRange.body.length > 0);
  const harborTime = (d: Date) => d.toISOString().slice(0, 19).replace('T', ' ');
  const past = await api<AuditLog[]>(
    server,
    'GET',
    `/audit-logs?${q(`op_time=[2000-01-01 00:00:00~${harborTime(new Date(Date.parse(started) - 60_000))}]`)}`,
  );
  assert.equal(past.status, 200);
  assert.deepEqual(past.body, []);
  const newest = await api<AuditLog[]>(server, 'GET', '/audit-logs?page_size=1');
  assertHarborSchema('GET', '/audit-logs', 200, newest.body);
  const total = Number(newest.headers.get('x-total-count'));
  assert.ok(total > 1);
  assert.match(newest.headers.get('link') ?? '', /rel="next"/);
  const oldest = await api<AuditLog[]>(server, 'GET', '/audit-logs?page_size=1&sort=op_time');
  assert.ok(oldest.body[0].op_time <= newest.body[0].op_time);
  // Harbor ignores q keys it cannot use.
  const unknownKey = await api<AuditLog[]>(server, 'GET', `/audit-logs?page_size=1&${q('colour=red')}`);
  assert.equal(unknownKey.status, 200);
  assert.equal(unknownKey.headers.get('x-total-count'), String(total));
  const badTime = await api(server, 'GET', `/audit-logs?${q('op_time=[yesterday~today]')}`);
  assert.equal(badTime.status, 400);
});

test("/audit-logs: 401 anonymous; a project admin sees their project's entries only; other users see none", async () => {
  const anonymous = await api(server, 'GET', '/audit-logs', { auth: null });
  assert.equal(anonymous.status, 401);
  assertHarborSchema('GET', '/audit-logs', 401, anonymous.body);
  const asOwner = await waitForLogs('/audit-logs', 1, owner.auth);
  assertHarborSchema('GET', '/audit-logs', 200, asOwner);
  assert.ok(
    asOwner.every((l) => l.resource.startsWith('audited')),
    JSON.stringify(asOwner),
  );
  const asStranger = await api<AuditLog[]>(server, 'GET', '/audit-logs', { auth: stranger.auth });
  assert.equal(asStranger.status, 200);
  assert.deepEqual(asStranger.body, []);
});

test("/projects/{p}/logs lists the project's entries for members with log:list; 401 anonymous, 404 to outsiders", async () => {
  const asReader = await waitForLogs('/projects/audited/logs', 2, reader.auth);
  assertHarborSchema('GET', '/projects/{project_name}/logs', 200, asReader);
  assert.ok(asReader.every((l) => l.resource.startsWith('audited')));
  const pulls = await api<AuditLog[]>(server, 'GET', `/projects/audited/logs?${q('operation=pull')}`, {
    auth: reader.auth,
  });
  assert.deepEqual(
    pulls.body.map((l) => l.username),
    [reader.username],
  );
  const library = await api<AuditLog[]>(server, 'GET', '/projects/library/logs');
  assert.ok(library.body.every((l) => l.resource.startsWith('library')));
  assert.ok(library.body.length > 0);
  const anonymous = await api(server, 'GET', '/projects/audited/logs', { auth: null });
  assert.equal(anonymous.status, 401);
  assertHarborSchema('GET', '/projects/{project_name}/logs', 401, anonymous.body);
  // Harbor answers 404/403 here (RequireProjectAccess) though its swagger lists neither.
  const outsider = await api<{ errors: { code: string }[] }>(server, 'GET', '/projects/audited/logs', {
    auth: stranger.auth,
  });
  assert.equal(outsider.status, 404);
  assert.equal(outsider.body.errors[0].code, 'NOT_FOUND');
  // Harbor ignores sort keys it cannot use.
  const unknownSort = await api<AuditLog[]>(server, 'GET', '/projects/audited/logs?sort=colour');
  assert.equal(unknownSort.status, 200);
  assert.deepEqual(unknownSort.body, (await api<AuditLog[]>(server, 'GET', '/projects/audited/logs')).body);
});

test('a burst of 130 pulls writes 130 pull entries (batched inserts of 100 and 30), each with its username and time', async () => {
  await pushImage(server, 'audited/burst', 'v1', { auth: owner.auth });
  const before = Date.now();
  const statuses = await Promise.all(
    Array.from({ length: 130 }, () => pullManifest(server, 'audited/burst', 'v1', reader.auth)),
  );
  assert.ok(statuses.every((s) => s === 200));
  const path = `/audit-logs?${q('operation=pull,resource=audited/burst:v1')}&page_size=100`;
  let total = 0;
  for (let i = 0; i < 40 && total < 130; i++) {
    await sleep(50);
    total = Number((await api(server, 'GET', path)).headers.get('x-total-count'));
  }
  assert.equal(total, 130);
  const page = await api<AuditLog[]>(server, 'GET', `${path}&page=2`);
  assert.equal(page.body.length, 30);
  assert.ok(
    page.body.every(
      (l) =>
        l.username === reader.username && Date.parse(l.op_time) >= before - 1000 && Date.parse(l.op_time) <= Date.now(),
    ),
  );
});
