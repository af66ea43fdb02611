import type { RouteQueryTerm } from '../../feature.js';
import { BerthError } from '../../shared/errors.js';

// The conditions of GET /security/vul's `q`, checked as Harbor's security hub does
// (pkg/securityhub/dao/security.go checkQFilter): these keys only, each an exact match but
// cvss_score_v3, a range; anything else is 400.

/**
 * Which findings to list: every condition given must hold (AND); a list holds when any of its
 * values matches. Undefined or omitted conditions match everything.
 */
export interface VulnerabilityFilter {
  cveIds?: readonly string[];
  /** Harbor's severity names: None, Unknown, Low, Medium, High, Critical. */
  severities?: readonly string[];
  /** CVSS v3 base score bounds, inclusive; a finding without a v3 score never matches. */
  cvssV3?: { min?: number; max?: number };
  projectIds?: readonly number[];
  /** Full repository names ('library/app'). */
  repositoryNames?: readonly string[];
  packages?: readonly string[];
  /** The artifact has one of these tags. */
  tags?: readonly string[];
  digests?: readonly string[];
}

const exactKeys = {
  cve_id: 'cveIds',
  severity: 'severities',
  repository_name: 'repositoryNames',
  package: 'packages',
  tag: 'tags',
  digest: 'digests',
} as const;

const notAllowedKind = (key: string) => new BerthError('BAD_REQUEST', `keyword: ${key}, the query type is not allowed`);

/** The filter a `q` asks for; like Harbor's q a repeated key keeps its last term. */
export function vulnerabilityFilter(terms: readonly RouteQueryTerm[]): VulnerabilityFilter {
  const filter: {
    -readonly [K in keyof VulnerabilityFilter]: VulnerabilityFilter[K];
  } = {};
  for (const term of terms) {
    if (term.key === 'cvss_score_v3') {
      if (term.kind !== 'range') throw notAllowedKind(term.key);
      if (term.min === undefined && term.max === undefined)
        throw new BerthError('BAD_REQUEST', 'cvss_score_v3: min and max at least one should be set in range');
      filter.cvssV3 = { min: score(term.min), max: score(term.max) };
    } else if (term.key === 'project_id') {
      if (term.kind !== 'exact') throw notAllowedKind(term.key);
      filter.projectIds = [projectId(term.value)];
    } else if (term.key in exactKeys) {
      if (term.kind !== 'exact') throw notAllowedKind(term.key);
      filter[exactKeys[term.key as keyof typeof exactKeys]] = [term.value];
    } else {
      throw new BerthError('BAD_REQUEST', `keyword: ${term.key.slice(0, 100)} is not allowed`);
    }
  }
  return filter;
}

function score(bound: string | undefined): number | undefined {
  if (bound === undefined) return undefined;
  const text = bound.replace(/^["']|["']$/g, '');
  const value = /^[+-]?(\d+(\.\d*)?|\.\d+)$/.test(text) ? Number(text) : NaN;
  if (!Number.isFinite(value))
    throw new BerthError('BAD_REQUEST', `cvss_score_v3 takes a range of numbers, e.g. cvss_score_v3=[7~10]`);
  return value;
}

function projectId(value: string): number {
  if (!/^[0-9]{1,15}$/.test(value)) throw new BerthError('BAD_REQUEST', `project_id must be a project's id`);
  return Number(value);
}
