// A job declares its retry policy beside its work (Harbor's job interface):
// how often it may fail, which failures are worth retrying, how to check its
// parameters before it is queued, and the work itself.

import { BerthError } from '../shared/errors.js';

export type JobParams = Record<string, unknown>;

/** A job's required string parameter, for `validate`: missing or empty is a 400. */
export function requiredParam(params: JobParams, key: string): string {
  const value = params[key];
  if (typeof value !== 'string' || !value) throw new BerthError('BAD_REQUEST', `${key} is required`);
  return value;
}

export interface JobLog {
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

export interface JobContext<P extends JobParams = JobParams> {
  /** The execution's id (the queue's job id): the same on every attempt of one execution. */
  id: string;
  /** This attempt's number, from 1. */
  attempt: number;
  params: P;
  /** Aborted when the job is stopped or its worker shuts down; long work checks it between steps. */
  signal: AbortSignal;
  log: JobLog;
  /** Reports how far the job is: `done` of `total` steps. */
  progress(done: number, total: number): void;
}

export interface Job<P extends JobParams = JobParams> {
  /** The job type (Harbor's job_type): upper snake case, e.g. UPLOAD_PURGE. */
  name: string;
  /** Attempts before the job is marked failed (1 = never retried). */
  maxFails: number;
  shouldRetry(err: unknown): boolean;
  /** Jobs of this type running at once in one worker pool (default: the pool's size). */
  concurrency?: number;
  /** Runs on this cron (five or six fields, local time) with these parameters, once per deployment. */
  schedule?: { cron: string; params: P };
  /** Throws a coded error when `params` cannot run; called before the job is queued. */
  validate(params: JobParams): P;
  run(ctx: JobContext<P>): Promise<void>;
}

/** Every job type a queue can run, by name. */
export class JobCatalogue {
  readonly #jobs = new Map<string, Job>();

  constructor(jobs: Job[] = []) {
    for (const job of jobs) this.add(job);
  }

  add<P extends JobParams>(job: Job<P>): void {
    if (this.#jobs.has(job.name)) throw new Error(`job ${job.name} is defined twice`);
    this.#jobs.set(job.name, job as unknown as Job);
  }

  get(name: string): Job | undefined {
    return this.#jobs.get(name);
  }

  names(): string[] {
    return [...this.#jobs.keys()].sort();
  }
}

/** Thrown inside a job when its signal is aborted, so the queue records "stopped", not "error". */
export class JobStoppedError extends Error {
  override name = 'JobStoppedError';
  constructor() {
    super('job stopped');
  }
}

/** Delay before attempt `attempt + 1`: exponential from `baseMs`, capped. */
export function backoffMs(attempt: number, baseMs: number, capMs = 10 * 60_000): number {
  return Math.min(capMs, baseMs * 2 ** Math.max(0, attempt - 1));
}
