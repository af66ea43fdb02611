import type { Feature } from '../feature.js';
import { subscriber } from '../shared/events.js';
import { quotaBody, quotaRoutes } from './routes.js';
import type { QuotaService } from './service.js';

// Project quotas: Harbor's quota API, the storage guard the registry asks on pushes, the
// quota a new project gets, and the quota in a project's summary.

export { createQuotaService, type QuotaService, type QuotaServiceDeps } from './service.js';
export { displaySize, overflowMessage, warningRatio } from './format.js';
export { quotaBody };

export function quotaFeature(quotas: QuotaService): Feature {
  return {
    name: 'quota',
    routes: (app, kit) => quotaRoutes(app, kit, quotas),
    subscribers: [
      subscriber({
        name: 'quota-project-created',
        events: ['project.created'],
        delivery: 'local',
        handle: (event) => quotas.projectCreated(event),
      }),
    ],
    // Harbor shows the quota to callers who may read it, while quotas are on.
    async projectSummary(project, caller) {
      if (!(await caller.can('quota', 'read'))) return {};
      const quota = await quotas.ofProject(project.id);
      return quota ? { quota: { hard: { storage: quota.hard }, used: { storage: quota.used } } } : {};
    },
  };
}
