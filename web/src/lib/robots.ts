import type { RobotAccess, RobotPermission } from '../api/types';

// The permissions the portal offers a robot (subsets of Harbor's catalogue,
// iam/robots/catalogue.ts), grouped by resource as Harbor's portal shows them.

export type ResourceActions = Record<string, readonly string[]>;

/** What a project robot, or a system robot inside a project, may be given. */
export const robotResources: ResourceActions = {
  repository: ['pull', 'push', 'list', 'read', 'update', 'delete'],
  artifact: ['read', 'list', 'create', 'delete'],
  tag: ['list', 'create', 'delete'],
  'artifact-label': ['create', 'delete'],
  scan: ['create', 'read', 'stop'],
  accessory: ['list'],
};

/** What a system robot may be given at the system level (namespace "/"). */
export const systemRobotResources: ResourceActions = {
  'audit-log': ['list'],
  project: ['list', 'create'],
  catalog: ['read'],
  registry: ['read', 'list', 'create', 'update', 'delete'],
  'replication-policy': ['read', 'list', 'create', 'update', 'delete'],
  replication: ['read', 'list', 'create'],
  'garbage-collection': ['read', 'list', 'create', 'update', 'stop'],
  'scan-all': ['read', 'create', 'update', 'stop'],
  quota: ['read', 'list'],
  label: ['read', 'create', 'update', 'delete'],
};

/** What a new robot gets unless changed: pull and push, as in Harbor's portal. */
export const defaultRobotAccess: readonly RobotAccess[] = [
  { resource: 'repository', action: 'pull' },
  { resource: 'repository', action: 'push' },
];

export const accessKey = (access: RobotAccess) => `${access.resource}:${access.action}`;

/** The chosen accesses ("resource:action") in catalogue order; unknown ones are dropped. */
export function chosenAccess(resources: ResourceActions, chosen: ReadonlySet<string>): RobotAccess[] {
  return Object.entries(resources).flatMap(([resource, actions]) =>
    actions.filter((action) => chosen.has(`${resource}:${action}`)).map((action) => ({ resource, action })),
  );
}

/** One project permission with the chosen accesses, in catalogue order. */
export function robotPermissions(projectName: string, chosen: ReadonlySet<string>): RobotPermission[] {
  return [{ kind: 'project', namespace: projectName, access: chosenAccess(robotResources, chosen) }];
}

/** A project a system robot reaches: a project name, or "*" for every project. */
export interface ProjectGrant {
  namespace: string;
  chosen: ReadonlySet<string>;
}

/**
 * A system robot's permissions: its system accesses (namespace "/") when it has any,
 * then one project permission per named project that grants something.
 */
export function systemRobotPermissions(
  system: ReadonlySet<string>,
  projects: readonly ProjectGrant[],
): RobotPermission[] {
  const permissions: RobotPermission[] = [];
  const systemAccess = chosenAccess(systemRobotResources, system);
  if (systemAccess.length > 0) permissions.push({ kind: 'system', namespace: '/', access: systemAccess });
  for (const grant of projects) {
    const access = chosenAccess(robotResources, grant.chosen);
    if (grant.namespace.trim() && access.length > 0)
      permissions.push({ kind: 'project', namespace: grant.namespace.trim(), access });
  }
  return permissions;
}

/** Harbor's robot name rule: lower case, digits and single . _ - between them. */
export function robotNameProblem(name: string): 'empty' | 'invalid' | undefined {
  if (name === '') return 'empty';
  return /^[a-z0-9]+(?:[._-][a-z0-9]+)*$/.test(name) && name.length <= 255 ? undefined : 'invalid';
}
