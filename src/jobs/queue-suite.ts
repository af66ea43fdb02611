import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { BerthError } from '../shared/errors.js';
import { JobCatalogue, type Job, type JobParams } from './job.js';
import type { ExecutionStatus, JobExecution, JobQueue } from './queue.js';

// The one suite every JobQueue implementation runs (distribution's driver-suite habit).
// An implementation's test file calls queueSuite() once with a factory that opens a
// queue over the same backing store each time it is called, so restarts can be shown.

/** Backoff base the factory must give its queues, so retry timing can be asserted. */
export const suiteRetryBaseMs = 150;

export interface QueueFactory {
  /** Opens a queue over the shared store (a database file, a Redis db); workers not started. */
  open(catalogue: JobCatalogue): Promise<JobQueue>;
  /** Drops everything the suite created. */
  cleanup(): Promise<void>;
}

interface Probe {
  runs: Map<string, number[]>;
  aborted: Set<string>;
  release: Map<string, () => void>;
}

function testJobs(probe: Probe): Job[] {
  const seen = (key: string) => {
    const times = probe.runs.get(key) ?? [];
    times.push(Date.now());
    probe.runs.set(key, times);
    return times.length;
  };
  const key = (params: JobParams) => String(params.key);
  const validate = (params: JobParams) => {
    if (typeof params.key !== 'string' || params.key === '')
      throw new BerthError('BAD_REQUEST', 'key must be a non-empty string');
    return params;
  };
  return [
    {
      name: 'TEST_ECHO',
      maxFails: 1,
      shouldRetry: () => false,
      validate,
      async run({ id, attempt, params, log, progress }) {
        seen(key(params));
        for (let i = 1; i <= 3; i++) progress(i, 3);
        log.info(`echo ${key(params)} as execution ${id}, attempt ${attempt}`);
      },
    },
    {
      name: 'TEST_FLAKY',
      maxFails: 3,
      shouldRetry: (err) => err instanceof Error && err.message.startsWith('transient'),
      validate,
      async run({ params }) {
        const attempt = seen(key(params));
        const failTimes = Number(params.failTimes ?? 0);
        if (attempt <= failTimes) throw new Error(params.fatal ? 'fatal: bad input' : `transient failure ${attempt}`);
      },
    },
    {
      name: 'TEST_SOLO',
      maxFails: 1,
      concurrency: 1,
      shouldRetry: () => false,
      validate,
      async run({ params }) {
        seen(key(params));
        await new Promise<void>((resolve) => probe.release.set(key(params), resolve));
      },
    },
    {
      name: 'TEST_SLOW',
      maxFails: 1,
      shouldRetry: () => false,
      validate,
      async run({ params, signal, progress }) {
        seen(key(params));
        progress(0, 1);
        await new Promise<void>((resolve) => {
          probe.release.set(key(params), resolve);
          signal.addEventListener('abort', () => {
            probe.aborted.add(key(params));
            resolve();
          });
        });
        signal.throwIfAborted();
        progress(1, 1);
      },
    },
  ];
}

async function until<T>(
  read: () => Promise<T>,
  ok: (value: T) => boolean,
  what: string,
  timeoutMs = 10_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (ok(value)) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(value)}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

const statusIs = (queue: JobQueue, id: string, status: ExecutionStatus) =>
  until(
    () => queue.get(id),
    (e) => e?.status === status,
    `job ${id} to be ${status}`,
  ) as Promise<JobExecution>;

let counter = 0;
const unique = (prefix: string) => `${prefix}-${process.pid}-${++counter}`;

export function queueSuite(name: string, factory: QueueFactory, options: { skip?: string } = {}): void {
  test(`job queue suite: ${name}`, { skip: options.skip, concurrency: false }, async (t: TestContext) => {
    const probe: Probe = { runs: new Map(), aborted: new Set(), release: new Map() };
    const catalogue = new JobCatalogue(testJobs(probe));
    const open: JobQueue[] = [];
    const openQueue = async (workers = true) => {
      const queue = await factory.open(catalogue);
      open.push(queue);
      if (workers) await queue.startWorkers({ concurrency: 2 });
      return queue;
    };
    t.after(async () => {
      for (const q of open) await q.close(0).catch(() => undefined);
      await factory.cleanup();
    });
    const queue = await openQueue();

    await t.test('refuses unknown job types and invalid parameters before queueing', async () => {
      await assert.rejects(queue.enqueue('NO_SUCH_JOB', {}), (err: BerthError) => err.code === 'NOT_FOUND');
      await assert.rejects(queue.enqueue('TEST_ECHO', { key: '' }), (err: BerthError) => err.code === 'BAD_REQUEST');
      assert.equal(await queue.get('999999'), undefined);
      assert.equal(await queue.get('not-an-id'), undefined);
      assert.equal(await queue.log('999999'), undefined);
      assert.equal(await queue.stop('999999'), false);
    });

    await t.test('runs a job to success with its progress and log', async () => {
      const key = unique('echo');
      const queued = await queue.enqueue('TEST_ECHO', { key });
      assert.equal(queued.name, 'TEST_ECHO');
      assert.deepEqual(queued.params, { key });
      const done = await statusIs(queue, queued.id, 'success');
      assert.equal(done.attempts, 1);
      assert.deepEqual(done.progress, { done: 3, total: 3 });
      assert.ok(done.startedAt && done.finishedAt && done.finishedAt >= done.startedAt);
      assert.equal(probe.runs.get(key)?.length, 1);
      assert.match((await queue.log(queued.id)) ?? '', new RegExp(`echo ${key} as execution ${queued.id}, attempt 1`));
    });

    await t.test('retries a retryable failure with growing backoff, then succeeds', async () => {
      const key = unique('flaky');
      const queued = await queue.enqueue('TEST_FLAKY', { key, failTimes: 2 });
      const done = await statusIs(queue, queued.id, 'success');
      assert.equal(done.attempts, 3);
      const [a, b, c] = probe.runs.get(key) ?? [];
      assert.ok(b - a >= suiteRetryBaseMs * 0.9, `first retry after ${b - a} ms, backoff ${suiteRetryBaseMs}`);
      assert.ok(c - b >= suiteRetryBaseMs * 2 * 0.9, `second retry after ${c - b} ms, backoff ${suiteRetryBaseMs * 2}`);
      assert.match((await queue.log(queued.id)) ?? '', /attempt 1 of 3 failed: transient failure 1/);
    });

    await t.test('gives up after maxFails attempts and records the error', async () => {
      const key = unique('exhausted');
      const queued = await queue.enqueue('TEST_FLAKY', { key, failTimes: 5 });
      const failed = await statusIs(queue, queued.id, 'error');
      assert.equal(failed.attempts, 3);
      assert.equal(probe.runs.get(key)?.length, 3);
      assert.match(failed.error ?? '', /transient failure 3/);
    });

    await t.test('does not retry what shouldRetry refuses', async () => {
      const key = unique('fatal');
      const queued = await queue.enqueue('TEST_FLAKY', { key, failTimes: 5, fatal: true });
      const failed = await statusIs(queue, queued.id, 'error');
      assert.equal(failed.attempts, 1);
      assert.match(failed.error ?? '', /fatal: bad input/);
      await new Promise((r) => setTimeout(r, suiteRetryBaseMs * 2));
      assert.equal(probe.runs.get(key)?.length, 1);
    });

    await t.test('stops a running job: its signal is aborted and it ends stopped', async () => {
      const key = unique('slow');
      const queued = await queue.enqueue('TEST_SLOW', { key });
      await statusIs(queue, queued.id, 'running');
      await until(async () => probe.release.has(key), Boolean, 'the job to start');
      assert.equal(await queue.stop(queued.id), true);
      const stopped = await statusIs(queue, queued.id, 'stopped');
      assert.ok(probe.aborted.has(key));
      assert.equal(stopped.attempts, 1);
    });

    await t.test("a job type's own concurrency holds its second job while the pool has room", async () => {
      const [first, second] = [unique('solo'), unique('solo')];
      const a = await queue.enqueue('TEST_SOLO', { key: first });
      const b = await queue.enqueue('TEST_SOLO', { key: second });
      await until(async () => probe.release.has(first), Boolean, 'the first solo job to start');
      await statusIs(queue, a.id, 'running');
      // The pool has two slots; a few polls later the second job of the type still waits.
      await new Promise((r) => setTimeout(r, 400));
      assert.equal((await queue.get(b.id))?.status, 'pending');
      assert.equal(probe.runs.get(second), undefined);
      probe.release.get(first)?.();
      await until(async () => probe.release.has(second), Boolean, 'the second solo job to start');
      probe.release.get(second)?.();
      await statusIs(queue, b.id, 'success');
    });

    await t.test('pause holds a job type, stop removes a pending job, resume runs the rest', async () => {
      await queue.pause('TEST_ECHO');
      assert.equal(await queue.isPaused('TEST_ECHO'), true);
      const held = unique('held');
      const dropped = unique('dropped');
      const a = await queue.enqueue('TEST_ECHO', { key: held });
      const b = await queue.enqueue('TEST_ECHO', { key: dropped });
      await new Promise((r) => setTimeout(r, 300));
      assert.equal((await queue.get(a.id))?.status, 'pending');
      const info = (await queue.queues()).find((q) => q.jobType === 'TEST_ECHO');
      assert.deepEqual({ count: info?.count, paused: info?.paused }, { count: 2, paused: true });
      assert.equal(await queue.stop(b.id), true);
      assert.equal((await queue.get(b.id))?.status, 'stopped');
      await queue.resume('TEST_ECHO');
      assert.equal(await queue.isPaused('TEST_ECHO'), false);
      await statusIs(queue, a.id, 'success');
      await new Promise((r) => setTimeout(r, 200));
      assert.equal(probe.runs.has(dropped), false);
      assert.equal((await queue.get(b.id))?.status, 'stopped');
    });

    await t.test('clear stops every pending job of a type', async () => {
      await queue.pause('TEST_ECHO');
      const keys = [unique('clear'), unique('clear')];
      const jobs = await Promise.all(keys.map((key) => queue.enqueue('TEST_ECHO', { key })));
      await queue.clear('TEST_ECHO');
      await queue.resume('TEST_ECHO');
      await new Promise((r) => setTimeout(r, 300));
      for (const key of keys) assert.equal(probe.runs.has(key), false);
      assert.equal((await queue.queues()).find((q) => q.jobType === 'TEST_ECHO')?.count, 0);
      for (const job of jobs) assert.notEqual((await queue.get(job.id))?.status, 'success');
    });

    await t.test('lists its worker pool and the job a worker runs', async () => {
      const key = unique('watched');
      const queued = await queue.enqueue('TEST_SLOW', { key });
      await statusIs(queue, queued.id, 'running');
      const pools = await queue.pools();
      assert.ok(pools.length >= 1);
      assert.ok(pools.every((p) => p.concurrency >= 1 && p.pid > 0 && p.host.length > 0));
      const workers = await queue.workers('all');
      const busy = workers.find((w) => w.jobId === queued.id);
      assert.ok(busy, `a worker runs ${queued.id}: ${JSON.stringify(workers)}`);
      assert.equal(busy.jobName, 'TEST_SLOW');
      assert.ok(pools.some((p) => p.id === busy.poolId));
      probe.release.get(key)?.();
      await statusIs(queue, queued.id, 'success');
    });

    await t.test('survives a restart: queued jobs run and an interrupted job runs again', async () => {
      const idle = await openQueue(false);
      const key = unique('restart');
      const queued = await idle.enqueue('TEST_ECHO', { key });
      await queue.pause('TEST_SLOW');
      const slowKey = unique('interrupted');
      const slow = await queue.enqueue('TEST_SLOW', { key: slowKey });
      await queue.resume('TEST_SLOW');
      await statusIs(queue, slow.id, 'running');
      await until(async () => probe.release.has(slowKey), Boolean, 'the slow job to start');
      probe.release.delete(slowKey);
      // A worker's shutdown interrupts the job; it goes back to the queue, its attempt not counted.
      await queue.close(0);
      await idle.close(0);
      assert.ok(probe.aborted.has(slowKey));
      assert.notEqual((await (await openQueue(false)).get(slow.id))?.status, 'stopped');
      const restarted = await openQueue();
      await statusIs(restarted, queued.id, 'success');
      await until(async () => probe.release.has(slowKey), Boolean, 'the interrupted job to run again');
      probe.release.get(slowKey)?.();
      const resumed = await statusIs(restarted, slow.id, 'success');
      assert.equal(resumed.attempts, 1);
      assert.equal(probe.runs.get(slowKey)?.length, 2);
    });
  });
}
