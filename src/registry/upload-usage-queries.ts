import type { Kysely } from 'kysely';
import type { Database } from '../db/index.js';

// What open upload sessions hold, counted in the database so every replica agrees: each
// count runs over an index (uploads_owner_size, uploads_repository_size) and reads no row.

export interface UploadUsage {
  sessions: number;
  /** Scratch bytes received and not yet published or discarded. */
  bytes: number;
}

export function createUploadUsageQueries(db: Kysely<Database>) {
  async function usage(column: 'owner' | 'repository', value: string): Promise<UploadUsage> {
    const row = await db
      .selectFrom('uploads')
      .select((eb) => [eb.fn.countAll<number>().as('sessions'), eb.fn.sum<number | null>('size').as('bytes')])
      .where(column, '=', value)
      .executeTakeFirstOrThrow();
    return { sessions: Number(row.sessions), bytes: Number(row.bytes ?? 0) };
  }

  return {
    createOwnedUpload: async (uuid: string, repository: string, owner: string | undefined, now: string) => {
      await db
        .insertInto('uploads')
        .values({ uuid, repository, owner: owner ?? null, size: 0, created_at: now, updated_at: now })
        .execute();
    },

    uploadUsageOfOwner: (owner: string) => usage('owner', owner),

    uploadUsageOfRepository: (repository: string) => usage('repository', repository),

    /**
     * Scratch bytes of a project's open sessions: the hook for counting uploads in progress
     * toward a project quota. Repositories `<project>/…` sort between `<project>/` and
     * `<project>0` ('0' follows '/'), a range the repository index answers.
     */
    async projectScratchBytes(project: string): Promise<number> {
      const row = await db
        .selectFrom('uploads')
        .select((eb) => eb.fn.sum<number | null>('size').as('bytes'))
        .where('repository', '>=', `${project}/`)
        .where('repository', '<', `${project}0`)
        .executeTakeFirstOrThrow();
      return Number(row.bytes ?? 0);
    },
  };
}
