import type { Kysely } from 'kysely';
import type { ArtifactService } from '../artifacts/index.js';
import type { Database } from '../db/index.js';
import type { Feature } from '../feature.js';
import type { JobService } from '../jobs/index.js';
import type { Registry, TagProtection } from '../registry/index.js';
import type { Clock } from '../shared/clock.js';
import { retentionJob } from './job.js';
import { createRetentionRepo } from './repo.js';
import { retentionRoutes } from './routes.js';
import { createRetentionService } from './service.js';

// Tag retention as a feature: Harbor's /retentions API, the RETENTION job (manual, dry run,
// scheduled by the policy's cron), deleting through the registry what no rule retains,
// keeping what immutability protects.

export { retentionJobType, retentionActor } from './job.js';
export { evaluate, parsePolicy, retentionMetadata, type RetentionPolicy, type RetentionRule } from './rules.js';

export interface RetentionFeatureDeps {
  db: Kysely<Database>;
  clock: Clock;
  artifacts: Pick<ArtifactService, 'listRepositories' | 'artifactFacts'>;
  registry: Pick<Registry, 'manifests'>;
  protection: TagProtection;
  /** The job service, which main.ts builds after the features. */
  jobs: () => JobService;
}

export function retentionFeature({ db, clock, artifacts, registry, protection, jobs }: RetentionFeatureDeps): Feature {
  const repo = createRetentionRepo(db);
  const service = createRetentionService({ repo, jobs, clock });
  return {
    name: 'retention',
    routes: (app, kit) => retentionRoutes(app, kit, service),
    jobs: [retentionJob({ repo, artifacts, manifests: registry.manifests, protection, clock })],
  };
}
