// Harbor's project roles and their permission matrix (goharbor/harbor
// src/common/rbac/project/rbac_role.go), as data: role → resource → actions.
// "project" stands for Harbor's ResourceSelf (the project itself).

export const roles = {
  projectAdmin: 1,
  developer: 2,
  guest: 3,
  maintainer: 4,
  limitedGuest: 5,
} as const;

export type RoleId = (typeof roles)[keyof typeof roles];

export const roleNames: Record<RoleId, string> = {
  1: 'projectAdmin',
  2: 'developer',
  3: 'guest',
  4: 'maintainer',
  5: 'limitedGuest',
};

/** Harbor's display names, as `role_name` in member listings. */
export const roleDisplayNames: Record<RoleId, string> = {
  1: 'projectAdmin',
  2: 'developer',
  3: 'guest',
  4: 'maintainer',
  5: 'limitedGuest',
};

export function isRoleId(value: unknown): value is RoleId {
  return typeof value === 'number' && value in roleNames;
}

export type Action = 'create' | 'read' | 'update' | 'delete' | 'list' | 'pull' | 'push' | 'operate' | 'stop';

type Matrix = Record<string, string>;

const crud = 'create read update delete';
const crudl = 'create read update delete list';

const projectAdmin: Matrix = {
  project: 'read update delete',
  member: crudl,
  metadata: crud,
  log: 'list',
  label: crudl,
  quota: 'read',
  repository: 'create read update delete list pull push',
  'tag-retention': 'create read update delete list operate',
  'immutable-tag': 'create update delete list',
  'helm-chart': 'create read delete list',
  'helm-chart-version': 'create read delete list',
  'helm-chart-version-label': 'create delete list',
  configuration: 'read update',
  robot: crudl,
  'notification-policy': crudl,
  scan: 'create read stop',
  scanner: 'read create',
  artifact: 'create read delete list',
  'artifact-addition': 'read',
  tag: 'list create delete',
  accessory: 'list',
  'artifact-label': 'create delete',
  'preheat-policy': crudl,
  'export-cve': 'create read',
};

const maintainer: Matrix = {
  project: 'read',
  member: 'read list',
  metadata: crud,
  log: 'list',
  quota: 'read',
  label: crudl,
  repository: 'create read update delete list push pull',
  'tag-retention': 'create read update delete list operate',
  accessory: 'list',
  'immutable-tag': 'create update delete list',
  'helm-chart': 'create read delete list',
  'helm-chart-version': 'create read delete list',
  'helm-chart-version-label': 'create delete list',
  configuration: 'read',
  robot: 'read list',
  'notification-policy': 'list',
  scan: 'create read stop',
  scanner: 'read',
  artifact: 'create read delete list',
  'artifact-addition': 'read',
  tag: 'list create delete',
  'artifact-label': 'create delete',
  'export-cve': 'create read',
};

const developer: Matrix = {
  project: 'read',
  member: 'read list',
  log: 'list',
  label: 'read list',
  quota: 'read',
  repository: 'create read update list push pull',
  'tag-retention': 'create read update delete list operate',
  'helm-chart': 'create read list',
  'helm-chart-version': 'create read list',
  'helm-chart-version-label': 'create delete list',
  configuration: 'read',
  robot: 'read list',
  scan: 'read',
  scanner: 'read',
  artifact: 'create read list',
  'artifact-addition': 'read',
  tag: 'list create',
  accessory: 'list',
  'artifact-label': 'create delete',
  'export-cve': 'create read',
};

const guest: Matrix = {
  project: 'read',
  member: 'read list',
  log: 'list',
  label: 'read list',
  quota: 'read',
  repository: 'read list pull',
  'helm-chart': 'read list',
  'helm-chart-version': 'read list',
  configuration: 'read',
  robot: 'read list',
  scan: 'read',
  scanner: 'read',
  tag: 'list',
  accessory: 'list',
  artifact: 'read list',
  'artifact-addition': 'read',
};

const limitedGuest: Matrix = {
  project: 'read',
  quota: 'read',
  repository: 'list pull',
  'helm-chart': 'read list',
  'helm-chart-version': 'read list',
  configuration: 'read',
  scan: 'read',
  scanner: 'read',
  tag: 'list',
  accessory: 'list',
  artifact: 'read list',
  'artifact-addition': 'read',
};

function expand(matrix: Matrix): ReadonlySet<string> {
  return new Set(
    Object.entries(matrix).flatMap(([resource, actions]) =>
      actions.split(' ').map((action) => `${resource}:${action}`),
    ),
  );
}

const rolePermissions: Record<RoleId, ReadonlySet<string>> = {
  1: expand(projectAdmin),
  2: expand(developer),
  3: expand(guest),
  4: expand(maintainer),
  5: expand(limitedGuest),
};

/** The `resource:action` pairs a role grants in its project. */
export function permissionsOfRole(role: RoleId): ReadonlySet<string> {
  return rolePermissions[role];
}

export function roleAllows(role: RoleId, resource: string, action: string): boolean {
  return rolePermissions[role].has(`${resource}:${action}`);
}

/** Every resource and action Harbor's project roles mention, for the permission-matrix test. */
export function allProjectPermissions(): string[] {
  const all = new Set<string>();
  for (const set of Object.values(rolePermissions)) for (const p of set) all.add(p);
  return [...all].sort();
}
