import { sql, type ExpressionBuilder, type Expression, type Kysely, type SqlBool } from 'kysely';
import type { Database } from '../db/index.js';
import { containsIgnoringCase, escapeLike, likeIgnoringCase } from '../db/index.js';
import { isIndexChild, isTagged, type ArtifactScope } from '../registry/index.js';
import { artifactTypeAnnotation, configMediaTypes, imageConfigTypes, indexMediaTypes } from './types.js';

// SQL for Harbor's view of the registry tables: repositories with counts, artifacts
// with their tags, index references and accessories.

/** A repository id: a value, or a reference to the enclosing query's. */
type Operand = number | Expression<number>;

export interface RepositoryRow {
  id: number;
  name: string;
  project_id: number;
  description: string;
  pull_count: number;
  artifact_count: number;
  created_at: string;
  updated_at: string;
}

/** A repository as Harbor's search lists it (SearchRepository, less the project name). */
export interface RepositorySearchRow {
  name: string;
  project_id: number;
  pull_count: number;
  artifact_count: number;
  project_public: boolean;
}

export interface Paging {
  offset: number;
  limit: number;
}

export interface Sort {
  column: string;
  desc: boolean;
}

export type TextMatch = { kind: 'exact' | 'fuzzy'; value: string };

export interface RepositoryFilter {
  /** Undefined: every project. */
  projectIds?: number[];
  name?: TextMatch;
}

export interface ArtifactFilter {
  /** "*" tagged only, "nil" untagged only, else a tag name match. */
  tags?: TextMatch;
  digest?: TextMatch;
  mediaType?: TextMatch;
  type?: string;
  /** Harbor's `labels=(1 2)` (carries all of them) or `labels={1 2}` (any of them). */
  labels?: { ids: number[]; all: boolean };
}

/** What policies (retention) need to know of an artifact. */
export interface ArtifactFacts {
  digest: string;
  tags: string[];
  pushTime: string;
  pullTime?: string;
  /** The artifact it is an accessory of (a signature, an SBOM…). */
  subjectDigest?: string;
  /** Listed by an index of the repository. */
  indexChild: boolean;
}

export interface ArtifactRowView {
  id: number;
  repository_id: number;
  digest: string;
  media_type: string;
  artifact_type: string | null;
  size: number;
  manifest: Buffer;
  annotations: string | null;
  push_time: string;
  pull_time: string | null;
}

export interface TagRowView {
  id: number;
  repository_id: number;
  artifact_id: number;
  name: string;
  push_time: string;
  pull_time: string | null;
}

export interface ReferenceRowView {
  parent_id: number;
  child_digest: string;
  child_id: number | null;
  platform: string | null;
  annotations: string | null;
}

export interface AccessoryRowView {
  id: number;
  digest: string;
  subject_digest: string;
  artifact_type: string | null;
  size: number;
  push_time: string;
}

function textMatch<E>(column: E, match: TextMatch, eb: ExpressionBuilder<Database, never>): Expression<SqlBool> {
  return match.kind === 'fuzzy'
    ? containsIgnoringCase(sql`${column}`, match.value)
    : eb(sql`${column}`, '=', match.value);
}

const artifactColumns = [
  'a.id',
  'a.repository_id',
  'a.digest',
  'a.media_type',
  'a.artifact_type',
  'a.size',
  'a.manifest',
  'a.annotations',
  'a.push_time',
  'a.pull_time',
] as const;

export function createArtifactsRepo(db: Kysely<Database>) {
  // Harbor lists tagged artifacts and top-level ones; index children and accessories show under their parent.
  const topLevel = (eb: ArtifactScope) => eb.and([eb.not(isIndexChild(eb)), eb('a.subject_digest', 'is', null)]);

  /**
   * The ids of a repository's artifacts that the list leaves out (the complement of
   * "tagged or top-level"): untagged accessories and untagged index children. Few, and
   * found through indexes: accessories by (repository_id, subject_digest), children from
   * the repository's indexes (only an index has children) by (repository_id, media_type), their
   * references and (repository_id, digest). The list is then "every artifact of the
   * repository but these", which walks (repository_id, push_time, id) and counts over an
   * index, instead of testing every artifact with subqueries.
   */
  const hiddenIds = (repositoryId: Operand) => {
    const untagged = (eb: ExpressionBuilder<Database & { c: Database['artifacts'] }, 'c'>) =>
      eb.not(eb.exists(eb.selectFrom('tags as t').select('t.id').whereRef('t.artifact_id', '=', 'c.id')));
    const indexes = db
      .selectFrom('artifacts as p')
      .select('p.id')
      .where('p.repository_id', '=', repositoryId)
      .where('p.media_type', 'in', indexMediaTypes);
    const childDigests = db
      .selectFrom('artifact_references as ar')
      .select('ar.child_digest')
      .where('ar.parent_id', 'in', indexes);
    const accessories = db
      .selectFrom('artifacts as c')
      .select('c.id')
      .where('c.repository_id', '=', repositoryId)
      .where('c.subject_digest', 'is not', null)
      .where(untagged);
    const children = db
      .selectFrom('artifacts as c')
      .select('c.id')
      .where('c.repository_id', '=', repositoryId)
      .where('c.digest', 'in', childDigests)
      .where(untagged);
    return accessories.union(children);
  };
  const listed = (eb: ArtifactScope, repositoryId: number) => eb('a.id', 'not in', hiddenIds(repositoryId));
  /**
   * How many artifacts the list shows: all of the repository's, over an index, less the
   * hidden ones, counted from their own (small) set. Not "count where id not in hidden":
   * per repository row that IN list is correlated, and SQLite re-runs a correlated IN
   * list for every artifact.
   */
  const listedCount = (eb: ExpressionBuilder<Database, never>, repositoryId: Operand) =>
    eb(
      eb
        .selectFrom('artifacts as a')
        .select((inner) => inner.fn.countAll<number>().as('n'))
        .where('a.repository_id', '=', repositoryId),
      '-',
      eb.selectFrom(hiddenIds(repositoryId).as('hidden')).select((inner) => inner.fn.countAll<number>().as('n')),
    );

  function typeCondition(eb: ArtifactScope, type: string): Expression<SqlBool> {
    const cnab = containsIgnoringCase(
      sql.ref('a.annotations'),
      `"${artifactTypeAnnotation}":"${configMediaTypes.cnab}"`,
    );
    const isIndex = eb('a.media_type', 'in', indexMediaTypes);
    switch (type.toUpperCase()) {
      case 'IMAGE':
        return eb.or([
          eb('a.artifact_type', 'in', imageConfigTypes),
          eb.and([isIndex, eb.or([eb('a.annotations', 'is', null), eb.not(cnab)])]),
        ]);
      case 'CHART':
        return eb('a.artifact_type', '=', configMediaTypes.helmChart);
      case 'CNAB':
        return eb.and([isIndex, cnab]);
      case 'UNKNOWN':
        return eb.and([
          eb.not(isIndex),
          eb.or([
            eb('a.artifact_type', 'is', null),
            eb
              .not(eb('a.artifact_type', 'in', [...imageConfigTypes, configMediaTypes.helmChart]))
              .and(eb.not(likeIgnoringCase(sql.ref('a.artifact_type'), 'application/vnd.%.config.v%+json'))),
          ]),
        ]);
      default:
        return likeIgnoringCase(
          sql.ref('a.artifact_type'),
          `application/vnd.${escapeLike(type.toLowerCase())}.config.v%+json`,
        );
    }
  }

  function artifactWhere(eb: ArtifactScope, repositoryId: number, filter: ArtifactFilter): Expression<SqlBool> {
    const conditions: Expression<SqlBool>[] = [eb('a.repository_id', '=', repositoryId)];
    const tags = filter.tags;
    if (tags === undefined) conditions.push(listed(eb, repositoryId));
    else if (tags.kind === 'exact' && tags.value === '*') conditions.push(isTagged(eb));
    else if (tags.kind === 'exact' && tags.value === 'nil')
      conditions.push(eb.and([eb.not(isTagged(eb)), topLevel(eb)]));
    else {
      conditions.push(
        eb.exists(
          eb
            .selectFrom('tags as t')
            .select('t.id')
            .whereRef('t.artifact_id', '=', 'a.id')
            .where((inner) =>
              textMatch(inner.ref('t.name'), tags, inner as unknown as ExpressionBuilder<Database, never>),
            ),
        ),
      );
    }
    const plain = eb as unknown as ExpressionBuilder<Database, never>;
    if (filter.digest) conditions.push(textMatch(eb.ref('a.digest'), filter.digest, plain));
    if (filter.mediaType)
      conditions.push(
        eb.or([
          textMatch(eb.ref('a.media_type'), filter.mediaType, plain),
          textMatch(eb.ref('a.artifact_type'), filter.mediaType, plain),
        ]),
      );
    if (filter.type) conditions.push(typeCondition(eb, filter.type));
    const labels = filter.labels;
    if (labels) {
      const carried = (ids: number[]) =>
        eb.exists(
          eb
            .selectFrom('artifact_labels as al')
            .select('al.label_id')
            .whereRef('al.artifact_id', '=', 'a.id')
            .where('al.label_id', 'in', ids),
        );
      if (labels.ids.length === 0) conditions.push(eb.val(false) as unknown as Expression<SqlBool>);
      else if (labels.all) conditions.push(eb.and(labels.ids.map((id) => carried([id]))));
      else conditions.push(carried(labels.ids));
    }
    return eb.and(conditions);
  }

  const artifactCount = (eb: ExpressionBuilder<Database & { r: Database['repositories'] }, 'r'>) =>
    listedCount(eb as unknown as ExpressionBuilder<Database, never>, eb.ref('r.id')).as('artifact_count');

  function repositoryQuery(filter: RepositoryFilter) {
    let query = db.selectFrom('repositories as r').where('r.project_id', 'is not', null);
    if (filter.projectIds !== undefined)
      query = query.where('r.project_id', 'in', filter.projectIds.length > 0 ? filter.projectIds : [-1]);
    const name = filter.name;
    if (name)
      query = query.where((eb) =>
        textMatch(eb.ref('r.name'), name, eb as unknown as ExpressionBuilder<Database, never>),
      );
    return query;
  }

  const repositorySortColumns: Record<string, 'r.name' | 'r.created_at' | 'r.updated_at' | 'r.id' | 'r.pull_count'> = {
    name: 'r.name',
    creation_time: 'r.created_at',
    update_time: 'r.updated_at',
    id: 'r.id',
    pull_count: 'r.pull_count',
  };

  return {
    async listRepositories(
      filter: RepositoryFilter,
      sort: Sort[],
      paging: Paging,
    ): Promise<{ rows: RepositoryRow[]; total: number }> {
      const total = await repositoryQuery(filter)
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .executeTakeFirstOrThrow();
      let query = repositoryQuery(filter).select([
        'r.id',
        'r.name',
        'r.project_id',
        'r.description',
        'r.pull_count',
        'r.created_at',
        'r.updated_at',
        artifactCount,
      ]);
      const order = sort.length > 0 ? sort : [{ column: 'creation_time', desc: true }];
      for (const s of order) query = query.orderBy(repositorySortColumns[s.column], s.desc ? 'desc' : 'asc');
      const rows = await query.orderBy('r.id', 'desc').limit(paging.limit).offset(paging.offset).execute();
      return { rows: rows.map(toRepositoryRow), total: Number(total.n) };
    },

    async repository(name: string): Promise<RepositoryRow | undefined> {
      const row = await repositoryQuery({})
        .select([
          'r.id',
          'r.name',
          'r.project_id',
          'r.description',
          'r.pull_count',
          'r.created_at',
          'r.updated_at',
          artifactCount,
        ])
        .where('r.name', '=', name)
        .executeTakeFirst();
      return row && toRepositoryRow(row);
    },

    async updateDescription(id: number, description: string, now: string): Promise<void> {
      await db.updateTable('repositories').set({ description, updated_at: now }).where('id', '=', id).execute();
    },

    async listArtifacts(
      repositoryId: number,
      filter: ArtifactFilter,
      sort: Sort[],
      paging: Paging,
    ): Promise<{ rows: ArtifactRowView[]; total: number }> {
      const unfiltered = Object.values(filter).every((value) => value === undefined);
      const total = unfiltered
        ? await db.selectNoFrom((eb) => listedCount(eb, repositoryId).as('n')).executeTakeFirstOrThrow()
        : await db
            .selectFrom('artifacts as a')
            .select((eb) => eb.fn.countAll<number>().as('n'))
            .where((eb) => artifactWhere(eb, repositoryId, filter))
            .executeTakeFirstOrThrow();
      let query = db
        .selectFrom('artifacts as a')
        .select(artifactColumns)
        .where((eb) => artifactWhere(eb, repositoryId, filter));
      const order = sort.length > 0 ? sort : [{ column: 'push_time', desc: true }];
      for (const s of order) {
        const direction = s.desc ? 'desc' : 'asc';
        if (s.column === 'name') {
          query = query.orderBy(
            (eb) =>
              eb
                .selectFrom('tags as t')
                .select((inner) => inner.fn.min('t.name').as('m'))
                .whereRef('t.artifact_id', '=', 'a.id'),
            direction,
          );
        } else {
          const column = (
            {
              push_time: 'a.push_time',
              pull_time: 'a.pull_time',
              size: 'a.size',
              digest: 'a.digest',
              id: 'a.id',
            } as const
          )[s.column as 'id'];
          query = query.orderBy(column, direction);
        }
      }
      const rows = await query.orderBy('a.id', 'desc').limit(paging.limit).offset(paging.offset).execute();
      return { rows: rows.map(toArtifactRow), total: Number(total.n) };
    },

    async artifactByDigest(repositoryId: number, digest: string): Promise<ArtifactRowView | undefined> {
      const row = await db
        .selectFrom('artifacts as a')
        .select(artifactColumns)
        .where('a.repository_id', '=', repositoryId)
        .where('a.digest', '=', digest)
        .executeTakeFirst();
      return row && toArtifactRow(row);
    },

    async artifactByTag(repositoryId: number, tag: string): Promise<ArtifactRowView | undefined> {
      const row = await db
        .selectFrom('tags as t')
        .innerJoin('artifacts as a', 'a.id', 't.artifact_id')
        .select(artifactColumns)
        .where('t.repository_id', '=', repositoryId)
        .where('t.name', '=', tag)
        .executeTakeFirst();
      return row && toArtifactRow(row);
    },

    /** Every artifact of the repository with its tags, times, subject and whether an index lists it (for policies such as retention). */
    async artifactFacts(repositoryId: number): Promise<ArtifactFacts[]> {
      const rows = await db
        .selectFrom('artifacts as a')
        .select(['a.id', 'a.digest', 'a.push_time', 'a.pull_time', 'a.subject_digest'])
        .select((eb) => isIndexChild(eb as unknown as ArtifactScope).as('is_child'))
        .where('a.repository_id', '=', repositoryId)
        .orderBy('a.id')
        .execute();
      const tags = await db
        .selectFrom('tags as t')
        .innerJoin('artifacts as a', 'a.id', 't.artifact_id')
        .select(['t.artifact_id', 't.name'])
        .where('a.repository_id', '=', repositoryId)
        .orderBy('t.name')
        .execute();
      const byArtifact = new Map<number, string[]>();
      for (const tag of tags) byArtifact.set(tag.artifact_id, [...(byArtifact.get(tag.artifact_id) ?? []), tag.name]);
      return rows.map((row) => ({
        digest: row.digest,
        tags: byArtifact.get(row.id) ?? [],
        pushTime: row.push_time,
        ...(row.pull_time ? { pullTime: row.pull_time } : {}),
        subjectDigest: row.subject_digest ?? undefined,
        indexChild: Boolean(row.is_child),
      }));
    },

    async tagsOf(artifactIds: number[]): Promise<TagRowView[]> {
      if (artifactIds.length === 0) return [];
      const rows = await db
        .selectFrom('tags')
        .selectAll()
        .where('artifact_id', 'in', artifactIds)
        .orderBy('id')
        .execute();
      return rows.map((row) => ({ ...row }));
    },

    async listTags(
      artifactId: number,
      name: TextMatch | undefined,
      sort: Sort[],
      paging: Paging,
    ): Promise<{ rows: TagRowView[]; total: number }> {
      const base = () => {
        let query = db.selectFrom('tags as t').where('t.artifact_id', '=', artifactId);
        if (name)
          query = query.where((eb) =>
            textMatch(eb.ref('t.name'), name, eb as unknown as ExpressionBuilder<Database, never>),
          );
        return query;
      };
      const total = await base()
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .executeTakeFirstOrThrow();
      let query = base().selectAll('t');
      for (const s of sort)
        query = query.orderBy(
          ({ name: 't.name', push_time: 't.push_time', pull_time: 't.pull_time', id: 't.id' } as const)[
            s.column as 'id'
          ],
          s.desc ? 'desc' : 'asc',
        );
      const rows = await query.orderBy('t.id', 'desc').limit(paging.limit).offset(paging.offset).execute();
      return { rows: rows.map((row) => ({ ...row })), total: Number(total.n) };
    },

    async referencesOf(repositoryId: number, parentIds: number[]): Promise<ReferenceRowView[]> {
      if (parentIds.length === 0) return [];
      return db
        .selectFrom('artifact_references as ar')
        .leftJoin('artifacts as c', (join) =>
          join.onRef('c.digest', '=', 'ar.child_digest').on('c.repository_id', '=', repositoryId),
        )
        .select(['ar.parent_id', 'ar.child_digest', 'c.id as child_id', 'ar.platform', 'ar.annotations'])
        .where('ar.parent_id', 'in', parentIds)
        .execute();
    },

    async accessoriesOf(repositoryId: number, subjectDigests: string[]): Promise<AccessoryRowView[]> {
      if (subjectDigests.length === 0) return [];
      const rows = await db
        .selectFrom('artifacts as a')
        .select(['a.id', 'a.digest', 'a.subject_digest', 'a.artifact_type', 'a.size', 'a.push_time'])
        .where('a.repository_id', '=', repositoryId)
        .where('a.subject_digest', 'in', subjectDigests)
        .orderBy('a.id')
        .execute();
      return rows.map((row) => ({ ...row, subject_digest: row.subject_digest ?? '', size: Number(row.size) }));
    },

    /**
     * Harbor's search over repositories: names containing `keyword` (ignoring case, as Harbor's
     * `name=~` match), in `projectIds` (undefined: all), by name, with their project's publicity.
     */
    async searchRepositories(keyword: string, projectIds: number[] | undefined): Promise<RepositorySearchRow[]> {
      const rows = await repositoryQuery({ projectIds, name: { kind: 'fuzzy', value: keyword } })
        .select((eb) => [
          'r.name',
          'r.project_id',
          'r.pull_count',
          artifactCount(eb),
          eb
            .exists(
              eb
                .selectFrom('project_metadata as pm')
                .select('pm.project_id')
                .whereRef('pm.project_id', '=', 'r.project_id')
                .where('pm.name', '=', 'public')
                .where('pm.value', '=', 'true'),
            )
            .as('project_public'),
        ])
        .orderBy('r.name')
        .execute();
      return rows.map((row) => ({
        name: row.name,
        project_id: row.project_id ?? 0,
        pull_count: Number(row.pull_count),
        artifact_count: Number(row.artifact_count ?? 0),
        project_public: Boolean(row.project_public),
      }));
    },

    /**
     * Bytes the registry stores: every blob once by digest (layers and configs, including those no
     * artifact references until garbage collection removes them) plus every distinct manifest once.
     */
    async storageConsumption(): Promise<number> {
      const blobs = await db
        .selectFrom('blobs')
        .select((eb) => eb.fn.sum<number | string | null>('size').as('n'))
        .executeTakeFirstOrThrow();
      const manifests = await db
        .selectFrom(
          db
            .selectFrom('artifacts')
            .select((eb) => ['digest', eb.fn.max('manifest_size').as('size')])
            .groupBy('digest')
            .as('m'),
        )
        .select((eb) => eb.fn.sum<number | string | null>('m.size').as('n'))
        .executeTakeFirstOrThrow();
      return Number(blobs.n ?? 0) + Number(manifests.n ?? 0);
    },

    /** Projects whose repositories a non-admin may list: public ones, memberships, a robot's namespaces. */
    async visibleProjectIds(who: {
      userId?: number;
      robotProjectId?: number;
      robotNamespaces?: string[];
    }): Promise<number[] | undefined> {
      if (who.robotNamespaces?.includes('*')) return undefined;
      const ids = new Set<number>();
      const publicRows = await db
        .selectFrom('project_metadata')
        .select('project_id')
        .where('name', '=', 'public')
        .where('value', '=', 'true')
        .execute();
      for (const row of publicRows) ids.add(row.project_id);
      if (who.userId !== undefined) {
        const rows = await db
          .selectFrom('project_members')
          .select('project_id')
          .where('entity_type', '=', 'u')
          .where('entity_id', '=', who.userId)
          .execute();
        for (const row of rows) ids.add(row.project_id);
      }
      if (who.robotProjectId) ids.add(who.robotProjectId);
      if (who.robotNamespaces && who.robotNamespaces.length > 0) {
        const rows = await db.selectFrom('projects').select('id').where('name', 'in', who.robotNamespaces).execute();
        for (const row of rows) ids.add(row.id);
      }
      return [...ids];
    },
  };
}

export type ArtifactsRepo = ReturnType<typeof createArtifactsRepo>;

function toRepositoryRow(row: {
  id: number;
  name: string;
  project_id: number | null;
  description: string;
  pull_count: number;
  created_at: string;
  updated_at: string;
  artifact_count: number | null;
}): RepositoryRow {
  return {
    ...row,
    project_id: row.project_id ?? 0,
    pull_count: Number(row.pull_count),
    artifact_count: Number(row.artifact_count ?? 0),
  };
}

function toArtifactRow(row: Omit<ArtifactRowView, 'manifest'> & { manifest: Buffer | Uint8Array }): ArtifactRowView {
  return { ...row, size: Number(row.size), manifest: Buffer.from(row.manifest) };
}
