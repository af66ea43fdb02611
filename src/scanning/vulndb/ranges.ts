import type { VersionCompare } from '../versions/index.js';
import type { OsvEvent, OsvRange } from './osv.js';

// Whether a version is affected, as OSV's schema says in its "Evaluation" section: in the
// explicit `versions` list, or inside a range: events sorted by the range's version order, each
// `introduced` ≤ v opens it, each `fixed` ≤ v or `last_affected` < v closes it, and a range with
// `limit` events only covers versions below one of them. GIT ranges need the repository's
// commit graph and are ignored.

export interface AffectedEntry {
  ranges: OsvRange[];
  versions: string[];
}

export interface Verdict {
  /** The `fixed` event that ends the matched interval, when the range has one. */
  fixVersion?: string;
}

const eventVersion = (e: OsvEvent): string =>
  'introduced' in e ? e.introduced : 'fixed' in e ? e.fixed : 'last_affected' in e ? e.last_affected : e.limit;

// At one version, an `introduced` comes first: introduced X then fixed X is an empty interval.
const kindOrder = (e: OsvEvent): number => ('introduced' in e ? 0 : 1);

/** A comparison where '0' (introduced's "before any version") sorts first and '*' (limit's infinity) last. */
function withSpecialValues(compare: VersionCompare): VersionCompare {
  return (a, b) => {
    if (a === b) return 0;
    if (a === '0' || b === '*') return -1;
    if (b === '0' || a === '*') return 1;
    return compare(a, b);
  };
}

/** The range's verdict for `version`, or undefined when it does not cover it. */
export function rangeIncludes(range: OsvRange, version: string, order: VersionCompare): Verdict | undefined {
  const compare = withSpecialValues(order);
  const limits = range.events.filter((e) => 'limit' in e).map(eventVersion);
  if (limits.length > 0 && !limits.some((limit) => compare(version, limit) < 0)) return undefined;
  const events = range.events
    .filter((e) => !('limit' in e))
    .sort((x, y) => compare(eventVersion(x), eventVersion(y)) || kindOrder(x) - kindOrder(y));
  let vulnerable = false;
  let fixVersion: string | undefined;
  for (const event of events) {
    const at = eventVersion(event);
    if ('introduced' in event) {
      if (compare(version, at) >= 0) vulnerable = true;
    } else if ('fixed' in event) {
      if (compare(version, at) >= 0) vulnerable = false;
      // The first fix above the version closes the interval it is in.
      else if (vulnerable && fixVersion === undefined) fixVersion = at;
    } else if (compare(version, at) > 0) vulnerable = false;
  }
  return vulnerable ? { fixVersion } : undefined;
}

/**
 * The verdict of an affected entry for `version`: the first covering range (ECOSYSTEM ranges in
 * the ecosystem's order, SEMVER ranges in SemVer's), else the explicit versions list. A version
 * or bound the ordering cannot read makes that range not match rather than fail the scan.
 */
export function affects(
  entry: AffectedEntry,
  version: string,
  orders: { ecosystem: VersionCompare; semver: VersionCompare },
): Verdict | undefined {
  for (const range of entry.ranges) {
    if (range.type === 'GIT') continue;
    try {
      const verdict = rangeIncludes(range, version, range.type === 'SEMVER' ? orders.semver : orders.ecosystem);
      if (verdict) return verdict;
    } catch {
      continue;
    }
  }
  return entry.versions.includes(version) ? {} : undefined;
}
