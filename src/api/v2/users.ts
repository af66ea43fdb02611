import type { FastifyInstance, FastifyRequest } from 'fastify';
import { BerthError } from '../../shared/errors.js';
import type { Principal } from '../../auth/index.js';
import {
  allProjectPermissions,
  firstAdminId,
  type UserColumn,
  type UserFilter,
  type UserRow,
} from '../../iam/index.js';
import type { ApiDeps } from './deps.js';
import { pageRequest, setPageHeaders } from './paging.js';
import { parseQuery, parseSort, termsFor } from './query.js';

// /users: Harbor's user operations (goharbor/harbor src/server/v2.0/handler/user.go).

type Query = Record<string, string | undefined>;

/** Harbor's UserResp; the password hash never leaves the service. */
export function userResp(user: UserRow) {
  return {
    user_id: user.id,
    username: user.username,
    email: user.email ?? '',
    realname: user.realname,
    comment: user.comment,
    sysadmin_flag: user.sysadmin === 1,
    // Only an external authenticator (LDAP groups) grants admin rights; Berth's database users never.
    admin_role_in_auth: false,
    creation_time: user.creation_time,
    update_time: user.update_time,
  };
}

const sortColumns: Record<string, UserColumn> = {
  user_id: 'id',
  username: 'username',
  email: 'email',
  realname: 'realname',
  creation_time: 'creation_time',
  update_time: 'update_time',
};

function userFilters(query: Query): UserFilter[] {
  const filters: UserFilter[] = [];
  for (const term of termsFor(parseQuery(query.q), ['username', 'email']).values()) {
    const column = term.key as 'username' | 'email';
    if (term.kind === 'exact' || term.kind === 'fuzzy') filters.push({ column, kind: term.kind, value: term.value });
    else if (term.kind === 'or') filters.push({ column, kind: 'or', values: term.values });
    else throw new BerthError('BAD_REQUEST', `${column} supports exact (v), fuzzy (~v) and any-of ({a b}) matches`);
  }
  // Harbor also reads ?username= and ?email= as fuzzy matches.
  for (const column of ['username', 'email'] as const) {
    const value = query[column];
    if (value) filters.push({ column, kind: 'fuzzy', value });
  }
  return filters;
}

function userIdParam(request: FastifyRequest): number {
  const raw = (request.params as { user_id: string }).user_id;
  const id = Number(raw);
  if (!/^[0-9]+$/.test(raw) || !Number.isSafeInteger(id) || id < 1)
    throw new BerthError('BAD_REQUEST', `invalid user ID: ${raw.slice(0, 50)}`);
  return id;
}

function body(request: FastifyRequest): Record<string, unknown> {
  const value = request.body;
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new BerthError('BAD_REQUEST', 'the request body must be a JSON object');
  return value as Record<string, unknown>;
}

/** Harbor's GET /users/current/permissions scopes: /system and /project/<id>. */
const systemPermissions: [string, string][] = [
  ['catalog', 'read'],
  ['audit-log', 'list'],
  ...['create', 'read', 'update', 'delete', 'list'].flatMap((action) =>
    ['project', 'user', 'user-group', 'registry', 'replication', 'distribution', 'garbage-collection', 'scan-all'].map(
      (resource): [string, string] => [resource, action],
    ),
  ),
  ['scan-all', 'stop'],
  ['system-volumes', 'read'],
  ['ldap-user', 'create'],
  ['ldap-user', 'list'],
  ['configuration', 'read'],
  ['configuration', 'update'],
];

async function permissionsIn(
  deps: UserRouteDeps,
  principal: Principal,
  scope: string,
): Promise<{ resource: string; action: string }[]> {
  if (/^\/system\/?$/.test(scope)) {
    return systemPermissions
      .filter(([resource, action]) => deps.access.canSystem(principal, resource, action))
      .map(([resource, action]) => ({ resource: `/system/${resource}`, action }));
  }
  const match = /^\/project\/([0-9]+)\/?$/.exec(scope);
  if (!match) return [];
  const projectId = Number(match[1]);
  const granted: { resource: string; action: string }[] = [];
  for (const permission of allProjectPermissions()) {
    const [resource, action] = permission.split(':');
    if (!(await deps.access.can(principal, projectId, resource, action))) continue;
    // Berth's "project" is Harbor's ResourceSelf: the project's own path.
    granted.push({
      resource: resource === 'project' ? `/project/${projectId}` : `/project/${projectId}/${resource}`,
      action,
    });
  }
  return granted;
}

function relativeTo(scope: string, resource: string): string | undefined {
  const prefix = scope.replace(/\/$/, '');
  if (!resource.startsWith(prefix)) return undefined;
  return resource.slice(prefix.length).replace(/^\//, '') || '.';
}

/** What these routes use, and nothing else. */
export type UserRouteDeps = Pick<ApiDeps, 'security' | 'users' | 'settings' | 'access'>;

export function userRoutes(app: FastifyInstance, deps: UserRouteDeps): void {
  const { security, users, settings } = deps;
  const actor = async (request: FastifyRequest) => ({
    principal: await security.principal(request),
    clientIp: request.ip,
  });

  /** The user themself, or whoever holds the system-level permission. */
  async function requireSelfOr(request: FastifyRequest, id: number, action: string): Promise<void> {
    const principal = await security.requireAuthenticated(request);
    if (principal.kind === 'user' && principal.id === id) return;
    await security.requireSystem(request, 'user', action);
  }

  app.get('/users', async (request, reply) => {
    await security.requireSystem(request, 'user', 'list');
    const query = request.query as Query;
    const page = pageRequest(query);
    const sort = parseSort(query.sort, Object.keys(sortColumns)).map(({ column, desc }) => ({
      column: sortColumns[column],
      desc,
    }));
    const { users: rows, total } = await users.list({
      filters: userFilters(query),
      sort,
      offset: page.offset,
      limit: page.pageSize,
      excludeId: firstAdminId,
    });
    setPageHeaders(request, reply, page, total);
    return rows.map(userResp);
  });

  app.post('/users', async (request, reply) => {
    // Self-registration lets anyone sign up; otherwise only administrators create users.
    if (!(await settings.get()).self_registration) await security.requireSystem(request, 'user', 'create');
    else await security.principal(request);
    const created = await users.create(await actor(request), body(request));
    return reply.code(201).header('location', `/api/v2.0/users/${created.id}`).send();
  });

  app.get('/users/current', async (request) => {
    const principal = await security.requireAuthenticated(request);
    if (principal.kind !== 'user')
      throw new BerthError('PRECONDITION', `get current user not available for ${principal.kind} accounts`);
    return userResp(await users.get(principal.id));
  });

  app.get('/users/current/permissions', async (request) => {
    const principal = await security.requireAuthenticated(request);
    const query = request.query as Query;
    const scope = query.scope ?? '';
    const permissions = await permissionsIn(deps, principal, scope);
    if (query.relative !== 'true') return permissions;
    return permissions.flatMap((p) => {
      const resource = relativeTo(scope, p.resource);
      return resource === undefined ? [] : [{ resource, action: p.action }];
    });
  });

  app.get('/users/search', async (request, reply) => {
    await security.requireAuthenticated(request);
    const query = request.query as Query;
    if (query.username === undefined) throw new BerthError('BAD_REQUEST', 'the username query parameter is required');
    const page = pageRequest(query);
    const filters: UserFilter[] = [{ column: 'username', kind: 'fuzzy', value: query.username }];
    const { users: rows, total } = await users.list({
      filters,
      sort: [],
      offset: page.offset,
      limit: page.pageSize,
      excludeId: firstAdminId,
    });
    setPageHeaders(request, reply, page, total);
    return rows.map((user) => ({ user_id: user.id, username: user.username }));
  });

  app.get('/users/:user_id', async (request) => {
    const id = userIdParam(request);
    await requireSelfOr(request, id, 'read');
    return userResp(await users.get(id));
  });

  app.put('/users/:user_id', async (request, reply) => {
    const id = userIdParam(request);
    await requireSelfOr(request, id, 'update');
    await users.updateProfile(await actor(request), id, body(request));
    return reply.code(200).send();
  });

  app.delete('/users/:user_id', async (request, reply) => {
    const id = userIdParam(request);
    await security.requireSystem(request, 'user', 'delete');
    await users.delete(await actor(request), id);
    return reply.code(200).send();
  });

  app.put('/users/:user_id/password', async (request, reply) => {
    const id = userIdParam(request);
    await requireSelfOr(request, id, 'update');
    const { old_password: oldPassword, new_password: newPassword } = body(request);
    await users.changePassword(await actor(request), id, oldPassword, newPassword);
    return reply.code(200).send();
  });

  app.put('/users/:user_id/sysadmin', async (request, reply) => {
    const id = userIdParam(request);
    await security.requireSystem(request, 'user', 'update');
    await users.setSysadmin(await actor(request), id, body(request).sysadmin_flag);
    return reply.code(200).send();
  });
}
