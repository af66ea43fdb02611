import type { InvalidationBus } from '../shared/invalidation.js';

// Permission lookups made replica-aware: an invalidation here is announced on the bus,
// and what other replicas announce invalidates here too.

export function shareAccessInvalidation<T extends { invalidate(): void }>(access: T, bus: InvalidationBus): T {
  const local = access.invalidate.bind(access);
  bus.subscribe((m) => {
    if (m.kind === 'access') local();
  });
  return {
    ...access,
    invalidate() {
      local();
      bus.publish({ kind: 'access' });
    },
  };
}
