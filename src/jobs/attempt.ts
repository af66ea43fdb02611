import type { Logger } from '../shared/logger.js';
import { JobStoppedError, type Job, type JobLog, type JobParams } from './job.js';

// One attempt of a job, the same for every queue: run it with a signal, a log and a
// progress callback, and classify how it ended so the queue can record it.

export type AttemptOutcome =
  | { kind: 'success' }
  | { kind: 'stopped' }
  /** The worker is shutting down: the job goes back to the queue, the attempt does not count. */
  | { kind: 'interrupted' }
  | { kind: 'failed'; message: string; retry: boolean };

export type AbortReason = 'stop' | 'shutdown';

export interface AttemptInput {
  /** The execution's id, for the process log. */
  id: string;
  job: Job;
  params: JobParams;
  attempt: number;
  signal: AbortSignal;
  log: JobLog;
  progress(done: number, total: number): void;
  /** The process log: one line per attempt, how it ended and how long it took. */
  logger: Logger;
}

export async function runAttempt(input: AttemptInput): Promise<AttemptOutcome> {
  const started = performance.now();
  const outcome = await attempt(input);
  const fields = {
    job: input.job.name,
    id: input.id,
    attempt: input.attempt,
    outcome: outcome.kind,
    ms: Math.round(performance.now() - started),
  };
  if (outcome.kind === 'failed')
    input.logger.warn({ ...fields, error: outcome.message, retry: outcome.retry }, 'job attempt failed');
  else input.logger.info(fields, `job ${outcome.kind === 'success' ? 'succeeded' : outcome.kind}`);
  return outcome;
}

async function attempt({ id, job, params, attempt, signal, log, progress }: AttemptInput): Promise<AttemptOutcome> {
  try {
    if (signal.aborted) return aborted(signal);
    await job.run({ id, attempt, params, signal, log, progress });
    return { kind: 'success' };
  } catch (err) {
    if (signal.aborted || err instanceof JobStoppedError) return aborted(signal);
    const message = err instanceof Error ? err.message : String(err);
    const retry = attempt < job.maxFails && safeShouldRetry(job, err);
    log.error(`attempt ${attempt} of ${job.maxFails} failed: ${message}${retry ? '' : ' (no retry)'}`);
    return { kind: 'failed', message, retry };
  }
}

function aborted(signal: AbortSignal): AttemptOutcome {
  return signal.reason === 'shutdown' ? { kind: 'interrupted' } : { kind: 'stopped' };
}

function safeShouldRetry(job: Job, err: unknown): boolean {
  try {
    return job.shouldRetry(err);
  } catch {
    return false;
  }
}

/** A JobLog that hands each line, with its level, to `write`. */
export function lineLog(write: (level: 'info' | 'warn' | 'error', message: string) => void): JobLog {
  return {
    info: (message) => write('info', message),
    warn: (message) => write('warn', message),
    error: (message) => write('error', message),
  };
}
