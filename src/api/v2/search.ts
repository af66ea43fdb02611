import type { FastifyInstance } from 'fastify';
import { BerthError } from '../../shared/errors.js';
import type { Principal } from '../../auth/index.js';
import { isSysadmin } from '../../iam/index.js';
import type { ApiDeps } from './deps.js';
import { projectBody } from './projects.js';

// GET /search: projects and repositories whose names contain q, among what the caller may see
// (goharbor/harbor src/server/v2.0/handler/search.go). Harbor returns every match, unpaged.

/** What these routes use, and nothing else. */
export type SearchRouteDeps = Pick<ApiDeps, 'security' | 'projects' | 'artifacts'>;

/** go-swagger binds the last value of a repeated parameter; q is required and may not be empty. */
function keywordOf(query: Record<string, unknown>): string {
  const raw = query.q;
  const value = Array.isArray(raw) ? raw[raw.length - 1] : raw;
  if (typeof value !== 'string' || value === '')
    throw new BerthError('UNPROCESSABLE_ENTITY', 'validation failure list:\nq in query is required');
  return value;
}

/** Harbor: administrators search everything, users public projects and their memberships, anyone else public ones. */
function searchableProjects(artifacts: ApiDeps['artifacts'], principal: Principal): Promise<number[] | undefined> {
  if (isSysadmin(principal)) return Promise.resolve(undefined);
  return artifacts.visibleProjectIds(principal.kind === 'user' ? { userId: principal.id } : {});
}

export function searchRoutes(app: FastifyInstance, { security, projects, artifacts }: SearchRouteDeps): void {
  app.get('/search', async (request) => {
    const keyword = keywordOf(request.query as Record<string, unknown>);
    const principal = await security.principal(request);
    const [matchedProjects, repositories] = await Promise.all([
      projects.search(principal, keyword),
      searchableProjects(artifacts, principal).then((ids) => artifacts.searchRepositories(keyword, ids)),
    ]);
    return {
      project: matchedProjects.map((view) => projectBody(view, principal)),
      repository: repositories.map((repository) => ({
        project_id: repository.project_id,
        project_name: repository.name.split('/')[0],
        project_public: repository.project_public,
        repository_name: repository.name,
        pull_count: repository.pull_count,
        artifact_count: repository.artifact_count,
      })),
    };
  });
}
