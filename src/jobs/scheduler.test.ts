import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { openDatabase, type Db } from '../db/index.js';
import { systemClock } from '../shared/clock.js';
import { createLogger } from '../shared/logger.js';
import { BerthError } from '../shared/errors.js';
import { JobCatalogue } from './job.js';
import { createLocalQueue } from './local-queue.js';
import { createScheduler, nextRun } from './scheduler.js';

// Two replicas (two connections to one SQLite file) tick at the same moment: each due
// schedule is enqueued exactly once.

test('the scheduler fires each due schedule once when two schedulers race', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'berth-sched-'));
  const dbs: Db[] = [];
  t.after(async () => {
    for (const db of dbs) await db.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const catalogue = new JobCatalogue([
    { name: 'TICK', maxFails: 1, shouldRetry: () => false, validate: (p) => p, run: async () => undefined },
  ]);
  const replica = async () => {
    const db = openDatabase(`sqlite://${join(dir, 'berth.db')}`);
    await db.migrate();
    dbs.push(db);
    const logger = createLogger('silent');
    const queue = createLocalQueue({ db: db.kysely, catalogue, clock: systemClock, logger });
    return { db, scheduler: createScheduler({ db: db.kysely, queue, clock: systemClock, logger }) };
  };
  const a = await replica();
  const b = await replica();
  await a.scheduler.upsert({ vendorType: 'TICK', vendorId: 1, cron: '0 0 * * * *', jobName: 'TICK', params: { n: 1 } });
  await a.scheduler.upsert({ vendorType: 'TICK', vendorId: 2, cron: '*/5 * * * *', jobName: 'TICK', params: { n: 2 } });
  await assert.rejects(
    a.scheduler.upsert({ vendorType: 'TICK', vendorId: 3, cron: 'every hour', jobName: 'TICK', params: {} }),
    (err: BerthError) => err.code === 'BAD_REQUEST',
  );

  const executions = () => a.db.kysely.selectFrom('job_executions').select(['job_name', 'params']).execute();
  for (let round = 1; round <= 10; round++) {
    await a.db.kysely
      .updateTable('schedules')
      .set({ next_run_at: new Date(Date.now() - 1000).toISOString() })
      .execute();
    const fired = await Promise.all([a.scheduler.tick(), b.scheduler.tick(), a.scheduler.tick(), b.scheduler.tick()]);
    // A replica's concurrent ticks share one pass, so fired[2] and fired[3] repeat fired[0] and fired[1].
    assert.equal(fired[0] + fired[1], 2, `round ${round}: ${JSON.stringify(fired)}`);
    assert.equal((await executions()).length, 2 * round);
  }
  const next = await a.db.kysely.selectFrom('schedules').select('next_run_at').orderBy('id').execute();
  assert.ok(
    next.every((r) => r.next_run_at > new Date().toISOString()),
    'each schedule moved to its next run',
  );

  await b.scheduler.setPaused(true);
  assert.equal(await a.scheduler.paused(), true);
  await a.db.kysely
    .updateTable('schedules')
    .set({ next_run_at: new Date(Date.now() - 1000).toISOString() })
    .execute();
  assert.deepEqual(await Promise.all([a.scheduler.tick(), b.scheduler.tick()]), [0, 0]);
  await b.scheduler.setPaused(false);
  assert.equal((await a.scheduler.tick()) + (await b.scheduler.tick()), 2);
  assert.equal((await a.scheduler.list(1, 10)).total, 2);
});

test('nextRun reads Harbor six-field and five-field cron, strictly after the given time, and rejects what is not cron', () => {
  const at = (iso: string) => new Date(iso);
  // The process's time zone is the schedule's (as Harbor); these expressions read the same in any zone with whole-hour offsets.
  assert.equal(nextRun('0 0 * * * *', at('2026-11-25T10:00:00.000Z')).toISOString(), '2026-11-25T11:00:00.000Z');
  assert.equal(nextRun('0 0 * * * *', at('2026-11-25T10:59:59.999Z')).toISOString(), '2026-11-25T11:00:00.000Z');
  assert.equal(nextRun('*/2 * * * * *', at('2026-11-25T10:00:01.500Z')).toISOString(), '2026-11-25T10:00:02.000Z');
  assert.equal(nextRun('*/15 * * * *', at('2026-11-25T10:14:00.000Z')).toISOString(), '2026-11-25T10:15:00.000Z');
  assert.equal(nextRun('30 5 * * * *', at('2026-11-25T10:05:30.000Z')).toISOString(), '2026-11-25T11:05:30.000Z');
  for (const bad of ['61 * * * * *', 'every hour', '* * *', '']) {
    assert.throws(
      () => nextRun(bad, at('2026-11-25T10:00:00.000Z')),
      (err: unknown) => err instanceof BerthError && err.code === 'BAD_REQUEST',
      bad,
    );
  }
});
