import type { Kysely } from 'kysely';
import type { Database } from '../db/index.js';
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

export function createAuditLog({ db, clock, logger }: { db: Kysely<Database>; clock: Clock; logger: Logger }) {
  return {
    async record(entry: AuditRecord): Promise<void> {
      try {
        await db
          .insertInto('audit_logs')
          .values({
            project_id: entry.projectId ?? 0,
            operation: entry.operation,
            resource_type: entry.resourceType,
            resource: entry.resource.slice(0, 1024),
            username: entry.username,
            op_time: isoNow(clock),
            client_ip: entry.clientIp ?? null,
            success: entry.success === false ? 0 : 1,
          })
          .execute();
      } catch (err) {
        logger.error({ err, entry }, 'could not write the audit log');
      }
    },

    list: (query: AuditQuery) => listAuditEntries(db, query),
    adminProjectIds: (userId: number) => adminProjectIds(db, userId),
  };
}

export type AuditLog = ReturnType<typeof createAuditLog>;
