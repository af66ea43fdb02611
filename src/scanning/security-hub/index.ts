import type { FastifyInstance } from 'fastify';
import type { Kysely } from 'kysely';
import type { Database } from '../../db/index.js';
import type { RouteKit } from '../../feature.js';
import { securityHubRoutes } from './routes.js';
import { createSecurityHubService } from './service.js';

// Harbor's security hub: GET /security/summary and GET /security/vul over the findings of the
// default scanner's vulnerability reports.

export type { SecurityHubService, SecuritySummary, VulnerabilityItem } from './service.js';

export function createSecurityHub(db: Kysely<Database>) {
  const service = createSecurityHubService(db);
  return {
    service,
    routes: (app: FastifyInstance, kit: RouteKit) => securityHubRoutes(app, kit, service),
  };
}
