import type { RobotAccess, RobotPermission } from '../api/types';

// The project permissions the portal offers a robot (a subset of Harbor's catalogue,
// iam/robots/catalogue.ts), grouped by resource as Harbor's portal shows them.

export const robotResources: Record<string, readonly string[]> = {
  repository: ['pull', 'push', 'list', 'read', 'update', 'delete'],
  artifact: ['read', 'list', 'create', 'delete'],
  tag: ['list', 'create', 'delete'],
  'artifact-label': ['create', 'delete'],
  scan: ['create', 'read', 'stop'],
  accessory: ['list'],
};

/** What a new robot gets unless changed: pull and push, as in Harbor's portal. */
export const defaultRobotAccess: readonly RobotAccess[] = [
  { resource: 'repository', action: 'pull' },
  { resource: 'repository', action: 'push' },
];

export const accessKey = (access: RobotAccess) => `${access.resource}:${access.action}`;

/** One project permission with the chosen accesses, in catalogue order. */
export function robotPermissions(projectName: string, chosen: ReadonlySet<string>): RobotPermission[] {
  const access = Object.entries(robotResources).flatMap(([resource, actions]) =>
    actions.filter((action) => chosen.has(`${resource}:${action}`)).map((action) => ({ resource, action })),
  );
  return [{ kind: 'project', namespace: projectName, access }];
}

/** Harbor's robot name rule: lower case, digits and single . _ - between them. */
export function robotNameProblem(name: string): 'empty' | 'invalid' | undefined {
  if (name === '') return 'empty';
  return /^[a-z0-9]+(?:[._-][a-z0-9]+)*$/.test(name) && name.length <= 255 ? undefined : 'invalid';
}
