import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { api, startApiBerth } from '../helpers/api.js';
import type { TestBerth } from '../helpers/berth.js';
import { assertHarborSchema } from '../helpers/harbor-schema.js';
import { createProject, createUser } from '../helpers/projects.js';
import { gzip, tarLayer } from '../../src/scanning/image/suite/layers.js';
import { media, pushBlob, pushManifest, sha256, type Pushed } from '../helpers/push.js';

// Harbor's scanAll API (swagger tag scanAll): the schedule of every type, a manual run that
// scans every image of every project with the built-in scanner (accessories left out), one
// run at a time, stopping a run with its pending scans, a scheduled run's own metrics, and
// system administrators only. Every answer is checked against Harbor's swagger.

interface Stats {
  total: number;
  completed: number;
  metrics?: Record<string, number>;
  ongoing: boolean;
  trigger?: string;
  progress?: { artifacts_walked: number; artifacts_total: number; skipped: number; failed: number };
}
interface Schedule {
  id?: number;
  schedule?: { type: string; cron: string; next_scheduled_time: string };
}

const vulnMime = 'application/vnd.security.vulnerability.report; version=1.1';

async function metrics(server: TestBerth, path = '/scans/all/metrics'): Promise<Stats> {
  const res = await api<Stats>(server, 'GET', path);
  assert.equal(res.status, 200, JSON.stringify(res.body));
  assertHarborSchema('GET', path, 200, res.body);
  return res.body;
}

async function until(what: string, probe: () => Promise<Stats>, done: (s: Stats) => boolean): Promise<Stats> {
  let last: Stats | undefined;
  for (let i = 0; i < 600; i++) {
    last = await probe();
    if (done(last)) return last;
    await sleep(100);
  }
  assert.fail(`timed out waiting for ${what}: ${JSON.stringify(last)}`);
}

async function setSchedule(server: TestBerth, method: 'POST' | 'PUT', schedule: object, status: number) {
  const res = await api(server, method, '/system/scanAll/schedule', { body: { schedule } });
  assert.equal(res.status, status, `${method} ${JSON.stringify(schedule)}: ${JSON.stringify(res.body)}`);
  assertHarborSchema(method, '/system/scanAll/schedule', status, res.body || undefined);
  return res;
}

async function getSchedule(server: TestBerth): Promise<Schedule> {
  const res = await api<Schedule>(server, 'GET', '/system/scanAll/schedule');
  assert.equal(res.status, 200);
  assertHarborSchema('GET', '/system/scanAll/schedule', 200, res.body);
  return res.body;
}

/** A tiny real image: one gzipped tar layer holding an os-release, distinct per `name`. */
async function pushTinyImage(server: TestBerth, repository: string, tag: string): Promise<Pushed> {
  const tarBytes = await tarLayer([
    { name: 'etc/os-release', content: 'ID=alpine\nVERSION_ID=3.20.1\nPRETTY_NAME="Alpine Linux v3.20"\n' },
    { name: 'srv/name', content: `${repository}:${tag}` },
  ]);
  const layer = gzip(tarBytes);
  const config = Buffer.from(
    JSON.stringify({
      architecture: 'amd64',
      os: 'linux',
      rootfs: { type: 'layers', diff_ids: [sha256(tarBytes)] },
    }),
  );
  const manifest = {
    schemaVersion: 2,
    mediaType: media.ociManifest,
    config: { mediaType: media.ociConfig, digest: await pushBlob(server, repository, config), size: config.length },
    layers: [{ mediaType: media.ociLayer, digest: await pushBlob(server, repository, layer), size: layer.length }],
  };
  return pushManifest(server, repository, tag, manifest, media.ociManifest);
}

/** A signature-like accessory of `subject`: an artifact with a subject, which scan all leaves out. */
async function pushAccessory(server: TestBerth, repository: string, subject: Pushed): Promise<void> {
  const empty = Buffer.from('{}');
  const digest = await pushBlob(server, repository, empty);
  const manifest = {
    schemaVersion: 2,
    mediaType: media.ociManifest,
    artifactType: 'application/vnd.example.signature',
    config: { mediaType: 'application/vnd.oci.empty.v1+json', digest, size: empty.length },
    layers: [{ mediaType: 'application/vnd.oci.empty.v1+json', digest, size: empty.length }],
    subject: { mediaType: subject.mediaType, digest: subject.digest, size: subject.size },
  };
  await pushManifest(server, repository, 'sig', manifest, media.ociManifest);
}

const byStatus = (s: Stats, status: string) => s.metrics?.[status] ?? 0;

test('scan all API', async (t) => {
  const server = await startApiBerth({ jobservice: { schedulerIntervalSeconds: 0.2 } });
  t.after(() => server.close());

  await t.test('only system administrators: anonymous 401, others 403', async () => {
    const user = await createUser(server, 'scanalluser');
    const calls: [string, string, unknown?][] = [
      ['GET', '/system/scanAll/schedule'],
      ['POST', '/system/scanAll/schedule', { schedule: { type: 'Manual' } }],
      ['PUT', '/system/scanAll/schedule', { schedule: { type: 'None' } }],
      ['POST', '/system/scanAll/stop'],
      ['GET', '/scans/all/metrics'],
      ['GET', '/scans/schedule/metrics'],
    ];
    for (const [method, path, body] of calls) {
      const anonymous = await api(server, method, path, { auth: null, body });
      assert.equal(anonymous.status, 401, `${method} ${path} anonymous`);
      assertHarborSchema(method, path, 401, anonymous.body);
      const other = await api(server, method, path, { auth: user.auth, body });
      assert.equal(other.status, 403, `${method} ${path} as a user`);
      assertHarborSchema(method, path, 403, other.body);
    }
  });

  await t.test('before any run: empty metrics, and nothing to stop', async () => {
    assert.deepEqual(await metrics(server), { total: 0, completed: 0, ongoing: false });
    assert.deepEqual(await metrics(server, '/scans/schedule/metrics'), { total: 0, completed: 0, ongoing: false });
    const stop = await api<{ errors: { message: string }[] }>(server, 'POST', '/system/scanAll/stop');
    assert.equal(stop.status, 400);
    assertHarborSchema('POST', '/system/scanAll/stop', 400, stop.body);
    assert.match(stop.body.errors[0]!.message, /no scan all job is found currently/);
  });

  await t.test('schedule: each type round trips; Harbor refuses a second POST and a Manual PUT', async () => {
    assert.deepEqual(await getSchedule(server), {});
    await setSchedule(server, 'POST', { type: 'None' }, 201);
    assert.deepEqual(await getSchedule(server), {}, 'POST None sets nothing');

    await setSchedule(server, 'POST', { type: 'Daily', cron: '0 0 0 * * *' }, 201);
    const daily = await getSchedule(server);
    assert.equal(daily.schedule?.type, 'Daily');
    assert.equal(daily.schedule?.cron, '0 0 0 * * *');
    const next = Date.parse(daily.schedule?.next_scheduled_time ?? '');
    assert.ok(next > Date.now() && next <= Date.now() + 86_400_000, daily.schedule?.next_scheduled_time);
    const jobSchedules = await api<{ vendor_type: string; cron: string }[]>(server, 'GET', '/schedules');
    assert.ok(jobSchedules.body.some((s) => s.vendor_type === 'SCAN_ALL' && s.cron === '0 0 0 * * *'));

    const again = await setSchedule(server, 'POST', { type: 'Weekly', cron: '0 0 0 * * 0' }, 412);
    assert.match(JSON.stringify(again.body), /always had one, please delete it firstly/);

    for (const [type, cron, shown] of [
      ['Weekly', '0 0 0 * * 0', '0 0 0 * * 0'],
      ['Hourly', undefined, '0 0 * * * *'],
      ['Custom', '0 30 2 * * 1', '0 30 2 * * 1'],
    ] as const) {
      await setSchedule(server, 'PUT', { type, ...(cron ? { cron } : {}) }, 200);
      const schedule = await getSchedule(server);
      assert.equal(schedule.schedule?.type, type);
      assert.equal(schedule.schedule?.cron, shown);
    }
    assert.equal(new Date((await getSchedule(server)).schedule?.next_scheduled_time ?? '').getDay(), 1);

    const manualPut = await setSchedule(server, 'PUT', { type: 'Manual' }, 400);
    assert.match(JSON.stringify(manualPut.body), /wrong schedule type: Manual/);
    await setSchedule(server, 'PUT', { type: 'None' }, 200);
    assert.deepEqual(await getSchedule(server), {});
  });

  await t.test("bad schedules: Harbor's 400s and 422", async () => {
    const cases: [object, number, RegExp][] = [
      [{ type: 'Custom', cron: '' }, 400, /empty cron string/],
      [{ type: 'Custom', cron: '0 0 * * *' }, 400, /expected exactly 6 fields/],
      [{ type: 'Custom', cron: '0 0 99 * * *' }, 400, /invalid cron/],
      [{ type: 'Sometimes' }, 400, /schedule\.type in body should be one of/],
    ];
    for (const [schedule, status, message] of cases) {
      const res = await setSchedule(server, 'POST', schedule, status);
      assert.match(JSON.stringify(res.body), message);
    }
    const noBody = await api(server, 'POST', '/system/scanAll/schedule', { body: {} });
    assert.equal(noBody.status, 400);
    assert.deepEqual(await getSchedule(server), {});
  });

  await createProject(server, 'scanall');
  await createProject(server, 'scanall2');
  const first = await pushTinyImage(server, 'scanall/app', 'v1');
  await pushTinyImage(server, 'scanall/app', 'v2');
  await pushTinyImage(server, 'scanall2/other/tool', 'latest');
  await pushAccessory(server, 'scanall/app', first);

  await t.test('Manual scans every image of every project now; its metrics reach completed == total', async () => {
    await setSchedule(server, 'POST', { type: 'Manual' }, 201);
    const done = await until(
      'the manual run',
      () => metrics(server),
      (s) => !s.ongoing && s.total > 0,
    );
    assert.equal(done.trigger, 'Manual');
    assert.equal(done.total, 3, `three images, the accessory left out: ${JSON.stringify(done)}`);
    assert.equal(done.completed, 3);
    assert.deepEqual(done.metrics, { Pending: 0, Running: 0, Success: 3, Error: 0, Stopped: 0 });
    assert.deepEqual(done.progress, { artifacts_walked: 3, artifacts_total: 3, skipped: 0, failed: 0 });
    // The scans are the artifacts' own: their overviews show them, the empty database noted.
    const artifact = await api<{ scan_overview?: Record<string, { scan_status: string }> }>(
      server,
      'GET',
      '/projects/scanall2/repositories/other%252Ftool/artifacts/latest?with_scan_overview=true',
    );
    assert.equal(artifact.body.scan_overview?.[vulnMime]?.scan_status, 'Success');
    const report = await api<Record<string, { notes: string[] }>>(
      server,
      'GET',
      '/projects/scanall/repositories/app/artifacts/v1/additions/vulnerabilities',
    );
    assert.match(report.body[vulnMime]!.notes.join('\n'), /vulnerability database is empty/);
    // No scheduled run yet.
    assert.deepEqual(await metrics(server, '/scans/schedule/metrics'), { total: 0, completed: 0, ongoing: false });
  });

  await t.test('one run at a time (409), and stop ends the run with its pending scans Stopped', async () => {
    // Scans wait in a paused queue, so the run is certainly going on when it is stopped.
    const queue = server.berth.jobs.queue;
    await queue.pause('IMAGE_SCAN');
    try {
      await stopWhileWaiting(server);
    } finally {
      await queue.resume('IMAGE_SCAN');
    }
    // The stopped jobs stay stopped once the queue runs again.
    await sleep(500);
    assert.equal(byStatus(await metrics(server), 'Stopped'), 3);
  });

  async function stopWhileWaiting(server: TestBerth): Promise<void> {
    await setSchedule(server, 'POST', { type: 'Manual' }, 201);
    const waiting = await until(
      'the walk',
      () => metrics(server),
      (s) => s.progress?.artifacts_walked === 3,
    );
    assert.equal(waiting.ongoing, true);
    assert.equal(waiting.total, 3);
    assert.equal(byStatus(waiting, 'Pending'), 3, JSON.stringify(waiting));

    const second = await setSchedule(server, 'POST', { type: 'Manual' }, 409);
    assert.match(JSON.stringify(second.body), /a previous scan all job already exists/);
    // A scheduled firing meanwhile is skipped: no scheduled run appears.
    await setSchedule(server, 'POST', { type: 'Custom', cron: '* * * * * *' }, 201);
    await sleep(1500);
    await setSchedule(server, 'PUT', { type: 'None' }, 200);
    assert.deepEqual(await metrics(server, '/scans/schedule/metrics'), { total: 0, completed: 0, ongoing: false });

    const stop = await api(server, 'POST', '/system/scanAll/stop');
    assert.equal(stop.status, 202, JSON.stringify(stop.body));
    assertHarborSchema('POST', '/system/scanAll/stop', 202, stop.body || undefined);
    const stopped = await until(
      'the stop',
      () => metrics(server),
      (s) => !s.ongoing,
    );
    assert.deepEqual(stopped.metrics, { Pending: 0, Running: 0, Success: 0, Error: 0, Stopped: 3 });
    assert.equal(stopped.completed, stopped.total);
    const artifact = await api<{ scan_overview?: Record<string, { scan_status: string }> }>(
      server,
      'GET',
      '/projects/scanall/repositories/app/artifacts/v2?with_scan_overview=true',
    );
    assert.equal(artifact.body.scan_overview?.[vulnMime]?.scan_status, 'Stopped');
  }

  await t.test('a scheduled run fires on its cron and has its own metrics', async () => {
    await setSchedule(server, 'POST', { type: 'Custom', cron: '* * * * * *' }, 201);
    const scheduled = await until(
      'a scheduled run',
      () => metrics(server, '/scans/schedule/metrics'),
      (s) => s.trigger === 'Schedule' && !s.ongoing && s.total === 3,
    );
    await setSchedule(server, 'PUT', { type: 'None' }, 200);
    assert.deepEqual(scheduled.metrics, { Pending: 0, Running: 0, Success: 3, Error: 0, Stopped: 0 });
    assert.equal(scheduled.completed, 3);
    // Without a trigger, the metrics are the latest run's of either kind.
    const manual = await metrics(server);
    assert.equal(manual.trigger, 'Schedule');
  });
});
