import type { FastifyReply, FastifyRequest } from 'fastify';
import { BerthError } from '../../shared/errors.js';

// Harbor's paging: ?page=1&page_size=10 (at most 100), X-Total-Count and RFC 5988 Link
// headers with rel="prev" / rel="next". Every paged list of /api/v2.0 reads its page here.

export interface PageRequest {
  /** 1 and up; may be beyond the last page (an empty list). */
  page: number;
  /** Rows a page holds; `unpaged` when the caller asked for no paging (page_size ≤ 0). */
  pageSize: number;
  /** Rows to skip, clamped so that SQL never sees more than `maxOffset`. */
  offset: number;
  /** False when page_size ≤ 0: the whole list, without Link headers (Harbor's ORM applies no LIMIT then). */
  paged: boolean;
}

export const maxPageSize = 100;
/** Above any real row count and exact in a double, SQLite's INTEGER and PostgreSQL's bigint. */
export const maxOffset = Number.MAX_SAFE_INTEGER;
/** The LIMIT of an unpaged list. */
export const unpaged = Number.MAX_SAFE_INTEGER;

const int64Min = -(2n ** 63n);
const int64Max = 2n ** 63n - 1n;

/**
 * Reads `page` and `page_size` as Harbor 2.x does: go-swagger binds them as int64 (strconv.ParseInt)
 * and checks page_size ≤ 100, answering 422 with "validation failure list:" and one line per bad
 * parameter; then lib/orm skips no rows for page ≤ 0 and applies no LIMIT for page_size ≤ 0.
 */
export function pageRequest(query: Record<string, unknown>, defaultSize = 10): PageRequest {
  const problems: string[] = [];
  const page = int64Param(query, 'page', problems);
  const size = int64Param(query, 'page_size', problems);
  if (size !== undefined && size > BigInt(maxPageSize))
    problems.push(`page_size in query should be less than or equal to ${maxPageSize}`);
  if (problems.length > 0)
    throw new BerthError('UNPROCESSABLE_ENTITY', ['validation failure list:', ...problems].join('\n'));
  const pageSize = size === undefined ? BigInt(defaultSize) : size;
  const pageNumber = page === undefined || page < 1n ? 1n : page;
  if (pageSize <= 0n) return { page: 1, pageSize: unpaged, offset: 0, paged: false };
  const offset = (pageNumber - 1n) * pageSize;
  return {
    page: Number(pageNumber),
    pageSize: Number(pageSize),
    offset: offset > BigInt(maxOffset) ? maxOffset : Number(offset),
    paged: true,
  };
}

/** go-swagger reads the last value of a repeated parameter; an empty one is absent. */
function int64Param(query: Record<string, unknown>, name: string, problems: string[]): bigint | undefined {
  const raw = query[name];
  const value = Array.isArray(raw) ? raw[raw.length - 1] : raw;
  if (value === undefined || value === '') return undefined;
  const text = String(value);
  // strconv.ParseInt(s, 10, 64): an optional sign, decimal digits, within int64.
  const parsed = /^[+-]?[0-9]+$/.test(text) ? BigInt(text) : undefined;
  if (parsed === undefined || parsed < int64Min || parsed > int64Max) {
    problems.push(`${name} in query must be of type int64: ${goQuote(text)}`);
    return undefined;
  }
  return parsed;
}

/** Go's %q for the printable strings a query holds: quotes and backslashes escaped. */
function goQuote(text: string): string {
  return JSON.stringify(text);
}

export function setPageHeaders(request: FastifyRequest, reply: FastifyReply, page: PageRequest, total: number): void {
  reply.header('x-total-count', String(total));
  if (!page.paged) return;
  const [path, rawQuery = ''] = request.url.split('?', 2);
  const link = (p: number, rel: string) => {
    const params = new URLSearchParams(rawQuery);
    params.set('page', String(p));
    params.set('page_size', String(page.pageSize));
    return `<${path}?${params.toString()}>; rel="${rel}"`;
  };
  const links: string[] = [];
  // Harbor's BaseAPI.Links: prev only from a page that is within the list.
  if (page.page > 1 && page.offset < total) links.push(link(page.page - 1, 'prev'));
  if (page.offset + page.pageSize < total) links.push(link(page.page + 1, 'next'));
  if (links.length > 0) reply.header('link', links.join(' , '));
}
