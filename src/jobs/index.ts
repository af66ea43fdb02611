import type { Kysely } from 'kysely';
import type { Database } from '../db/index.js';
import type { Clock } from '../shared/clock.js';
import type { Locks } from '../shared/locks.js';
import type { Logger } from '../shared/logger.js';
import type { RedisSettings } from '../shared/redis.js';
import type { BlobStore } from '../storage/index.js';
import { JobCatalogue } from './job.js';
import { createLocalQueue } from './local-queue.js';
import type { JobQueue } from './queue.js';
import { createScheduler, type Scheduler } from './scheduler.js';
import { uploadPurgeJob, uploadPurgeJobType } from './upload-purge.js';

export { JobCatalogue, JobStoppedError, type Job, type JobContext, type JobParams } from './job.js';
export type { JobQueue, JobExecution, QueueInfo, WorkerPool, WorkerInfo, ExecutionStatus } from './queue.js';
export { schedulerJobType, type Scheduler } from './scheduler.js';
export { uploadPurgeJobType } from './upload-purge.js';

export interface JobServiceOptions {
  db: Kysely<Database>;
  store: BlobStore;
  locks: Locks;
  clock: Clock;
  logger: Logger;
  /** BullMQ on this Redis; the local queue in the database without it. */
  redis?: RedisSettings;
  /** UPLOAD_PURGE: sessions idle this long go, on this cron. */
  uploadPurge: { ageHours: number; cron: string };
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
  const catalogue = new JobCatalogue([uploadPurgeJob(options)]);
  // BullMQ costs ~25 MiB of memory: loaded only when Redis is configured.
  const queue = options.redis
    ? (await import('./bullmq-queue.js')).createBullQueue({ redis: options.redis, catalogue, clock, logger })
    : createLocalQueue({ db, catalogue, clock, logger });
  const scheduler = createScheduler({ db, queue, clock, logger });
  await scheduler.upsert({
    vendorType: uploadPurgeJobType,
    vendorId: 0,
    cron: options.uploadPurge.cron,
    jobName: uploadPurgeJobType,
    params: { olderThanHours: options.uploadPurge.ageHours },
  });
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
