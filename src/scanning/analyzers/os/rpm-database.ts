import SQLite from 'better-sqlite3';
import { parseRpmHeader, RpmHeaderError, rpmTags } from './rpm-header.js';

// The packages of rpm's SQLite database (rpmdb.sqlite, rpm 4.16 and later; the default of
// Fedora 33+, RHEL 9 and its rebuilds, openSUSE): table Packages(hnum, blob), one header blob
// a package. Read from memory: a layer's files are never written to disk.

export interface RpmEntry {
  name: string;
  /** Absent when the package has no EPOCH tag (which rpm orders as 0). */
  epoch?: number;
  version: string;
  release: string;
  arch: string;
  license: string;
  /** SOURCERPM, e.g. 'openssl-3.0.7-27.el9.src.rpm'. */
  sourceRpm: string;
}

export interface RpmDatabase {
  entries: RpmEntry[];
  problems: string[];
}

const sqliteMagic = Buffer.from('SQLite format 3\0', 'latin1');

/**
 * Opens the database from memory. SQLite refuses to deserialize a database whose header says
 * WAL (bytes 18 and 19 are 2), as rpm leaves it; better-sqlite3 copies the buffer, so those two
 * bytes are set to 1 (rollback journal, which changes nothing else about the pages) for the
 * copy and put back at once, rather than copying a database of up to 256 MiB once more.
 */
function openFromMemory(content: Buffer): SQLite.Database {
  const wal = content.length >= 20 && content[18] === 2 && content[19] === 2;
  if (wal) content.fill(1, 18, 20);
  try {
    return new SQLite(content, { readonly: true });
  } finally {
    if (wal) content.fill(2, 18, 20);
  }
}

function entryOf(blob: Buffer): RpmEntry {
  const header = parseRpmHeader(blob);
  const name = header.string(rpmTags.name);
  const version = header.string(rpmTags.version);
  if (!name || version === undefined) throw new RpmHeaderError('header has no NAME or VERSION');
  const epoch = header.int32(rpmTags.epoch);
  return {
    name,
    ...(epoch !== undefined && { epoch }),
    version,
    release: header.string(rpmTags.release) ?? '',
    arch: header.string(rpmTags.arch) ?? '',
    license: header.string(rpmTags.license) ?? '',
    sourceRpm: header.string(rpmTags.sourceRpm) ?? '',
  };
}

/** Reads every package header; a database SQLite cannot open, or bad headers, become problems. */
export function readRpmDatabase(content: Buffer, path: string): RpmDatabase {
  if (!content.subarray(0, sqliteMagic.length).equals(sqliteMagic)) {
    return { entries: [], problems: [`${path} is not a SQLite database`] };
  }
  let db: SQLite.Database;
  try {
    db = openFromMemory(content);
  } catch (err) {
    return { entries: [], problems: [`${path} is not a readable SQLite database (${(err as Error).message})`] };
  }
  const entries: RpmEntry[] = [];
  const problems: string[] = [];
  try {
    const rows = db.prepare('SELECT hnum, blob FROM Packages ORDER BY hnum').iterate() as IterableIterator<{
      hnum: number;
      blob: unknown;
    }>;
    for (const row of rows) {
      try {
        if (!Buffer.isBuffer(row.blob)) throw new RpmHeaderError('blob is not binary');
        entries.push(entryOf(row.blob));
      } catch (err) {
        if (!(err instanceof RpmHeaderError)) throw err;
        problems.push(`${path}: package header ${row.hnum} is corrupt (${err.message}) and is skipped`);
      }
    }
  } catch (err) {
    problems.push(`${path}: its Packages table cannot be read (${(err as Error).message})`);
  } finally {
    db.close();
  }
  return { entries, problems };
}
