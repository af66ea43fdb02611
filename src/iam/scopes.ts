import type { AccessControl } from './access.js';
import { isSysadmin } from './access.js';
import { isValidRepositoryName } from '../registry/index.js';
import type { Principal, ResourceAccess } from '../auth/index.js';

// Token scopes → what the principal may actually do: each requested action is kept
// only when Harbor's RBAC grants it (Docker token spec: the service "cuts down" the
// access claim to what the caller may do).

const repositoryActions: Record<string, [resource: string, action: string][]> = {
  pull: [['repository', 'pull']],
  push: [['repository', 'push']],
  delete: [['repository', 'delete']],
  // Harbor's scan robots' action: a pull by a scanner, which pull policies (prevent_vul) let through.
  'scanner-pull': [['repository', 'scanner-pull']],
  '*': [
    ['repository', 'pull'],
    ['repository', 'push'],
    ['repository', 'delete'],
  ],
};

export function projectOf(repository: string): string {
  const slash = repository.indexOf('/');
  return slash < 0 ? repository : repository.slice(0, slash);
}

export function createScopeGranter(access: AccessControl) {
  async function grantOne(principal: Principal, requested: ResourceAccess): Promise<ResourceAccess | undefined> {
    if (requested.type === 'registry') {
      if (requested.name !== 'catalog' || !isSysadmin(principal)) return undefined;
      return { type: 'registry', name: 'catalog', actions: requested.actions.filter((a) => a === '*') };
    }
    if (requested.type !== 'repository' || !isValidRepositoryName(requested.name)) return undefined;
    const project = projectOf(requested.name);
    const actions: string[] = [];
    for (const action of new Set(requested.actions)) {
      const needs = repositoryActions[action];
      if (!needs) continue;
      let allowed = true;
      for (const [resource, verb] of needs) {
        if (!(await access.can(principal, project, resource, verb))) {
          allowed = false;
          break;
        }
      }
      if (allowed) actions.push(action);
    }
    return { type: 'repository', name: requested.name, actions };
  }

  return {
    /** The requested access cut down to what `principal` holds; entries with no action left keep an empty list. */
    async grant(principal: Principal, requested: ResourceAccess[]): Promise<ResourceAccess[]> {
      const granted: ResourceAccess[] = [];
      for (const entry of requested) {
        const result = await grantOne(principal, entry);
        if (result) granted.push(result);
      }
      return granted;
    },
  };
}

export type ScopeGranter = ReturnType<typeof createScopeGranter>;
