import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Database } from '../db/index.js';
import { BerthError } from '../shared/errors.js';
import type { Clock } from '../shared/clock.js';
import type { Logger } from '../shared/logger.js';
import { lineLog, runAttempt, type AbortReason, type AttemptOutcome } from './attempt.js';
import { backoffMs, type JobCatalogue, type JobParams } from './job.js';
import { createLocalQueueRepo, toExecution } from './local-repo.js';
import type { EnqueueOptions, JobExecution, JobQueue, QueueInfo, WorkerInfo } from './queue.js';

// The embedded default: executions live in the database, workers run in this process.
// Every replica with workers polls for due jobs and claims them with a conditional
// update; a running job's heartbeat lets another replica take it over after a crash.

export interface LocalQueueOptions {
  db: Kysely<Database>;
  catalogue: JobCatalogue;
  clock: Clock;
  logger: Logger;
  /** How often workers look for due jobs and beat their heart. */
  pollMs?: number;
  /** A running job whose heartbeat is older than this is taken to be orphaned. */
  staleMs?: number;
  /** Backoff before the first retry; doubled for each further attempt. */
  retryBaseMs?: number;
}

interface Running {
  id: number;
  name: string;
  startedAt: string;
  controller: AbortController;
  done: Promise<void>;
}

export function createLocalQueue(options: LocalQueueOptions): JobQueue {
  const { db, catalogue, clock, logger } = options;
  const pollMs = options.pollMs ?? 1000;
  const staleMs = options.staleMs ?? 30_000;
  const retryBaseMs = options.retryBaseMs ?? 10_000;
  const repo = createLocalQueueRepo(db);
  const poolId = `${hostname()}-${process.pid}-${randomBytes(4).toString('hex')}`;
  const running = new Map<number, Running>();
  let concurrency = 0;
  let timer: NodeJS.Timeout | undefined;
  let ticking: Promise<void> | undefined;
  let again = false;
  let closed = false;

  const now = () => clock.now().toISOString();
  const later = (ms: number) => new Date(clock.now().getTime() + ms).toISOString();

  function jobOf(name: string) {
    const job = catalogue.get(name);
    if (!job) throw new BerthError('NOT_FOUND', `no job type ${name}`);
    return job;
  }

  function typesOf(jobType: string): string[] {
    if (jobType.toLowerCase() === 'all') return catalogue.names();
    jobOf(jobType);
    return [jobType];
  }

  function parseId(id: string): number | undefined {
    return /^[1-9][0-9]{0,15}$/.test(id) ? Number(id) : undefined;
  }

  /** One pass: heartbeat, stop requests, orphans, then fill free slots. Passes never overlap. */
  function tick(): Promise<void> {
    if (ticking) {
      again = true;
      return ticking;
    }
    ticking = pass()
      .catch((err: unknown) => logger.error({ err }, 'job queue pass failed'))
      .finally(() => {
        ticking = undefined;
        if (again && !closed) {
          again = false;
          void tick();
        }
      });
    return ticking;
  }

  async function pass(): Promise<void> {
    await repo.heartbeat(poolId, [...running.keys()], now());
    for (const id of await repo.stopRequested(poolId)) running.get(id)?.controller.abort('stop');
    const reclaimed = await repo.reclaimStale(later(-staleMs), now());
    if (reclaimed > 0) logger.warn({ reclaimed }, 'requeued jobs whose worker stopped responding');
    if (closed) return;
    const paused = await repo.pausedTypes();
    const names = catalogue.names().filter((n) => !paused.has(n) && roomFor(n));
    for (const { id, name } of await repo.due(names, now(), concurrency - running.size)) {
      if (closed || running.size >= concurrency) break;
      if (!roomFor(name)) continue;
      if (await repo.claim(id, poolId, now())) start(id, name);
    }
  }

  /** Below the job type's own concurrency (a job may ask for fewer slots than the pool has). */
  function roomFor(name: string): boolean {
    const limit = catalogue.get(name)?.concurrency;
    if (limit === undefined) return true;
    let busy = 0;
    for (const entry of running.values()) if (entry.name === name) busy++;
    return busy < limit;
  }

  function start(id: number, name: string): void {
    const controller = new AbortController();
    const entry: Running = { id, name, startedAt: now(), controller, done: Promise.resolve() };
    running.set(id, entry);
    entry.done = execute(entry).finally(() => {
      running.delete(id);
      if (!closed) void tick();
    });
  }

  async function execute(entry: Running): Promise<void> {
    const row = await repo.get(entry.id);
    if (!row) return;
    entry.name = row.job_name;
    const job = catalogue.get(row.job_name);
    // Writes of one execution stay in order; a failed write is logged, never fatal to the job.
    let writes = Promise.resolve();
    const write = (fn: () => Promise<void>) => {
      writes = writes.then(fn).catch((err: unknown) => logger.error({ err, job: entry.id }, 'job bookkeeping failed'));
    };
    // Lines logged while a write is on its way go together in the next one, as does the latest progress.
    let lines: { level: string; message: string; time: string }[] = [];
    const log = lineLog((level, message) => {
      lines.push({ level, message, time: now() });
      if (lines.length > 1) return;
      write(() => {
        const batch = lines;
        lines = [];
        return repo.appendLog(entry.id, batch);
      });
    });
    let progress: { done: number; total: number } | undefined;
    const reportProgress = (done: number, total: number) => {
      const scheduled = progress !== undefined;
      progress = { done, total };
      if (scheduled) return;
      write(() => {
        const latest = progress as { done: number; total: number };
        progress = undefined;
        return repo.setProgress(entry.id, latest.done, latest.total);
      });
    };
    let outcome: AttemptOutcome;
    if (!job) {
      outcome = { kind: 'failed', message: `no job type ${row.job_name} in this version`, retry: false };
    } else {
      log.info(`attempt ${row.attempts} of ${job.maxFails} started on ${poolId}`);
      outcome = await runAttempt({
        id: String(entry.id),
        logger,
        job,
        params: JSON.parse(row.params) as JobParams,
        attempt: row.attempts,
        signal: entry.controller.signal,
        log,
        progress: reportProgress,
      });
    }
    await writes;
    await record(entry.id, row.attempts, outcome, log);
    await writes;
  }

  async function record(
    id: number,
    attempt: number,
    outcome: AttemptOutcome,
    log: ReturnType<typeof lineLog>,
  ): Promise<void> {
    if (outcome.kind === 'success') return repo.finish(id, 'success', null, now());
    if (outcome.kind === 'stopped') {
      log.warn('stopped');
      return repo.finish(id, 'stopped', null, now());
    }
    if (outcome.kind === 'interrupted') {
      log.warn('worker shutting down: the job goes back to the queue');
      return repo.requeue(id, now(), null, false);
    }
    if (!outcome.retry) return repo.finish(id, 'error', outcome.message, now());
    const delay = backoffMs(attempt, retryBaseMs);
    log.info(`retrying in ${Math.ceil(delay / 1000)} s`);
    return repo.requeue(id, later(delay), outcome.message, true);
  }

  return {
    kind: 'local',

    async enqueue(name: string, params: JobParams, enqueueOptions: EnqueueOptions = {}): Promise<JobExecution> {
      const job = jobOf(name);
      const valid = job.validate(params);
      const id = await repo.insert(name, valid, job.maxFails, later(enqueueOptions.delayMs ?? 0), now());
      if (concurrency > 0 && !closed) void tick();
      return toExecution((await repo.get(id))!);
    },

    async get(id) {
      const n = parseId(id);
      const row = n === undefined ? undefined : await repo.get(n);
      return row ? toExecution(row) : undefined;
    },

    async log(id) {
      const n = parseId(id);
      if (n === undefined || !(await repo.get(n))) return undefined;
      return (await repo.log(n)).map((l) => `${l.time} [${l.level.toUpperCase()}] ${l.message}\n`).join('');
    },

    async stop(id) {
      const n = parseId(id);
      if (n === undefined) return false;
      const result = await repo.stop(n, now());
      if (result === 'flagged') running.get(n)?.controller.abort('stop' satisfies AbortReason);
      return result !== 'unknown';
    },

    async queues(): Promise<QueueInfo[]> {
      const names = catalogue.names();
      const [pending, paused] = await Promise.all([repo.pendingByType(names), repo.pausedTypes()]);
      const t = clock.now().getTime();
      return names.map((jobType) => {
        const p = pending.get(jobType);
        return {
          jobType,
          count: p?.count ?? 0,
          latencySeconds: p ? Math.max(0, Math.floor((t - Date.parse(p.oldest)) / 1000)) : 0,
          paused: paused.has(jobType),
        };
      });
    },

    pause: (jobType) => repo.setPaused(typesOf(jobType), true),
    async resume(jobType) {
      await repo.setPaused(typesOf(jobType), false);
      if (concurrency > 0) void tick();
    },
    clear: (jobType) => repo.stopPending(typesOf(jobType), now()),
    async isPaused(jobType) {
      const paused = await repo.pausedTypes();
      return typesOf(jobType).every((t) => paused.has(t));
    },

    pools: () => repo.pools(later(-staleMs)),

    async workers(pool): Promise<WorkerInfo[]> {
      const pools = (await repo.pools(later(-staleMs))).filter((p) => pool === 'all' || p.id === pool);
      if (pools.length === 0 && pool !== 'all') throw new BerthError('NOT_FOUND', `no worker pool ${pool}`);
      const busy = await repo.running(pools.map((p) => p.id));
      return pools.flatMap((p) => {
        const jobs = busy.filter((r) => r.pool_id === p.id);
        return Array.from({ length: p.concurrency }, (_, slot): WorkerInfo => {
          const job = jobs[slot];
          const base = { id: `${p.id}-${slot}`, poolId: p.id };
          if (!job) return { ...base, jobName: '', jobId: '', checkIn: '' };
          return {
            ...base,
            jobName: job.job_name,
            jobId: String(job.id),
            startedAt: job.start_time ?? undefined,
            checkIn: `${job.progress_done}/${job.progress_total}`,
            checkinAt: job.heartbeat_at ?? undefined,
          };
        });
      });
    },

    async startWorkers({ concurrency: n }) {
      if (concurrency > 0) return;
      concurrency = n;
      const at = now();
      await repo.addPool({
        id: poolId,
        pid: process.pid,
        host: hostname(),
        concurrency: n,
        startedAt: at,
        heartbeatAt: at,
      });
      timer = setInterval(() => void tick(), pollMs);
      await tick();
    },

    async close(graceMs = 10_000) {
      if (closed) return;
      closed = true;
      if (timer) clearInterval(timer);
      await ticking;
      const all = Promise.all([...running.values()].map((r) => r.done));
      let graceTimer: NodeJS.Timeout | undefined;
      const grace = new Promise<void>((resolve) => (graceTimer = setTimeout(resolve, graceMs)));
      await Promise.race([all, grace]);
      clearTimeout(graceTimer);
      for (const r of running.values()) r.controller.abort('shutdown' satisfies AbortReason);
      await all;
      if (concurrency > 0) await repo.removePool(poolId).catch(() => undefined);
    },
  };
}
