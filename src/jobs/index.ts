import type { Kysely } from 'kysely';
import type { Database } from '../db/index.js';
import type { Clock } from '../shared/clock.js';
import type { Logger } from '../shared/logger.js';
import type { RedisSettings } from '../shared/redis.js';
import { JobCatalogue, type Job } from './job.js';
import { createLocalQueue } from './local-queue.js';
import type { JobQueue } from './queue.js';
import { createScheduler, type Scheduler } from './scheduler.js';

export { JobCatalogue, JobStoppedError, requiredParam, type Job, type JobContext, type JobParams } from './job.js';
export type { JobQueue, JobExecution, QueueInfo, WorkerPool, WorkerInfo, ExecutionStatus } from './queue.js';
export { schedulerJobType, type Scheduler } from './scheduler.js';
export { eventDeliveryJob } from './event-delivery.js';

export interface JobServiceOptions {
  db: Kysely<Database>;
  clock: Clock;
  logger: Logger;
  /** BullMQ on this Redis; the local queue in the database without it. */
  redis?: RedisSettings;
  /** Every job type the features declare; jobs/ itself knows none of them. */
  jobs: Job[];
}

export interface JobService {
  queue: JobQueue;
  scheduler: Scheduler;
  /** Workers and the scheduler (roles all and jobservice). */
  start(options: { workers: number; schedulerIntervalMs?: number }): Promise<void>;
  close(graceMs: number): Promise<void>;
}

/** The job service: the queue every role uses to enqueue and report, workers and schedules where they run. */
export async function createJobService(options: JobServiceOptions): Promise<JobService> {
  const { db, clock, logger } = options;
  const catalogue = new JobCatalogue(options.jobs);
  // BullMQ costs ~25 MiB of memory: loaded only when Redis is configured.
  const queue = options.redis
    ? (await import('./bullmq-queue.js')).createBullQueue({ redis: options.redis, catalogue, clock, logger })
    : createLocalQueue({ db, catalogue, clock, logger });
  const scheduler = createScheduler({ db, queue, clock, logger });
  // A job's own schedule is the deployment's one schedule of that type (vendor id 0).
  for (const job of options.jobs) {
    if (!job.schedule) continue;
    const params = job.validate(job.schedule.params);
    await scheduler.upsert({ vendorType: job.name, vendorId: 0, cron: job.schedule.cron, jobName: job.name, params });
  }
  let started = false;
  return {
    queue,
    scheduler,
    async start({ workers, schedulerIntervalMs }) {
      started = true;
      await queue.startWorkers({ concurrency: workers });
      scheduler.start(schedulerIntervalMs);
    },
    async close(graceMs) {
      if (started) await scheduler.stop();
      await queue.close(graceMs);
    },
  };
}
