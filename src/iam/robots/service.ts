import type { Actor } from '../actor.js';
import type { Kysely } from 'kysely';
import type { Database } from '../../db/index.js';
import type { Clock } from '../../shared/clock.js';
import { BerthError } from '../../shared/errors.js';
import type { AuditLog } from '../../audit/index.js';
import {
  type Authenticator,
  generatePassword,
  hashSecret,
  passwordProblem,
  principalName,
  robotPrefix,
  type Principal,
  type RobotAccess,
  type RobotPermission,
} from '../../auth/index.js';
import type { AccessControl, ProjectRef } from '../access.js';
import { isSysadmin } from '../access.js';
import { isGrantable, projectPermissions, systemPermissions, type Permission } from './catalogue.js';
import { createRobotRepo, type RobotFilter, type RobotListing, type RobotRow } from './repo.js';

// Robot accounts (Harbor's robot API v2): system robots `robot$<name>` and project
// robots `robot$<project>+<name>`, each with a permission list checked against
// Harbor's catalogue. The secret is shown once and stored as an argon2id hash.

export type RobotLevel = 'system' | 'project';

/** Harbor's Robot definition (secret never included). */
export interface RobotView {
  id: number;
  name: string;
  description: string;
  level: RobotLevel;
  duration: number;
  editable: boolean;
  disable: boolean;
  expires_at: number;
  permissions: RobotPermission[];
  creator_type?: string;
  creator_ref?: number;
  creation_time: string;
  update_time: string;
}

/** Harbor's RobotCreated. */
export interface RobotCreated {
  id: number;
  name: string;
  secret: string;
  creation_time: string;
  expires_at: number;
}

/** A validated RobotCreate body. */
export interface RobotDraft {
  name: string;
  description: string;
  level: RobotLevel;
  duration: number;
  disabled: boolean;
  permissions: RobotPermission[];
}

/** A validated PUT body: absent fields stay as they are. */
export interface RobotChanges {
  description?: string;
  duration?: number;
  disabled?: boolean;
  permissions: RobotPermission[];
}

/** Harbor's robot_token_duration default (days), used when a robot asks for duration 0. */
export const defaultRobotDurationDays = 30;

const secondsPerDay = 86_400;
// Harbor: robot names are lower case, and `+` is reserved as the project separator (handler/robot.go validateName).
const robotNamePattern = /^[a-z0-9]+(?:[._-][a-z0-9]+)*$/;

export interface RobotServiceDeps {
  db: Kysely<Database>;
  clock: Clock;
  access: AccessControl;
  authenticator: Authenticator;
  audit: AuditLog;
}

/** Who asked, for the audit log. */
export type { Actor } from '../actor.js';

export function createRobotService({ db, clock, access, authenticator, audit }: RobotServiceDeps) {
  const repo = createRobotRepo(db);

  function fullName(row: Pick<RobotRow, 'name' | 'level' | 'project_name' | 'project_id'>): string {
    if (row.level === 'system') return `${robotPrefix}${row.name}`;
    return `${robotPrefix}${row.project_name ?? row.project_id}+${row.name}`;
  }

  function view(row: RobotRow): RobotView {
    return {
      id: row.id,
      name: fullName(row),
      description: row.description,
      level: row.level,
      duration: row.duration,
      editable: true,
      disable: row.disabled === 1,
      expires_at: Number(row.expires_at),
      permissions: JSON.parse(row.permissions) as RobotPermission[],
      ...(row.creator_ref !== null ? { creator_type: 'local', creator_ref: row.creator_ref } : {}),
      creation_time: row.creation_time,
      update_time: row.update_time,
    };
  }

  /** Unix seconds when a robot created at `creationTime` with `duration` days expires; -1 never. */
  function expiresAt(creationTime: string, duration: number): number {
    if (duration === -1) return -1;
    return Math.floor(Date.parse(creationTime) / 1000) + duration * secondsPerDay;
  }

  /** Checks the namespaces of a system robot's project permissions name existing projects. */
  async function checkNamespaces(permissions: RobotPermission[]): Promise<void> {
    for (const permission of permissions) {
      if (permission.kind !== 'project' || permission.namespace === '*') continue;
      if (!(await access.project(permission.namespace)))
        throw new BerthError('NOT_FOUND', `project ${permission.namespace} not found`);
    }
  }

  /** After a change to a robot: this replica stops serving its cached account and grants. */
  function forgetRobot(row: RobotRow): void {
    authenticator.forget(fullName(row));
    access.invalidate();
  }

  function record(
    actor: Actor,
    operation: 'create' | 'update' | 'delete',
    row: Pick<RobotRow, 'name' | 'level' | 'project_name' | 'project_id'>,
  ): Promise<void> {
    return audit.record({
      operation,
      resourceType: 'robot',
      resource: fullName(row),
      username: principalName(actor.principal),
      projectId: row.level === 'project' ? row.project_id : 0,
      clientIp: actor.clientIp,
    });
  }

  async function require(id: number): Promise<RobotRow> {
    const row = await repo.byId(id);
    if (!row) throw new BerthError('NOT_FOUND', `robot ${id} not found`);
    return row;
  }

  return {
    fullName,
    view,
    expiresAt,

    /** The robot with this id, or 404. */
    get: require,

    async list(filter: RobotFilter, listing: RobotListing): Promise<{ robots: RobotView[]; total: number }> {
      const { rows, total } = await repo.list(filter, listing);
      return { robots: rows.map(view), total };
    },

    /**
     * Creates the robot; `project` is the project of a project-level robot, whose
     * namespace the caller was checked against. Answers the secret, once.
     */
    async create(draft: RobotDraft, project: ProjectRef | undefined, actor: Actor): Promise<RobotCreated> {
      if (draft.level === 'project' && !project) throw new BerthError('BAD_REQUEST', 'a project robot needs a project');
      if (draft.level === 'system') await checkNamespaces(draft.permissions);
      const projectId = project?.id ?? 0;
      if (await repo.byName(draft.name, projectId)) {
        throw new BerthError(
          'CONFLICT',
          `robot account ${draft.name} already exists${project ? ` in project ${project.name}` : ''}`,
        );
      }
      // A project robot's permission names its project canonically.
      const permissions = project
        ? draft.permissions.map((p) => ({ ...p, namespace: project.name }))
        : draft.permissions;
      const secret = generatePassword(32);
      const now = clock.now().toISOString();
      const values = {
        name: draft.name,
        description: draft.description,
        level: draft.level,
        project_id: projectId,
        secret_hash: await hashSecret(secret),
        disabled: draft.disabled ? 1 : 0,
        duration: draft.duration,
        expires_at: expiresAt(now, draft.duration),
        permissions: JSON.stringify(permissions),
        creator_ref: actor.principal.kind === 'user' ? actor.principal.id : null,
        creation_time: now,
        update_time: now,
      };
      let id: number;
      try {
        id = await repo.insert(values);
      } catch (err) {
        if (isUniqueViolation(err)) throw new BerthError('CONFLICT', `robot account ${draft.name} already exists`);
        throw err;
      }
      const named = {
        name: draft.name,
        level: draft.level,
        project_name: project?.name ?? null,
        project_id: projectId,
      };
      await record(actor, 'create', named);
      return { id, name: fullName(named), secret, creation_time: now, expires_at: values.expires_at };
    },

    async update(row: RobotRow, changes: RobotChanges, actor: Actor): Promise<void> {
      if (row.level === 'system') await checkNamespaces(changes.permissions);
      const duration = changes.duration ?? row.duration;
      await repo.update(row.id, {
        description: changes.description ?? row.description,
        disabled: changes.disabled === undefined ? row.disabled : changes.disabled ? 1 : 0,
        duration,
        // Harbor recomputes the expiry from the creation time when the duration changes.
        expires_at: duration === row.duration ? Number(row.expires_at) : expiresAt(row.creation_time, duration),
        permissions: JSON.stringify(changes.permissions),
        update_time: clock.now().toISOString(),
      });
      forgetRobot(row);
      await record(actor, 'update', row);
    },

    async delete(row: RobotRow, actor: Actor): Promise<void> {
      if (!(await repo.delete(row.id))) throw new BerthError('NOT_FOUND', `robot ${row.id} not found`);
      forgetRobot(row);
      await record(actor, 'delete', row);
    },

    /**
     * Harbor's RefreshSec: a given secret must meet the password rule and is not echoed;
     * without one, a new secret is generated and answered once.
     */
    async refreshSecret(row: RobotRow, given: string | undefined, actor: Actor): Promise<{ secret?: string }> {
      if (given !== undefined) {
        const problem = passwordProblem(given);
        if (problem)
          throw new BerthError('BAD_REQUEST', `invalid robot secret: ${problem.replace('the password', 'the secret')}`);
      }
      const secret = given ?? generatePassword(32);
      await repo.update(row.id, { secret_hash: await hashSecret(secret), update_time: clock.now().toISOString() });
      forgetRobot(row);
      await record(actor, 'update', row);
      return given === undefined ? { secret } : {};
    },

    /** Harbor's GET /permissions: system admins see both lists, project admins the project list; others none. */
    async catalogue(principal: Principal): Promise<{ system?: Permission[]; project: Permission[] } | undefined> {
      if (isSysadmin(principal)) return { system: [...systemPermissions], project: [...projectPermissions] };
      if (principal.kind === 'user' && (await repo.isProjectAdminSomewhere(principal.id)))
        return { project: [...projectPermissions] };
      return undefined;
    },
  };
}

export type RobotService = ReturnType<typeof createRobotService>;

function isUniqueViolation(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return code === 'SQLITE_CONSTRAINT_UNIQUE' || code === '23505';
}

// ---- request bodies ----

type Json = Record<string, unknown>;

function bad(message: string): BerthError {
  return new BerthError('BAD_REQUEST', message);
}

function objectBody(body: unknown, what: string): Json {
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    throw bad(`the request body must be a JSON object (${what})`);
  return body as Json;
}

function optionalString(body: Json, key: string): string | undefined {
  const value = body[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw bad(`${key} must be a string`);
  return value;
}

function optionalBoolean(body: Json, key: string): boolean | undefined {
  const value = body[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'boolean') throw bad(`${key} must be a boolean`);
  return value;
}

/** Days: -1 never, 0 the system's robot_token_duration, else a positive integer (below 2^31, as Harbor). */
function parseDuration(value: unknown, defaultDays: number): number | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < -1 || value >= 2 ** 31 - 1) {
    throw bad(`bad request error duration input: ${String(value)}; use -1 (never) or a number of days`);
  }
  return value === 0 ? defaultDays : value;
}

function parseLevel(value: unknown): RobotLevel {
  if (value !== 'system' && value !== 'project')
    throw bad(`bad request error level input: ${String(value)}; use system or project`);
  return value;
}

function parseAccess(raw: unknown, kind: RobotLevel): RobotAccess {
  const access = objectBody(raw, 'access');
  const resource = optionalString(access, 'resource');
  const action = optionalString(access, 'action');
  const effect = optionalString(access, 'effect');
  if (!resource || !action) throw bad('each access needs a resource and an action');
  if (!isGrantable(kind, resource, action)) {
    throw bad(
      `unknown ${kind} permission "${resource.slice(0, 100)}:${action.slice(0, 100)}"; see GET /api/v2.0/permissions`,
    );
  }
  if (effect !== undefined && effect !== '' && effect !== 'allow' && effect !== 'deny')
    throw bad(`effect must be allow or deny, not "${effect.slice(0, 100)}"`);
  return { resource, action, effect: effect === 'deny' ? 'deny' : 'allow' };
}

function parsePermission(raw: unknown): RobotPermission {
  const permission = objectBody(raw, 'permission');
  const kind = permission.kind;
  if (kind !== 'system' && kind !== 'project')
    throw bad(`unknown robot permission kind: ${String(kind)}; use system or project`);
  const namespace = optionalString(permission, 'namespace');
  if (!namespace) throw bad('each permission needs a namespace');
  if (kind === 'system' && namespace !== '/') throw bad('a system permission has namespace "/"');
  const accesses = permission.access;
  if (!Array.isArray(accesses) || accesses.length === 0) throw bad('bad request empty access');
  return { kind, namespace, access: accesses.map((a) => parseAccess(a, kind)) };
}

function parsePermissions(value: unknown, level: RobotLevel): RobotPermission[] {
  if (!Array.isArray(value) || value.length === 0) throw bad('bad request empty permission');
  const permissions = value.map(parsePermission);
  // Harbor: a project robot holds exactly one permission, for its own project.
  if (level === 'project') {
    const [only] = permissions;
    if (permissions.length !== 1 || only.kind !== 'project' || only.namespace === '*') {
      throw bad('a project robot needs exactly one permission of kind project naming its project');
    }
  }
  return permissions;
}

/** Validates a RobotCreate body; `defaultDays` replaces an absent or zero duration. */
export function parseRobotCreate(body: unknown, defaultDays = defaultRobotDurationDays): RobotDraft {
  const robot = objectBody(body, 'RobotCreate');
  const name = optionalString(robot, 'name') ?? '';
  if (!robotNamePattern.test(name) || name.length > 255) {
    throw bad(
      'robot name is not in lower case or contains illegal characters (allowed: a-z, 0-9 and single . _ - between them)',
    );
  }
  const level = parseLevel(robot.level);
  return {
    name,
    description: optionalString(robot, 'description') ?? '',
    level,
    duration: parseDuration(robot.duration, defaultDays) ?? defaultDays,
    disabled: optionalBoolean(robot, 'disable') ?? false,
    permissions: parsePermissions(robot.permissions, level),
  };
}

/** Validates a PUT body (Harbor's Robot) against the robot it updates. */
export function parseRobotUpdate(
  body: unknown,
  row: RobotRow,
  fullName: string,
  defaultDays = defaultRobotDurationDays,
): RobotChanges {
  const robot = objectBody(body, 'Robot');
  const level = parseLevel(robot.level);
  const name = optionalString(robot, 'name');
  if (level !== row.level || (name !== undefined && name !== fullName && name !== row.name)) {
    throw bad('cannot update the level or name of robot');
  }
  const permissions = parsePermissions(robot.permissions, level);
  if (level === 'project' && permissions[0].namespace !== row.project_name) {
    throw bad(`a project robot keeps the permission of its project ${row.project_name ?? row.project_id}`);
  }
  return {
    description: optionalString(robot, 'description'),
    duration: parseDuration(robot.duration, defaultDays),
    disabled: optionalBoolean(robot, 'disable'),
    permissions,
  };
}

/** Validates a RobotSec body: an absent or empty secret asks for a generated one. */
export function parseRobotSec(body: unknown): string | undefined {
  if (body === undefined || body === null || body === '') return undefined;
  const sec = objectBody(body, 'RobotSec');
  const secret = optionalString(sec, 'secret');
  return secret === '' ? undefined : secret;
}
