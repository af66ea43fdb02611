import type { Kysely } from 'kysely';
import type { Database } from '../db/index.js';
import { BerthError } from '../shared/errors.js';
import type { Clock } from '../shared/clock.js';
import type { Locks } from '../shared/locks.js';
import { PathNotFoundError, type BlobStore } from '../storage/index.js';
import { uploadDir } from '../registry/paths.js';
import type { Job } from './job.js';

// UPLOAD_PURGE: upload sessions a client abandoned (no byte for `olderThanHours`) hold
// scratch space in the blob store; delete their data and their row. Each session is
// purged under its upload lock and re-checked there, so a PATCH in flight is never cut.

export const uploadPurgeJobType = 'UPLOAD_PURGE';

export interface UploadPurgeParams extends Record<string, unknown> {
  olderThanHours: number;
}

export function uploadPurgeJob({
  db,
  store,
  locks,
  clock,
}: {
  db: Kysely<Database>;
  store: BlobStore;
  locks: Locks;
  clock: Clock;
}): Job<UploadPurgeParams> {
  return {
    name: uploadPurgeJobType,
    maxFails: 3,
    shouldRetry: (err) => !(err instanceof BerthError),
    validate(params) {
      const hours = params.olderThanHours;
      if (typeof hours !== 'number' || !Number.isFinite(hours) || hours <= 0)
        throw new BerthError('BAD_REQUEST', 'olderThanHours must be a positive number');
      return { olderThanHours: hours };
    },
    async run({ params, signal, log, progress }) {
      const cutoff = new Date(clock.now().getTime() - params.olderThanHours * 3600_000).toISOString();
      const stale = await db
        .selectFrom('uploads')
        .select('uuid')
        .where('updated_at', '<', cutoff)
        .orderBy('updated_at')
        .execute();
      log.info(`${stale.length} upload session(s) idle since before ${cutoff}`);
      let purged = 0;
      for (const [i, { uuid }] of stale.entries()) {
        signal.throwIfAborted();
        const done = await locks.withLock(`upload:${uuid}`, async () => {
          const row = await db.selectFrom('uploads').select('updated_at').where('uuid', '=', uuid).executeTakeFirst();
          if (!row || row.updated_at >= cutoff) return false;
          await store.delete(uploadDir(uuid)).catch((err: unknown) => {
            if (!(err instanceof PathNotFoundError)) throw err;
          });
          await db.deleteFrom('uploads').where('uuid', '=', uuid).execute();
          return true;
        });
        if (done) purged++;
        progress(i + 1, stale.length);
      }
      log.info(`purged ${purged} upload session(s)`);
    },
  };
}
