import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../db/index.js';

// Lookups every registry write shares: repositories by name, artifacts by digest.

export type Executor = Kysely<Database> | Transaction<Database>;

export async function findRepositoryId(ex: Executor, name: string): Promise<number | undefined> {
  const row = await ex.selectFrom('repositories').select('id').where('name', '=', name).executeTakeFirst();
  return row?.id;
}

/** The repository's id, creating it (in the project named by its first path segment) when new. */
export async function ensureRepository(ex: Executor, name: string, now: string): Promise<number> {
  const projectName = name.includes('/') ? name.slice(0, name.indexOf('/')) : name;
  await ex
    .insertInto('repositories')
    .values((eb) => ({
      name,
      created_at: now,
      updated_at: now,
      project_id: eb.selectFrom('projects').select('id').where('projects.name', '=', projectName),
    }))
    .onConflict((oc) => oc.column('name').doNothing())
    .execute();
  const id = await findRepositoryId(ex, name);
  if (id === undefined) throw new Error(`repository ${name} vanished during insert`);
  return id;
}

export async function findArtifactId(ex: Executor, repositoryId: number, digest: string): Promise<number | undefined> {
  const row = await ex
    .selectFrom('artifacts')
    .select('id')
    .where('repository_id', '=', repositoryId)
    .where('digest', '=', digest)
    .executeTakeFirst();
  return row?.id;
}
