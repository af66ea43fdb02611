import { test } from 'node:test';
import assert from 'node:assert/strict';
import { allProjectPermissions, isRoleId, roleAllows, roleNames, type RoleId } from './rbac.js';

// The permission matrix, transcribed policy by policy from goharbor/harbor
// src/common/rbac/project/rbac_role.go (rolePoliciesMap), in Harbor's order, and checked
// against rbac.ts for every role × every resource × every action, granted or not.
// Harbor's rbac.ResourceSelf (the project itself) is "project" in Berth.

type Policies = [resource: string, action: string][];

const expected: Record<string, Policies> = {
  projectAdmin: [
    ['project', 'read'],
    ['project', 'update'],
    ['project', 'delete'],
    ['member', 'create'],
    ['member', 'read'],
    ['member', 'update'],
    ['member', 'delete'],
    ['member', 'list'],
    ['metadata', 'create'],
    ['metadata', 'read'],
    ['metadata', 'update'],
    ['metadata', 'delete'],
    ['log', 'list'],
    ['label', 'create'],
    ['label', 'read'],
    ['label', 'update'],
    ['label', 'delete'],
    ['label', 'list'],
    ['quota', 'read'],
    ['repository', 'create'],
    ['repository', 'read'],
    ['repository', 'update'],
    ['repository', 'delete'],
    ['repository', 'list'],
    ['repository', 'pull'],
    ['repository', 'push'],
    ['tag-retention', 'create'],
    ['tag-retention', 'read'],
    ['tag-retention', 'update'],
    ['tag-retention', 'delete'],
    ['tag-retention', 'list'],
    ['tag-retention', 'operate'],
    ['immutable-tag', 'create'],
    ['immutable-tag', 'update'],
    ['immutable-tag', 'delete'],
    ['immutable-tag', 'list'],
    ['helm-chart', 'create'],
    ['helm-chart', 'read'],
    ['helm-chart', 'delete'],
    ['helm-chart', 'list'],
    ['helm-chart-version', 'create'],
    ['helm-chart-version', 'read'],
    ['helm-chart-version', 'delete'],
    ['helm-chart-version', 'list'],
    ['helm-chart-version-label', 'create'],
    ['helm-chart-version-label', 'delete'],
    ['helm-chart-version-label', 'list'],
    ['configuration', 'read'],
    ['configuration', 'update'],
    ['robot', 'create'],
    ['robot', 'read'],
    ['robot', 'update'],
    ['robot', 'delete'],
    ['robot', 'list'],
    ['notification-policy', 'create'],
    ['notification-policy', 'update'],
    ['notification-policy', 'delete'],
    ['notification-policy', 'list'],
    ['notification-policy', 'read'],
    ['scan', 'create'],
    ['scan', 'read'],
    ['scan', 'stop'],
    ['scanner', 'read'],
    ['scanner', 'create'],
    ['artifact', 'create'],
    ['artifact', 'read'],
    ['artifact', 'delete'],
    ['artifact', 'list'],
    ['artifact-addition', 'read'],
    ['tag', 'list'],
    ['tag', 'create'],
    ['tag', 'delete'],
    ['accessory', 'list'],
    ['artifact-label', 'create'],
    ['artifact-label', 'delete'],
    ['preheat-policy', 'create'],
    ['preheat-policy', 'read'],
    ['preheat-policy', 'update'],
    ['preheat-policy', 'delete'],
    ['preheat-policy', 'list'],
    ['export-cve', 'create'],
    ['export-cve', 'read'],
  ],
  maintainer: [
    ['project', 'read'],
    ['member', 'read'],
    ['member', 'list'],
    ['metadata', 'create'],
    ['metadata', 'read'],
    ['metadata', 'update'],
    ['metadata', 'delete'],
    ['log', 'list'],
    ['quota', 'read'],
    ['label', 'create'],
    ['label', 'read'],
    ['label', 'update'],
    ['label', 'delete'],
    ['label', 'list'],
    ['repository', 'create'],
    ['repository', 'read'],
    ['repository', 'update'],
    ['repository', 'delete'],
    ['repository', 'list'],
    ['repository', 'push'],
    ['repository', 'pull'],
    ['tag-retention', 'create'],
    ['tag-retention', 'read'],
    ['tag-retention', 'update'],
    ['tag-retention', 'delete'],
    ['tag-retention', 'list'],
    ['tag-retention', 'operate'],
    ['accessory', 'list'],
    ['immutable-tag', 'create'],
    ['immutable-tag', 'update'],
    ['immutable-tag', 'delete'],
    ['immutable-tag', 'list'],
    ['helm-chart', 'create'],
    ['helm-chart', 'read'],
    ['helm-chart', 'delete'],
    ['helm-chart', 'list'],
    ['helm-chart-version', 'create'],
    ['helm-chart-version', 'read'],
    ['helm-chart-version', 'delete'],
    ['helm-chart-version', 'list'],
    ['helm-chart-version-label', 'create'],
    ['helm-chart-version-label', 'delete'],
    ['helm-chart-version-label', 'list'],
    ['configuration', 'read'],
    ['robot', 'read'],
    ['robot', 'list'],
    ['notification-policy', 'list'],
    ['scan', 'create'],
    ['scan', 'read'],
    ['scan', 'stop'],
    ['scanner', 'read'],
    ['artifact', 'create'],
    ['artifact', 'read'],
    ['artifact', 'delete'],
    ['artifact', 'list'],
    ['artifact-addition', 'read'],
    ['tag', 'list'],
    ['tag', 'create'],
    ['tag', 'delete'],
    ['artifact-label', 'create'],
    ['artifact-label', 'delete'],
    ['export-cve', 'create'],
    ['export-cve', 'read'],
  ],
  developer: [
    ['project', 'read'],
    ['member', 'read'],
    ['member', 'list'],
    ['log', 'list'],
    ['label', 'read'],
    ['label', 'list'],
    ['quota', 'read'],
    ['repository', 'create'],
    ['repository', 'read'],
    ['repository', 'update'],
    ['repository', 'list'],
    ['repository', 'push'],
    ['repository', 'pull'],
    ['tag-retention', 'create'],
    ['tag-retention', 'read'],
    ['tag-retention', 'update'],
    ['tag-retention', 'delete'],
    ['tag-retention', 'list'],
    ['tag-retention', 'operate'],
    ['helm-chart', 'create'],
    ['helm-chart', 'read'],
    ['helm-chart', 'list'],
    ['helm-chart-version', 'create'],
    ['helm-chart-version', 'read'],
    ['helm-chart-version', 'list'],
    ['helm-chart-version-label', 'create'],
    ['helm-chart-version-label', 'delete'],
    ['helm-chart-version-label', 'list'],
    ['configuration', 'read'],
    ['robot', 'read'],
    ['robot', 'list'],
    ['scan', 'read'],
    ['scanner', 'read'],
    ['artifact', 'create'],
    ['artifact', 'read'],
    ['artifact', 'list'],
    ['artifact-addition', 'read'],
    ['tag', 'list'],
    ['tag', 'create'],
    ['accessory', 'list'],
    ['artifact-label', 'create'],
    ['artifact-label', 'delete'],
    ['export-cve', 'create'],
    ['export-cve', 'read'],
  ],
  guest: [
    ['project', 'read'],
    ['member', 'read'],
    ['member', 'list'],
    ['log', 'list'],
    ['label', 'read'],
    ['label', 'list'],
    ['quota', 'read'],
    ['repository', 'read'],
    ['repository', 'list'],
    ['repository', 'pull'],
    ['helm-chart', 'read'],
    ['helm-chart', 'list'],
    ['helm-chart-version', 'read'],
    ['helm-chart-version', 'list'],
    ['configuration', 'read'],
    ['robot', 'read'],
    ['robot', 'list'],
    ['scan', 'read'],
    ['scanner', 'read'],
    ['tag', 'list'],
    ['accessory', 'list'],
    ['artifact', 'read'],
    ['artifact', 'list'],
    ['artifact-addition', 'read'],
  ],
  limitedGuest: [
    ['project', 'read'],
    ['quota', 'read'],
    ['repository', 'list'],
    ['repository', 'pull'],
    ['helm-chart', 'read'],
    ['helm-chart', 'list'],
    ['helm-chart-version', 'read'],
    ['helm-chart-version', 'list'],
    ['configuration', 'read'],
    ['scan', 'read'],
    ['scanner', 'read'],
    ['tag', 'list'],
    ['accessory', 'list'],
    ['artifact', 'read'],
    ['artifact', 'list'],
    ['artifact-addition', 'read'],
  ],
};

// Harbor's role ids (src/common/const.go): RoleProjectAdmin 1, RoleDeveloper 2, RoleGuest 3, RoleMaintainer 4, RoleLimitedGuest 5.
const roleIds: Record<string, RoleId> = { projectAdmin: 1, developer: 2, guest: 3, maintainer: 4, limitedGuest: 5 };

// Every action Harbor's project policies use (src/common/rbac/const.go).
const actions = ['create', 'read', 'update', 'delete', 'list', 'pull', 'push', 'operate', 'stop'];
const resources = [
  ...new Set(Object.values(expected).flatMap((policies) => policies.map(([resource]) => resource))),
].sort();

test("Harbor's five project roles have Harbor's ids and names", () => {
  for (const [name, id] of Object.entries(roleIds)) {
    assert.ok(isRoleId(id));
    assert.equal(roleNames[id], name);
  }
  assert.equal(isRoleId(0), false);
  assert.equal(isRoleId(6), false);
  assert.equal(isRoleId('1'), false);
});

for (const [roleName, policies] of Object.entries(expected)) {
  test(`${roleName}: every resource × action is granted exactly as in Harbor's rbac_role.go`, () => {
    const granted = new Set(policies.map(([resource, action]) => `${resource}:${action}`));
    assert.equal(granted.size, policies.length, `${roleName}: the transcription lists no policy twice`);
    const mismatches: string[] = [];
    for (const resource of resources) {
      for (const action of actions) {
        const want = granted.has(`${resource}:${action}`);
        if (roleAllows(roleIds[roleName], resource, action) !== want)
          mismatches.push(`${resource}:${action} should be ${want ? 'granted' : 'refused'}`);
      }
    }
    assert.deepEqual(mismatches, []);
  });
}

test('no role grants a resource or action Harbor does not define', () => {
  const universe = new Set(Object.values(expected).flatMap((policies) => policies.map(([r, a]) => `${r}:${a}`)));
  assert.deepEqual(allProjectPermissions(), [...universe].sort());
  for (const id of Object.values(roleIds)) {
    assert.equal(roleAllows(id, 'user', 'create'), false);
    assert.equal(roleAllows(id, 'project', 'create'), false);
    assert.equal(roleAllows(id, 'repository', '*'), false);
  }
});
