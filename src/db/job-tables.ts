import type { Generated, Selectable } from 'kysely';

// Table types of migration 003_jobs (the job service's executions, logs, pools and schedules).

export interface JobExecutionsTable {
  id: Generated<number>;
  job_name: string;
  /** JSON of the validated parameters. */
  params: string;
  status: string;
  attempts: Generated<number>;
  max_fails: number;
  progress_done: Generated<number>;
  progress_total: Generated<number>;
  error: string | null;
  /** The worker pool running it, while it runs. */
  pool_id: string | null;
  stop_requested: Generated<number>;
  /** Not before: the backoff of a retry, or now. */
  run_at: string;
  heartbeat_at: string | null;
  creation_time: string;
  start_time: string | null;
  end_time: string | null;
}

export interface JobLogLinesTable {
  id: Generated<number>;
  execution_id: number;
  time: string;
  level: string;
  message: string;
}

export interface JobPoolsTable {
  id: string;
  pid: number;
  host: string;
  concurrency: number;
  start_time: string;
  heartbeat_at: string;
}

export interface JobQueuesTable {
  job_type: string;
  paused: Generated<number>;
}

export interface SchedulesTable {
  id: Generated<number>;
  vendor_type: string;
  vendor_id: number;
  cron: string;
  job_name: string;
  params: string;
  next_run_at: string;
  last_run_at: string | null;
  creation_time: string;
  update_time: string;
}

export interface JobTables {
  job_executions: JobExecutionsTable;
  job_log_lines: JobLogLinesTable;
  job_pools: JobPoolsTable;
  job_queues: JobQueuesTable;
  schedules: SchedulesTable;
}

export type JobExecutionRow = Selectable<JobExecutionsTable>;
export type ScheduleRow = Selectable<SchedulesTable>;
