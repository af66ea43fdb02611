import type { Insertable, Kysely } from 'kysely';
import type { Database, VulnAdvisoriesTable, VulnAffectedTable } from '../../db/index.js';
import { packageKey } from './names.js';
import type { OsvAdvisory } from './osv.js';
import { advisorySeverity } from './severity.js';

// Writing advisories: one transaction per batch, an advisory replaced (with its affected rows)
// only when its `modified` is newer than the stored one, so importing the same set again
// changes nothing.

export interface BatchCounts {
  imported: number;
  updated: number;
  unchanged: number;
}

/** Rows per INSERT: well under SQLite's and PostgreSQL's bound-parameter limits. */
const rowsPerInsert = 500;

function cweIds(advisory: OsvAdvisory): string[] {
  const ids = advisory.database_specific?.cwe_ids;
  return Array.isArray(ids) ? ids.filter((id): id is string => typeof id === 'string') : [];
}

export function advisoryRow(advisory: OsvAdvisory): Insertable<VulnAdvisoriesTable> {
  const { severity, cvss } = advisorySeverity(advisory);
  return {
    id: advisory.id,
    modified: advisory.modified,
    published: advisory.published ?? null,
    withdrawn: advisory.withdrawn ?? null,
    aliases: JSON.stringify(advisory.aliases),
    summary: advisory.summary,
    details: advisory.details,
    severity,
    cvss_v3_score: cvss.scoreV3 ?? null,
    cvss_v3_vector: cvss.vectorV3 ?? null,
    cvss_v2_score: cvss.scoreV2 ?? null,
    cvss_v2_vector: cvss.vectorV2 ?? null,
    cwe_ids: JSON.stringify(cweIds(advisory)),
    reference_urls: JSON.stringify([...new Set(advisory.references.map((r) => r.url))]),
  };
}

export function affectedRows(advisory: OsvAdvisory): Insertable<VulnAffectedTable>[] {
  return advisory.affected.map((affected) => ({
    advisory_id: advisory.id,
    ecosystem: affected.package.ecosystem,
    package_name: packageKey(affected.package.ecosystem, affected.package.name),
    ranges: JSON.stringify(affected.ranges),
    versions: JSON.stringify(affected.versions),
    fixed_versions: JSON.stringify(
      affected.ranges.flatMap((r) => r.events.flatMap((e) => ('fixed' in e ? [e.fixed] : []))),
    ),
  }));
}

/** The newest record of each id in the batch (a source may hold one id twice). */
function newestById(batch: OsvAdvisory[]): Map<string, OsvAdvisory> {
  const byId = new Map<string, OsvAdvisory>();
  for (const advisory of batch) {
    const seen = byId.get(advisory.id);
    if (!seen || seen.modified < advisory.modified) byId.set(advisory.id, advisory);
  }
  return byId;
}

async function insertChunked<T>(rows: T[], insert: (chunk: T[]) => Promise<unknown>): Promise<void> {
  for (let i = 0; i < rows.length; i += rowsPerInsert) await insert(rows.slice(i, i + rowsPerInsert));
}

/** Writes a batch in one transaction: new advisories inserted, newer ones replaced, the rest left. */
export async function writeBatch(db: Kysely<Database>, batch: OsvAdvisory[]): Promise<BatchCounts> {
  const byId = newestById(batch);
  const counts: BatchCounts = { imported: 0, updated: 0, unchanged: batch.length - byId.size };
  if (byId.size === 0) return counts;
  await db.transaction().execute(async (trx) => {
    const stored = await trx
      .selectFrom('vuln_advisories')
      .select(['id', 'modified'])
      .where('id', 'in', [...byId.keys()])
      .execute();
    const storedModified = new Map(stored.map((row) => [row.id, row.modified]));
    const writes: OsvAdvisory[] = [];
    const replaced: string[] = [];
    for (const advisory of byId.values()) {
      const modified = storedModified.get(advisory.id);
      // Both are ISO 8601 UTC as parseAdvisory normalised them: strings order as times.
      if (modified !== undefined && modified >= advisory.modified) {
        counts.unchanged++;
        continue;
      }
      if (modified === undefined) counts.imported++;
      else {
        counts.updated++;
        replaced.push(advisory.id);
      }
      writes.push(advisory);
    }
    if (replaced.length > 0) {
      await trx.deleteFrom('vuln_affected').where('advisory_id', 'in', replaced).execute();
      await trx.deleteFrom('vuln_advisories').where('id', 'in', replaced).execute();
    }
    await insertChunked(writes.map(advisoryRow), (rows) => trx.insertInto('vuln_advisories').values(rows).execute());
    await insertChunked(writes.flatMap(affectedRows), (rows) => trx.insertInto('vuln_affected').values(rows).execute());
  });
  return counts;
}
