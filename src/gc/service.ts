import type { GcRunRow } from '../db/index.js';
import type { ExecutionStatus, JobService } from '../jobs/index.js';
import type { Clock } from '../shared/clock.js';
import { BerthError } from '../shared/errors.js';
import { holderOf, leaseMs, runOfHolder, type Lease } from './lease.js';
import { gcJobType, scheduleTypeOf, type GcParameters, type ScheduleRequest } from './params.js';
import { isFinal, type GcRunQuery, type GcStatus, type RunsRepo } from './runs.js';

// The use cases behind Harbor's /system/gc: the history with each run's status (the job
// service's while a run goes on, the row's once it is recorded), its log, stopping a run,
// starting one now and the schedule.

/** Harbor's GCHistory, plus Berth's progress. */
export interface GcHistory {
  id: number;
  job_name: string;
  job_kind: string;
  job_parameters: string;
  schedule: { type: string; cron?: string; next_scheduled_time?: string };
  job_status?: string;
  deleted: boolean;
  creation_time: string;
  update_time: string;
  progress?: {
    blobs_marked: number;
    blobs_total: number;
    blobs_swept: number;
    manifests_deleted: number;
    freed_bytes: number;
  };
}

const harborStatus: Record<ExecutionStatus, GcStatus> = {
  pending: 'Pending',
  running: 'Running',
  success: 'Success',
  error: 'Error',
  stopped: 'Stopped',
};

/** The deployment's one GC schedule (vendor id 0 of the job type, as a job's own schedule). */
const scheduleVendorId = 0;

export interface GcServiceDeps {
  runs: RunsRepo;
  lease: Lease;
  /** The job service, built after the features. */
  jobs: () => JobService;
  clock: Clock;
}

export function createGcService({ runs, lease, jobs, clock }: GcServiceDeps) {
  /** Where a run stands: recorded once final; before that, the job service's word (or the lease's, for `berth gc`). */
  async function statusOf(row: GcRunRow): Promise<GcStatus> {
    if (isFinal(row.status)) return row.status as GcStatus;
    if (row.execution_id === null) {
      if (row.status !== 'Running') return row.status as GcStatus;
      // A `berth gc` run that lost its lease and wrote nothing since ended without recording it: it died.
      if ((await lease.current())?.holder === holderOf(row.id)) return 'Running';
      if (clock.now().getTime() - Date.parse(row.update_time) < leaseMs) return 'Running';
      await runs.finish(row.id, 'Error');
      return 'Error';
    }
    const execution = await jobs().queue.get(row.execution_id);
    if (!execution) return row.status as GcStatus;
    const status = harborStatus[execution.status];
    if (isFinal(status)) await runs.finish(row.id, status);
    return status;
  }

  async function history(row: GcRunRow): Promise<GcHistory> {
    return {
      id: row.id,
      job_name: gcJobType,
      job_kind: row.kind,
      job_parameters: row.parameters,
      schedule: { type: row.kind === 'SCHEDULE' ? 'Schedule' : 'Manual' },
      job_status: await statusOf(row),
      deleted: false,
      creation_time: row.creation_time,
      update_time: row.update_time,
      progress: {
        blobs_marked: row.blobs_marked,
        blobs_total: row.blobs_total,
        blobs_swept: row.blobs_swept,
        manifests_deleted: row.manifests_deleted,
        freed_bytes: row.freed_bytes,
      },
    };
  }

  /** Refuses a second run while one holds the lease or waits in the job service (Harbor: 409). */
  async function checkNoneGoingOn(): Promise<void> {
    const holder = await lease.current();
    const held = holder && runOfHolder(holder.holder);
    if (holder) throw conflict(held === undefined ? holder.holder : String(held), 'running');
    for (const row of await runs.unfinished()) {
      if (row.execution_id === null) continue;
      const status = await statusOf(row);
      if (!isFinal(status)) throw conflict(String(row.id), status.toLowerCase());
    }
  }

  async function start(parameters: GcParameters): Promise<number> {
    await checkNoneGoingOn();
    const execution = await jobs().queue.enqueue(gcJobType, { ...parameters, trigger: 'MANUAL' });
    return runs.forExecution(execution.id, 'MANUAL', parameters);
  }

  return {
    async list(query: GcRunQuery, offset: number, limit: number): Promise<{ total: number; items: GcHistory[] }> {
      const [total, rows] = await Promise.all([runs.count(query), runs.list(query, offset, limit)]);
      return { total, items: await Promise.all(rows.map(history)) };
    },

    async get(id: number): Promise<GcHistory> {
      const row = await runs.get(id);
      if (!row) throw new BerthError('NOT_FOUND', `garbage collection execution ${String(id)} not found`);
      return history(row);
    },

    async log(id: number): Promise<string> {
      const row = await runs.get(id);
      const log = row && (row.execution_id === null ? row.log : await jobs().queue.log(row.execution_id));
      if (!row || log === undefined || log === null)
        throw new BerthError('NOT_FOUND', `garbage collection ${String(id)} log is not found`);
      return log;
    },

    /** Stops a pending or running run; a finished one is left as it is (Harbor answers 200). */
    async stop(id: number): Promise<void> {
      const row = await runs.get(id);
      if (!row) throw new BerthError('NOT_FOUND', `execution ${String(id)} not found`);
      if (isFinal(await statusOf(row))) return;
      await runs.requestStop(id);
      if (row.execution_id !== null) await jobs().queue.stop(row.execution_id);
    },

    /** Harbor's GET /system/gc/schedule: the schedule as a GCHistory, or {} when there is none. */
    async schedule(): Promise<GcHistory | Record<string, never>> {
      const row = await runs.schedule();
      if (!row) return {};
      const { trigger: _trigger, ...parameters } = JSON.parse(row.params) as Record<string, unknown>;
      const type = scheduleTypeOf(row.cron);
      return {
        id: row.id,
        job_name: gcJobType,
        job_kind: type,
        job_parameters: JSON.stringify(parameters),
        schedule: { type, cron: row.cron, next_scheduled_time: row.next_run_at },
        deleted: false,
        creation_time: row.creation_time,
        update_time: row.update_time,
      };
    },

    /** Harbor's kick: Manual runs now (its history id), None removes the schedule, the rest set it. */
    async apply(request: ScheduleRequest): Promise<number | undefined> {
      const { scheduler } = jobs();
      if (request.type === 'Manual') return start(request.parameters);
      if (request.type === 'None') await scheduler.remove(gcJobType, scheduleVendorId);
      else
        await scheduler.upsert({
          vendorType: gcJobType,
          vendorId: scheduleVendorId,
          cron: request.cron,
          jobName: gcJobType,
          params: { ...request.parameters, trigger: 'SCHEDULE' },
        });
      return undefined;
    },
  };
}

function conflict(id: string, status: string): BerthError {
  return new BerthError('CONFLICT', `reject job submitting: job ${gcJobType} with ID ${id} is ${status}`);
}

export type GcService = ReturnType<typeof createGcService>;
