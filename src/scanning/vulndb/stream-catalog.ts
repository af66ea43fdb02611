import type { Kysely } from 'kysely';
import type { Database } from '../../db/index.js';
import type { EcosystemScope } from './scope.js';

// The stored ecosystems a scope covers: a RHEL image's streams among the hundreds Red Hat files
// advisories under. Finding them reads the whole ecosystem index (LIKE cannot seek it on either
// database: ~150 ms at a million affected rows, on SQLite with the event loop held), so what a
// pattern found is kept until the next import records itself in vuln_db_meta.

/** The stored ecosystems of a scope: its one name, or those its LIKE pattern finds that it includes. */
export type StreamCatalog = (scope: EcosystemScope) => Promise<string[]>;

export function createStreamCatalog(db: Kysely<Database>): StreamCatalog {
  const found = new Map<string, { importId: string; ecosystems: string[] }>();

  async function lastImport(): Promise<string> {
    const last = await db
      .selectFrom('vuln_db_meta')
      .select((eb) => eb.fn.max('id').as('id'))
      .executeTakeFirst();
    return String(last?.id ?? '');
  }

  async function storedLike(pattern: string): Promise<string[]> {
    const importId = await lastImport();
    const known = found.get(pattern);
    if (known?.importId === importId) return known.ecosystems;
    const rows = await db
      .selectFrom('vuln_affected')
      .select('ecosystem')
      .distinct()
      .where('ecosystem', 'like', pattern)
      .execute();
    const ecosystems = rows.map((row) => row.ecosystem);
    found.set(pattern, { importId, ecosystems });
    return ecosystems;
  }

  return async (scope) => {
    if (scope.like === undefined) return [scope.name];
    return (await storedLike(scope.like)).filter((ecosystem) => scope.includes(ecosystem));
  };
}
