import type { JobQueue } from '../../jobs/index.js';
import type { ScanStatus } from '../scans/repo.js';
import type { ExecutionRow, ExecutionsRepo } from './executions.js';
import { jobStatusOf } from './run-scans.js';

// Harbor's Stats of a scan-all run (handler/scan_all.go getMetrics): its scans by status,
// `completed` the ended ones, `ongoing` while the walk or any of its scans goes on; plus
// Berth's progress of the walk itself.

/** Harbor's Stats, with Berth's walk progress. */
export interface ScanAllStats {
  total: number;
  completed: number;
  metrics?: Record<ScanStatus, number>;
  ongoing: boolean;
  trigger?: 'Manual' | 'Schedule';
  progress?: { artifacts_walked: number; artifacts_total: number; skipped: number; failed: number };
}

const walkEnded = (status: string) => ['Success', 'Error', 'Stopped'].includes(status);

export async function statsOf(
  executions: ExecutionsRepo,
  queue: Pick<JobQueue, 'get'>,
  row: ExecutionRow | undefined,
): Promise<ScanAllStats> {
  // No run yet: Harbor's empty Stats.
  if (!row) return { total: 0, completed: 0, ongoing: false };
  const metrics = await executions.statusCounts(row.id, jobStatusOf(queue));
  const total = Object.values(metrics).reduce((a, b) => a + b, 0);
  const completed = metrics.Success + metrics.Error + metrics.Stopped;
  const job = row.job_id ? await queue.get(row.job_id) : undefined;
  return {
    total,
    completed,
    metrics,
    ongoing: !walkEnded(row.status) || total !== completed,
    trigger: row.trigger === 'SCHEDULE' ? 'Schedule' : 'Manual',
    progress: {
      artifacts_walked: row.artifacts,
      artifacts_total: Math.max(row.artifacts, job?.progress.total ?? 0),
      skipped: row.skipped,
      failed: row.failed,
    },
  };
}

/** Whether a run still goes on: its walk, or any scan it started. */
export async function ongoing(
  executions: ExecutionsRepo,
  queue: Pick<JobQueue, 'get'>,
  row: ExecutionRow,
): Promise<boolean> {
  if (!walkEnded(row.status)) return true;
  return (await executions.settle(row.id, jobStatusOf(queue))).length > 0;
}
