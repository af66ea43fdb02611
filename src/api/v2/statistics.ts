import type { FastifyInstance } from 'fastify';
import { isSysadmin } from '../../iam/index.js';
import type { ApiDeps } from './deps.js';

// GET /statistics: project and repository counts (goharbor/harbor src/server/v2.0/handler/statistic.go).
// Authenticated callers only; public counts for all of them, private ones by membership, totals and
// storage for system administrators (zero for anyone else, as Harbor sends them).

/** What these routes use, and nothing else. */
export type StatisticsRouteDeps = Pick<ApiDeps, 'security' | 'projects' | 'artifacts'>;

export function statisticsRoutes(app: FastifyInstance, { security, projects, artifacts }: StatisticsRouteDeps): void {
  app.get('/statistics', async (request) => {
    const principal = await security.requireAuthenticated(request);
    const [counts, storage] = await Promise.all([
      projects.statistics(principal),
      isSysadmin(principal) ? artifacts.storageConsumption() : Promise.resolve(0),
    ]);
    return {
      private_project_count: counts.privateProjects,
      private_repo_count: counts.privateRepositories,
      public_project_count: counts.publicProjects,
      public_repo_count: counts.publicRepositories,
      total_project_count: counts.total?.projects ?? 0,
      total_repo_count: counts.total?.repositories ?? 0,
      total_storage_consumption: storage,
    };
  });
}
