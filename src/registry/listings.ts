import { BerthError } from '../shared/errors.js';
import { parseDigest } from '../shared/digest.js';
import { mediaTypes } from './manifest.js';
import type { RegistryRepo } from './repo.js';

// Tags list, catalog and referrers: the registry's read-only listings.

/** Without `n`, a listing returns at most this many entries and a `Link` to the rest. */
export const defaultPageSize = 10_000;

export interface Page {
  items: string[];
  /** Set when more entries follow: the `last` of the next request. */
  next?: string;
}

export interface ReferrersIndex {
  schemaVersion: 2;
  mediaType: typeof mediaTypes.ociIndex;
  manifests: {
    mediaType: string;
    digest: string;
    size: number;
    artifactType?: string;
    annotations?: Record<string, string>;
  }[];
}

export function parsePageSize(n: string | undefined): number {
  if (n === undefined || n === '') return defaultPageSize;
  if (!/^\d+$/.test(n))
    throw new BerthError('PAGINATION_NUMBER_INVALID', `n must be a non-negative integer, not "${n.slice(0, 40)}"`);
  return Math.min(Number(n), defaultPageSize);
}

async function page(fetch: (limit: number) => Promise<string[]>, size: number): Promise<Page> {
  if (size === 0) return { items: [] };
  const rows = await fetch(size + 1);
  if (rows.length <= size) return { items: rows };
  const items = rows.slice(0, size);
  return { items, next: items[items.length - 1] };
}

/** Names never hold NUL (nor can PostgreSQL text): "> a\0b" selects exactly what "> a" does. */
function pagingKey(last: string | undefined): string | undefined {
  return last?.split('\0')[0];
}

export function createListingService({ repo }: { repo: RegistryRepo }) {
  return {
    async tags(repository: string, n: string | undefined, last: string | undefined): Promise<Page> {
      const size = parsePageSize(n);
      const result = await page((limit) => repo.listTags(repository, limit, pagingKey(last)), size);
      if (result.items.length === 0 && !(await repo.repositoryExists(repository))) {
        throw new BerthError('NAME_UNKNOWN', `repository ${repository} not known to registry`, {
          detail: { name: repository },
        });
      }
      return result;
    },

    catalog(n: string | undefined, last: string | undefined): Promise<Page> {
      return page((limit) => repo.listRepositories(limit, pagingKey(last)), parsePageSize(n));
    },

    /** OCI v1.1 referrers: manifests whose `subject` is `digest`, optionally of one artifact type. */
    async referrers(repository: string, digest: string, artifactType: string | undefined): Promise<ReferrersIndex> {
      parseDigest(digest);
      const rows = await repo.referrers(repository, digest, artifactType);
      return {
        schemaVersion: 2,
        mediaType: mediaTypes.ociIndex,
        manifests: rows.map((row) => ({
          mediaType: row.mediaType,
          digest: row.digest,
          size: row.size,
          ...(row.artifactType ? { artifactType: row.artifactType } : {}),
          ...(row.annotations ? { annotations: row.annotations } : {}),
        })),
      };
    },
  };
}

export type ListingService = ReturnType<typeof createListingService>;
