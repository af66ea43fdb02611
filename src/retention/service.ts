import type { JobService } from '../jobs/index.js';
import { isoNow, type Clock } from '../shared/clock.js';
import { BerthError } from '../shared/errors.js';
import { retentionJobType, type RetentionJobParams } from './job.js';
import { finalStatuses, type ExecutionRow, type PolicyRow, type RetentionRepo, type TaskRow } from './repo.js';
import { parsePolicy, type RetentionPolicy } from './rules.js';

// The use cases behind Harbor's /retentions API: a project's one policy and its schedule,
// running it (or a dry run), stopping a run, and the history of runs with a task per
// repository and each task's log.

export interface RetentionServiceDeps {
  repo: RetentionRepo;
  /** The job service, built after the features. */
  jobs: () => JobService;
  clock: Clock;
}

/** Harbor's RetentionExecution. */
function executionBody(row: ExecutionRow) {
  return {
    id: row.id,
    policy_id: row.policy_id,
    start_time: row.start_time,
    end_time: row.end_time ?? '',
    status: row.status,
    trigger: row.trigger,
    dry_run: row.dry_run === 1,
  };
}

/** Harbor's RetentionExecutionTask. */
function taskBody(row: TaskRow, jobId: string | null) {
  return {
    id: row.id,
    execution_id: row.execution_id,
    repository: row.repository,
    job_id: jobId ?? '',
    status: row.status,
    status_code: finalStatuses.includes(row.status) ? 3 : 2,
    status_revision: 0,
    start_time: row.start_time,
    end_time: row.end_time ?? '',
    total: row.total,
    retained: row.retained,
  };
}

export function createRetentionService({ repo, jobs, clock }: RetentionServiceDeps) {
  async function schedule(id: number, policy: RetentionPolicy): Promise<void> {
    const { scheduler } = jobs();
    const cron = policy.trigger.settings.cron;
    if (!cron) return scheduler.remove(retentionJobType, id);
    const params: RetentionJobParams = { policyId: id, dryRun: false, trigger: 'SCHEDULE' };
    await scheduler.upsert({ vendorType: retentionJobType, vendorId: id, cron, jobName: retentionJobType, params });
  }

  async function policy(id: number): Promise<PolicyRow> {
    const row = await repo.policy(id);
    if (!row) throw new BerthError('NOT_FOUND', `retention policy ${String(id)} not found`);
    return row;
  }

  async function execution(policyId: number, executionId: number): Promise<ExecutionRow> {
    const row = await repo.execution(executionId);
    if (!row || row.policy_id !== policyId)
      throw new BerthError(
        'NOT_FOUND',
        `execution ${String(executionId)} of retention policy ${String(policyId)} not found`,
      );
    return row;
  }

  return {
    policy,
    parse: parsePolicy,

    /** A new policy for its project (400 when the project has one), with its schedule; its id. */
    async create(body: RetentionPolicy): Promise<number> {
      const id = await repo.createPolicy(body, isoNow(clock));
      if (id === undefined) {
        const existing = await repo.policyOfProject(body.scope.ref);
        throw new BerthError(
          'BAD_REQUEST',
          `project ${String(body.scope.ref)} already has retention policy ${String(existing?.id ?? '')}`,
        );
      }
      try {
        await schedule(id, body);
      } catch (err) {
        await repo.deletePolicy({ id, projectId: body.scope.ref, policy: body });
        throw err;
      }
      return id;
    },

    async update(row: PolicyRow, body: RetentionPolicy): Promise<void> {
      if (body.scope.ref !== row.projectId)
        throw new BerthError('NOT_FOUND', `the retention policy id ${String(row.id)} does not match`);
      await schedule(row.id, body);
      await repo.updatePolicy(row.id, body, isoNow(clock));
    },

    async delete(row: PolicyRow): Promise<void> {
      await jobs().scheduler.remove(retentionJobType, row.id);
      for (const running of await repo.unfinished(row.id)) if (running.job_id) await jobs().queue.stop(running.job_id);
      await repo.deletePolicy(row);
    },

    /** Runs the policy now (or a dry run); 409 while a run of it is going on. Its execution id. */
    async trigger(row: PolicyRow, dryRun: boolean): Promise<number> {
      const going = await repo.unfinished(row.id);
      if (going.length > 0)
        throw new BerthError(
          'CONFLICT',
          `retention policy ${String(row.id)} has execution ${String(going[0]?.id)} in progress`,
        );
      const id = await repo.createExecution(row.id, 'MANUAL', dryRun, isoNow(clock));
      const params: RetentionJobParams = { policyId: row.id, executionId: id, dryRun, trigger: 'MANUAL' };
      const job = await jobs().queue.enqueue(retentionJobType, params);
      await repo.setExecution(id, { job_id: job.id });
      return id;
    },

    async stop(policyId: number, executionId: number, action: unknown): Promise<void> {
      if (action !== 'stop') throw new BerthError('BAD_REQUEST', "action should be 'stop'");
      const row = await execution(policyId, executionId);
      if (finalStatuses.includes(row.status)) return;
      if (row.job_id) await jobs().queue.stop(row.job_id);
      // A run the queue had not started yet never reports: it is stopped now.
      const after = await repo.execution(executionId);
      if (after?.status === 'Pending')
        await repo.setExecution(executionId, { status: 'Stopped', end_time: isoNow(clock) });
    },

    async executions(policyId: number, limit: number, offset: number) {
      const { rows, total } = await repo.executions(policyId, limit, offset);
      return { items: rows.map(executionBody), total };
    },

    async tasks(policyId: number, executionId: number, limit: number, offset: number) {
      const run = await execution(policyId, executionId);
      const { rows, total } = await repo.tasks(executionId, limit, offset);
      return { items: rows.map((row) => taskBody(row, run.job_id)), total };
    },

    async taskLog(policyId: number, executionId: number, taskId: number): Promise<string> {
      await execution(policyId, executionId);
      const log = await repo.taskLog(executionId, taskId);
      if (log === undefined)
        throw new BerthError('NOT_FOUND', `task ${String(taskId)} of execution ${String(executionId)} not found`);
      return log;
    },
  };
}

export type RetentionService = ReturnType<typeof createRetentionService>;
