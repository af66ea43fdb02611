import type { Collector, GcProgress, GcSummary } from '../registry/index.js';
import type { EventActor } from '../shared/events.js';
import { holderOf, leaseMs, type Lease } from './lease.js';
import type { GcParameters } from './params.js';
import type { RunsRepo } from './runs.js';

// One collection for one history row, under the lease: its counters (and, for `berth gc`,
// its log) written to the row about once a second, the lease renewed, and a stop asked for
// through the row (PUT /system/gc/{id}) honoured, wherever the run goes on.

/** Who deleted untagged artifacts, in the events and the audit log. */
export const gcActor: EventActor = { actor: 'gc' };

export class LeaseLostError extends Error {
  override name = 'LeaseLostError';
}

/** Why a run ended early: stopped through its row, or its lease lost. */
export type RunAbort = 'stop' | LeaseLostError;

export interface RunInput {
  runId: number;
  parameters: GcParameters;
  /** Aborted from outside (the job's signal, Ctrl-C). */
  signal: AbortSignal;
  log(line: string): void;
  progress?(p: GcProgress): void;
  /** Keep the log in the row (a `berth gc` run; a job's log lives with its execution). */
  logInRow: boolean;
  by?: EventActor;
}

export interface RunnerDeps {
  collector: Collector;
  runs: RunsRepo;
  lease: Lease;
  flushMs?: number;
}

/** Runs the collection; the caller has claimed the lease (holderOf(runId)) and releases nothing: this does. */
export async function runCollection(deps: RunnerDeps, input: RunInput): Promise<GcSummary> {
  const { runs, lease } = deps;
  const holder = holderOf(input.runId);
  const controller = new AbortController();
  const abort = (reason: RunAbort | unknown) => {
    if (!controller.signal.aborted) controller.abort(reason);
  };
  const onOuterAbort = () => abort(input.signal.reason);
  input.signal.addEventListener('abort', onOuterAbort, { once: true });
  if (input.signal.aborted) onOuterAbort();

  let latest: GcProgress | undefined;
  let pendingLines: string[] = [];
  let dirty = false;
  const flush = async () => {
    if (!dirty) return;
    dirty = false;
    const lines = pendingLines;
    pendingLines = [];
    await runs.saveProgress(input.runId, latest, lines);
  };
  let lastRenew = Date.now();
  const tick = async () => {
    await flush();
    if (await runs.stopRequested(input.runId)) abort('stop');
    if (Date.now() - lastRenew >= leaseMs / 3) {
      lastRenew = Date.now();
      if (!(await lease.renew(holder))) abort(new LeaseLostError('garbage collection lost its lease to another run'));
    }
  };
  let ticking: Promise<void> = Promise.resolve();
  const timer = setInterval(() => {
    ticking = ticking.then(tick).catch(() => undefined);
  }, deps.flushMs ?? 1000);

  try {
    await runs.setStatus(input.runId, 'Running');
    return await deps.collector.collect({
      deleteUntagged: input.parameters.delete_untagged,
      dryRun: input.parameters.dry_run,
      timeWindowHours: input.parameters.time_window,
      workers: input.parameters.workers,
      signal: controller.signal,
      by: input.by,
      log(line) {
        input.log(line);
        if (input.logInRow) pendingLines.push(line);
        dirty = true;
      },
      progress(p) {
        latest = p;
        dirty = true;
        input.progress?.(p);
      },
    });
  } finally {
    clearInterval(timer);
    input.signal.removeEventListener('abort', onOuterAbort);
    await ticking;
    dirty = true;
    await flush();
    await lease.release(holder);
  }
}
