import { BerthError } from '../shared/errors.js';
import type { Clock } from '../shared/clock.js';
import type { Job } from '../jobs/index.js';
import type { UploadService } from './uploads.js';

// UPLOAD_PURGE: upload sessions a client abandoned (no byte for `olderThanHours`) hold
// scratch space in the blob store; the upload service discards their data and row (and
// its in-memory hash state) under each session's lock.

export const uploadPurgeJobType = 'UPLOAD_PURGE';

export interface UploadPurgeParams extends Record<string, unknown> {
  olderThanHours: number;
}

export function uploadPurgeJob({
  uploads,
  clock,
  schedule,
}: {
  uploads: Pick<UploadService, 'idleSince' | 'purgeIfIdle'>;
  clock: Clock;
  schedule: { ageHours: number; cron: string };
}): Job<UploadPurgeParams> {
  return {
    name: uploadPurgeJobType,
    maxFails: 3,
    concurrency: 1,
    schedule: { cron: schedule.cron, params: { olderThanHours: schedule.ageHours } },
    shouldRetry: (err) => !(err instanceof BerthError),
    validate(params) {
      const hours = params.olderThanHours;
      if (typeof hours !== 'number' || !Number.isFinite(hours) || hours <= 0)
        throw new BerthError('BAD_REQUEST', 'olderThanHours must be a positive number');
      return { olderThanHours: hours };
    },
    async run({ params, signal, log, progress }) {
      const cutoff = new Date(clock.now().getTime() - params.olderThanHours * 3600_000).toISOString();
      const stale = await uploads.idleSince(cutoff);
      log.info(`${stale.length} upload session(s) idle since before ${cutoff}`);
      let purged = 0;
      for (const [i, uuid] of stale.entries()) {
        signal.throwIfAborted();
        if (await uploads.purgeIfIdle(uuid, cutoff)) purged++;
        progress(i + 1, stale.length);
      }
      log.info(`purged ${purged} upload session(s)`);
    },
  };
}
