import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { api, startApiBerth } from '../helpers/api.js';
import { assertHarborSchema } from '../helpers/harbor-schema.js';
import type { TestBerth } from '../helpers/berth.js';
import { addMember, createProject, createUser, idFromLocation } from '../helpers/projects.js';
import { media, pushBlob, pushImage, pushManifest, sha256, type Pushed } from '../helpers/push.js';

// Harbor's tag retention API (/retentions…) on a real Berth: policies with each rule template
// and selector, runs and dry runs (the dry run predicts the run exactly), per-repository tasks
// with logs, immutability and accessories respected, the schedule firing, and the roles.

interface Execution {
  id: number;
  policy_id: number;
  status: string;
  trigger: string;
  dry_run: boolean;
  start_time: string;
  end_time: string;
}
interface Task {
  id: number;
  execution_id: number;
  repository: string;
  status: string;
  total: number;
  retained: number;
}

let server: TestBerth;

before(async () => {
  server = await startApiBerth({ jobservice: { schedulerIntervalSeconds: 0.2 } });
});
after(() => server.close());

function rule(template: string, n: number | undefined, tags = '**', repositories = '**', extras?: string) {
  return {
    disabled: false,
    action: 'retain',
    template,
    params: n === undefined ? {} : { [template]: n },
    tag_selectors: [{ kind: 'doublestar', decoration: 'matches', pattern: tags, ...(extras ? { extras } : {}) }],
    scope_selectors: { repository: [{ kind: 'doublestar', decoration: 'repoMatches', pattern: repositories }] },
  };
}

function policy(projectId: number, rules: object[], cron = '') {
  return {
    algorithm: 'or',
    rules,
    trigger: { kind: 'Schedule', settings: { cron } },
    scope: { level: 'project', ref: projectId },
  };
}

async function createPolicy(projectId: number, rules: object[], cron = ''): Promise<number> {
  const res = await api(server, 'POST', '/retentions', { body: policy(projectId, rules, cron) });
  assert.equal(res.status, 201, JSON.stringify(res.body));
  return idFromLocation(res.headers);
}

async function setRules(id: number, projectId: number, rules: object[], cron = ''): Promise<void> {
  const res = await api(server, 'PUT', `/retentions/${id}`, { body: policy(projectId, rules, cron) });
  assert.equal(res.status, 200, JSON.stringify(res.body));
}

/** Runs the policy (or a dry run) and waits for the execution to end. */
async function run(id: number, dryRun: boolean): Promise<Execution> {
  const res = await api(server, 'POST', `/retentions/${id}/executions`, { body: { dry_run: dryRun } });
  assert.equal(res.status, 201, JSON.stringify(res.body));
  const executionId = idFromLocation(res.headers);
  for (let i = 0; i < 200; i++) {
    const list = await api<Execution[]>(server, 'GET', `/retentions/${id}/executions`);
    const execution = list.body.find((e) => e.id === executionId);
    if (execution && ['Success', 'Error', 'Stopped'].includes(execution.status)) {
      assert.equal(execution.status, 'Success', JSON.stringify(execution));
      return execution;
    }
    await sleep(50);
  }
  assert.fail(`execution ${String(executionId)} did not end`);
}

async function tasksOf(id: number, execution: number): Promise<Task[]> {
  const res = await api<Task[]>(server, 'GET', `/retentions/${id}/executions/${execution}/tasks`);
  assert.equal(res.status, 200);
  assertHarborSchema('GET', '/retentions/{id}/executions/{eid}/tasks', 200, res.body);
  return res.body;
}

async function logOf(id: number, execution: number, task: number): Promise<string> {
  const res = await fetch(`${server.url}/api/v2.0/retentions/${id}/executions/${execution}/tasks/${task}`, {
    headers: { authorization: `Basic ${Buffer.from('admin:Harbor12345').toString('base64')}` },
  });
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type') ?? '', /text\/plain/);
  return res.text();
}

/** The digests each line of a task log marks DEL. */
const deletedIn = (log: string) =>
  log
    .split('\n')
    .filter((line) => / \| DEL /.test(line))
    .map((line) => line.split(' ')[0]!)
    .sort();

async function present(repository: string, digest: string): Promise<boolean> {
  const res = await fetch(`${server.url}/v2/${repository}/manifests/${digest}`, {
    method: 'HEAD',
    headers: { authorization: `Basic ${Buffer.from('admin:Harbor12345').toString('base64')}` },
  });
  return res.status === 200;
}

async function pull(repository: string, reference: string): Promise<void> {
  const res = await fetch(`${server.url}/v2/${repository}/manifests/${reference}`, {
    headers: {
      authorization: `Basic ${Buffer.from('admin:Harbor12345').toString('base64')}`,
      accept: media.ociManifest,
    },
  });
  assert.equal(res.status, 200);
  await res.arrayBuffer();
}

test("GET /retentions/metadatas lists Harbor's five templates and the doublestar selectors", async () => {
  const res = await api<{ templates: { rule_template: string }[] }>(server, 'GET', '/retentions/metadatas');
  assert.equal(res.status, 200);
  assertHarborSchema('GET', '/retentions/metadatas', 200, res.body);
  assert.deepEqual(
    res.body.templates.map((t) => t.rule_template),
    ['latestPushedK', 'latestPulledN', 'nDaysSinceLastPush', 'nDaysSinceLastPull', 'always'],
  );
  assert.equal((await api(server, 'GET', '/retentions/metadatas', { auth: '' })).status, 401);
});

test('a policy round-trips, sets the project retention_id, is one per project, and refuses bad bodies', async () => {
  const projectId = await createProject(server, 'ret-api');
  const id = await createPolicy(projectId, [rule('latestPushedK', 3, 'v*')], '0 0 0 * * *');
  const got = await api<{
    id: number;
    rules: { template: string; params: Record<string, number> }[];
    trigger: { settings: { cron: string } };
  }>(server, 'GET', `/retentions/${id}`);
  assert.equal(got.status, 200);
  // Harbor's swagger types each params value as an object; Harbor sends the numbers (latestPushedK: 3).
  assertHarborSchema('GET', '/retentions/{id}', 200, {
    ...got.body,
    rules: got.body.rules.map((r) => ({ ...r, params: {} })),
  });
  assert.equal(got.body.id, id);
  assert.deepEqual(got.body.rules[0]?.params, { latestPushedK: 3 });
  assert.equal(got.body.trigger.settings.cron, '0 0 0 * * *');
  const project = await api<{ metadata: Record<string, string> }>(server, 'GET', '/projects/ret-api');
  assert.equal(project.body.metadata.retention_id, String(id));

  const second = await api<{ errors: { message: string }[] }>(server, 'POST', '/retentions', {
    body: policy(projectId, [rule('always', undefined)]),
  });
  assert.equal(second.status, 400);
  assertHarborSchema('POST', '/retentions', 400, second.body);
  assert.match(second.body.errors[0]?.message ?? '', /already has retention policy/);

  const bad: [object, number, RegExp][] = [
    [policy(projectId, [{ ...rule('always', undefined), template: 'forever' }]), 400, /template/],
    [policy(projectId, [rule('latestPushedK', 1_000_000)]), 400, /too large/],
    [policy(999999, [rule('always', undefined)]), 400, /invalid Project id/],
    [{ ...policy(projectId, []), scope: { level: 'system', ref: 0 } }, 400, /not support/],
  ];
  for (const [body, status, message] of bad) {
    const res = await api<{ errors: { message: string }[] }>(server, 'POST', '/retentions', { body });
    assert.equal(res.status, status, JSON.stringify(res.body));
    assert.match(res.body.errors[0]?.message ?? '', message);
  }
  const conflict = await api(server, 'PUT', `/retentions/${id}`, {
    body: policy(projectId, [rule('always', undefined), rule('always', undefined)]),
  });
  assert.equal(conflict.status, 409);

  await setRules(id, projectId, [rule('latestPushedK', 5)]);
  const updated = await api<{ rules: { params: Record<string, number> }[] }>(server, 'GET', `/retentions/${id}`);
  assert.deepEqual(updated.body.rules[0]?.params, { latestPushedK: 5 });

  assert.equal((await api(server, 'DELETE', `/retentions/${id}`)).status, 200);
  assert.equal((await api(server, 'GET', `/retentions/${id}`)).status, 404);
  const cleared = await api<{ metadata: Record<string, string> }>(server, 'GET', '/projects/ret-api');
  assert.equal(cleared.body.metadata.retention_id, undefined);
});

// Harbor's rbac_role.go gives developers the whole tag-retention resource, as admins and maintainers.
test('project admins, maintainers and developers manage retention; guests and limited guests get 403', async () => {
  const projectId = await createProject(server, 'ret-rbac');
  const id = await createPolicy(projectId, [rule('always', undefined)]);
  for (const [name, roleId, allowed] of [
    ['ret-maintainer', 4, true],
    ['ret-developer', 2, true],
    ['ret-guest', 3, false],
    ['ret-limited', 5, false],
  ] as const) {
    const user = await createUser(server, name);
    await addMember(server, 'ret-rbac', name, roleId);
    const read = await api(server, 'GET', `/retentions/${id}`, { auth: user.auth });
    assert.equal(read.status, allowed ? 200 : 403, `${name} reads`);
    const runs = await api(server, 'GET', `/retentions/${id}/executions`, { auth: user.auth });
    assert.equal(runs.status, allowed ? 200 : 403, `${name} lists runs`);
    const change = await api(server, 'PUT', `/retentions/${id}`, {
      auth: user.auth,
      body: policy(projectId, [rule('latestPushedK', 2)]),
    });
    assert.equal(change.status, allowed ? 200 : 403, `${name} updates`);
  }
});

test('each template with its selectors; a dry run predicts the run exactly; tasks and logs per repository', async () => {
  const projectId = await createProject(server, 'ret-run');
  const a = await pushImage(server, 'ret-run/app', 'v1', { seed: 'a' });
  const b = await pushImage(server, 'ret-run/app', 'v2', { seed: 'b' });
  const c = await pushImage(server, 'ret-run/app', 'release-1', { seed: 'c' });
  const d = await pushImage(server, 'ret-run/app', 'dev-1', { seed: 'd' });
  const w = await pushImage(server, 'ret-run/web', 'v1', { seed: 'w' });
  await pull('ret-run/app', 'v1');
  await sleep(1300); // pull times are written in batches, once a second

  // Keep the newest v* and every release-*, in app only; web is not covered, dev-1 goes.
  const id = await createPolicy(projectId, [
    rule('latestPushedK', 1, 'v*', 'app', '{"untagged":false}'),
    rule('always', undefined, 'release-*', 'app', '{"untagged":false}'),
  ]);
  const dry = await run(id, true);
  assert.equal(dry.dry_run, true);
  assert.equal(dry.trigger, 'MANUAL');
  const dryTasks = await tasksOf(id, dry.id);
  assert.deepEqual(
    dryTasks.map((t) => [t.repository, t.total, t.retained, t.status]),
    [['ret-run/app', 4, 2, 'Success']],
  );
  const dryLog = await logOf(id, dry.id, dryTasks[0]!.id);
  assert.deepEqual(deletedIn(dryLog), [a.digest, d.digest].sort(), dryLog);
  assert.match(dryLog, /RETAIN +\| retained by rule 0 \(the 1 most recently pushed, tags matches v\*\)/);
  for (const p of [a, b, c, d]) assert.ok(await present('ret-run/app', p.digest), 'a dry run deletes nothing');

  const usage = async () =>
    (await api<{ used: { storage: number } }[]>(server, 'GET', `/quotas?reference=project&reference_id=${projectId}`))
      .body[0]?.used.storage ?? 0;
  const before = await usage();
  const real = await run(id, false);
  assert.ok((await usage()) < before, 'the quota usage dropped with the deletions');
  const realTasks = await tasksOf(id, real.id);
  assert.deepEqual(
    deletedIn(await logOf(id, real.id, realTasks[0]!.id)),
    deletedIn(dryLog),
    'the dry run predicted it',
  );
  assert.deepEqual(await Promise.all([a, b, c, d].map((p) => present('ret-run/app', p.digest))), [
    false,
    true,
    true,
    false,
  ]);
  assert.ok(await present('ret-run/web', w.digest), 'a repository no rule covers is left alone');

  const audit = await api<{ operation: string; resource: string; username: string }[]>(
    server,
    'GET',
    '/projects/ret-run/logs?page_size=100',
  );
  assert.ok(
    audit.body.some((l) => l.operation === 'delete' && l.username === 'retention' && l.resource.includes(d.digest)),
    'the deletion is in the audit log under "retention"',
  );

  // The templates by pull and by time: v1 (pulled) is gone, so pull v2 and keep only pulled ones.
  await pull('ret-run/app', 'v2');
  await sleep(1300);
  await setRules(id, projectId, [rule('latestPulledN', 1), rule('nDaysSinceLastPull', 1, 'release-*')]);
  const pulled = await run(id, true);
  const log = await logOf(id, pulled.id, (await tasksOf(id, pulled.id))[0]!.id);
  assert.deepEqual(deletedIn(log), [c.digest], 'release-1 was never pulled');
  await setRules(id, projectId, [rule('nDaysSinceLastPush', 1, 'release-*'), rule('nDaysSinceLastPull', 1, 'v*')]);
  const recent = await run(id, true);
  assert.deepEqual(deletedIn(await logOf(id, recent.id, (await tasksOf(id, recent.id))[0]!.id)), []);
  await setRules(id, projectId, [rule('nDaysSinceLastPush', 0)]);
  const none = await run(id, true);
  assert.deepEqual(
    deletedIn(await logOf(id, none.id, (await tasksOf(id, none.id))[0]!.id)),
    [b.digest, c.digest].sort(),
    'nothing was pushed within 0 days',
  );

  const list = await api<Execution[]>(server, 'GET', `/retentions/${id}/executions?page=1&page_size=2`);
  assertHarborSchema('GET', '/retentions/{id}/executions', 200, list.body);
  assert.equal(list.body.length, 2);
  assert.equal(list.headers.get('x-total-count'), '5');
});

test('retention keeps artifacts with an immutable tag, and deletes accessories only with their subject', async () => {
  const projectId = await createProject(server, 'ret-keep');
  const frozen = await pushImage(server, 'ret-keep/app', 'v1', { seed: 'frozen' });
  const signed = await pushImage(server, 'ret-keep/app', 'nightly-1', { seed: 'signed' });
  const kept = await pushImage(server, 'ret-keep/app', 'keep', { seed: 'kept' });
  const signature = async (subject: Pushed) => {
    const empty = Buffer.from('{}');
    const digest = await pushBlob(server, 'ret-keep/app', empty);
    const manifest = {
      schemaVersion: 2,
      mediaType: media.ociManifest,
      artifactType: 'application/vnd.dev.cosign.artifact.sig.v1+json',
      config: { mediaType: 'application/vnd.oci.empty.v1+json', digest, size: 2 },
      layers: [{ mediaType: 'application/vnd.oci.empty.v1+json', digest, size: 2 }],
      subject: { mediaType: subject.mediaType, digest: subject.digest, size: subject.size },
    };
    return pushManifest(
      server,
      'ret-keep/app',
      sha256(Buffer.from(JSON.stringify(manifest))),
      manifest,
      media.ociManifest,
    );
  };
  const doomedSignature = await signature(signed);
  const keptSignature = await signature(kept);
  const rule0 = await api(server, 'POST', '/projects/ret-keep/immutabletagrules', {
    body: {
      tag_selectors: [{ kind: 'doublestar', decoration: 'matches', pattern: 'v*' }],
      scope_selectors: { repository: [{ kind: 'doublestar', decoration: 'repoMatches', pattern: '**' }] },
    },
  });
  assert.equal(rule0.status, 201);

  const id = await createPolicy(projectId, [rule('always', undefined, 'keep')]);
  const execution = await run(id, false);
  const [task] = await tasksOf(id, execution.id);
  assert.equal(task?.total, 3, 'accessories are not candidates of their own');
  assert.equal(task?.retained, 2);
  const log = await logOf(id, execution.id, task!.id);
  assert.match(log, /tag v1 is immutable/);
  assert.ok(await present('ret-keep/app', frozen.digest), 'the immutable artifact stays');
  assert.ok(await present('ret-keep/app', kept.digest));
  assert.ok(await present('ret-keep/app', keptSignature.digest), "a retained artifact's signature stays");
  assert.equal(await present('ret-keep/app', signed.digest), false);
  assert.equal(await present('ret-keep/app', doomedSignature.digest), false, 'the signature went with its subject');
});

test('a running policy answers 409 to a second run; a scheduled run fires and records SCHEDULE', async () => {
  const projectId = await createProject(server, 'ret-cron');
  await pushImage(server, 'ret-cron/app', 'v1', { seed: 'x' });
  const id = await createPolicy(projectId, [rule('always', undefined)], '* * * * * *');
  let scheduled: Execution | undefined;
  for (let i = 0; i < 100 && !scheduled; i++) {
    const list = await api<Execution[]>(server, 'GET', `/retentions/${id}/executions`);
    scheduled = list.body.find((e) => e.trigger === 'SCHEDULE' && e.status === 'Success');
    await sleep(100);
  }
  assert.ok(scheduled, 'the schedule fired a run');
  assert.equal(scheduled.dry_run, false);
  await setRules(id, projectId, [rule('always', undefined)]); // no cron: the schedule goes
  await sleep(500);
  const count = async () =>
    Number((await api(server, 'GET', `/retentions/${id}/executions`)).headers.get('x-total-count'));
  const before = await count();
  await sleep(1500);
  assert.equal(await count(), before, 'no more scheduled runs once the cron is removed');

  const stop = await api(server, 'PATCH', `/retentions/${id}/executions/${scheduled.id}`, {
    body: { action: 'pause' },
  });
  assert.equal(stop.status, 400);
  const unknown = await api(server, 'GET', `/retentions/${id}/executions/999999/tasks`);
  assert.equal(unknown.status, 404);
});
