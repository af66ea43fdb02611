import type { FastifyInstance, FastifyRequest } from 'fastify';
import { accessorySortKeys } from '../../artifacts/index.js';
import type { ApiDeps } from './deps.js';
import { pageRequest, setPageHeaders } from './paging.js';
import { parseQuery, parseSort, termsFor } from './query.js';
import { repositoryNameParam, textMatch, type RepositoryParams } from './repositories.js';

// What Harbor's artifact view links to: GET …/additions/{addition} (build history,
// a chart's values, readme and dependencies; …/additions/vulnerabilities is the scanning
// feature's), and the artifact's accessories (handler/artifact.go GetAddition, ListAccessories).

type Params = RepositoryParams & { reference: string; addition: string };

const params = (request: FastifyRequest) => request.params as Params;

/** What these routes use, and nothing else. */
export type AdditionRouteDeps = Pick<ApiDeps, 'security' | 'artifacts'>;

export function additionRoutes(app: FastifyInstance, { security, artifacts }: AdditionRouteDeps): void {
  const one = '/projects/:project_name/repositories/:repository_name/artifacts/:reference';

  app.get(`${one}/additions/:addition`, async (request, reply) => {
    const { project } = await security.requireProject(
      request,
      params(request).project_name,
      'artifact-addition',
      'read',
    );
    const addition = await artifacts.getAddition(
      project.name,
      repositoryNameParam(request),
      params(request).reference,
      params(request).addition,
    );
    return reply.header('content-type', addition.contentType).send(addition.content);
  });

  app.get(`${one}/accessories`, async (request, reply) => {
    const query = request.query as Record<string, string | undefined>;
    const { project } = await security.requireProject(request, params(request).project_name, 'accessory', 'list');
    const page = pageRequest(query);
    const terms = termsFor(parseQuery(query.q), ['type', 'digest']);
    const { items, total } = await artifacts.listAccessories(
      project.name,
      repositoryNameParam(request),
      params(request).reference,
      { type: textMatch(terms.get('type'), 'type'), digest: textMatch(terms.get('digest'), 'digest') },
      parseSort(query.sort, accessorySortKeys),
      { offset: page.offset, limit: page.pageSize },
    );
    setPageHeaders(request, reply, page, total);
    return items;
  });
}
