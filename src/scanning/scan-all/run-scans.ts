import type { ExecutionStatus, JobQueue } from '../../jobs/index.js';
import type { ScanStatus } from '../scans/repo.js';
import type { ExecutionsRepo, JobStatusOf } from './executions.js';

// The scans a run started, as the job service sees them: their jobs' statuses, and stopping
// them (Harbor stops an execution's tasks with it), used by the stop API and by the run
// itself when it is stopped mid-walk.

const harborStatus: Record<ExecutionStatus, ScanStatus> = {
  pending: 'Pending',
  running: 'Running',
  success: 'Success',
  error: 'Error',
  stopped: 'Stopped',
};

export function jobStatusOf(queue: Pick<JobQueue, 'get'>): JobStatusOf {
  return async (jobId) => {
    const execution = await queue.get(jobId);
    return execution && harborStatus[execution.status];
  };
}

/** Stops the run's pending and running scans; returns how many were stopped. */
export async function stopRunScans(
  executions: ExecutionsRepo,
  queue: Pick<JobQueue, 'get' | 'stop'>,
  executionId: number,
): Promise<number> {
  const unfinished = await executions.settle(executionId, jobStatusOf(queue));
  for (const scan of unfinished) {
    if (scan.jobId) await queue.stop(scan.jobId);
    await executions.stopReport(scan.reportUuid);
  }
  await executions.settle(executionId, jobStatusOf(queue));
  return unfinished.length;
}
