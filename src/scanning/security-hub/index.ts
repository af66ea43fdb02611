import type { FastifyInstance } from 'fastify';
import type { Kysely } from 'kysely';
import type { Database } from '../../db/index.js';
import type { RouteKit } from '../../feature.js';
import { securityHubRoutes } from './routes.js';
import { createSecurityHubService } from './service.js';

// Harbor's security hub: GET /security/summary and GET /security/vul over the findings of the
// default scanner's vulnerability reports. The queries are exported for other parts of the
// scanning feature (the CVE export walks findings with eachVulnerability).

export {
  eachVulnerability,
  listVulnerabilities,
  countVulnerabilities,
  defaultScannerUuid,
  type VulnerabilityRow,
} from './repo.js';
export { vulnerabilityFilter, type VulnerabilityFilter } from './filter.js';
export type { SecurityHubService, SecuritySummary, VulnerabilityItem } from './service.js';

export function createSecurityHub(db: Kysely<Database>) {
  const service = createSecurityHubService(db);
  return {
    service,
    routes: (app: FastifyInstance, kit: RouteKit) => securityHubRoutes(app, kit, service),
  };
}
