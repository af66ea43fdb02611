import type { Kysely, Selectable } from 'kysely';
import type { Database, VulnAdvisoriesTable } from '../../db/index.js';
import type { Analysis, Finding, Package, Severity, VulnDb, VulnDbStatus } from '../model.js';
import { compareSemver, versionOrder, type VersionCompare } from '../versions/index.js';
import { mergeFindings } from './dedup.js';
import type { OsvRange } from './osv.js';
import { affects } from './ranges.js';
import { lookupNames, lookupVersion, scopeOf, type EcosystemScope } from './scope.js';
import { createStreamCatalog } from './stream-catalog.js';

// The scanner's vulnerability database over the imported OSV advisories: each package is
// looked up in its scope (scope.ts: an OS package under the distribution's release, 'Debian:12'
// by its source package, or a RHEL image's Red Hat streams by binary and source RPM; a library
// under its plain ecosystem, 'npm'), the lookups batched per scope, and every affected entry
// evaluated with the ecosystem's own version order. Packages of an ecosystem without a version
// order are not matched.

/** Package names per query: bounded bound parameters, few round trips. */
const namesPerQuery = 500;

interface Lookup {
  pkg: Package;
  scope: EcosystemScope;
  /** The names its advisories may be filed under, most specific first. */
  keys: string[];
  version: string;
  order: VersionCompare;
}

interface AffectedRow {
  advisory_id: string;
  package_name: string;
  ranges: string;
  versions: string;
}

function lookupOf(pkg: Package, analysis: Analysis): Lookup | undefined {
  const scope = scopeOf(pkg, analysis.os);
  const order = scope && versionOrder(scope.name);
  if (!scope || !order) return undefined;
  return { pkg, scope, keys: lookupNames(pkg, scope), version: lookupVersion(pkg), order };
}

/** Appends a value to the list under its key. */
function addTo<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

const parseList = (json: string): string[] => JSON.parse(json) as string[];

/** The finding's id: the CVE when the advisory is one or names exactly one, else the OSV id. */
export function findingId(osvId: string, aliases: string[]): string {
  if (osvId.startsWith('CVE-')) return osvId;
  const cves = aliases.filter((a) => a.startsWith('CVE-'));
  return cves.length === 1 ? cves[0]! : osvId;
}

function finding(advisory: Selectable<VulnAdvisoriesTable>, pkg: Package, fixVersion: string | undefined): Finding {
  const osvAliases = parseList(advisory.aliases);
  const id = findingId(advisory.id, osvAliases);
  const cvss: NonNullable<Finding['cvss']> = {};
  if (advisory.cvss_v3_score !== null) cvss.scoreV3 = advisory.cvss_v3_score;
  if (advisory.cvss_v3_vector !== null) cvss.vectorV3 = advisory.cvss_v3_vector;
  if (advisory.cvss_v2_score !== null) cvss.scoreV2 = advisory.cvss_v2_score;
  if (advisory.cvss_v2_vector !== null) cvss.vectorV2 = advisory.cvss_v2_vector;
  return {
    id,
    aliases: [...new Set([advisory.id, ...osvAliases])].filter((a) => a !== id),
    package: pkg,
    ...(fixVersion === undefined ? {} : { fixVersion }),
    severity: advisory.severity as Severity,
    ...(Object.keys(cvss).length > 0 ? { cvss } : {}),
    summary: advisory.summary,
    description: advisory.details,
    links: parseList(advisory.reference_urls),
    cweIds: parseList(advisory.cwe_ids),
  };
}

export function createVulnDb(db: Kysely<Database>): VulnDb {
  const ecosystemsOf = createStreamCatalog(db);

  /** The affected rows and their (not withdrawn) advisories for some names in some ecosystems. */
  async function affectedOf(ecosystems: string[], names: string[]) {
    const rows: AffectedRow[] = [];
    const advisories = new Map<string, Selectable<VulnAdvisoriesTable>>();
    if (ecosystems.length === 0) return { rows, advisories };
    for (let i = 0; i < names.length; i += namesPerQuery) {
      const found = await db
        .selectFrom('vuln_affected as f')
        .innerJoin('vuln_advisories as a', 'a.id', 'f.advisory_id')
        .selectAll('a')
        .select(['f.advisory_id', 'f.package_name', 'f.ranges', 'f.versions'])
        .where('f.ecosystem', 'in', ecosystems)
        .where('f.package_name', 'in', names.slice(i, i + namesPerQuery))
        .where('a.withdrawn', 'is', null)
        .execute();
      for (const row of found) {
        rows.push(row);
        advisories.set(row.id, row);
      }
    }
    return { rows, advisories };
  }

  async function matchScope(scope: EcosystemScope, lookups: Lookup[]): Promise<Finding[]> {
    const names = [...new Set(lookups.flatMap((l) => l.keys))];
    const { rows, advisories } = await affectedOf(await ecosystemsOf(scope), names);
    const byName = new Map<string, AffectedRow[]>();
    for (const row of rows) addTo(byName, row.package_name, row);
    const findings: Finding[] = [];
    for (const lookup of lookups) {
      for (const row of lookup.keys.flatMap((key) => byName.get(key) ?? [])) {
        const entry = { ranges: JSON.parse(row.ranges) as OsvRange[], versions: parseList(row.versions) };
        const verdict = affects(entry, lookup.version, { ecosystem: lookup.order, semver: compareSemver });
        if (verdict) findings.push(finding(advisories.get(row.advisory_id)!, lookup.pkg, verdict.fixVersion));
      }
    }
    return findings;
  }

  return {
    async match(analysis) {
      const byScope = new Map<string, Lookup[]>();
      for (const pkg of analysis.packages) {
        const lookup = lookupOf(pkg, analysis);
        if (lookup) addTo(byScope, lookup.scope.name, lookup);
      }
      const findings: Finding[] = [];
      const orders = new Map<Package, VersionCompare>();
      for (const lookups of byScope.values()) {
        for (const lookup of lookups) orders.set(lookup.pkg, lookup.order);
        findings.push(...(await matchScope(lookups[0]!.scope, lookups)));
      }
      return mergeFindings(findings, (pkg) => orders.get(pkg));
    },

    async status(): Promise<VulnDbStatus> {
      const last = await db
        .selectFrom('vuln_db_meta')
        .select('imported_at')
        .orderBy('id', 'desc')
        .limit(1)
        .executeTakeFirst();
      const counts = await db
        .selectFrom('vuln_advisories')
        .select((eb) => [eb.fn.countAll<number | string>().as('advisories'), eb.fn.max('modified').as('updatedAt')])
        .where('withdrawn', 'is', null)
        .executeTakeFirstOrThrow();
      const ecosystems = await db.selectFrom('vuln_affected').select('ecosystem').distinct().execute();
      return {
        ...(last ? { importedAt: last.imported_at } : {}),
        ...(counts.updatedAt ? { updatedAt: counts.updatedAt } : {}),
        advisories: Number(counts.advisories),
        ecosystems: [...new Set(ecosystems.map((e) => e.ecosystem.split(':')[0]!))].sort(),
      };
    },
  };
}
