import type { Finding, Package } from '../model.js';
import type { VersionCompare } from '../versions/index.js';
import { rank } from './severity.js';

// Several advisories can name one vulnerability of one package (Debian's DSA and its CVE
// record, a GHSA and the CVE it aliases): the scanner reports it once, with every alias and
// link, the highest severity (with that record's CVSS), and the fix that closes all of them.

const union = (a: string[], b: string[]) => [...new Set([...a, ...b])];

function merge(kept: Finding, other: Finding, order: VersionCompare | undefined): Finding {
  const moreSevere = rank(other.severity) > rank(kept.severity);
  const fixVersion = laterFix(kept.fixVersion, other.fixVersion, order);
  return {
    ...kept,
    aliases: union(kept.aliases, other.aliases).filter((a) => a !== kept.id),
    severity: moreSevere ? other.severity : kept.severity,
    ...(moreSevere || !kept.cvss ? (other.cvss ? { cvss: other.cvss } : {}) : {}),
    ...(fixVersion === undefined ? {} : { fixVersion }),
    summary: kept.summary || other.summary,
    description: kept.description || other.description,
    links: union(kept.links, other.links),
    cweIds: union(kept.cweIds, other.cweIds),
  };
}

/** The fix of both records: the later one (an unreadable version keeps the first). */
function laterFix(a: string | undefined, b: string | undefined, order: VersionCompare | undefined): string | undefined {
  if (a === undefined || b === undefined || !order) return a ?? b;
  try {
    return order(a, b) >= 0 ? a : b;
  } catch {
    return a;
  }
}

/** One finding per package and vulnerability id, in the order first found. */
export function mergeFindings(findings: Finding[], orderOf: (pkg: Package) => VersionCompare | undefined): Finding[] {
  const byPackage = new Map<Package, Map<string, Finding>>();
  for (const finding of findings) {
    const ids = byPackage.get(finding.package) ?? new Map<string, Finding>();
    byPackage.set(finding.package, ids);
    const kept = ids.get(finding.id);
    ids.set(finding.id, kept ? merge(kept, finding, orderOf(finding.package)) : finding);
  }
  return [...byPackage.values()].flatMap((ids) => [...ids.values()]);
}
