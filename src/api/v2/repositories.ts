import type { FastifyInstance, FastifyRequest } from 'fastify';
import { BerthError } from '../../shared/errors.js';
import { principalName, type Principal } from '../../auth/index.js';
import { isSysadmin } from '../../iam/index.js';
import type { RepositoryFilter, TextMatch } from '../../artifacts/index.js';
import type { ApiDeps } from './deps.js';
import { pageRequest, setPageHeaders } from './paging.js';
import { parseQuery, parseSort, termsFor, type Term } from './query.js';

// Harbor's repository operations (goharbor/harbor src/server/v2.0/handler/repository.go).

type Query = Record<string, string | undefined>;
const sortKeys = ['name', 'creation_time', 'update_time', 'id', 'pull_count'] as const;

export interface RepositoryParams {
  project_name: string;
  repository_name: string;
}

/** Harbor's clients encode a repository name with `/` twice (a/b → a%252Fb); the router decodes once. */
export function repositoryNameParam(request: FastifyRequest): string {
  const raw = (request.params as RepositoryParams).repository_name;
  try {
    return decodeURIComponent(raw);
  } catch {
    throw new BerthError('BAD_REQUEST', `invalid repository name "${raw.slice(0, 200)}"`);
  }
}

export function textMatch(term: Term | undefined, key: string): TextMatch | undefined {
  if (!term) return undefined;
  if (term.kind === 'exact' || term.kind === 'fuzzy') return { kind: term.kind, value: term.value };
  throw new BerthError('BAD_REQUEST', `${key} supports exact (v) and fuzzy (~v) matches`);
}

export function actorOf(principal: Principal, request: FastifyRequest) {
  return { ...(principal.kind === 'anonymous' ? {} : { actor: principalName(principal) }), clientIp: request.ip };
}

/** Projects a principal may list repositories of; undefined for all (Harbor: admins see everything). */
async function visibleProjects(
  { artifacts, access }: RepositoryRouteDeps,
  principal: Principal,
): Promise<number[] | undefined> {
  if (isSysadmin(principal)) return undefined;
  if (principal.kind === 'user') return artifacts.visibleProjectIds({ userId: principal.id });
  if (principal.kind === 'robot') {
    if (access.canSystem(principal, 'repository', 'list')) return undefined;
    const namespaces = principal.permissions.filter((p) => p.kind === 'project').map((p) => p.namespace);
    return artifacts.visibleProjectIds({
      robotProjectId: principal.level === 'project' ? principal.projectId : undefined,
      robotNamespaces: namespaces,
    });
  }
  return artifacts.visibleProjectIds({});
}

/** What these routes use, and nothing else. */
export type RepositoryRouteDeps = Pick<ApiDeps, 'security' | 'artifacts' | 'access' | 'clock'>;

export function repositoryRoutes(app: FastifyInstance, deps: RepositoryRouteDeps): void {
  const { security, artifacts, clock } = deps;

  function listFilter(query: Query, projectIds: number[] | undefined): RepositoryFilter {
    const terms = termsFor(parseQuery(query.q), ['name', 'project_id']);
    const projectTerm = terms.get('project_id');
    let ids = projectIds;
    if (projectTerm) {
      if (projectTerm.kind !== 'exact' || !/^\d+$/.test(projectTerm.value))
        throw new BerthError('BAD_REQUEST', 'project_id must be an exact integer');
      const id = Number(projectTerm.value);
      ids = ids === undefined || ids.includes(id) ? [id] : [];
    }
    return { projectIds: ids, name: textMatch(terms.get('name'), 'name') };
  }

  app.get('/repositories', async (request, reply) => {
    const query = request.query as Query;
    const principal = await security.principal(request);
    const page = pageRequest(query);
    const filter = listFilter(query, await visibleProjects(deps, principal));
    const { items, total } = await artifacts.listRepositories(filter, parseSort(query.sort, sortKeys), {
      offset: page.offset,
      limit: page.pageSize,
    });
    setPageHeaders(request, reply, page, total);
    return items;
  });

  app.get('/projects/:project_name/repositories', async (request, reply) => {
    const query = request.query as Query;
    const { project } = await security.requireProject(
      request,
      (request.params as RepositoryParams).project_name,
      'repository',
      'list',
    );
    const page = pageRequest(query);
    const filter = listFilter(query, [project.id]);
    // Harbor matches `name` against the full name, and its portal sends the part after the project.
    if (filter.name?.kind === 'exact' && !filter.name.value.startsWith(`${project.name}/`))
      filter.name = { kind: 'exact', value: `${project.name}/${filter.name.value}` };
    const { items, total } = await artifacts.listRepositories(filter, parseSort(query.sort, sortKeys), {
      offset: page.offset,
      limit: page.pageSize,
    });
    setPageHeaders(request, reply, page, total);
    return items;
  });

  const one = '/projects/:project_name/repositories/:repository_name';

  app.get(one, async (request) => {
    const { project } = await security.requireProject(
      request,
      (request.params as RepositoryParams).project_name,
      'repository',
      'read',
    );
    return artifacts.getRepository(project.name, repositoryNameParam(request));
  });

  app.put(one, async (request, reply) => {
    const { project } = await security.requireProject(
      request,
      (request.params as RepositoryParams).project_name,
      'repository',
      'update',
      `${(request.params as RepositoryParams).project_name}/${repositoryNameParam(request)}`,
    );
    const body = request.body as { description?: unknown } | undefined;
    if (!body || typeof body !== 'object')
      throw new BerthError('BAD_REQUEST', 'the body must be a JSON Repository object');
    if (body.description !== undefined && typeof body.description !== 'string')
      throw new BerthError('BAD_REQUEST', 'description must be a string');
    await artifacts.updateRepository(
      project.name,
      repositoryNameParam(request),
      body.description ?? '',
      clock.now().toISOString(),
    );
    return reply.code(200).send();
  });

  app.delete(one, async (request, reply) => {
    const { principal, project } = await security.requireProject(
      request,
      (request.params as RepositoryParams).project_name,
      'repository',
      'delete',
      `${(request.params as RepositoryParams).project_name}/${repositoryNameParam(request)}`,
    );
    await artifacts.deleteRepository(project.name, repositoryNameParam(request), actorOf(principal, request));
    return reply.code(200).send();
  });
}
