import type { Kysely } from 'kysely';
import type { Database } from '../db/index.js';

// Upload sessions in progress: which repository they belong to, bytes received, age.

export function createUploadQueries(db: Kysely<Database>) {
  return {
    async createUpload(uuid: string, repository: string, now: string): Promise<void> {
      await db.insertInto('uploads').values({ uuid, repository, size: 0, created_at: now, updated_at: now }).execute();
    },

    async upload(
      uuid: string,
    ): Promise<{ uuid: string; repository: string; size: number; owner: string | null } | undefined> {
      const row = await db
        .selectFrom('uploads')
        .select(['uuid', 'repository', 'size', 'owner'])
        .where('uuid', '=', uuid)
        .executeTakeFirst();
      return row && { ...row, size: Number(row.size) };
    },

    async setUploadSize(uuid: string, size: number, now: string): Promise<void> {
      await db.updateTable('uploads').set({ size, updated_at: now }).where('uuid', '=', uuid).execute();
    },

    /** Sessions that received nothing since `cutoff`, oldest first. */
    async idleUploads(cutoff: string): Promise<string[]> {
      const rows = await db
        .selectFrom('uploads')
        .select('uuid')
        .where('updated_at', '<', cutoff)
        .orderBy('updated_at')
        .execute();
      return rows.map((r) => r.uuid);
    },

    /** Upload sessions open across the deployment (a metric). */
    async openUploadCount(): Promise<number> {
      const row = await db
        .selectFrom('uploads')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .executeTakeFirstOrThrow();
      return Number(row.n);
    },

    async uploadUpdatedAt(uuid: string): Promise<string | undefined> {
      const row = await db.selectFrom('uploads').select('updated_at').where('uuid', '=', uuid).executeTakeFirst();
      return row?.updated_at;
    },

    async deleteUpload(uuid: string): Promise<void> {
      await db.deleteFrom('uploads').where('uuid', '=', uuid).execute();
    },
  };
}
