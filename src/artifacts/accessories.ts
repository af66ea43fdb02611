import type { Paging, Sort, TextMatch } from './repo.js';
import type { HarborAccessory } from './view.js';

// Harbor's accessory list (GET …/artifacts/{reference}/accessories): the artifacts whose
// OCI `subject` is this one, filtered, sorted and paged. An artifact has a handful of
// signatures and SBOMs, so this works on the list of one subject in memory.

export interface AccessoryFilter {
  type?: TextMatch;
  digest?: TextMatch;
}

export const accessorySortKeys = ['id', 'creation_time', 'size', 'digest', 'type'] as const;

function matches(value: string, match: TextMatch | undefined): boolean {
  if (!match) return true;
  return match.kind === 'exact' ? value === match.value : value.toLowerCase().includes(match.value.toLowerCase());
}

function compare(a: HarborAccessory, b: HarborAccessory, column: string): number {
  const key = column as (typeof accessorySortKeys)[number];
  const x = a[key];
  const y = b[key];
  if (typeof x === 'number' && typeof y === 'number') return x - y;
  return String(x).localeCompare(String(y));
}

export function pageAccessories(
  all: HarborAccessory[],
  filter: AccessoryFilter,
  sort: Sort[],
  paging: Paging,
): { items: HarborAccessory[]; total: number } {
  const kept = all.filter((a) => matches(a.type, filter.type) && matches(a.digest, filter.digest));
  // Harbor's default order is newest first; the id breaks ties.
  const order = sort.length > 0 ? sort : [{ column: 'creation_time', desc: true }];
  kept.sort((a, b) => {
    for (const { column, desc } of [...order, { column: 'id', desc: false }]) {
      const c = compare(a, b, column);
      if (c !== 0) return desc ? -c : c;
    }
    return 0;
  });
  return { items: kept.slice(paging.offset, paging.offset + paging.limit), total: kept.length };
}
