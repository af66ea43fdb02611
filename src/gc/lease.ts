import type { Kysely } from 'kysely';
import type { Database } from '../db/index.js';
import type { Clock } from '../shared/clock.js';

// One collection at a time in the deployment, whichever replica or `berth gc` runs it: a
// row in the database naming its holder until an expiry that the holder keeps moving. A
// holder that died stops renewing, and once its lease expires the next run takes over.

const leaseName = 'gc';
/** How long a lease lasts without renewal; the holder renews it every third of that. */
export const leaseMs = 60_000;

export interface LeaseHolder {
  holder: string;
  expiresAt: string;
}

export function createLease(db: Kysely<Database>, clock: Clock) {
  const expiry = () => new Date(clock.now().getTime() + leaseMs).toISOString();
  return {
    /** Takes the lease for `holder` if it is free, expired or already its own. */
    async claim(holder: string): Promise<boolean> {
      await db
        .insertInto('gc_lease')
        .values({ name: leaseName, holder: '', expires_at: '' })
        .onConflict((oc) => oc.column('name').doNothing())
        .execute();
      const result = await db
        .updateTable('gc_lease')
        .set({ holder, expires_at: expiry() })
        .where('name', '=', leaseName)
        .where((eb) =>
          eb.or([eb('holder', '=', holder), eb('holder', '=', ''), eb('expires_at', '<', clock.now().toISOString())]),
        )
        .executeTakeFirst();
      return Number(result.numUpdatedRows) === 1;
    },

    /** Moves the expiry on; false when the lease was lost (expired and taken over). */
    async renew(holder: string): Promise<boolean> {
      const result = await db
        .updateTable('gc_lease')
        .set({ expires_at: expiry() })
        .where('name', '=', leaseName)
        .where('holder', '=', holder)
        .executeTakeFirst();
      return Number(result.numUpdatedRows) === 1;
    },

    async release(holder: string): Promise<void> {
      await db
        .updateTable('gc_lease')
        .set({ holder: '', expires_at: '' })
        .where('name', '=', leaseName)
        .where('holder', '=', holder)
        .execute();
    },

    /** Who holds a live lease now; undefined when it is free or expired. */
    async current(): Promise<LeaseHolder | undefined> {
      const row = await db.selectFrom('gc_lease').selectAll().where('name', '=', leaseName).executeTakeFirst();
      if (!row || row.holder === '' || row.expires_at < clock.now().toISOString()) return undefined;
      return { holder: row.holder, expiresAt: row.expires_at };
    },
  };
}

export type Lease = ReturnType<typeof createLease>;

/** The lease holder name of a history row's run. */
export function holderOf(runId: number): string {
  return `gc-run-${String(runId)}`;
}

/** The run id in a holder name, for messages. */
export function runOfHolder(holder: string): number | undefined {
  const match = /^gc-run-(\d+)$/.exec(holder);
  return match ? Number(match[1]) : undefined;
}
