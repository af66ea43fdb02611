import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { openDatabase } from '../../src/db/index.js';
import { api, startApiBerth, type ApiResponse } from '../helpers/api.js';
import type { TestBerth } from '../helpers/berth.js';
import { assertHarborSchema } from '../helpers/harbor-schema.js';
import { createProject, createUser, idFromLocation } from '../helpers/projects.js';
import { pushImage, type Pushed } from '../helpers/push.js';
import { storedBlobExists } from '../helpers/stored.js';

// Harbor's garbage collection API (swagger tag gc): the schedule, runs now and dry runs with
// their counters and logs, stopping, one run at a time, and Harbor's answers to bad input.

interface GcRun {
  id: number;
  job_name: string;
  job_kind: string;
  job_parameters: string;
  job_status: string;
  schedule?: { type?: string; cron?: string; next_scheduled_time?: string };
  progress?: { blobs_marked: number; blobs_swept: number; manifests_deleted: number; freed_bytes: number };
}

const manual = (parameters: Record<string, unknown>) => ({ schedule: { type: 'Manual' }, parameters });

async function startRun(server: TestBerth, parameters: Record<string, unknown>): Promise<number> {
  const res = await api(server, 'POST', '/system/gc/schedule', { body: manual(parameters) });
  assert.equal(res.status, 201, JSON.stringify(res.body));
  assertHarborSchema('POST', '/system/gc/schedule', 201, res.body || undefined);
  assert.match(res.headers.get('location') ?? '', /^\/api\/v2\.0\/system\/gc\/\d+$/);
  return idFromLocation(res.headers);
}

async function waitFor(server: TestBerth, id: number, status: string): Promise<GcRun> {
  let run: ApiResponse<GcRun> | undefined;
  for (let i = 0; i < 300; i++) {
    run = await api<GcRun>(server, 'GET', `/system/gc/${id}`);
    if (run.body.job_status === status) return run.body;
    if (['Success', 'Error', 'Stopped'].includes(run.body.job_status)) break;
    await sleep(100);
  }
  assert.fail(`run ${id} did not reach ${status}: ${JSON.stringify(run?.body)}`);
}

/** Pushes an image into `project/app` and deletes it again: its config and layer are garbage. */
async function garbageImage(server: TestBerth, project: string, tag: string): Promise<Pushed & { layer: string }> {
  const image = await pushImage(server, `${project}/app`, tag);
  const manifest = await fetch(`${server.url}/v2/${project}/app/manifests/${image.digest}`, {
    headers: { authorization: `Basic ${Buffer.from('admin:Harbor12345').toString('base64')}`, accept: image.mediaType },
  });
  const layer = ((await manifest.json()) as { layers: { digest: string }[] }).layers[0]!.digest;
  const res = await api(server, 'DELETE', `/projects/${project}/repositories/app/artifacts/${image.digest}`);
  assert.equal(res.status, 200);
  return { ...image, layer };
}

test('GC API', async (t) => {
  const server = await startApiBerth();
  t.after(() => server.close());
  await createProject(server, 'gcapi');

  await t.test('only system administrators: anonymous 401, others 403', async () => {
    const user = await createUser(server, 'gcuser');
    const calls: [string, string, unknown?][] = [
      ['GET', '/system/gc'],
      ['GET', '/system/gc/1'],
      ['GET', '/system/gc/1/log'],
      ['PUT', '/system/gc/1'],
      ['GET', '/system/gc/schedule'],
      ['POST', '/system/gc/schedule', manual({})],
      ['PUT', '/system/gc/schedule', manual({})],
    ];
    for (const [method, path, body] of calls) {
      const template = path.replace(/\/1(?=\/|$)/, '/{gc_id}');
      const anonymous = await api(server, method, path, { auth: null, body });
      assert.equal(anonymous.status, 401, `${method} ${path} anonymous`);
      assertHarborSchema(method, template, 401, anonymous.body);
      const other = await api(server, method, path, { auth: user.auth, body });
      assert.equal(other.status, 403, `${method} ${path} as a user`);
      assertHarborSchema(method, template, 403, other.body);
    }
  });

  await t.test('schedule: none, Daily with its next time, Custom, None again', async () => {
    const none = await api(server, 'GET', '/system/gc/schedule');
    assert.equal(none.status, 200);
    assert.deepEqual(none.body, {});

    const created = await api(server, 'POST', '/system/gc/schedule', {
      body: {
        schedule: { type: 'Daily', cron: '0 0 0 * * *' },
        parameters: { delete_untagged: true, workers: 3, time_window: 5 },
      },
    });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const daily = await api<GcRun>(server, 'GET', '/system/gc/schedule');
    assertHarborSchema('GET', '/system/gc/schedule', 200, daily.body);
    assert.equal(daily.body.schedule?.type, 'Daily');
    assert.equal(daily.body.schedule?.cron, '0 0 0 * * *');
    const next = new Date(daily.body.schedule?.next_scheduled_time ?? '');
    assert.ok(next.getTime() > Date.now() && next.getTime() <= Date.now() + 86_400_000, String(next));
    assert.deepEqual(JSON.parse(daily.body.job_parameters), {
      delete_untagged: true,
      dry_run: false,
      time_window: 5,
      workers: 3,
    });
    // The job service's own list shows it too.
    const schedules = await api<{ vendor_type: string; cron: string }[]>(server, 'GET', '/schedules');
    assert.ok(schedules.body.some((s) => s.vendor_type === 'GARBAGE_COLLECTION' && s.cron === '0 0 0 * * *'));

    const updated = await api(server, 'PUT', '/system/gc/schedule', {
      body: { schedule: { type: 'Custom', cron: '0 30 2 * * 1' }, parameters: {} },
    });
    assert.equal(updated.status, 200);
    assertHarborSchema('PUT', '/system/gc/schedule', 200, updated.body || undefined);
    const custom = await api<GcRun>(server, 'GET', '/system/gc/schedule');
    assert.equal(custom.body.schedule?.type, 'Custom');
    assert.equal(custom.body.schedule?.cron, '0 30 2 * * 1');
    assert.equal(new Date(custom.body.schedule?.next_scheduled_time ?? '').getDay(), 1);

    const hourly = await api(server, 'PUT', '/system/gc/schedule', { body: { schedule: { type: 'Hourly' } } });
    assert.equal(hourly.status, 200);
    assert.equal((await api<GcRun>(server, 'GET', '/system/gc/schedule')).body.schedule?.cron, '0 0 * * * *');

    const removed = await api(server, 'PUT', '/system/gc/schedule', { body: { schedule: { type: 'None' } } });
    assert.equal(removed.status, 200);
    assert.deepEqual((await api(server, 'GET', '/system/gc/schedule')).body, {});
  });

  await t.test("bad parameters and crons: Harbor's 400s", async () => {
    const cases: [unknown, number, RegExp][] = [
      [
        manual({ workers: 6 }),
        400,
        /Invalid number of workers:6\. Workers must be greater than 0 and less than or equal to 5/,
      ],
      [manual({ workers: 0 }), 400, /Invalid number of workers:0/],
      [manual({ workers: 1.5 }), 400, /workers should be integer format/],
      [manual({ time_window: -1 }), 400, /time_window/],
      [{ schedule: { type: 'Custom', cron: '' } }, 400, /empty cron string for gc schedule/],
      [{ schedule: { type: 'Custom', cron: '0 0 * * *' } }, 400, /invalid cron 0 0 \* \* \*/],
      [{ schedule: { type: 'Custom', cron: '0 0 99 * * *' } }, 400, /invalid cron/],
      [{ schedule: { type: 'Sometimes' } }, 422, /schedule\.type in body should be one of/],
    ];
    for (const [body, status, message] of cases) {
      const res = await api<{ errors: { code: string; message: string }[] }>(server, 'POST', '/system/gc/schedule', {
        body,
      });
      assert.equal(res.status, status, JSON.stringify(body));
      if (status === 400) assertHarborSchema('POST', '/system/gc/schedule', 400, res.body);
      assert.match(res.body.errors[0]!.message, message);
    }
    assert.deepEqual((await api(server, 'GET', '/system/gc/schedule')).body, {});
  });

  await t.test('a run now deletes what no artifact references, with counters and a readable log', async () => {
    const garbage = await garbageImage(server, 'gcapi', 'old');
    const kept = await pushImage(server, 'gcapi/app', 'kept');
    const id = await startRun(server, { delete_untagged: false, dry_run: false, time_window: 0, workers: 2 });
    const run = await waitFor(server, id, 'Success');
    assertHarborSchema('GET', '/system/gc/{gc_id}', 200, run);
    assert.equal(run.job_name, 'GARBAGE_COLLECTION');
    assert.equal(run.job_kind, 'MANUAL');
    assert.equal(run.schedule?.type, 'Manual');
    assert.deepEqual(JSON.parse(run.job_parameters), {
      delete_untagged: false,
      dry_run: false,
      time_window: 0,
      workers: 2,
    });
    assert.ok(run.progress!.blobs_swept >= 2, JSON.stringify(run.progress));
    // The config and the 64-byte layer (manifests live in the database with their artifacts).
    assert.ok(run.progress!.freed_bytes > 64, JSON.stringify(run.progress));
    assert.ok(run.progress!.blobs_marked >= run.progress!.blobs_swept);

    assert.equal(await storedBlobExists(server.dataDir, garbage.layer), false);
    assert.equal(await storedBlobExists(server.dataDir, garbage.configDigest!), false);
    assert.equal(await storedBlobExists(server.dataDir, kept.configDigest!), true);

    const log = await fetch(`${server.url}/api/v2.0/system/gc/${id}/log`, {
      headers: { authorization: `Basic ${Buffer.from('admin:Harbor12345').toString('base64')}` },
    });
    assert.equal(log.status, 200);
    assert.match(log.headers.get('content-type') ?? '', /^text\/plain/);
    const text = await log.text();
    assertHarborSchema('GET', '/system/gc/{gc_id}/log', 200, text);
    assert.match(text, new RegExp(`deleted blob ${garbage.layer} \\(64 B\\)`));
    assert.match(text, /\d+ blobs, 0 manifests, \d+\.\d MiB freed/);
  });

  await t.test('a dry run deletes nothing and logs what would go', async () => {
    const garbage = await garbageImage(server, 'gcapi', 'dry');
    const id = await startRun(server, { dry_run: true, time_window: 0 });
    const run = await waitFor(server, id, 'Success');
    assert.ok(run.progress!.blobs_marked >= 2);
    assert.equal(await storedBlobExists(server.dataDir, garbage.layer), true);
    const log = await api<string>(server, 'GET', `/system/gc/${id}/log`);
    assert.match(log.body, new RegExp(`would delete blob ${garbage.layer} \\(64 B\\)`));
    assert.match(log.body, /MiB would be freed/);
  });

  await t.test('the default time window keeps what was just deleted', async () => {
    const garbage = await garbageImage(server, 'gcapi', 'recent');
    const id = await startRun(server, {});
    const run = await waitFor(server, id, 'Success');
    assert.deepEqual(JSON.parse(run.job_parameters).time_window, 2);
    assert.equal(await storedBlobExists(server.dataDir, garbage.layer), true);
  });

  await t.test('one run at a time (409), a pending run stops, a finished one stays', async () => {
    const paused = await api(server, 'PUT', '/jobservice/queues/GARBAGE_COLLECTION', { body: { action: 'pause' } });
    assert.equal(paused.status, 200);
    const id = await startRun(server, { time_window: 0 });
    const second = await api<{ errors: { code: string; message: string }[] }>(server, 'POST', '/system/gc/schedule', {
      body: manual({}),
    });
    assert.equal(second.status, 409);
    assertHarborSchema('POST', '/system/gc/schedule', 409, second.body);
    assert.equal(second.body.errors[0]!.code, 'CONFLICT');
    assert.match(second.body.errors[0]!.message, new RegExp(`job GARBAGE_COLLECTION with ID ${id} is pending`));

    const stop = await api(server, 'PUT', `/system/gc/${id}`);
    assert.equal(stop.status, 200);
    assertHarborSchema('PUT', '/system/gc/{gc_id}', 200, stop.body || undefined);
    await waitFor(server, id, 'Stopped');
    await api(server, 'PUT', '/jobservice/queues/GARBAGE_COLLECTION', { body: { action: 'resume' } });
    // Stopping a finished run changes nothing.
    assert.equal((await api(server, 'PUT', `/system/gc/${id}`)).status, 200);
    assert.equal((await api<GcRun>(server, 'GET', `/system/gc/${id}`)).body.job_status, 'Stopped');
  });

  await t.test('a running run reports its counters as it goes and stops when asked', async () => {
    // Rows of blobs nothing references (their files were never written): enough for a run of seconds.
    const db = openDatabase(server.berth.config.database.url);
    try {
      const old = new Date(Date.now() - 86_400_000).toISOString();
      for (let chunk = 0; chunk < 40; chunk++) {
        const rows = Array.from({ length: 500 }, (_, i) => ({
          digest: `sha256:${(chunk * 500 + i).toString(16).padStart(64, '0')}`,
          size: 1024,
          media_type: null,
          created_at: old,
          updated_at: old,
        }));
        await db.kysely.insertInto('blobs').values(rows).execute();
      }
    } finally {
      await db.close();
    }
    const id = await startRun(server, { time_window: 0 });
    let running: GcRun | undefined;
    for (let i = 0; i < 300 && !running; i++) {
      const run = (await api<GcRun>(server, 'GET', `/system/gc/${id}`)).body;
      if (run.job_status === 'Running' && run.progress!.blobs_swept > 0) running = run;
      else await sleep(20);
    }
    assert.ok(running, 'the run reported blobs swept while running');
    assertHarborSchema('GET', '/system/gc/{gc_id}', 200, running);
    assert.equal((await api(server, 'PUT', `/system/gc/${id}`)).status, 200);
    const stopped = await waitFor(server, id, 'Stopped');
    assert.ok(stopped.progress!.blobs_swept < 20_000, JSON.stringify(stopped.progress));
    // The next run finishes the job (and takes the garbage the dry runs above left).
    const next = await waitFor(server, await startRun(server, { time_window: 0, workers: 5 }), 'Success');
    assert.ok(stopped.progress!.blobs_swept + next.progress!.blobs_swept >= 20_000);
  });

  await t.test('a run holding the lease elsewhere (another replica, berth gc) refuses a run now', async () => {
    const db = openDatabase(server.berth.config.database.url);
    try {
      const until = new Date(Date.now() + 60_000).toISOString();
      await db.kysely.updateTable('gc_lease').set({ holder: 'gc-run-999', expires_at: until }).execute();
      const refused = await api<{ errors: { message: string }[] }>(server, 'POST', '/system/gc/schedule', {
        body: manual({}),
      });
      assert.equal(refused.status, 409);
      assert.match(refused.body.errors[0]!.message, /with ID 999 is running/);
      // An expired lease is taken over.
      const expired = new Date(Date.now() - 1000).toISOString();
      await db.kysely.updateTable('gc_lease').set({ expires_at: expired }).execute();
      await waitFor(server, await startRun(server, {}), 'Success');
    } finally {
      await db.close();
    }
  });

  await t.test('history: newest first, paged with X-Total-Count and Link', async () => {
    const all = await api<GcRun[]>(server, 'GET', '/system/gc');
    assertHarborSchema('GET', '/system/gc', 200, all.body);
    const total = Number(all.headers.get('x-total-count'));
    assert.ok(total >= 5);
    const ids = all.body.map((r) => r.id);
    assert.deepEqual(
      ids,
      [...ids].sort((a, b) => b - a),
    );
    const page = await api<GcRun[]>(server, 'GET', '/system/gc?page=2&page_size=2');
    assert.equal(page.body.length, 2);
    assert.equal(page.body[0]!.id, ids[2]);
    assert.match(page.headers.get('link') ?? '', /rel="prev".*rel="next"/);
  });

  await t.test('history: q filters by status and trigger, sort orders by a column, with a matching total', async () => {
    const all = (await api<GcRun[]>(server, 'GET', '/system/gc?page_size=100')).body;
    const statuses = new Set(all.map((r) => r.job_status));
    assert.ok(statuses.size >= 2, `runs of several statuses: ${[...statuses].join(', ')}`);
    for (const status of statuses) {
      const res = await api<GcRun[]>(
        server,
        'GET',
        `/system/gc?page_size=100&q=${encodeURIComponent(`job_status=${status}`)}`,
      );
      assertHarborSchema('GET', '/system/gc', 200, res.body);
      assert.deepEqual(
        res.body.map((r) => r.id),
        all.filter((r) => r.job_status === status).map((r) => r.id),
        status,
      );
      assert.equal(Number(res.headers.get('x-total-count')), res.body.length);
    }
    const manualRuns = await api<GcRun[]>(
      server,
      'GET',
      `/system/gc?page_size=100&q=${encodeURIComponent('trigger=manual')}`,
    );
    assert.deepEqual(
      manualRuns.body.map((r) => r.id),
      all.filter((r) => r.job_kind === 'MANUAL').map((r) => r.id),
    );
    const oldest = await api<GcRun[]>(server, 'GET', '/system/gc?page_size=100&sort=creation_time');
    assert.deepEqual(
      oldest.body.map((r) => r.id),
      all.map((r) => r.id).reverse(),
    );
    const bad = await api(server, 'GET', `/system/gc?q=${encodeURIComponent('job_status=[1~2]')}`);
    assert.equal(bad.status, 400);
  });

  await t.test('unknown runs are 404, a bad id 422', async () => {
    for (const [method, path] of [
      ['GET', '/system/gc/99999'],
      ['GET', '/system/gc/99999/log'],
      ['PUT', '/system/gc/99999'],
    ] as const) {
      const res = await api<{ errors: { code: string; message: string }[] }>(server, method, path);
      assert.equal(res.status, 404, `${method} ${path}`);
      assertHarborSchema(method, path.replace('99999', '{gc_id}'), 404, res.body);
      assert.match(res.body.errors[0]!.message, /99999/);
    }
    assert.equal((await api(server, 'GET', '/system/gc/abc')).status, 422);
  });
});

test('a scheduled run records itself as SCHEDULE; a firing while another run holds the lease is skipped', async (t) => {
  const server = await startApiBerth({ jobservice: { schedulerIntervalSeconds: 0.2 } });
  const db = openDatabase(server.berth.config.database.url);
  t.after(async () => {
    await db.close();
    await server.close();
  });
  const every = await api(server, 'POST', '/system/gc/schedule', {
    body: { schedule: { type: 'Custom', cron: '* * * * * *' }, parameters: { dry_run: true, time_window: 0 } },
  });
  assert.equal(every.status, 201);
  let scheduled: GcRun | undefined;
  for (let i = 0; i < 100 && !scheduled; i++) {
    const history = await api<GcRun[]>(server, 'GET', '/system/gc');
    scheduled = history.body.find((r) => r.job_kind === 'SCHEDULE' && r.job_status === 'Success');
    await sleep(100);
  }
  assert.ok(scheduled, 'a scheduled run succeeded');
  assertHarborSchema('GET', '/system/gc', 200, [scheduled]);
  assert.equal(scheduled.schedule?.type, 'Schedule');
  assert.equal(JSON.parse(scheduled.job_parameters).dry_run, true);

  // Another run holds the lease: the firings meanwhile leave no run in the history.
  await db.kysely
    .updateTable('gc_lease')
    .set({ holder: 'gc-run-4242', expires_at: new Date(Date.now() + 60_000).toISOString() })
    .execute();
  await sleep(500); // a run that started before the lease was taken ends
  const before = Number((await api(server, 'GET', '/system/gc')).headers.get('x-total-count'));
  const fired = async () =>
    (
      await db.kysely
        .selectFrom('schedules')
        .select('last_run_at')
        .where('vendor_type', '=', 'GARBAGE_COLLECTION')
        .executeTakeFirstOrThrow()
    ).last_run_at;
  const firstFiring = await fired();
  await sleep(2500);
  assert.notEqual(await fired(), firstFiring, 'the schedule kept firing');
  assert.equal(Number((await api(server, 'GET', '/system/gc')).headers.get('x-total-count')), before);
  await api(server, 'PUT', '/system/gc/schedule', { body: { schedule: { type: 'None' } } });
});
