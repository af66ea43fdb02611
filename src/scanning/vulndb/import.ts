import type { Kysely } from 'kysely';
import type { Database } from '../../db/index.js';
import { systemClock, type Clock } from '../../shared/clock.js';
import { InvalidAdvisory, parseAdvisory, type OsvAdvisory } from './osv.js';
import { defaultMaxEntryBytes, openAdvisorySource } from './sources.js';
import { writeBatch } from './store.js';

// `berth vulndb import`: reads OSV advisories from a zip, a directory or a file, validates
// each, and writes them in batches (one transaction each), reporting progress as it goes.
// Invalid records are skipped and counted, with the first few reasons kept for the operator.

export interface ImportSummary {
  /** Advisories new to the database. */
  imported: number;
  /** Advisories replaced by a newer `modified`. */
  updated: number;
  /** Advisories already stored with the same or a newer `modified`. */
  unchanged: number;
  /** Entries that were not valid OSV advisories (or too large). */
  skipped: number;
  /** The first few reasons for skipping ('name: reason'). */
  skippedReasons: string[];
  /** Advisories marked withdrawn (stored, never matched). */
  withdrawn: number;
  /** OSV ecosystems of the advisories read, without release ('Debian', 'npm'), sorted. */
  ecosystems: string[];
}

export interface ImportOptions {
  /** Advisories per transaction. */
  batchSize?: number;
  maxEntryBytes?: number;
  /** Called as entries are read: entries done, entries in the source. */
  onProgress?: (done: number, total: number) => void;
  clock?: Clock;
  /** What the import is recorded as coming from (default: `path`), e.g. the name of an uploaded file. */
  source?: string;
}

const reasonsKept = 5;

/** Imports the advisories at `path` (an OSV all.zip, a directory of *.json, or one .json file). */
export async function importAdvisories(
  db: Kysely<Database>,
  path: string,
  options: ImportOptions = {},
): Promise<ImportSummary> {
  const batchSize = options.batchSize ?? 500;
  const source = await openAdvisorySource(path, options.maxEntryBytes ?? defaultMaxEntryBytes);
  const summary: ImportSummary = {
    imported: 0,
    updated: 0,
    unchanged: 0,
    skipped: 0,
    skippedReasons: [],
    withdrawn: 0,
    ecosystems: [],
  };
  const ecosystems = new Set<string>();
  const skip = (name: string, reason: string) => {
    summary.skipped++;
    if (summary.skippedReasons.length < reasonsKept) summary.skippedReasons.push(`${name}: ${reason}`);
  };
  let batch: OsvAdvisory[] = [];
  const flush = async () => {
    const counts = await writeBatch(db, batch);
    summary.imported += counts.imported;
    summary.updated += counts.updated;
    summary.unchanged += counts.unchanged;
    batch = [];
  };
  let done = 0;
  try {
    for await (const entry of source.entries()) {
      done++;
      if (entry.problem !== undefined) skip(entry.name, entry.problem);
      else if (entry.text !== undefined) {
        const advisory = parseEntry(entry.text, entry.name, skip);
        if (advisory) {
          if (advisory.withdrawn) summary.withdrawn++;
          for (const a of advisory.affected) ecosystems.add(a.package.ecosystem.split(':')[0]!);
          batch.push(advisory);
          if (batch.length >= batchSize) await flush();
        }
      }
      options.onProgress?.(done, source.total);
    }
    if (batch.length > 0) await flush();
  } finally {
    await source.close();
  }
  summary.ecosystems = [...ecosystems].sort();
  await db
    .insertInto('vuln_db_meta')
    .values({
      imported_at: (options.clock ?? systemClock).now().toISOString(),
      source: options.source ?? path,
      imported: summary.imported,
      updated: summary.updated,
      unchanged: summary.unchanged,
      skipped: summary.skipped,
      withdrawn: summary.withdrawn,
    })
    .execute();
  return summary;
}

function parseEntry(text: string, name: string, skip: (name: string, reason: string) => void): OsvAdvisory | undefined {
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch (err) {
    skip(name, `not JSON (${(err as Error).message.slice(0, 80)})`);
    return undefined;
  }
  try {
    return parseAdvisory(document);
  } catch (err) {
    if (!(err instanceof InvalidAdvisory)) throw err;
    skip(name, err.message);
    return undefined;
  }
}

/** The summary as one line for the CLI. */
export function describeImport(summary: ImportSummary): string {
  return (
    `${summary.imported} imported, ${summary.updated} updated, ${summary.unchanged} unchanged, ` +
    `${summary.skipped} skipped, ${summary.withdrawn} withdrawn; ecosystems: ${summary.ecosystems.join(', ') || 'none'}`
  );
}
