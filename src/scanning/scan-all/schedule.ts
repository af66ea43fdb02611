import { BerthError } from '../../shared/errors.js';

// Harbor's Schedule object for scan all (swagger definition Schedule, handler/scan_all.go):
// Manual runs now, None removes the schedule, Hourly/Daily/Weekly/Custom set its cron.
// Harbor keeps the type it was given (its CRONType), so GET shows the type that was set.

export const scanAllJobType = 'SCAN_ALL';
/** The schedules' vendor type (Harbor's VendorTypeScanAll); one schedule, vendor id 0. */
export const scanAllVendor = { type: 'SCAN_ALL', id: 0 } as const;

/** Harbor's 6-field crons (seconds first) for the preset types, used when no cron is given. */
export const presetCrons = { Hourly: '0 0 * * * *', Daily: '0 0 0 * * *', Weekly: '0 0 0 * * 0' } as const;

export const scheduleTypes = ['Hourly', 'Daily', 'Weekly', 'Custom', 'Manual', 'None', 'Schedule'] as const;
export type ScheduleType = (typeof scheduleTypes)[number];
export type PeriodicType = 'Hourly' | 'Daily' | 'Weekly' | 'Custom';

export type ScheduleRequest = { type: 'Manual' } | { type: 'None' } | { type: PeriodicType; cron: string };

/** The body of POST/PUT /system/scanAll/schedule. */
export function parseScheduleRequest(body: unknown): ScheduleRequest {
  const raw = typeof body === 'object' && body !== null ? (body as Record<string, unknown>) : {};
  const schedule = raw.schedule;
  if (typeof schedule !== 'object' || schedule === null)
    throw new BerthError('BAD_REQUEST', 'schedule is required: {"schedule": {"type": …, "cron": …}}');
  const { type, cron } = schedule as Record<string, unknown>;
  if (typeof type !== 'string' || !(scheduleTypes as readonly string[]).includes(type))
    // Harbor's swagger validation words it; its documented answer to a bad body is 400.
    throw new BerthError(
      'BAD_REQUEST',
      `validation failure list:\nschedule.type in body should be one of [${scheduleTypes.join(' ')}]`,
    );
  if (type === 'Manual' || type === 'None') return { type };
  if (type === 'Schedule')
    throw new BerthError('BAD_REQUEST', 'schedule type Schedule cannot be set: use Hourly, Daily, Weekly or Custom');
  const given = typeof cron === 'string' ? cron.trim() : '';
  const chosen = given || (type === 'Custom' ? '' : presetCrons[type as keyof typeof presetCrons]);
  if (!chosen) throw new BerthError('BAD_REQUEST', 'empty cron string for scan all schedule');
  // Harbor's cron parser takes exactly six fields, seconds first; the scheduler checks the rest.
  const fields = chosen.split(/\s+/);
  if (fields.length !== 6)
    throw new BerthError(
      'BAD_REQUEST',
      `invalid cron ${chosen}: expected exactly 6 fields, found ${String(fields.length)}: [${fields.join(' ')}]`,
    );
  return { type: type as PeriodicType, cron: chosen };
}
