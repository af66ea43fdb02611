import type { FastifyInstance } from 'fastify';
import type { RouteKit } from '../../feature.js';
import { BerthError } from '../../shared/errors.js';
import { vulnerabilityFilter } from './filter.js';
import type { SecurityHubService } from './service.js';

// Harbor's security hub API (swagger tag securityhub, handler/security.go): the summary and the
// vulnerability list, for system administrators and robots granted the system resource
// "security-hub" (read for the summary, list for the list).

type Query = Record<string, unknown>;

const resource = 'security-hub';
/** Harbor's bound on page_size: a larger page size is an unpaged request. */
const maxPageSize = 100;
/** Rows of an unpaged request (page_size ≤ 0): Harbor's DAO falls back to 15, never the whole table. */
const unpagedRows = 15;

function flag(query: Query, name: string): boolean {
  const raw = query[name];
  const value = Array.isArray(raw) ? raw[raw.length - 1] : raw;
  if (value === undefined || value === '') return false;
  if (value === 'true' || value === '1') return true;
  if (value === 'false' || value === '0') return false;
  throw new BerthError('BAD_REQUEST', `${name} must be true or false`);
}

export function securityHubRoutes(app: FastifyInstance, kit: RouteKit, hub: SecurityHubService): void {
  app.get('/security/summary', async (request) => {
    await kit.requireSystem(request, resource, 'read');
    const query = request.query as Query;
    return hub.summary({
      withDangerousCves: flag(query, 'with_dangerous_cve'),
      withDangerousArtifacts: flag(query, 'with_dangerous_artifact'),
    });
  });

  app.get('/security/vul', async (request, reply) => {
    await kit.requireSystem(request, resource, 'list');
    const query = request.query as Query;
    const page = kit.page(query);
    const filter = vulnerabilityFilter(kit.queryTerms(query));
    const { items, total } = await hub.vulnerabilities(filter, {
      offset: page.offset,
      limit: page.pageSize > maxPageSize ? unpagedRows : page.pageSize,
      withTag: flag(query, 'with_tag'),
      tuneCount: flag(query, 'tune_count'),
    });
    kit.setPageHeaders(request, reply, page, total);
    return items;
  });
}
