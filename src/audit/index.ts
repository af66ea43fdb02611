import type { Insertable, Kysely } from 'kysely';
import type { AuditLogsTable, Database } from '../db/index.js';
import { isoNow, type Clock } from '../shared/clock.js';
import type { Logger } from '../shared/logger.js';
import { adminProjectIds, listAuditEntries, type AuditQuery } from './query.js';

export { auditSortKeys, type AuditEntry, type AuditQuery, type AuditTerm, type AuditTextKey } from './query.js';
export { createAuditSubscriber } from './subscriber.js';

// The audit log: who did what to which resource, when, from where. Writes never fail
// the operation they record; they are logged instead.

export type AuditOperation = 'create' | 'delete' | 'update' | 'pull' | 'push' | 'login' | 'login_failed';

export interface AuditRecord {
  operation: AuditOperation;
  /** Harbor's resource types: project, repository, artifact, tag, member, robot, user, ... */
  resourceType: string;
  /** e.g. "library/hello:v1", "library/hello@sha256:…", a project or user name. */
  resource: string;
  username: string;
  projectId?: number;
  clientIp?: string;
  success?: boolean;
}

/** Pulls are the hot path: their entries are written in batches, at most this long after the pull. */
const pullFlushMs = 250;

export function createAuditLog({ db, clock, logger }: { db: Kysely<Database>; clock: Clock; logger: Logger }) {
  let pendingPulls: Insertable<AuditLogsTable>[] = [];
  let flushTimer: NodeJS.Timeout | undefined;

  const rowOf = (entry: AuditRecord): Insertable<AuditLogsTable> => ({
    project_id: entry.projectId ?? 0,
    operation: entry.operation,
    resource_type: entry.resourceType,
    resource: entry.resource.slice(0, 1024),
    username: entry.username,
    op_time: isoNow(clock),
    client_ip: entry.clientIp ?? null,
    success: entry.success === false ? 0 : 1,
  });

  async function insert(rows: Insertable<AuditLogsTable>[]): Promise<void> {
    if (rows.length === 0) return;
    try {
      await db.insertInto('audit_logs').values(rows).execute();
    } catch (err) {
      logger.error({ err, entries: rows.length }, 'could not write the audit log');
    }
  }

  async function flushPulls(): Promise<void> {
    flushTimer = undefined;
    const rows = pendingPulls;
    pendingPulls = [];
    // Keep each statement well under SQLite's bound-parameter limit.
    for (let i = 0; i < rows.length; i += 100) await insert(rows.slice(i, i + 100));
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
