import type { JobParams } from './job.js';

// The job queue contract. Two implementations pass one suite (queue-suite.ts): the
// local queue (in-process workers, executions persisted in the database: the embedded
// default) and BullMQ on Redis (scale-out). Job ids are strings on both.

export type ExecutionStatus = 'pending' | 'running' | 'success' | 'error' | 'stopped';

export interface JobExecution {
  id: string;
  name: string;
  params: JobParams;
  status: ExecutionStatus;
  /** Attempts started so far. */
  attempts: number;
  progress: { done: number; total: number };
  /** The last failure's message. */
  error?: string;
  createdAt: string;
  startedAt?: string;
  finishedAt?: string;
}

/** Harbor's JobQueue: pending jobs of one type. */
export interface QueueInfo {
  jobType: string;
  count: number;
  /** Seconds the oldest pending job has waited. */
  latencySeconds: number;
  paused: boolean;
}

/** Harbor's WorkerPool: one process's workers. */
export interface WorkerPool {
  id: string;
  pid: number;
  host: string;
  concurrency: number;
  startedAt: string;
  heartbeatAt: string;
}

/** Harbor's Worker: a slot of a pool, busy with a job or idle. */
export interface WorkerInfo {
  id: string;
  poolId: string;
  jobName: string;
  jobId: string;
  startedAt?: string;
  checkIn: string;
  checkinAt?: string;
}

export interface EnqueueOptions {
  /** Run no earlier than this many milliseconds from now. */
  delayMs?: number;
}

export interface JobQueue {
  readonly kind: 'local' | 'bullmq';
  /** Validates the parameters with the job's `validate` and queues it; unknown job types are refused. */
  enqueue(name: string, params: JobParams, options?: EnqueueOptions): Promise<JobExecution>;
  get(id: string): Promise<JobExecution | undefined>;
  /** The job's log as text, one line per entry; undefined for an unknown job. */
  log(id: string): Promise<string | undefined>;
  /** Stops a pending or running job (a running job's signal is aborted); false when unknown. */
  stop(id: string): Promise<boolean>;
  queues(): Promise<QueueInfo[]>;
  /** Pauses, resumes or stops-and-clears the pending jobs of one type, or of every type with 'all'. */
  pause(jobType: string): Promise<void>;
  resume(jobType: string): Promise<void>;
  clear(jobType: string): Promise<void>;
  isPaused(jobType: string): Promise<boolean>;
  pools(): Promise<WorkerPool[]>;
  /** Workers of one pool, or of every pool with 'all'. */
  workers(poolId: string): Promise<WorkerInfo[]>;
  /** Starts this process's worker pool (the jobservice role); without it the queue only accepts and reports. */
  startWorkers(options: { concurrency: number }): Promise<void>;
  /** Stops taking jobs, lets running jobs finish for `graceMs`, then aborts them (they are retried elsewhere). */
  close(graceMs?: number): Promise<void>;
}
