import { hostname } from 'node:os';
import { randomBytes, randomUUID } from 'node:crypto';
import { DelayedError, Queue, UnrecoverableError, Worker, type Job as BullJob, type JobType } from 'bullmq';
import type { Redis } from 'ioredis';
import { BerthError } from '../shared/errors.js';
import type { Clock } from '../shared/clock.js';
import type { Logger } from '../shared/logger.js';
import { connectRedis, type RedisSettings } from '../shared/redis.js';
import { lineLog, runAttempt, type AbortReason } from './attempt.js';
import type { JobCatalogue, JobParams } from './job.js';
import type {
  EnqueueOptions,
  ExecutionStatus,
  JobExecution,
  JobQueue,
  QueueInfo,
  WorkerInfo,
  WorkerPool,
} from './queue.js';

// Scale-out: one BullMQ queue per job type in Redis, workers in every jobservice
// replica. A stop reaches the worker running the job over pub/sub; a stopped pending
// job leaves the queue and keeps a tombstone, so its status can still be read.

export interface BullQueueOptions {
  redis: RedisSettings;
  catalogue: JobCatalogue;
  clock: Clock;
  logger: Logger;
  retryBaseMs?: number;
  /** How often a pool publishes its heartbeat; pools silent for 3 beats are gone. */
  heartbeatMs?: number;
}

interface JobData {
  params: JobParams;
}

const stoppedReason = 'stopped';
const keepFor = { age: 7 * 24 * 3600, count: 10_000 };
const pendingStates: readonly string[] = ['waiting', 'delayed', 'prioritized', 'waiting-children'];
const pendingTypes: JobType[] = ['waiting', 'delayed', 'prioritized'];

/** How long a shutdown waits for BullMQ, once jobs are told to stop, before it drops the connections. */
const closeTimeoutMs = 10_000;

/** Whether the promise settles (either way) within ms; the timer does not outlive it. */
async function settlesWithin(promise: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((resolve) => (timer = setTimeout(resolve, ms, false)));
  try {
    return await Promise.race([
      promise.then(
        () => true,
        () => true,
      ),
      timeout,
    ]);
  } finally {
    clearTimeout(timer);
  }
}

export function createBullQueue(options: BullQueueOptions): JobQueue {
  const { catalogue, clock, logger } = options;
  const prefix = options.redis.prefix;
  const retryBaseMs = options.retryBaseMs ?? 10_000;
  const heartbeatMs = options.heartbeatMs ?? 5000;
  // BullMQ duplicates this connection for its blocking commands; it must never give up retrying.
  const connection: Redis = connectRedis(options.redis, { maxRetriesPerRequest: null });
  const control: Redis = connectRedis(options.redis);
  let subscriber: Redis | undefined;
  const queues = new Map(catalogue.names().map((name) => [name, new Queue<JobData>(name, { connection, prefix })]));
  const workers: Worker<JobData>[] = [];
  const poolId = `${hostname()}-${process.pid}-${randomBytes(4).toString('hex')}`;
  const active = new Map<string, { name: string; startedAt: string; progress: string }>();
  let pool: WorkerPool | undefined;
  let beat: NodeJS.Timeout | undefined;
  const poolsKey = `${prefix}:pools`;
  const stopChannel = `${prefix}:stop`;
  const tombstone = (id: string) => `${prefix}:stopped:${id}`;
  const now = () => clock.now().toISOString();

  function queueOf(name: string): Queue<JobData> {
    const queue = queues.get(name);
    if (!queue) throw new BerthError('NOT_FOUND', `no job type ${name}`);
    return queue;
  }

  function typesOf(jobType: string): string[] {
    if (jobType.toLowerCase() === 'all') return catalogue.names();
    queueOf(jobType);
    return [jobType];
  }

  async function find(id: string): Promise<BullJob<JobData> | undefined> {
    if (!/^[0-9a-f-]{36}$/.test(id)) return undefined;
    const found = await Promise.all([...queues.values()].map((q) => q.getJob(id)));
    return found.find((j): j is BullJob<JobData> => j !== undefined);
  }

  /** The job and its state read consistently: the state is read again until the job did not move meanwhile. */
  async function snapshot(job: BullJob<JobData>): Promise<JobExecution> {
    for (let i = 0; ; i++) {
      const before = await job.getState();
      const fresh = (await queueOf(job.name).getJob(job.id!)) ?? job;
      const after = await fresh.getState();
      if (before === after || i === 5) return toExecution(fresh, after);
    }
  }

  function toExecution(job: BullJob<JobData>, state: string): JobExecution {
    const status: ExecutionStatus =
      state === 'completed'
        ? 'success'
        : state === 'failed'
          ? job.failedReason === stoppedReason
            ? 'stopped'
            : 'error'
          : state === 'active'
            ? 'running'
            : 'pending';
    const progress = job.progress as { done?: number; total?: number } | number;
    // attemptsMade counts finished attempts; the one running now counts too.
    const attempts = job.attemptsMade + (state === 'active' ? 1 : 0);
    return {
      id: job.id!,
      name: job.name,
      params: job.data.params,
      status,
      attempts,
      progress:
        typeof progress === 'object' ? { done: progress.done ?? 0, total: progress.total ?? 0 } : { done: 0, total: 0 },
      ...(status === 'error' && job.failedReason ? { error: job.failedReason } : {}),
      createdAt: new Date(job.timestamp).toISOString(),
      ...(job.processedOn ? { startedAt: new Date(job.processedOn).toISOString() } : {}),
      ...(job.finishedOn && (status === 'success' || status === 'error' || status === 'stopped')
        ? { finishedAt: new Date(job.finishedOn).toISOString() }
        : {}),
    };
  }

  /** Takes a pending job out of its queue, leaving a tombstone; false when a worker has it already. */
  async function stopPending(job: BullJob<JobData>): Promise<boolean> {
    const execution = await snapshot(job);
    try {
      await job.remove();
    } catch {
      return false;
    }
    const stopped: JobExecution = { ...execution, status: 'stopped', finishedAt: now() };
    await control.set(tombstone(job.id!), JSON.stringify(stopped), 'EX', keepFor.age);
    return true;
  }

  async function processJob(
    job: BullJob<JobData>,
    token: string | undefined,
    signal: AbortSignal | undefined,
  ): Promise<void> {
    const definition = catalogue.get(job.name);
    if (!definition) throw new UnrecoverableError(`no job type ${job.name} in this version`);
    const id = job.id!;
    active.set(id, { name: job.name, startedAt: now(), progress: '' });
    await heartbeat().catch(() => undefined);
    const attempt = job.attemptsMade + 1;
    // Log and progress writes of one attempt stay in order and are flushed before it ends.
    let writes = Promise.resolve();
    const write = (fn: () => Promise<unknown>) => {
      writes = writes.then(fn).then(
        () => undefined,
        (err: unknown) => logger.warn({ err, job: id }, 'job bookkeeping failed'),
      );
    };
    const log = lineLog((level, message) => write(() => job.log(`${now()} [${level.toUpperCase()}] ${message}`)));
    log.info(`attempt ${attempt} of ${definition.maxFails} started on ${poolId}`);
    try {
      const outcome = await runAttempt({
        id,
        logger,
        job: definition,
        params: job.data.params,
        attempt,
        signal: signal ?? new AbortController().signal,
        log,
        progress(done, total) {
          active.set(id, { ...active.get(id)!, progress: `${done}/${total}` });
          write(() => job.updateProgress({ done, total }));
        },
      });
      await writes;
      if (outcome.kind === 'success') return;
      if (outcome.kind === 'stopped') {
        log.warn('stopped');
        throw new UnrecoverableError(stoppedReason);
      }
      if (outcome.kind === 'interrupted') {
        log.warn('worker shutting down: the job goes back to the queue');
        await job.moveToDelayed(Date.now(), token);
        throw new DelayedError();
      }
      if (outcome.retry) log.info(`retrying in ${Math.ceil((retryBaseMs * 2 ** (attempt - 1)) / 1000)} s`);
      throw outcome.retry ? new Error(outcome.message) : new UnrecoverableError(outcome.message);
    } finally {
      await writes;
      active.delete(id);
      void heartbeat().catch(() => undefined);
    }
  }

  async function heartbeat(): Promise<void> {
    if (!pool) return;
    pool.heartbeatAt = now();
    const running = [...active.entries()].map(([jobId, a]) => ({ jobId, ...a }));
    await control.hset(poolsKey, poolId, JSON.stringify({ pool, running }));
  }

  async function livePools(): Promise<
    { pool: WorkerPool; running: { jobId: string; name: string; startedAt: string; progress: string }[] }[]
  > {
    const all = await control.hgetall(poolsKey);
    const since = new Date(clock.now().getTime() - 3 * heartbeatMs).toISOString();
    const live = [];
    for (const [id, json] of Object.entries(all)) {
      const entry = JSON.parse(json) as {
        pool: WorkerPool;
        running: { jobId: string; name: string; startedAt: string; progress: string }[];
      };
      if (entry.pool.heartbeatAt >= since) live.push(entry);
      else await control.hdel(poolsKey, id);
    }
    return live.sort((a, b) => a.pool.startedAt.localeCompare(b.pool.startedAt));
  }

  return {
    kind: 'bullmq',

    async enqueue(name: string, params: JobParams, enqueueOptions: EnqueueOptions = {}) {
      const queue = queueOf(name);
      const definition = catalogue.get(name)!;
      const valid = definition.validate(params);
      const job = await queue.add(
        name,
        { params: valid },
        {
          jobId: randomUUID(),
          attempts: definition.maxFails,
          backoff: { type: 'exponential', delay: retryBaseMs },
          delay: enqueueOptions.delayMs,
          removeOnComplete: keepFor,
          removeOnFail: keepFor,
        },
      );
      return snapshot(job);
    },

    async get(id) {
      const job = await find(id);
      if (job) return snapshot(job);
      const stopped = /^[0-9a-f-]{36}$/.test(id) ? await control.get(tombstone(id)) : null;
      return stopped ? (JSON.parse(stopped) as JobExecution) : undefined;
    },

    async log(id) {
      const job = await find(id);
      if (!job) return (await this.get(id)) ? '' : undefined;
      const { logs } = await queueOf(job.name).getJobLogs(id, 0, -1, true);
      return logs.map((line) => `${line}\n`).join('');
    },

    async stop(id) {
      const job = await find(id);
      if (!job) return (await this.get(id)) !== undefined;
      const state = await job.getState();
      if (pendingStates.includes(state) && (await stopPending(job))) return true;
      if (state === 'active' || pendingStates.includes(state)) await control.publish(stopChannel, id);
      return true;
    },

    async queues(): Promise<QueueInfo[]> {
      const t = clock.now().getTime();
      return Promise.all(
        [...queues.entries()].map(async ([jobType, queue]) => {
          const counts = await queue.getJobCounts(...pendingTypes);
          const count = Object.values(counts).reduce((a, b) => a + b, 0);
          const [oldest] = await queue.getJobs(['waiting', 'prioritized'], 0, 0, true);
          return {
            jobType,
            count,
            latencySeconds: oldest ? Math.max(0, Math.floor((t - oldest.timestamp) / 1000)) : 0,
            paused: await queue.isPaused(),
          };
        }),
      );
    },

    async pause(jobType) {
      for (const name of typesOf(jobType)) await queueOf(name).pause();
    },
    async resume(jobType) {
      for (const name of typesOf(jobType)) await queueOf(name).resume();
    },
    async clear(jobType) {
      for (const name of typesOf(jobType)) {
        for (const job of await queueOf(name).getJobs(pendingTypes)) await stopPending(job);
      }
    },
    async isPaused(jobType) {
      const paused = await Promise.all(typesOf(jobType).map((name) => queueOf(name).isPaused()));
      return paused.every(Boolean);
    },

    async pools() {
      return (await livePools()).map((p) => p.pool);
    },

    async workers(wanted): Promise<WorkerInfo[]> {
      const pools = (await livePools()).filter((p) => wanted === 'all' || p.pool.id === wanted);
      if (pools.length === 0 && wanted !== 'all') throw new BerthError('NOT_FOUND', `no worker pool ${wanted}`);
      return pools.flatMap(({ pool: p, running }) =>
        Array.from({ length: p.concurrency }, (_, slot): WorkerInfo => {
          const r = running[slot];
          const base = { id: `${p.id}-${slot}`, poolId: p.id };
          return r
            ? {
                ...base,
                jobName: r.name,
                jobId: r.jobId,
                startedAt: r.startedAt,
                checkIn: r.progress,
                checkinAt: p.heartbeatAt,
              }
            : { ...base, jobName: '', jobId: '', checkIn: '' };
        }),
      );
    },

    async startWorkers({ concurrency }) {
      if (pool) return;
      const at = now();
      pool = { id: poolId, pid: process.pid, host: hostname(), concurrency, startedAt: at, heartbeatAt: at };
      subscriber = connectRedis(options.redis);
      await subscriber.subscribe(stopChannel);
      subscriber.on('message', (_channel: string, id: string) => {
        for (const worker of workers) worker.cancelJob(id, 'stop' satisfies AbortReason);
      });
      // One BullMQ worker per job type; each may run `concurrency` jobs, the pool as a whole too.
      for (const name of queues.keys()) {
        const worker = new Worker<JobData>(name, (job, token, signal) => processJob(job, token, signal), {
          connection,
          prefix,
          concurrency: Math.min(concurrency, catalogue.get(name)?.concurrency ?? concurrency),
          autorun: true,
        });
        worker.on('error', (err) => logger.error({ err, queue: name }, 'job worker error'));
        workers.push(worker);
      }
      await Promise.all(workers.map((w) => w.waitUntilReady()));
      await heartbeat();
      beat = setInterval(
        () => void heartbeat().catch((err: unknown) => logger.warn({ err }, 'job pool heartbeat failed')),
        heartbeatMs,
      );
    },

    async close(graceMs = 10_000) {
      if (beat) clearInterval(beat);
      const closing = Promise.all(workers.map((w) => w.close()));
      if (!(await settlesWithin(closing, graceMs))) {
        // Interrupted jobs go back to the queue (processJob) and run again on another worker.
        for (const worker of workers) worker.cancelAllJobs('shutdown' satisfies AbortReason);
        // BullMQ waits for its blocking connection to end, which ioredis never reports for a
        // connection caught between a drop and its reconnect: such a worker does not hold
        // the shutdown; its connections are closed below all the same.
        if (!(await settlesWithin(closing, closeTimeoutMs)))
          logger.warn({ timeoutMs: closeTimeoutMs }, 'job workers did not close in time; dropping their connections');
      }
      workers.length = 0;
      if (pool) await settlesWithin(control.hdel(poolsKey, poolId), closeTimeoutMs);
      pool = undefined;
      await settlesWithin(Promise.all([...queues.values()].map((q) => q.close())), closeTimeoutMs);
      subscriber?.disconnect();
      control.disconnect();
      connection.disconnect();
    },
  };
}
