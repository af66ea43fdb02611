// Maven versions, ordered as Maven's ComparableVersion orders them: a version is a list of
// items split at '.' and '-', and where digits meet letters; a '-' or such a change opens a
// sub-list. Numbers compare as numbers and above words and sub-lists; known qualifiers order as
// alpha < beta < milestone < rc (= cr) < snapshot < "" (= ga = final = release) < sp, then any
// other word alphabetically; trailing zeros and empty qualifiers do not count (1 = 1.0 = 1-ga).

type Item = { kind: 'int'; value: bigint } | { kind: 'string'; value: string } | { kind: 'list'; items: Item[] };

const qualifiers = ['alpha', 'beta', 'milestone', 'rc', 'snapshot', '', 'sp'];
const aliases: Record<string, string> = { ga: '', final: '', release: '', cr: 'rc' };
const releaseRank = qualifiers.indexOf('');

function word(value: string, followedByDigit: boolean): Item {
  let v = value;
  if (followedByDigit && v.length === 1) v = v === 'a' ? 'alpha' : v === 'b' ? 'beta' : v === 'm' ? 'milestone' : v;
  return { kind: 'string', value: aliases[v] ?? v };
}

function parseItem(isDigit: boolean, text: string): Item {
  return isDigit ? { kind: 'int', value: BigInt(text) } : word(text, false);
}

function isNull(item: Item): boolean {
  if (item.kind === 'int') return item.value === 0n;
  if (item.kind === 'string') return item.value === '';
  return item.items.length === 0;
}

/** Drops trailing null items (0, "", empty lists) up to the last sub-list, as Maven normalises. */
function normalize(list: Item[]): void {
  for (let i = list.length - 1; i >= 0; i--) {
    const last = list[i]!;
    if (isNull(last)) list.splice(i, 1);
    else if (last.kind !== 'list') break;
  }
}

/** The version's items, Maven's way. */
export function parseMaven(version: string): Item {
  const text = version.trim().toLowerCase();
  const root: Item[] = [];
  let list = root;
  const stack: Item[][] = [root];
  const open = () => {
    const sub: Item[] = [];
    list.push({ kind: 'list', items: sub });
    list = sub;
    stack.push(sub);
  };
  let isDigit = false;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === '.' || c === '-') {
      list.push(i === start ? { kind: 'int', value: 0n } : parseItem(isDigit, text.slice(start, i)));
      start = i + 1;
      if (c === '-') open();
    } else if (c >= '0' && c <= '9') {
      if (!isDigit && i > start) {
        list.push(word(text.slice(start, i), true));
        start = i;
        open();
      }
      isDigit = true;
    } else {
      if (isDigit && i > start) {
        list.push(parseItem(true, text.slice(start, i)));
        start = i;
        open();
      }
      isDigit = false;
    }
  }
  if (text.length > start) list.push(parseItem(isDigit, text.slice(start)));
  for (let i = stack.length - 1; i >= 0; i--) normalize(stack[i]!);
  return { kind: 'list', items: root };
}

function qualifierKey(value: string): string {
  const rank = qualifiers.indexOf(value);
  return rank >= 0 ? String(rank) : `${qualifiers.length}-${value}`;
}

const compareStrings = (a: string, b: string) => (a === b ? 0 : a < b ? -1 : 1);

/** Compares an item with another, or with nothing (a missing item). */
function compareItems(a: Item | undefined, b: Item | undefined): number {
  if (!a && !b) return 0;
  if (!a) return -compareItems(b, undefined);
  if (a.kind === 'int') {
    if (!b) return a.value === 0n ? 0 : 1;
    if (b.kind === 'int') return a.value === b.value ? 0 : a.value < b.value ? -1 : 1;
    return 1;
  }
  if (a.kind === 'string') {
    if (!b) return compareStrings(qualifierKey(a.value), String(releaseRank));
    if (b.kind === 'string') return compareStrings(qualifierKey(a.value), qualifierKey(b.value));
    return -1;
  }
  if (!b) return a.items.length === 0 ? 0 : compareItems(a.items[0], undefined);
  if (b.kind === 'int') return -1;
  if (b.kind === 'string') return 1;
  for (let i = 0; i < Math.max(a.items.length, b.items.length); i++) {
    const diff = compareItems(a.items[i], b.items[i]);
    if (diff !== 0) return diff;
  }
  return 0;
}

/** Compares two Maven versions (-1, 0, 1). Every string is a Maven version. */
export function compareMaven(a: string, b: string): number {
  return compareItems(parseMaven(a), parseMaven(b));
}
