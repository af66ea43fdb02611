import type { Kysely } from 'kysely';
import type { Database } from '../db/index.js';
import type { RetentionPolicy } from './rules.js';

// Retention policies, their executions and tasks. A project's policy id is also its
// `retention_id` metadata, as in Harbor (the project's metadata rows are written with the policy).

export type RunStatus = 'Pending' | 'Running' | 'Success' | 'Error' | 'Stopped';
export const finalStatuses: readonly string[] = ['Success', 'Error', 'Stopped'];

export interface PolicyRow {
  id: number;
  projectId: number;
  policy: RetentionPolicy;
}

export interface ExecutionRow {
  id: number;
  policy_id: number;
  job_id: string | null;
  status: string;
  trigger: string;
  dry_run: number;
  start_time: string;
  end_time: string | null;
}

export interface TaskRow {
  id: number;
  execution_id: number;
  repository: string;
  status: string;
  total: number;
  retained: number;
  start_time: string;
  end_time: string | null;
}

export function createRetentionRepo(db: Kysely<Database>) {
  const toPolicy = (row: { id: number; project_id: number; policy: string }): PolicyRow => ({
    id: row.id,
    projectId: row.project_id,
    policy: { ...(JSON.parse(row.policy) as RetentionPolicy), id: row.id },
  });

  return {
    async policy(id: number): Promise<PolicyRow | undefined> {
      const row = await db.selectFrom('retention_policies').selectAll().where('id', '=', id).executeTakeFirst();
      return row && toPolicy(row);
    },

    async policyOfProject(projectId: number): Promise<PolicyRow | undefined> {
      const row = await db
        .selectFrom('retention_policies')
        .selectAll()
        .where('project_id', '=', projectId)
        .executeTakeFirst();
      return row && toPolicy(row);
    },

    /** The new policy's id, with the project's retention_id; undefined when the project has one already. */
    async createPolicy(policy: RetentionPolicy, now: string): Promise<number | undefined> {
      return db.transaction().execute(async (trx) => {
        const existing = await trx
          .selectFrom('retention_policies')
          .select('id')
          .where('project_id', '=', policy.scope.ref)
          .executeTakeFirst();
        if (existing) return undefined;
        const { id } = await trx
          .insertInto('retention_policies')
          .values({
            project_id: policy.scope.ref,
            policy: JSON.stringify(policy),
            creation_time: now,
            update_time: now,
          })
          .returning('id')
          .executeTakeFirstOrThrow();
        await trx
          .deleteFrom('project_metadata')
          .where('project_id', '=', policy.scope.ref)
          .where('name', '=', 'retention_id')
          .execute();
        await trx
          .insertInto('project_metadata')
          .values({ project_id: policy.scope.ref, name: 'retention_id', value: String(id) })
          .execute();
        return id;
      });
    },

    async updatePolicy(id: number, policy: RetentionPolicy, now: string): Promise<void> {
      await db
        .updateTable('retention_policies')
        .set({ policy: JSON.stringify(policy), update_time: now })
        .where('id', '=', id)
        .execute();
    },

    /** Removes the policy with its history and the project's retention_id. */
    async deletePolicy(policy: PolicyRow): Promise<void> {
      await db.transaction().execute(async (trx) => {
        await trx.deleteFrom('retention_policies').where('id', '=', policy.id).execute();
        await trx
          .deleteFrom('project_metadata')
          .where('project_id', '=', policy.projectId)
          .where('name', '=', 'retention_id')
          .execute();
      });
    },

    async createExecution(policyId: number, trigger: string, dryRun: boolean, now: string): Promise<number> {
      const { id } = await db
        .insertInto('retention_executions')
        .values({ policy_id: policyId, status: 'Pending', trigger, dry_run: dryRun ? 1 : 0, start_time: now })
        .returning('id')
        .executeTakeFirstOrThrow();
      return id;
    },

    async execution(id: number): Promise<ExecutionRow | undefined> {
      return db.selectFrom('retention_executions').selectAll().where('id', '=', id).executeTakeFirst();
    },

    async executionOfJob(jobId: string): Promise<ExecutionRow | undefined> {
      return db.selectFrom('retention_executions').selectAll().where('job_id', '=', jobId).executeTakeFirst();
    },

    async setExecution(
      id: number,
      changes: Partial<Pick<ExecutionRow, 'job_id' | 'status' | 'end_time'>>,
    ): Promise<void> {
      await db.updateTable('retention_executions').set(changes).where('id', '=', id).execute();
    },

    /** Executions of a policy that have not ended. */
    async unfinished(policyId: number): Promise<ExecutionRow[]> {
      return db
        .selectFrom('retention_executions')
        .selectAll()
        .where('policy_id', '=', policyId)
        .where('status', 'not in', finalStatuses)
        .execute();
    },

    async executions(
      policyId: number,
      limit: number,
      offset: number,
    ): Promise<{ rows: ExecutionRow[]; total: number }> {
      const [rows, count] = await Promise.all([
        db
          .selectFrom('retention_executions')
          .selectAll()
          .where('policy_id', '=', policyId)
          .orderBy('id', 'desc')
          .limit(limit)
          .offset(offset)
          .execute(),
        db
          .selectFrom('retention_executions')
          .select((eb) => eb.fn.countAll<number | string>().as('n'))
          .where('policy_id', '=', policyId)
          .executeTakeFirstOrThrow(),
      ]);
      return { rows, total: Number(count.n) };
    },

    async createTask(executionId: number, repository: string, now: string): Promise<number> {
      const { id } = await db
        .insertInto('retention_tasks')
        .values({ execution_id: executionId, repository, status: 'Running', start_time: now })
        .returning('id')
        .executeTakeFirstOrThrow();
      return id;
    },

    async finishTask(
      id: number,
      result: { status: RunStatus; total: number; retained: number; log: string; now: string },
    ): Promise<void> {
      await db
        .updateTable('retention_tasks')
        .set({
          status: result.status,
          total: result.total,
          retained: result.retained,
          log: result.log,
          end_time: result.now,
        })
        .where('id', '=', id)
        .execute();
    },

    /** A retry starts the execution over: the tasks of the failed attempt go. */
    async clearTasks(executionId: number): Promise<void> {
      await db.deleteFrom('retention_tasks').where('execution_id', '=', executionId).execute();
    },

    async tasks(executionId: number, limit: number, offset: number): Promise<{ rows: TaskRow[]; total: number }> {
      const [rows, count] = await Promise.all([
        db
          .selectFrom('retention_tasks')
          .select(['id', 'execution_id', 'repository', 'status', 'total', 'retained', 'start_time', 'end_time'])
          .where('execution_id', '=', executionId)
          .orderBy('id')
          .limit(limit)
          .offset(offset)
          .execute(),
        db
          .selectFrom('retention_tasks')
          .select((eb) => eb.fn.countAll<number | string>().as('n'))
          .where('execution_id', '=', executionId)
          .executeTakeFirstOrThrow(),
      ]);
      return { rows, total: Number(count.n) };
    },

    async taskLog(executionId: number, taskId: number): Promise<string | undefined> {
      const row = await db
        .selectFrom('retention_tasks')
        .select('log')
        .where('id', '=', taskId)
        .where('execution_id', '=', executionId)
        .executeTakeFirst();
      return row?.log;
    },
  };
}

export type RetentionRepo = ReturnType<typeof createRetentionRepo>;
