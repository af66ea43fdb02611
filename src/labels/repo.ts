import { sql, type Kysely } from 'kysely';
import type { Database, LabelsTable } from '../db/index.js';
import { containsIgnoringCase } from '../db/index.js';

// Labels and the artifacts that carry them.

export interface LabelRow {
  id: number;
  name: string;
  description: string;
  color: string;
  scope: 'g' | 'p';
  project_id: number | null;
  creation_time: string;
  update_time: string;
}

export interface LabelQuery {
  scope: 'g' | 'p';
  projectId?: number;
  /** Names containing this, ignoring case (Harbor's fuzzy `name`). */
  name?: string;
  limit: number;
  offset: number;
}

export type LabelFields = Pick<LabelsTable, 'name' | 'description' | 'color'>;

export function createLabelsRepo(db: Kysely<Database>) {
  function listQuery(query: Omit<LabelQuery, 'limit' | 'offset'>) {
    let q = db.selectFrom('labels').where('scope', '=', query.scope);
    if (query.scope === 'p') q = q.where('project_id', '=', query.projectId ?? -1);
    if (query.name) q = q.where((eb) => containsIgnoringCase(eb.ref('name'), query.name ?? ''));
    return q;
  }

  return {
    async list(query: LabelQuery): Promise<{ rows: LabelRow[]; total: number }> {
      const [rows, count] = await Promise.all([
        listQuery(query).selectAll().orderBy('id').limit(query.limit).offset(query.offset).execute(),
        listQuery(query)
          .select((eb) => eb.fn.countAll<number | string>().as('n'))
          .executeTakeFirstOrThrow(),
      ]);
      return { rows: rows as LabelRow[], total: Number(count.n) };
    },

    async get(id: number): Promise<LabelRow | undefined> {
      return (await db.selectFrom('labels').selectAll().where('id', '=', id).executeTakeFirst()) as
        LabelRow | undefined;
    },

    /** The new label's id, or undefined when its scope (and project) already has that name. */
    async create(
      label: LabelFields & { scope: 'g' | 'p'; projectId: number | null },
      now: string,
    ): Promise<number | undefined> {
      return db.transaction().execute(async (trx) => {
        if (await nameTaken(trx, label.scope, label.projectId, label.name)) return undefined;
        const row = await trx
          .insertInto('labels')
          .values({
            name: label.name,
            description: label.description,
            color: label.color,
            scope: label.scope,
            project_id: label.projectId,
            creation_time: now,
            update_time: now,
          })
          .returning('id')
          .executeTakeFirstOrThrow();
        return row.id;
      });
    },

    /** false when another label of the same scope (and project) has the new name. */
    async update(label: LabelRow, fields: LabelFields, now: string): Promise<boolean> {
      return db.transaction().execute(async (trx) => {
        if (await nameTaken(trx, label.scope, label.project_id, fields.name, label.id)) return false;
        await trx
          .updateTable('labels')
          .set({ ...fields, update_time: now })
          .where('id', '=', label.id)
          .execute();
        return true;
      });
    },

    /** Removes the label; the artifacts that carried it lose it (cascade). */
    async delete(id: number): Promise<boolean> {
      const result = await db.deleteFrom('labels').where('id', '=', id).executeTakeFirst();
      return Number(result.numDeletedRows) > 0;
    },

    /** 'added', 'exists' when the artifact carries it already, 'gone' when the artifact or label went meanwhile. */
    async attach(artifactId: number, labelId: number, now: string): Promise<'added' | 'exists' | 'gone'> {
      return db.transaction().execute(async (trx) => {
        const present = await trx
          .selectFrom('artifact_labels')
          .select('label_id')
          .where('artifact_id', '=', artifactId)
          .where('label_id', '=', labelId)
          .executeTakeFirst();
        if (present) return 'exists';
        const artifact = await trx.selectFrom('artifacts').select('id').where('id', '=', artifactId).executeTakeFirst();
        const label = await trx.selectFrom('labels').select('id').where('id', '=', labelId).executeTakeFirst();
        if (!artifact || !label) return 'gone';
        await trx
          .insertInto('artifact_labels')
          .values({ artifact_id: artifactId, label_id: labelId, creation_time: now })
          .onConflict((oc) => oc.columns(['artifact_id', 'label_id']).doNothing())
          .execute();
        return 'added';
      });
    },

    async detach(artifactId: number, labelId: number): Promise<boolean> {
      const result = await db
        .deleteFrom('artifact_labels')
        .where('artifact_id', '=', artifactId)
        .where('label_id', '=', labelId)
        .executeTakeFirst();
      return Number(result.numDeletedRows) > 0;
    },

    /** The labels each of `artifactIds` carries, in the order they were added. */
    async labelsOf(artifactIds: number[]): Promise<Map<number, LabelRow[]>> {
      const result = new Map<number, LabelRow[]>();
      if (artifactIds.length === 0) return result;
      const rows = await db
        .selectFrom('artifact_labels as al')
        .innerJoin('labels as l', 'l.id', 'al.label_id')
        .selectAll('l')
        .select('al.artifact_id')
        .where('al.artifact_id', 'in', artifactIds)
        .orderBy('al.creation_time')
        .orderBy('l.id')
        .execute();
      for (const row of rows) {
        const { artifact_id: artifactId, ...label } = row;
        result.set(artifactId, [...(result.get(artifactId) ?? []), label as LabelRow]);
      }
      return result;
    },
  };
}

/** Whether a label other than `except` has `name` in this scope and project. */
async function nameTaken(
  trx: Kysely<Database>,
  scope: 'g' | 'p',
  projectId: number | null,
  name: string,
  except?: number,
): Promise<boolean> {
  let query = trx
    .selectFrom('labels')
    .select('id')
    .where('scope', '=', scope)
    .where(sql<number>`coalesce(project_id, 0)`, '=', projectId ?? 0)
    .where('name', '=', name);
  if (except !== undefined) query = query.where('id', '!=', except);
  return (await query.executeTakeFirst()) !== undefined;
}

export type LabelsRepo = ReturnType<typeof createLabelsRepo>;
