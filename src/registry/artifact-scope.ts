import type { ExpressionBuilder } from 'kysely';
import type { Database } from '../db/index.js';

// Conditions on an artifact row aliased `a`, shared by every query that asks them (listings,
// repository deletes, garbage collection), so they mean the same thing everywhere.

export type ArtifactScope = ExpressionBuilder<Database & { a: Database['artifacts'] }, 'a'>;

/** The artifact has at least one tag. */
export const isTagged = (eb: ArtifactScope) =>
  eb.exists(eb.selectFrom('tags as t').select('t.id').whereRef('t.artifact_id', '=', 'a.id'));

/** An index of the artifact's repository lists it as a child. */
export const isIndexChild = (eb: ArtifactScope) =>
  eb.exists(
    eb
      .selectFrom('artifact_references as ar')
      .innerJoin('artifacts as p', 'p.id', 'ar.parent_id')
      .select('ar.parent_id')
      .whereRef('p.repository_id', '=', 'a.repository_id')
      .whereRef('ar.child_digest', '=', 'a.digest'),
  );
