import type { Kysely } from 'kysely';
import type { FastifyInstance } from 'fastify';
import type { Database } from '../../db/index.js';
import type { RouteKit } from '../../feature.js';
import type { Job, JobService } from '../../jobs/index.js';
import type { Clock } from '../../shared/clock.js';
import { createRegistrationRepo } from '../scanners/repo.js';
import type { ScanService } from '../scans/service.js';
import { createExecutionsRepo } from './executions.js';
import { scanAllJob } from './job.js';
import { scanAllRoutes } from './routes.js';
import { createScanAllService, type ScanAllService } from './service.js';

// Scan all (Harbor's scanAll): its routes and its SCAN_ALL job, for the scanning feature.

export { scanAllJobType } from './schedule.js';
export type { ScanAllService } from './service.js';

export interface ScanAllDeps {
  db: Kysely<Database>;
  clock: Clock;
  scans: Pick<ScanService, 'scan'>;
  jobs: () => JobService;
}

export function createScanAll(deps: ScanAllDeps): {
  service: ScanAllService;
  routes: (app: FastifyInstance, kit: RouteKit) => void;
  job: Job;
} {
  const { db, clock, scans, jobs } = deps;
  const executions = createExecutionsRepo(db, clock);
  const registrations = createRegistrationRepo(db);
  const hasDefaultScanner = async () => (await registrations.defaultOne()) !== undefined;
  const service = createScanAllService({ db, executions, jobs, hasDefaultScanner });
  return {
    service,
    routes: (app, kit) => scanAllRoutes(app, kit, service),
    job: scanAllJob({ db, executions, scans, jobs }),
  };
}
