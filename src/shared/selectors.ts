import picomatch from 'picomatch';
import { LRUCache } from 'lru-cache';

// Harbor's doublestar selectors (src/lib/selector/selectors/doublestar): a filter on
// repository names or tags that `matches` or `excludes` a pattern. Tag immutability and
// tag retention both speak them. Patterns: `*` within a path segment, `**` across
// segments, `?`, `[a-z]` and `{a,b}` alternatives; a comma list without braces
// (`v1,v2`, as Harbor's portal lets people type) means the same alternatives.

export interface Selector {
  kind: string;
  decoration: string;
  pattern: string;
  extras?: string;
}

export const repositoryDecorations = ['repoMatches', 'repoExcludes'] as const;
export const tagDecorations = ['matches', 'excludes'] as const;
export const maxPatternLength = 512;

const compiled = new LRUCache<string, (value: string) => boolean>({ max: 2_000 });

/** The pattern as one glob: a top-level comma list becomes `{a,b}`. */
function normalise(pattern: string): string {
  let depth = 0;
  for (const char of pattern) {
    if (char === '{') depth++;
    else if (char === '}') depth--;
    else if (char === ',' && depth === 0) return `{${pattern}}`;
  }
  return pattern;
}

/** Whether `value` matches the doublestar `pattern` (compiled once, then cached). */
export function globMatches(pattern: string, value: string): boolean {
  let test = compiled.get(pattern);
  if (!test) {
    test = picomatch(normalise(pattern), { dot: true, nonegate: true });
    compiled.set(pattern, test);
  }
  return test(value);
}

/** Whether a selector selects `value`: `matches`/`repoMatches` when it matches, the `excludes` pair when not. */
export function selects(selector: Selector, value: string): boolean {
  const matched = globMatches(selector.pattern, value);
  return selector.decoration === 'excludes' || selector.decoration === 'repoExcludes' ? !matched : matched;
}

/** A readable problem with a selector, or undefined when Berth can apply it. */
export function selectorProblem(selector: unknown, decorations: readonly string[], what: string): string | undefined {
  if (typeof selector !== 'object' || selector === null) return `${what} selector must be an object`;
  const { kind, decoration, pattern } = selector as Record<string, unknown>;
  if (kind !== 'doublestar') return `${what} selector kind must be "doublestar"`;
  if (typeof decoration !== 'string' || !decorations.includes(decoration))
    return `${what} selector decoration must be one of ${decorations.join(', ')}`;
  if (typeof pattern !== 'string' || pattern.trim() === '') return `${what} selector pattern must not be empty`;
  if (pattern.length > maxPatternLength)
    return `${what} selector pattern is longer than ${String(maxPatternLength)} characters`;
  try {
    picomatch.makeRe(normalise(pattern));
  } catch (err) {
    return `${what} selector pattern "${pattern}" is invalid: ${(err as Error).message}`;
  }
  return undefined;
}
