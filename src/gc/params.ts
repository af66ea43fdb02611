import { BerthError } from '../shared/errors.js';

// Harbor's GC parameters and schedule object, checked as Harbor's handler checks them
// (goharbor/harbor src/server/v2.0/handler/gc.go): a bad `workers` or cron is a 400.

export const gcJobType = 'GARBAGE_COLLECTION';

/** What a run does (Harbor's job_parameters). */
export interface GcParameters {
  delete_untagged: boolean;
  dry_run: boolean;
  /** Hours: what was uploaded or referenced more recently is kept (Harbor's default 2; 0 allowed). */
  time_window: number;
  /** Deletions in flight at once, 1 to 5. */
  workers: number;
}

/** Harbor's job_kind: who started a run. */
export type GcTrigger = 'MANUAL' | 'SCHEDULE';

export const defaultParameters: GcParameters = { delete_untagged: false, dry_run: false, time_window: 2, workers: 1 };

/** Harbor's 6-field crons (seconds first) for the preset schedule types. */
export const presetCrons = { Hourly: '0 0 * * * *', Daily: '0 0 0 * * *', Weekly: '0 0 0 * * 0' } as const;

export const scheduleTypes = ['Hourly', 'Daily', 'Weekly', 'Custom', 'Manual', 'None', 'Schedule'] as const;
export type ScheduleType = (typeof scheduleTypes)[number];

/** Parameters from a request body (or the job queue), with Harbor's defaults and answers. */
export function parseParameters(input: unknown): GcParameters {
  const raw = typeof input === 'object' && input !== null ? (input as Record<string, unknown>) : {};
  // As Harbor: booleans are read when they are booleans; anything else leaves the default.
  const flag = (value: unknown) => (typeof value === 'boolean' ? value : false);
  return {
    delete_untagged: flag(raw.delete_untagged),
    dry_run: flag(raw.dry_run),
    time_window: parseTimeWindow(raw.time_window),
    workers: parseWorkers(raw.workers),
  };
}

function parseWorkers(value: unknown): number {
  if (typeof value !== 'number') return defaultParameters.workers;
  if (!Number.isInteger(value)) throw new BerthError('BAD_REQUEST', 'workers should be integer format');
  if (value <= 0 || value > 5)
    throw new BerthError(
      'BAD_REQUEST',
      `Error: Invalid number of workers:${String(value)}. Workers must be greater than 0 and less than or equal to 5.`,
    );
  return value;
}

function parseTimeWindow(value: unknown): number {
  if (value === undefined || value === null) return defaultParameters.time_window;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0)
    throw new BerthError('BAD_REQUEST', 'time_window should be a number of hours, 0 or more');
  return value;
}

export interface ScheduleRequest {
  type: ScheduleType;
  /** The cron of a periodic schedule; empty for Manual and None. */
  cron: string;
  parameters: GcParameters;
}

/** The body of POST/PUT /system/gc/schedule (Harbor's Schedule). */
export function parseScheduleRequest(body: unknown): ScheduleRequest {
  const raw = typeof body === 'object' && body !== null ? (body as Record<string, unknown>) : {};
  const schedule =
    typeof raw.schedule === 'object' && raw.schedule !== null ? (raw.schedule as Record<string, unknown>) : {};
  const type = schedule.type;
  if (typeof type !== 'string' || !(scheduleTypes as readonly string[]).includes(type))
    throw new BerthError(
      'UNPROCESSABLE_ENTITY',
      `validation failure list:\nschedule.type in body should be one of [${scheduleTypes.join(' ')}]`,
    );
  const parameters = parseParameters(raw.parameters);
  const cron = typeof schedule.cron === 'string' ? schedule.cron.trim() : '';
  return { type: type as ScheduleType, cron: periodicCron(type as ScheduleType, cron), parameters };
}

/** The cron a schedule type runs on: the preset's when none is given; Harbor's 400s otherwise. */
function periodicCron(type: ScheduleType, cron: string): string {
  if (type === 'Manual' || type === 'None') return '';
  if (type === 'Schedule')
    throw new BerthError('BAD_REQUEST', 'schedule type Schedule cannot be set: use Hourly, Daily, Weekly or Custom');
  const chosen = cron || (type === 'Custom' ? '' : presetCrons[type]);
  if (!chosen) throw new BerthError('BAD_REQUEST', 'empty cron string for gc schedule');
  // Harbor's cron parser takes exactly six fields, seconds first.
  const fields = chosen.split(/\s+/);
  if (fields.length !== 6)
    throw new BerthError(
      'BAD_REQUEST',
      `invalid cron ${chosen}: expected exactly 6 fields, found ${String(fields.length)}: [${fields.join(' ')}]`,
    );
  return chosen;
}

/** The schedule type a stored cron shows as: a preset's name, else Custom. */
export function scheduleTypeOf(cron: string): ScheduleType {
  for (const [type, preset] of Object.entries(presetCrons)) if (preset === cron) return type as ScheduleType;
  return 'Custom';
}
