import type { FastifyReply, FastifyRequest } from 'fastify';
import { BerthError } from '../../shared/errors.js';

// Harbor's paging: ?page=1&page_size=10 (at most 100), X-Total-Count and RFC 5988 Link
// headers with rel="prev" / rel="next".

export interface PageRequest {
  page: number;
  pageSize: number;
  offset: number;
}

export const maxPageSize = 100;

export function pageRequest(query: Record<string, unknown>, defaultSize = 10): PageRequest {
  const page = positiveInt(query.page, 'page', 1);
  const pageSize = Math.min(positiveInt(query.page_size, 'page_size', defaultSize), maxPageSize);
  return { page, pageSize, offset: (page - 1) * pageSize };
}

function positiveInt(value: unknown, name: string, fallback: number): number {
  if (value === undefined || value === '') return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new BerthError('BAD_REQUEST', `${name} must be a positive integer`);
  return n;
}

export function setPageHeaders(request: FastifyRequest, reply: FastifyReply, page: PageRequest, total: number): void {
  reply.header('x-total-count', String(total));
  const [path, rawQuery = ''] = request.url.split('?', 2);
  const link = (p: number, rel: string) => {
    const params = new URLSearchParams(rawQuery);
    params.set('page', String(p));
    params.set('page_size', String(page.pageSize));
    return `<${path}?${params.toString()}>; rel="${rel}"`;
  };
  const links: string[] = [];
  if (page.page > 1) links.push(link(page.page - 1, 'prev'));
  if (page.offset + page.pageSize < total) links.push(link(page.page + 1, 'next'));
  if (links.length > 0) reply.header('link', links.join(' , '));
}
