import type { CompiledQuery, Insertable, Kysely } from 'kysely';
import type { AuditLogsTable, Database } from '../db/index.js';
import type { Clock } from '../shared/clock.js';
import type { Logger } from '../shared/logger.js';
import type { AuditRecord } from './types.js';
import type { Feature } from '../feature.js';
import { createAuditSubscriber, auditedEvents, type AuditSubscriberDeps } from './subscriber.js';
import { subscriber } from '../shared/events.js';
import { adminProjectIds, listAuditEntries, type AuditQuery } from './query.js';

export { auditSortKeys, type AuditEntry, type AuditQuery, type AuditTerm, type AuditTextKey } from './query.js';
export { createAuditSubscriber } from './subscriber.js';
export type { AuditOperation, AuditRecord } from './types.js';

// The audit log: who did what to which resource, when, from where. Writes never fail
// the operation they record; they are logged instead.

/** Pulls are the hot path: their entries are written in batches, at most this long after the pull. */
const pullFlushMs = 250;
/** Rows per INSERT: each statement stays well under SQLite's bound-parameter limit. */
const batchRows = 100;
const columns = [
  'project_id',
  'operation',
  'resource_type',
  'resource',
  'username',
  'op_time',
  'client_ip',
  'success',
] as const;
type Row = Insertable<AuditLogsTable>;

export function createAuditLog({ db, clock, logger }: { db: Kysely<Database>; clock: Clock; logger: Logger }) {
  let pendingPulls: Row[] = [];
  let flushTimer: NodeJS.Timeout | undefined;
  let lastMs = Number.NaN;
  let lastIso = '';
  /** A burst of pulls shares its millisecond: toISOString once per millisecond, not per pull. */
  const opTime = () => {
    const now = clock.now();
    const ms = now.getTime();
    if (ms !== lastMs) {
      lastMs = ms;
      lastIso = now.toISOString();
    }
    return lastIso;
  };

  const rowOf = (entry: AuditRecord): Row => ({
    project_id: entry.projectId ?? 0,
    operation: entry.operation,
    resource_type: entry.resourceType,
    resource: entry.resource.slice(0, 1024),
    username: entry.username,
    op_time: opTime(),
    client_ip: entry.clientIp ?? null,
    success: entry.success === false ? 0 : 1,
  });

  // Building and compiling an INSERT of n rows costs more than running it (profile in
  // docs/performance.md): one compiled statement per batch size, its parameters row by row.
  const compiled = new Map<number, CompiledQuery>();
  function insertQuery(n: number): CompiledQuery {
    let query = compiled.get(n);
    if (!query) {
      const placeholders = Array.from(
        { length: n },
        (_, i) => Object.fromEntries(columns.map((c) => [c, `?${i}.${c}`])) as unknown as Row,
      );
      query = db.insertInto('audit_logs').values(placeholders).compile();
      if (query.parameters.join() !== placeholders.flatMap((row) => columns.map((c) => row[c])).join())
        throw new Error('audit insert: unexpected parameter order');
      compiled.set(n, query);
    }
    return query;
  }

  async function insert(rows: Row[]): Promise<void> {
    if (rows.length === 0) return;
    try {
      await db.executeQuery({
        ...insertQuery(rows.length),
        parameters: rows.flatMap((row) => columns.map((c) => row[c])),
      });
    } catch (err) {
      logger.error({ err, entries: rows.length }, 'could not write the audit log');
    }
  }

  async function flushPulls(): Promise<void> {
    flushTimer = undefined;
    const rows = pendingPulls;
    pendingPulls = [];
    for (let i = 0; i < rows.length; i += batchRows) await insert(rows.slice(i, i + batchRows));
  }

  return {
    /** Writes an entry; never throws (a failed write is logged, not the operation's failure). */
    async record(entry: AuditRecord): Promise<void> {
      if (entry.operation !== 'pull') return insert([rowOf(entry)]);
      pendingPulls.push(rowOf(entry));
      flushTimer ??= setTimeout(() => void flushPulls(), pullFlushMs);
    },

    /** Writes what is still buffered; call before the database closes. */
    async close(): Promise<void> {
      if (flushTimer) clearTimeout(flushTimer);
      await flushPulls();
    },

    list: (query: AuditQuery) => listAuditEntries(db, query),
    adminProjectIds: (userId: number) => adminProjectIds(db, userId),
  };
}

export type AuditLog = ReturnType<typeof createAuditLog>;

/** Audit as a feature: the first event subscriber (in the publishing process; its writes are batched). */
export function auditFeature(audit: AuditLog, deps: Pick<AuditSubscriberDeps, 'projectIdOf'>): Feature {
  const handle = createAuditSubscriber({ record: audit.record, projectIdOf: deps.projectIdOf });
  return {
    name: 'audit',
    subscribers: [subscriber({ name: 'audit', events: auditedEvents, delivery: 'local', handle })],
    close: () => audit.close(),
  };
}
