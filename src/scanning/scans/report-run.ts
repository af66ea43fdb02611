import { JobStoppedError, type JobContext, type JobParams } from '../../jobs/index.js';
import { isoNow, type Clock } from '../../shared/clock.js';
import type { ReportRepo, ReportRow } from './repo.js';

// What every scan job does around its work on a report row: it marks the row Running, keeps a
// log of its own for the row, and on failure marks it Stopped, Error, or Pending again when the
// job service will retry it (so no second scan of the digest starts meanwhile).

export interface ReportRunOptions {
  reports: Pick<ReportRepo, 'byUuid' | 'update'>;
  clock: Clock;
  maxFails: number;
  isTransient(err: unknown): boolean;
}

export interface ReportLog {
  (line: string): void;
  /** The lines so far, as the row's log. */
  text(): string;
}

export async function runForReport<P extends JobParams & { reportUuid: string }>(
  ctx: JobContext<P>,
  { reports, clock, maxFails, isTransient }: ReportRunOptions,
  work: (log: ReportLog, row: ReportRow) => Promise<void>,
): Promise<void> {
  const { reportUuid } = ctx.params;
  const row = await reports.byUuid(reportUuid);
  if (!row) {
    ctx.log.warn(`report ${reportUuid} no longer exists: nothing to scan`);
    return;
  }
  const lines: string[] = [];
  const log = Object.assign(
    (line: string) => {
      lines.push(`${isoNow(clock)} ${line}`);
      ctx.log.info(line);
    },
    { text: () => lines.join('\n') + '\n' },
  );
  await reports.update(reportUuid, { status: 'Running', job_id: ctx.id, start_time: isoNow(clock), end_time: null });
  try {
    await work(log, row);
  } catch (err) {
    const stopped = ctx.signal.aborted || err instanceof JobStoppedError;
    const retried = !stopped && isTransient(err) && ctx.attempt < maxFails;
    log(
      stopped ? 'stopped' : `failed: ${err instanceof Error ? err.message : String(err)}${retried ? ' (retried)' : ''}`,
    );
    await reports.update(reportUuid, {
      status: stopped ? 'Stopped' : retried ? 'Pending' : 'Error',
      end_time: isoNow(clock),
      log: log.text(),
    });
    throw stopped ? new JobStoppedError() : err;
  }
}
