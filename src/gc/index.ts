import type { Kysely } from 'kysely';
import type { Database } from '../db/index.js';
import type { Feature } from '../feature.js';
import type { JobService } from '../jobs/index.js';
import type { Collector } from '../registry/index.js';
import type { Clock } from '../shared/clock.js';
import { gcJob } from './job.js';
import { createLease } from './lease.js';
import { gcRoutes } from './routes.js';
import { createRunsRepo } from './runs.js';
import { createGcService } from './service.js';

// Garbage collection as a feature: Harbor's /system/gc API, the GARBAGE_COLLECTION job with
// its history and schedule, and one run at a time through a lease in the database.

export { gcJobType, parseParameters, defaultParameters, type GcParameters } from './params.js';
export { createLease, holderOf, runOfHolder, type Lease } from './lease.js';
export { createRunsRepo, type RunsRepo } from './runs.js';
export { runCollection, gcActor, LeaseLostError, type RunnerDeps } from './runner.js';

export interface GcFeatureDeps {
  db: Kysely<Database>;
  clock: Clock;
  collector: Collector;
  /** The job service, which main.ts builds after the features. */
  jobs: () => JobService;
}

export function gcFeature({ db, clock, collector, jobs }: GcFeatureDeps): Feature {
  const runs = createRunsRepo(db, clock);
  const lease = createLease(db, clock);
  const service = createGcService({ runs, lease, jobs, clock });
  return {
    name: 'gc',
    routes: (app, kit) => gcRoutes(app, kit, service),
    jobs: [gcJob({ collector, runs, lease })],
  };
}
