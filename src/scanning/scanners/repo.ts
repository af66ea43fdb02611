import { sql, type Kysely, type Selectable } from 'kysely';
import { containsIgnoringCase, type Database, type ScannerRegistrationsTable } from '../../db/index.js';

// Scanner registrations in the database, and each project's choice among them.

export type RegistrationRow = Selectable<ScannerRegistrationsTable>;

/** What Harbor's list filters and sorts on (`q=name=~x`, `sort=-create_time`). */
export interface RegistrationQuery {
  name?: { value: string; fuzzy: boolean };
  description?: { value: string; fuzzy: boolean };
  url?: { value: string; fuzzy: boolean };
  sort?: { column: 'name' | 'url' | 'create_time' | 'update_time' | 'id'; descending: boolean };
  limit: number;
  offset: number;
}

export function createRegistrationRepo(db: Kysely<Database>) {
  function filtered(query: Omit<RegistrationQuery, 'limit' | 'offset' | 'sort'>) {
    let select = db.selectFrom('scanner_registrations');
    for (const column of ['name', 'description', 'url'] as const) {
      const match = query[column];
      if (!match) continue;
      select = match.fuzzy
        ? select.where(containsIgnoringCase(sql.ref(column), match.value))
        : select.where(column, '=', match.value);
    }
    return select;
  }

  return {
    async list(query: RegistrationQuery): Promise<{ rows: RegistrationRow[]; total: number }> {
      const total = await filtered(query)
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .executeTakeFirstOrThrow();
      const sort = query.sort ?? { column: 'id', descending: false };
      const rows = await filtered(query)
        .selectAll()
        .orderBy(sort.column, sort.descending ? 'desc' : 'asc')
        .orderBy('id')
        .limit(query.limit)
        .offset(query.offset)
        .execute();
      return { rows, total: Number(total.n) };
    },

    async all(): Promise<RegistrationRow[]> {
      return db.selectFrom('scanner_registrations').selectAll().orderBy('id').execute();
    },

    async byUuid(uuid: string): Promise<RegistrationRow | undefined> {
      return db.selectFrom('scanner_registrations').selectAll().where('uuid', '=', uuid).executeTakeFirst();
    },

    async byName(name: string): Promise<RegistrationRow | undefined> {
      return db.selectFrom('scanner_registrations').selectAll().where('name', '=', name).executeTakeFirst();
    },

    async byUrl(url: string): Promise<RegistrationRow | undefined> {
      return db.selectFrom('scanner_registrations').selectAll().where('url', '=', url).executeTakeFirst();
    },

    async defaultOne(): Promise<RegistrationRow | undefined> {
      return db.selectFrom('scanner_registrations').selectAll().where('is_default', '=', 1).executeTakeFirst();
    },

    async insert(row: Omit<RegistrationRow, 'id'>): Promise<void> {
      await db.insertInto('scanner_registrations').values(row).execute();
    },

    async update(uuid: string, changes: Partial<Omit<RegistrationRow, 'id' | 'uuid'>>): Promise<void> {
      await db.updateTable('scanner_registrations').set(changes).where('uuid', '=', uuid).execute();
    },

    async delete(uuid: string): Promise<void> {
      await db.deleteFrom('scanner_registrations').where('uuid', '=', uuid).execute();
    },

    /** Makes `uuid` the one default, in one transaction. */
    async setDefault(uuid: string, now: string): Promise<void> {
      await db.transaction().execute(async (trx) => {
        await trx
          .updateTable('scanner_registrations')
          .set({ is_default: 0, update_time: now })
          .where('is_default', '=', 1)
          .where('uuid', '!=', uuid)
          .execute();
        await trx
          .updateTable('scanner_registrations')
          .set({ is_default: 1, update_time: now })
          .where('uuid', '=', uuid)
          .execute();
      });
    },

    async ofProject(projectId: number): Promise<RegistrationRow | undefined> {
      return db
        .selectFrom('project_scanners')
        .innerJoin('scanner_registrations', 'scanner_registrations.id', 'project_scanners.registration_id')
        .selectAll('scanner_registrations')
        .where('project_scanners.project_id', '=', projectId)
        .executeTakeFirst();
    },

    async setProject(projectId: number, registrationId: number): Promise<void> {
      await db
        .insertInto('project_scanners')
        .values({ project_id: projectId, registration_id: registrationId })
        .onConflict((oc) => oc.column('project_id').doUpdateSet({ registration_id: registrationId }))
        .execute();
    },
  };
}

export type RegistrationRepo = ReturnType<typeof createRegistrationRepo>;
