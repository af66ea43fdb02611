import type { Kysely } from 'kysely';
import { LRUCache } from 'lru-cache';
import type { Database } from '../db/index.js';
import type { Principal, RobotPermission } from '../auth/index.js';
import { isRoleId, permissionsOfRole, type RoleId } from './rbac.js';

// Access control: what a principal may do in a project (Harbor's RBAC) or system-wide.
// Lookups are cached for a few seconds only, so a removed member, a disabled robot or a
// project turned private loses access within that bound on every replica.

export interface ProjectRef {
  id: number;
  name: string;
  public: boolean;
  /** Its pull policy (metadata prevent_vul and severity), which /v2 pulls check. */
  preventVul: boolean;
  severity: string;
  /** Whether its pulls are checked against the system's CVE allowlist rather than its own (Harbor: true unless set). */
  reuseSysCveAllowlist: boolean;
}

const refKeys = ['public', 'prevent_vul', 'severity', 'reuse_sys_cve_allowlist'];

/** What anyone, even anonymous, may do in a public project (Harbor's public-project policies). */
const publicProjectPermissions: ReadonlySet<string> = new Set([
  'project:read',
  'repository:list',
  'repository:pull',
  'repository:read',
  'artifact:read',
  'artifact:list',
  'artifact-addition:read',
  'tag:list',
  'accessory:list',
  'label:read',
  'label:list',
  'scan:read',
  'helm-chart:read',
  'helm-chart:list',
  'helm-chart-version:read',
  'helm-chart-version:list',
]);

const none: ReadonlySet<string> = new Set();

export interface AccessControlOptions {
  db: Kysely<Database>;
  /** How long a permission lookup may be served from memory. */
  cacheTtlMs?: number;
}

export function createAccessControl({ db, cacheTtlMs = 2000 }: AccessControlOptions) {
  const projects = new LRUCache<string, ProjectRef>({ max: 10_000, ttl: cacheTtlMs });
  const grants = new LRUCache<string, ReadonlySet<string>>({ max: 50_000, ttl: cacheTtlMs });

  async function project(nameOrId: string | number): Promise<ProjectRef | undefined> {
    // Ids and names are kept apart: a project may be named "123".
    const key = typeof nameOrId === 'number' ? `#${nameOrId}` : nameOrId;
    const hit = projects.get(key);
    if (hit) return hit;
    const rows = await db
      .selectFrom('projects as p')
      .leftJoin('project_metadata as m', (join) => join.onRef('m.project_id', '=', 'p.id').on('m.name', 'in', refKeys))
      .select(['p.id', 'p.name', 'm.name as key', 'm.value'])
      .where(typeof nameOrId === 'number' ? 'p.id' : 'p.name', '=', nameOrId)
      .execute();
    const row = rows[0];
    if (!row) return undefined;
    const meta = new Map(rows.map((r) => [r.key, r.value]));
    const ref = {
      id: row.id,
      name: row.name,
      public: meta.get('public') === 'true',
      preventVul: meta.get('prevent_vul') === 'true',
      severity: meta.get('severity') ?? 'low',
      reuseSysCveAllowlist: meta.get('reuse_sys_cve_allowlist') !== 'false',
    };
    projects.set(key, ref);
    return ref;
  }

  async function memberRole(userId: number, projectId: number): Promise<RoleId | undefined> {
    const row = await db
      .selectFrom('project_members')
      .select('role')
      .where('project_id', '=', projectId)
      .where('entity_type', '=', 'u')
      .where('entity_id', '=', userId)
      .executeTakeFirst();
    return row && isRoleId(row.role) ? row.role : undefined;
  }

  async function computeProjectPermissions(principal: Principal, ref: ProjectRef): Promise<ReadonlySet<string>> {
    const base = ref.public ? publicProjectPermissions : none;
    if (principal.kind === 'anonymous') return base;
    if (principal.kind === 'user') {
      if (principal.sysadmin) return allPermissions;
      const role = await memberRole(principal.id, ref.id);
      return role === undefined ? base : union(base, permissionsOfRole(role));
    }
    return union(base, robotProjectPermissions(principal.permissions, ref.name));
  }

  /** The `resource:action` pairs the principal holds in the project. */
  async function projectPermissions(principal: Principal, ref: ProjectRef): Promise<ReadonlySet<string>> {
    const key = `${principalKey(principal)}|${ref.id}|${ref.public ? 1 : 0}`;
    const hit = grants.get(key);
    if (hit) return hit;
    const granted = await computeProjectPermissions(principal, ref);
    grants.set(key, granted);
    return granted;
  }

  return {
    project,
    projectPermissions,

    /** Whether the principal may perform `action` on `resource` in the named project. */
    async can(principal: Principal, projectName: string | number, resource: string, action: string): Promise<boolean> {
      const ref = await project(projectName);
      if (!ref) return false;
      if (isSysadmin(principal)) return true;
      const granted = await projectPermissions(principal, ref);
      return granted === allPermissions || granted.has(`${resource}:${action}`);
    },

    /** System-level permission (users, audit logs, system robots, configuration): admins and system robots. */
    canSystem(principal: Principal, resource: string, action: string): boolean {
      if (isSysadmin(principal)) return true;
      if (principal.kind !== 'robot') return false;
      return principal.permissions.some(
        (p) =>
          p.kind === 'system' &&
          p.access.some((a) => a.resource === resource && a.action === action && a.effect !== 'deny'),
      );
    },

    /** Drops cached lookups, after a change to projects, members or robots on this replica. */
    invalidate(): void {
      projects.clear();
      grants.clear();
    },
  };
}

export type AccessControl = ReturnType<typeof createAccessControl>;

export function isSysadmin(principal: Principal): boolean {
  return principal.kind === 'user' && principal.sysadmin;
}

/** A sentinel set: a system administrator holds every permission. */
const allPermissions: ReadonlySet<string> = new Set(['*']);

function robotProjectPermissions(permissions: RobotPermission[], projectName: string): ReadonlySet<string> {
  const granted = new Set<string>();
  const denied = new Set<string>();
  for (const permission of permissions) {
    if (permission.kind !== 'project' || (permission.namespace !== projectName && permission.namespace !== '*'))
      continue;
    for (const access of permission.access) {
      (access.effect === 'deny' ? denied : granted).add(`${access.resource}:${access.action}`);
    }
  }
  for (const d of denied) granted.delete(d);
  return granted;
}

function union(a: ReadonlySet<string>, b: ReadonlySet<string>): ReadonlySet<string> {
  if (a.size === 0) return b;
  return new Set([...a, ...b]);
}

function principalKey(principal: Principal): string {
  if (principal.kind === 'anonymous') return 'anon';
  if (principal.kind === 'user') return `u${principal.id}:${principal.sysadmin ? 1 : 0}`;
  return `r${principal.id}`;
}
