import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Inventory } from '../scan-seed.js';

// The scan bench's vulnerability database: a synthetic OSV export, zipped with the zip command
// as osv.dev publishes it (one JSON file per advisory, a folder per ecosystem). 300 advisories
// affect what the image holds (190 Debian source packages, its 100 npm packages, its 10 Python
// distributions), each fixed one step after the installed version (every fifth left unfixed);
// the image's other Debian source packages (up to 200) each have one fixed before their
// versions, evaluated but not reported; and 2,500 name packages the image does not hold, so
// lookups run against a table of some size.

export const affectingDebian = 190;
const fixedEarlierDebian = 200;
const absent = 2500;

export interface OsvSeed {
  zip: Buffer;
  /** The ids a report of the image must list: each affecting advisory's CVE. */
  expectedIds: Set<string>;
  advisories: number;
}

type Range = { type: string; events: Record<string, string>[] };

/** Critical, High, Medium and Low in turn (CVSS 3.1 base scores 9.8, 7.5, 5.3, 3.1). */
const vectors = [
  'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H',
  'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N',
  'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:L/I:N/A:N',
  'CVSS:3.1/AV:N/AC:H/PR:N/UI:R/S:U/C:L/I:N/A:N',
];

const cve = (n: number) => `CVE-2099-${String(10000 + n)}`;

function advisory(n: number, id: string, ecosystem: string, name: string, range: Range) {
  return {
    schema_version: '1.6.0',
    id,
    aliases: id === cve(n) ? [] : [cve(n)],
    modified: '2026-01-01T00:00:00Z',
    published: '2025-06-01T00:00:00Z',
    summary: `scan bench advisory ${n} for ${name}`,
    details: `A synthetic advisory of Berth's scan bench: ${name} before the fixed version is affected.`,
    severity: [{ type: 'CVSS_V3', score: vectors[n % vectors.length] }],
    affected: [{ package: { ecosystem, name }, ranges: [range] }],
    references: [{ type: 'ADVISORY', url: `https://example.org/advisories/${id}` }],
  };
}

const range = (type: string, fixed: string | undefined): Range => ({
  type,
  events: [{ introduced: '0' }, ...(fixed === undefined ? [] : [{ fixed }])],
});

/** One step after a version, in each ordering: dpkg sorts `+x` after the end; PEP 440 a post-release. */
const after = {
  debian: (v: string) => `${v}+bench1`,
  npm: (v: string) => v.replace(/(\d+)$/, (patch) => String(Number(patch) + 1)),
  pypi: (v: string) => `${v}.post1`,
};

type Doc = { folder: string; doc: ReturnType<typeof advisory> };

/** The advisories by folder, the affecting ones first (numbered 0 to `affecting` - 1). */
function advisories(inventory: Inventory): { docs: Doc[]; affecting: number } {
  const docs: Doc[] = [];
  const add = (folder: string, id: (n: number) => string, ecosystem: string, name: string, affected: Range) =>
    docs.push({ folder, doc: advisory(docs.length, id(docs.length), ecosystem, name, affected) });
  const fixedOrNot = (fixed: string) => (docs.length % 5 === 4 ? undefined : fixed);
  const sources = [...new Map(inventory.dpkg.map((p) => [p.source, p.sourceVersion])).entries()];
  for (const [source, version] of sources.slice(0, affectingDebian))
    add('debian', cve, 'Debian:12', source, range('ECOSYSTEM', fixedOrNot(after.debian(version))));
  const ghsa = (n: number) => `GHSA-bnch-${String(n).padStart(4, '0')}-xxxx`;
  for (const pkg of inventory.npm)
    add('npm', ghsa, 'npm', pkg.name, range('SEMVER', fixedOrNot(after.npm(pkg.version))));
  const pysec = (n: number) => `PYSEC-2099-${n}`;
  for (const pkg of inventory.python)
    add('pypi', pysec, 'PyPI', pkg.name, range('ECOSYSTEM', fixedOrNot(after.pypi(pkg.version))));
  const affecting = docs.length;
  for (const [source] of sources.slice(affectingDebian, affectingDebian + fixedEarlierDebian))
    add('debian', cve, 'Debian:12', source, range('ECOSYSTEM', '0.0.1-1'));
  const absentKinds = [
    ['debian', 'Debian:12', 'ECOSYSTEM'],
    ['npm', 'npm', 'SEMVER'],
    ['pypi', 'PyPI', 'ECOSYSTEM'],
  ] as const;
  for (let k = 0; k < absent; k++) {
    const [folder, ecosystem, type] = absentKinds[k % 3]!;
    add(folder, cve, ecosystem, `bench-absent-${k}`, range(type, '1.0.0'));
  }
  return { docs, affecting };
}

/** Writes the advisories to a temporary folder, zips them and returns the archive. */
export function osvDatabase(inventory: Inventory): OsvSeed {
  const { docs, affecting } = advisories(inventory);
  const dir = mkdtempSync(join(tmpdir(), 'berth-bench-osv-'));
  try {
    for (const folder of new Set(docs.map((d) => d.folder))) mkdirSync(join(dir, folder));
    for (const { folder, doc } of docs) writeFileSync(join(dir, folder, `${doc.id}.json`), JSON.stringify(doc));
    execFileSync('zip', ['-q', '-r', 'osv.zip', 'debian', 'npm', 'pypi'], { cwd: dir });
    return {
      zip: readFileSync(join(dir, 'osv.zip')),
      expectedIds: new Set(Array.from({ length: affecting }, (_, i) => cve(i))),
      advisories: docs.length,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
