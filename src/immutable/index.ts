import type { Feature } from '../feature.js';
import { subscriber } from '../shared/events.js';
import { immutableRoutes } from './routes.js';
import type { ImmutableService } from './service.js';

// Tag immutability: Harbor's rules API, and the registry's TagProtection hook (main.ts
// builds the service first and hands `protection` to the registry), which every change
// of a tag passes: manifest PUT, tag and artifact DELETE, copy, repository DELETE, retention.

export { createImmutableService, type ImmutableService, type ImmutableServiceDeps } from './service.js';
export { isProtected, type ImmutableRule } from './rules.js';

export function immutableFeature(rules: ImmutableService): Feature {
  return {
    name: 'immutable',
    routes: (app, kit) => immutableRoutes(app, kit, rules),
    subscribers: [
      subscriber({
        name: 'immutable-forget-project',
        events: ['project.deleted'],
        delivery: 'every-replica',
        handle: (event) => rules.forgetProject(event.project),
      }),
    ],
  };
}
