// The permissions a robot account may be given: Harbor's PoliciesMap (goharbor/harbor
// src/common/rbac/const.go, v2.11), "System" for kind system and "Project" for kind project.
// GET /permissions lists them and robot creation accepts nothing else.

export interface Permission {
  resource: string;
  action: string;
}

type Catalogue = Record<string, string>;

const system: Catalogue = {
  'audit-log': 'list',
  'preheat-instance': 'read create delete list update',
  project: 'list create',
  'replication-policy': 'read create delete list update',
  replication: 'read create list',
  'replication-adapter': 'list',
  registry: 'read create delete list update',
  'scan-all': 'read update stop create',
  'system-volumes': 'read',
  'garbage-collection': 'read create list update stop',
  'purge-audit': 'read create list update stop',
  'jobservice-monitor': 'list stop',
  scanner: 'read create delete list update',
  label: 'read create delete update',
  'security-hub': 'read list',
  catalog: 'read',
  quota: 'read list',
};

const project: Catalogue = {
  log: 'list',
  project: 'read delete update',
  metadata: 'read create delete list update',
  repository: 'read update delete list pull push',
  artifact: 'read create list delete',
  scan: 'create read stop',
  tag: 'create list delete',
  accessory: 'list',
  'artifact-addition': 'read',
  'artifact-label': 'create delete',
  scanner: 'create read',
  'preheat-policy': 'read create delete list update',
  'immutable-tag': 'create delete list update',
  'notification-policy': 'read create delete list update',
  'tag-retention': 'read create delete list update',
  label: 'read create delete list update',
  quota: 'read',
};

function expand(catalogue: Catalogue): Permission[] {
  return Object.entries(catalogue).flatMap(([resource, actions]) =>
    actions.split(' ').map((action) => ({ resource, action })),
  );
}

export const systemPermissions: readonly Permission[] = expand(system);
export const projectPermissions: readonly Permission[] = expand(project);

const known = {
  system: new Set(systemPermissions.map((p) => `${p.resource}:${p.action}`)),
  project: new Set(projectPermissions.map((p) => `${p.resource}:${p.action}`)),
};

/** Whether Harbor's catalogue offers `resource:action` to a permission of this kind. */
export function isGrantable(kind: 'system' | 'project', resource: string, action: string): boolean {
  return known[kind].has(`${resource}:${action}`);
}
