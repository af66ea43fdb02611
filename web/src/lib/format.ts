import { neverPulled } from '../api/types';

// Presentation helpers with no React in them, so they are easy to test.

const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];

export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes) || bytes < 0) return '-';
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${value} B` : `${value.toFixed(value < 10 ? 2 : 1)} ${units[unit]}`;
}

/** A time from the API in the reader's locale; '' for Go's zero time (never). */
export function formatTime(iso: string | undefined, locale: string): string {
  if (!iso || iso === neverPulled || iso.startsWith('0001-')) return '';
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : date.toLocaleString(locale);
}

/** sha256:0123456789ab… → sha256:0123456789ab */
export function shortDigest(digest: string): string {
  const [algorithm, hex = ''] = digest.split(':');
  return `${algorithm}:${hex.slice(0, 12)}`;
}

export type PullClient = 'docker' | 'podman' | 'helm';

/**
 * The command that pulls an artifact: by tag when it has one, else by digest. Helm pulls
 * charts by version (its tag) from oci:// and cannot pull by digest before helm 3.13's @.
 */
export function pullCommand(
  client: PullClient,
  registry: string,
  repository: string,
  digest: string,
  tag?: string,
): string {
  if (client === 'helm') return `helm pull oci://${registry}/${repository}${tag ? ` --version ${tag}` : `@${digest}`}`;
  const reference = tag ? `:${tag}` : `@${digest}`;
  return `${client} pull ${registry}/${repository}${reference}`;
}

/** Harbor's `q` parameter: key=~value for a fuzzy match, keys joined with commas. */
export function fuzzyQuery(terms: Record<string, string | undefined>): string | undefined {
  const parts = Object.entries(terms)
    .filter((entry): entry is [string, string] => Boolean(entry[1]?.trim()))
    .map(([key, value]) => `${key}=~${value.trim()}`);
  return parts.length > 0 ? parts.join(',') : undefined;
}

/** Harbor's `sort`: "name" ascending, "-name" descending. */
export function sortParam(sort: { column: string; desc: boolean } | undefined): string | undefined {
  return sort ? `${sort.desc ? '-' : ''}${sort.column}` : undefined;
}

/** A robot's expiry (unix seconds, -1 never) as a date or undefined for never. */
export function robotExpiry(expiresAt: number): Date | undefined {
  return expiresAt === -1 ? undefined : new Date(expiresAt * 1000);
}
