import { BerthError } from '../../shared/errors.js';

// Harbor's `q` query parameter (src/lib/q): comma-separated `key=value` terms where the
// value is exact (`v`), fuzzy (`~v`), a range (`[min~max]`), any of a list (`{a b c}`)
// or all of a list (`(a b c)`).

export type Term =
  | { key: string; kind: 'exact'; value: string }
  | { key: string; kind: 'fuzzy'; value: string }
  | { key: string; kind: 'range'; min?: string; max?: string }
  | { key: string; kind: 'or' | 'and'; values: string[] };

export function parseQuery(q: string | undefined): Term[] {
  if (!q) return [];
  return splitTerms(unescapeOnce(q)).map(parseTerm);
}

/**
 * Harbor's q.Build unescapes `q` once more after the query string's own decoding (clients such as
 * @hapic/harbor encode it twice), and keeps `q` as it is when that fails (a literal `%`). Unlike Go's
 * url.QueryUnescape a `+` stays a `+`: it only reaches here encoded (%2B), so it was meant literally.
 */
function unescapeOnce(q: string): string {
  if (!q.includes('%')) return q;
  try {
    return decodeURIComponent(q);
  } catch {
    return q;
  }
}

/** Splits on commas outside brackets. */
function splitTerms(q: string): string[] {
  const terms: string[] = [];
  let depth = 0;
  let current = '';
  for (const ch of q) {
    if (ch === '[' || ch === '{' || ch === '(') depth++;
    if (ch === ']' || ch === '}' || ch === ')') depth--;
    if (ch === ',' && depth === 0) {
      if (current.trim()) terms.push(current.trim());
      current = '';
    } else current += ch;
  }
  if (current.trim()) terms.push(current.trim());
  return terms;
}

function parseTerm(term: string): Term {
  const eq = term.indexOf('=');
  if (eq <= 0) throw new BerthError('BAD_REQUEST', `invalid query term "${term.slice(0, 100)}": expected key=value`);
  const key = term.slice(0, eq).trim();
  const raw = term.slice(eq + 1).trim();
  if (raw.startsWith('~')) return { key, kind: 'fuzzy', value: raw.slice(1) };
  if (raw.startsWith('[') && raw.endsWith(']')) {
    const [min, max] = raw
      .slice(1, -1)
      .split('~')
      .map((s) => s.trim());
    return { key, kind: 'range', min: min || undefined, max: max || undefined };
  }
  if (raw.startsWith('{') && raw.endsWith('}'))
    return { key, kind: 'or', values: raw.slice(1, -1).split(/\s+/).filter(Boolean) };
  if (raw.startsWith('(') && raw.endsWith(')'))
    return { key, kind: 'and', values: raw.slice(1, -1).split(/\s+/).filter(Boolean) };
  return { key, kind: 'exact', value: raw };
}

/** The term for each of the `allowed` keys; like Harbor's lib/orm, skips keys that name no column. */
export function termsFor(terms: Term[], allowed: readonly string[]): Map<string, Term> {
  const map = new Map<string, Term>();
  for (const term of terms) if (allowed.includes(term.key)) map.set(term.key, term);
  return map;
}

/** Harbor's `sort` parameter: "name,-creation_time" → [{column, desc}]; like Harbor's lib/orm, skips other keys. */
export function parseSort(sort: string | undefined, allowed: readonly string[]): { column: string; desc: boolean }[] {
  if (!sort) return [];
  return sort.split(',').flatMap((part) => {
    const desc = part.startsWith('-');
    const column = (desc ? part.slice(1) : part).trim();
    return allowed.includes(column) ? [{ column, desc }] : [];
  });
}
