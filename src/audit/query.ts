import { sql, type Kysely } from 'kysely';
import type { Database } from '../db/index.js';
import { containsIgnoringCase } from '../db/index.js';
import { BerthError } from '../shared/errors.js';

// Reading the audit log: Harbor's `q` keys (operation, resource_type, resource,
// username, op_time range), sorting and paging, optionally within some projects.

export type AuditTerm =
  | { key: AuditTextKey; kind: 'exact' | 'fuzzy'; value: string }
  | { key: AuditTextKey; kind: 'or'; values: string[] }
  | { key: 'op_time'; kind: 'range'; min?: string; max?: string };

export type AuditTextKey = 'operation' | 'resource_type' | 'resource' | 'username';

export interface AuditQuery {
  /** Undefined: every project (and system-level entries). */
  projectIds?: number[];
  terms: AuditTerm[];
  sort: { column: string; desc: boolean }[];
  offset: number;
  limit: number;
}

export interface AuditEntry {
  id: number;
  username: string;
  resource: string;
  resource_type: string;
  operation: string;
  op_time: string;
}

export const auditSortKeys = ['op_time', 'id', 'operation', 'resource', 'resource_type', 'username'] as const;

/** Harbor's time literals ("2020-04-09 02:36:00", UTC) or ISO-8601, as the stored ISO strings. */
export function auditTime(value: string): string {
  const text = value.replace(/^["']|["']$/g, '');
  const normalised = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/.test(text) ? `${text.replace(' ', 'T')}Z` : text;
  const time = new Date(normalised);
  if (Number.isNaN(time.getTime()))
    throw new BerthError('BAD_REQUEST', `invalid time "${value.slice(0, 60)}" in op_time; use "2006-01-02 15:04:05"`);
  return time.toISOString();
}

export async function listAuditEntries(
  db: Kysely<Database>,
  query: AuditQuery,
): Promise<{ items: AuditEntry[]; total: number }> {
  const base = () => {
    let q = db.selectFrom('audit_logs');
    if (query.projectIds !== undefined)
      q = q.where('project_id', 'in', query.projectIds.length > 0 ? query.projectIds : [-1]);
    for (const term of query.terms) {
      if (term.kind === 'range') {
        if (term.min) q = q.where('op_time', '>=', auditTime(term.min));
        if (term.max) q = q.where('op_time', '<=', auditTime(term.max));
      } else if (term.kind === 'or') {
        q = q.where(term.key, 'in', term.values.length > 0 ? term.values : ['']);
      } else if (term.kind === 'fuzzy') {
        q = q.where(containsIgnoringCase(sql.ref(term.key), term.value));
      } else {
        q = q.where(term.key, '=', term.value);
      }
    }
    return q;
  };
  const total = await base()
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();
  let rows = base().select(['id', 'username', 'resource', 'resource_type', 'operation', 'op_time']);
  const order = query.sort.length > 0 ? query.sort : [{ column: 'op_time', desc: true }];
  for (const s of order) rows = rows.orderBy(s.column as (typeof auditSortKeys)[number], s.desc ? 'desc' : 'asc');
  const items = await rows.orderBy('id', 'desc').limit(query.limit).offset(query.offset).execute();
  return { items, total: Number(total.n) };
}

/** Projects in which the user is a project admin: what a non-admin sees in /audit-logs (Harbor). */
export async function adminProjectIds(db: Kysely<Database>, userId: number): Promise<number[]> {
  const rows = await db
    .selectFrom('project_members')
    .select('project_id')
    .where('entity_type', '=', 'u')
    .where('entity_id', '=', userId)
    .where('role', '=', 1)
    .execute();
  return rows.map((row) => row.project_id);
}
