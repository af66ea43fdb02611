import type { Feature } from '../feature.js';
import { quotaBody, quotaRoutes } from './routes.js';
import type { QuotaService } from './service.js';

// Project quotas: Harbor's quota API, the storage guard the registry asks on pushes, the
// quota a new project gets (written with the project: main.ts passes projectCreated to the
// project service), and the quota in a project's summary.

export { createQuotaService, type QuotaService, type QuotaServiceDeps } from './service.js';
export { displaySize, overflowMessage, warningRatio } from './format.js';
export { quotaBody };

export function quotaFeature(quotas: QuotaService): Feature {
  return {
    name: 'quota',
    routes: (app, kit) => quotaRoutes(app, kit, quotas),
    // Harbor shows the quota to callers who may read it, while quotas are on.
    async projectSummary(project, caller) {
      if (!(await caller.can('quota', 'read'))) return {};
      const quota = await quotas.ofProject(project.id);
      return quota ? { quota: { hard: { storage: quota.hard }, used: { storage: quota.used } } } : {};
    },
  };
}
