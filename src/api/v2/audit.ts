import type { FastifyInstance } from 'fastify';
import { BerthError } from '../../shared/errors.js';
import { auditSortKeys, type AuditTerm, type AuditTextKey } from '../../audit/index.js';
import type { ApiDeps } from './deps.js';
import { pageRequest, setPageHeaders } from './paging.js';
import { parseQuery, parseSort, termsFor } from './query.js';

// Harbor's audit log operations: /audit-logs and /projects/{project_name}/logs
// (goharbor/harbor src/server/v2.0/handler/auditlog.go, project.go GetLogs).

type Query = Record<string, string | undefined>;
const textKeys: readonly AuditTextKey[] = ['operation', 'resource_type', 'resource', 'username'];

function auditTerms(q: string | undefined): AuditTerm[] {
  return [...termsFor(parseQuery(q), [...textKeys, 'op_time']).values()].map((term): AuditTerm => {
    if (term.key === 'op_time') {
      if (term.kind !== 'range')
        throw new BerthError('BAD_REQUEST', 'op_time takes a range: op_time=[2006-01-02 15:04:05~2006-01-02 16:04:05]');
      return { key: 'op_time', kind: 'range', min: term.min, max: term.max };
    }
    const key = term.key as AuditTextKey;
    if (term.kind === 'exact' || term.kind === 'fuzzy') return { key, kind: term.kind, value: term.value };
    if (term.kind === 'or') return { key, kind: 'or', values: term.values };
    throw new BerthError('BAD_REQUEST', `${key} supports exact (v), fuzzy (~v) and any-of ({a b}) matches`);
  });
}

/** What these routes use, and nothing else. */
export type AuditRouteDeps = Pick<ApiDeps, 'security' | 'access' | 'audit'>;

export function auditRoutes(app: FastifyInstance, { security, access, audit }: AuditRouteDeps): void {
  // Harbor: admins see every entry, project admins their projects' entries, others none.
  app.get('/audit-logs', async (request, reply) => {
    const query = request.query as Query;
    const principal = await security.requireAuthenticated(request);
    const page = pageRequest(query);
    const terms = auditTerms(query.q);
    const sort = parseSort(query.sort, auditSortKeys);
    let projectIds: number[] | undefined;
    if (!access.canSystem(principal, 'audit-log', 'list'))
      projectIds = principal.kind === 'user' ? await audit.adminProjectIds(principal.id) : [];
    const { items, total } = await audit.list({ projectIds, terms, sort, offset: page.offset, limit: page.pageSize });
    setPageHeaders(request, reply, page, total);
    return items;
  });

  app.get('/projects/:project_name/logs', async (request, reply) => {
    const query = request.query as Query;
    const { project } = await security.requireProject(
      request,
      (request.params as { project_name: string }).project_name,
      'log',
      'list',
    );
    const page = pageRequest(query);
    const { items, total } = await audit.list({
      projectIds: [project.id],
      terms: auditTerms(query.q),
      sort: parseSort(query.sort, auditSortKeys),
      offset: page.offset,
      limit: page.pageSize,
    });
    setPageHeaders(request, reply, page, total);
    return items;
  });
}
