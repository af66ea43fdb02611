import { randomUUID } from 'node:crypto';
import type { Kysely, Selectable } from 'kysely';
import type { Database, ScanReportsTable } from '../../db/index.js';
import { severities } from '../model.js';
import type { VulnerabilityItem } from './reports.js';

// Scan reports in the database: one row per digest, scanner and report type. A scan claims its
// rows in one transaction: a row whose scan is still pending or running refuses a second scan
// of the same digest (409), across replicas; a finished one is replaced. A vulnerability
// report's findings are kept as rows too (scan_vulnerabilities), written with the report in one
// transaction and deleted with it, for the security hub and the CVE export.

export type ReportRow = Selectable<ScanReportsTable>;
export type ScanStatus = 'Pending' | 'Running' | 'Stopped' | 'Error' | 'Success';

/** Rows per INSERT of findings: well under SQLite's and PostgreSQL's bound on parameters. */
const insertBatch = 500;

export const isFinal = (status: string) => status === 'Stopped' || status === 'Error' || status === 'Success';

export interface ReportKey {
  digest: string;
  registrationUuid: string;
  mimeType: string;
}

export function createReportRepo(db: Kysely<Database>) {
  async function reportsOf(digests: string[], registrationUuid: string, mimeTypes: string[]): Promise<ReportRow[]> {
    if (digests.length === 0) return [];
    return db
      .selectFrom('scan_reports')
      .selectAll()
      .where('digest', 'in', digests)
      .where('registration_uuid', '=', registrationUuid)
      .where('mime_type', 'in', mimeTypes)
      .execute();
  }

  return {
    /**
     * Claims a report row for each key (Pending, from `now`); returns the rows claimed, or the
     * status of the first key whose scan is still running.
     */
    async claim(keys: ReportKey[], now: string): Promise<{ claimed: ReportRow[] } | { busy: string }> {
      return db.transaction().execute(async (trx) => {
        const claimed: ReportRow[] = [];
        for (const key of keys) {
          const old = await trx
            .selectFrom('scan_reports')
            .select(['id', 'status'])
            .where('digest', '=', key.digest)
            .where('registration_uuid', '=', key.registrationUuid)
            .where('mime_type', '=', key.mimeType)
            .executeTakeFirst();
          if (old && !isFinal(old.status)) return { busy: old.status };
          if (old) await trx.deleteFrom('scan_reports').where('id', '=', old.id).execute();
          const row = await trx
            .insertInto('scan_reports')
            .values({
              uuid: randomUUID(),
              digest: key.digest,
              registration_uuid: key.registrationUuid,
              mime_type: key.mimeType,
              status: 'Pending',
              job_id: null,
              start_time: now,
              end_time: null,
              summary: null,
              report: null,
              log: null,
            })
            .returningAll()
            .executeTakeFirstOrThrow();
          claimed.push(row);
        }
        return { claimed };
      });
    },

    async byUuid(uuid: string): Promise<ReportRow | undefined> {
      return db.selectFrom('scan_reports').selectAll().where('uuid', '=', uuid).executeTakeFirst();
    },

    async setJob(uuids: string[], jobId: string): Promise<void> {
      if (uuids.length > 0)
        await db.updateTable('scan_reports').set({ job_id: jobId }).where('uuid', 'in', uuids).execute();
    },

    async update(uuid: string, changes: Partial<Omit<ReportRow, 'id' | 'uuid'>>): Promise<void> {
      await db.updateTable('scan_reports').set(changes).where('uuid', '=', uuid).execute();
    },

    /** Stores a finished vulnerability report and its findings' rows, in one transaction. */
    async complete(
      uuid: string,
      changes: Partial<Omit<ReportRow, 'id' | 'uuid'>>,
      vulnerabilities: readonly VulnerabilityItem[],
    ): Promise<void> {
      await db.transaction().execute(async (trx) => {
        const row = await trx
          .updateTable('scan_reports')
          .set(changes)
          .where('uuid', '=', uuid)
          .returning('id')
          .executeTakeFirst();
        if (!row) return;
        await trx.deleteFrom('scan_vulnerabilities').where('report_id', '=', row.id).execute();
        for (let at = 0; at < vulnerabilities.length; at += insertBatch) {
          const values = vulnerabilities.slice(at, at + insertBatch).map((v) => ({
            report_id: row.id,
            cve_id: v.id.slice(0, 128),
            package: v.package.slice(0, 255),
            version: v.version.slice(0, 255),
            fix_version: v.fix_version.slice(0, 255),
            severity: v.severity,
            severity_rank: Math.max(0, severities.indexOf(v.severity)),
            cvss_score_v3: v.preferred_cvss.score_v3 || null,
            cvss_score_v2: v.preferred_cvss.score_v2 || null,
            cvss_vector_v3: v.preferred_cvss.vector_v3.slice(0, 256),
            cvss_vector_v2: v.preferred_cvss.vector_v2.slice(0, 256),
            cwe_ids: v.cwe_ids.join(',').slice(0, 1024),
            description: v.description,
            links: JSON.stringify(v.links),
          }));
          await trx.insertInto('scan_vulnerabilities').values(values).execute();
        }
      });
    },

    /** The reports of these digests by one scanner, without the report bodies (for listings). */
    async summaries(
      digests: string[],
      registrationUuid: string,
      mimeTypes: string[],
    ): Promise<Omit<ReportRow, 'report' | 'log'>[]> {
      if (digests.length === 0) return [];
      return db
        .selectFrom('scan_reports')
        .select([
          'id',
          'uuid',
          'digest',
          'registration_uuid',
          'mime_type',
          'status',
          'job_id',
          'start_time',
          'end_time',
          'summary',
        ])
        .where('digest', 'in', digests)
        .where('registration_uuid', '=', registrationUuid)
        .where('mime_type', 'in', mimeTypes)
        .execute();
    },

    /** Full reports of these digests by one scanner. */
    reports: (digests: string[], registrationUuid: string, mimeTypes: string[]) =>
      reportsOf(digests, registrationUuid, mimeTypes),

    /** Unfinished reports of these digests (to stop their scans). */
    async unfinished(digests: string[], registrationUuid: string, mimeTypes: string[]): Promise<ReportRow[]> {
      return (await reportsOf(digests, registrationUuid, mimeTypes)).filter((row) => !isFinal(row.status));
    },
  };
}

export type ReportRepo = ReturnType<typeof createReportRepo>;
