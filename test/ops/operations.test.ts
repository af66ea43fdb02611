import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestBerth, type TestBerth } from '../helpers/berth.js';
import { adminAuth, api, basic } from '../helpers/api.js';
import { assertHarborSchema } from '../helpers/harbor-schema.js';
import { OciClient, randomBlob, uniqueName } from '../helpers/oci.js';
import { storedUploadExists } from '../helpers/stored.js';
import { createUser, userPassword } from '../helpers/projects.js';
import { openDatabase } from '../../src/db/index.js';

// Operations over HTTP: Harbor's health and job service monitor, Prometheus metrics,
// and the upload purge job on a real Berth.

async function metric(server: TestBerth, line: RegExp): Promise<number> {
  const text = await (await fetch(`${server.url}/metrics`, { headers: { authorization: adminAuth } })).text();
  const found = text.split('\n').find((l) => line.test(l));
  return found ? Number(found.split(' ').at(-1)) : NaN;
}

test('operations', async (t) => {
  const server = await startTestBerth();
  t.after(() => server.close());
  const oci = new OciClient(server.url);

  await t.test('GET /health answers in Harbor format without authentication', async () => {
    const res = await api<{ status: string; components: { name: string; status: string; error?: string }[] }>(
      server,
      'GET',
      '/health',
      { auth: null },
    );
    assert.equal(res.status, 200);
    assertHarborSchema('GET', '/health', 200, res.body);
    // Redis is a component only where redis.url is set (the suite's scale-out profile).
    const expected = server.berth.config.redis.url
      ? ['core', 'database', 'redis', 'storage', 'jobservice']
      : ['core', 'database', 'storage', 'jobservice'];
    assert.deepEqual(
      res.body.components.map((c) => c.name),
      expected,
    );
    assert.equal(res.body.status, 'healthy', JSON.stringify(res.body));
    const ping = await fetch(`${server.url}/api/v2.0/ping`);
    assert.equal(await ping.text(), 'Pong');
  });

  await t.test('job service monitor is for system administrators only', async () => {
    const user = await createUser(server, uniqueName('ops').replace('library/', ''));
    for (const [method, path] of [
      ['GET', '/jobservice/pools'],
      ['GET', '/jobservice/queues'],
      ['GET', '/schedules'],
      ['PUT', '/jobservice/jobs/1'],
    ] as const) {
      assert.equal((await api(server, method, path, { auth: null })).status, 401, `${method} ${path} anonymous`);
      assert.equal(
        (await api(server, method, path, { auth: basic(user.username, userPassword) })).status,
        403,
        `${method} ${path} as a user`,
      );
    }
  });

  await t.test('pools, workers, queues and schedules in Harbor schema', async () => {
    const pools = await api<{ worker_pool_id: string; concurrency: number; pid: number }[]>(
      server,
      'GET',
      '/jobservice/pools',
    );
    assertHarborSchema('GET', '/jobservice/pools', 200, pools.body);
    assert.equal(pools.body.length, 1);
    assert.equal(pools.body[0].pid, process.pid);
    assert.equal(pools.body[0].concurrency, server.berth.config.jobservice.workers);
    const workers = await api<unknown[]>(server, 'GET', `/jobservice/pools/${pools.body[0].worker_pool_id}/workers`);
    assertHarborSchema('GET', '/jobservice/pools/{pool_id}/workers', 200, workers.body);
    assert.equal(workers.body.length, pools.body[0].concurrency);
    assert.equal((await api(server, 'GET', '/jobservice/pools/nope/workers')).status, 404);

    const queues = await api<{ job_type: string; paused: boolean }[]>(server, 'GET', '/jobservice/queues');
    assertHarborSchema('GET', '/jobservice/queues', 200, queues.body);
    assert.deepEqual(queues.body.map((q) => q.job_type).sort(), [
      'ADAPTER_SCAN',
      'CVE_EXPORT',
      'EVENT_SCAN_ON_PUSH',
      'GARBAGE_COLLECTION',
      'IMAGE_SCAN',
      'RETENTION',
      'SCAN_ALL',
      'SCHEDULER',
      'SESSION_PURGE',
      'UPLOAD_PURGE',
      'VULNDB_IMPORT',
    ]);

    const schedules = await api<{ vendor_type: string; cron: string }[]>(server, 'GET', '/schedules');
    assertHarborSchema('GET', '/schedules', 200, schedules.body);
    assert.equal(schedules.headers.get('x-total-count'), '2');
    assert.deepEqual(schedules.body.map((s) => [s.vendor_type, s.cron]).sort(), [
      ['SESSION_PURGE', '0 30 * * * *'],
      ['UPLOAD_PURGE', '0 0 * * * *'],
    ]);
  });

  await t.test('pause and resume a queue and the scheduler; bad actions are refused', async () => {
    assert.equal(
      (await api(server, 'PUT', '/jobservice/queues/UPLOAD_PURGE', { body: { action: 'pause' } })).status,
      200,
    );
    let queues = await api<{ job_type: string; paused: boolean }[]>(server, 'GET', '/jobservice/queues');
    assert.equal(queues.body.find((q) => q.job_type === 'UPLOAD_PURGE')?.paused, true);
    assert.equal(
      (await api(server, 'PUT', '/jobservice/queues/UPLOAD_PURGE', { body: { action: 'resume' } })).status,
      200,
    );
    queues = await api(server, 'GET', '/jobservice/queues');
    assert.equal(queues.body.find((q) => q.job_type === 'UPLOAD_PURGE')?.paused, false);

    assert.equal((await api(server, 'PUT', '/jobservice/queues/SCHEDULER', { body: { action: 'pause' } })).status, 200);
    const paused = await api<{ paused: boolean }>(server, 'GET', '/schedules/all/paused');
    assertHarborSchema('GET', '/schedules/{job_type}/paused', 200, paused.body);
    assert.equal(paused.body.paused, true);
    await api(server, 'PUT', '/jobservice/queues/all', { body: { action: 'resume' } });
    assert.equal((await api<{ paused: boolean }>(server, 'GET', '/schedules/all/paused')).body.paused, false);

    assert.equal(
      (await api(server, 'PUT', '/jobservice/queues/UPLOAD_PURGE', { body: { action: 'explode' } })).status,
      422,
    );
    assert.equal(
      (await api(server, 'PUT', '/jobservice/queues/NO_SUCH_JOB', { body: { action: 'pause' } })).status,
      404,
    );
    assert.equal((await api(server, 'GET', '/schedules/GC/paused')).status, 400);
    assert.equal((await api(server, 'PUT', '/jobservice/jobs/424242')).status, 404);
    assert.equal((await api(server, 'GET', '/jobservice/jobs/424242/log')).status, 404);
  });

  await t.test(
    'UPLOAD_PURGE removes an abandoned upload session and keeps a fresh one; its log is served',
    async () => {
      const repository = uniqueName('purge');
      const sessions: string[] = [];
      for (let i = 0; i < 2; i++) {
        const location = await oci.startUpload(repository);
        const res = await oci.send('PATCH', location, {
          body: randomBlob(2048).bytes,
          headers: { 'content-type': 'application/octet-stream' },
        });
        assert.equal(res.status, 202);
        sessions.push(location);
      }
      const [old, fresh] = sessions.map((l) => l.split('/').at(-1)!);
      const db = openDatabase(server.berth.config.database.url!);
      try {
        await db.kysely
          .updateTable('uploads')
          .set({ updated_at: new Date(Date.now() - 25 * 3600_000).toISOString() })
          .where('uuid', '=', old)
          .execute();
      } finally {
        await db.close();
      }
      const job = await server.berth.jobs.queue.enqueue('UPLOAD_PURGE', { olderThanHours: 24 });
      for (let i = 0; i < 200 && (await server.berth.jobs.queue.get(job.id))?.status !== 'success'; i++)
        await new Promise((r) => setTimeout(r, 25));
      const done = await server.berth.jobs.queue.get(job.id);
      assert.equal(done?.status, 'success', JSON.stringify(done));
      assert.ok(done.progress.done >= 1 && done.progress.done === done.progress.total);

      assert.equal((await oci.send('GET', sessions[0])).status, 404, 'the abandoned session is gone');
      assert.equal(await storedUploadExists(server.dataDir, old), false, 'its scratch data is gone');
      assert.equal((await oci.send('GET', sessions[1])).status, 204, 'the fresh session is kept');
      assert.ok(await storedUploadExists(server.dataDir, fresh));

      const log = await fetch(`${server.url}/api/v2.0/jobservice/jobs/${job.id}/log`, {
        headers: { authorization: basic('admin', 'Harbor12345') },
      });
      assert.equal(log.status, 200);
      assert.match(log.headers.get('content-type') ?? '', /^text\/plain/);
      assert.match(await log.text(), /purged 1 upload session\(s\)/);
      assert.equal(
        (await api(server, 'PUT', `/jobservice/jobs/${job.id}`)).status,
        200,
        'stopping a finished job is a no-op',
      );
    },
  );

  await t.test('/metrics counts requests by route name, blob bytes, open uploads and queue depth', async () => {
    const repository = uniqueName('metrics');
    const blob = randomBlob(4096);
    const inBefore = (await metric(server, /^berth_blob_bytes_total\{direction="in"\}/)) || 0;
    const outBefore = (await metric(server, /^berth_blob_bytes_total\{direction="out"\}/)) || 0;
    await oci.pushBlob(repository, blob);
    const get = await oci.fetch(`/v2/${repository}/blobs/${blob.digest}`);
    assert.equal((await get.arrayBuffer()).byteLength, 4096);
    await api(server, 'GET', '/projects');

    const res = await fetch(`${server.url}/metrics`, { headers: { authorization: adminAuth } });
    assert.match(res.headers.get('content-type') ?? '', /^text\/plain/);
    assert.ok((await metric(server, /^berth_http_requests_total\{route="blob.get",method="GET",code="200"\}/)) >= 1);
    assert.ok(
      (await metric(server, /^berth_http_requests_total\{route="\/api\/v2.0\/projects",method="GET",code="200"\}/)) >=
        1,
    );
    assert.ok(
      (await metric(server, /^berth_http_request_duration_seconds_count\{route="upload.start",method="POST"\}/)) >= 1,
    );
    assert.equal((await metric(server, /^berth_blob_bytes_total\{direction="in"\}/)) - inBefore, 4096);
    assert.equal((await metric(server, /^berth_blob_bytes_total\{direction="out"\}/)) - outBefore, 4096);
    assert.equal(await metric(server, /^berth_open_uploads /), 1, 'the fresh session of the purge case is still open');
    assert.equal(await metric(server, /^berth_job_queue_depth\{job_type="UPLOAD_PURGE"\}/), 0);
    // The PostgreSQL pool: its bound and what it holds; SQLite has no pool to report.
    if (server.berth.config.database.url?.startsWith('postgres')) {
      assert.equal(
        await metric(server, /^berth_db_pool_connections\{state="max"\}/),
        server.berth.config.database.maxOpenConns,
      );
      const open = await metric(server, /^berth_db_pool_connections\{state="total"\}/);
      assert.ok(open >= 1 && open <= server.berth.config.database.maxOpenConns, `open connections ${open}`);
    } else {
      assert.ok(Number.isNaN(await metric(server, /^berth_db_pool_connections\{/)), 'no pool metric on SQLite');
    }
  });
});
