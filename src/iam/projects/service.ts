import type { Actor } from '../actor.js';
import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../../db/index.js';
import { BerthError } from '../../shared/errors.js';
import { isoNow, type Clock } from '../../shared/clock.js';
import { principalName, type Principal, type Authenticator } from '../../auth/index.js';
import type { AuditLog } from '../../audit/index.js';
import type { EventBus } from '../../shared/events.js';
import { isSysadmin, type AccessControl } from '../access.js';
import { roles, type RoleId } from '../rbac.js';
import { metadataFromRequest, normalizeMetadata, type Metadata } from './metadata.js';
import { createProjectRepo, type ProjectFilter, type ProjectRow, type ProjectSort, type Visibility } from './repo.js';

// Projects: create, list, read, update, delete, summary and metadata (Harbor's
// src/server/v2.0/handler/project.go and project_metadata.go). Permission checks happen
// in the API layer; this module enforces Harbor's rules on names, metadata and deletion.

/** Who performs a change, for the audit log. */
export type { Actor } from '../actor.js';

export interface ProjectView extends ProjectRow {
  metadata: Metadata;
  repo_count: number;
  /** The caller's roles in the project (empty for non-members). */
  role_ids: RoleId[];
}

/** Project and repository counts a caller may see (Harbor's Statistic); totals only for system administrators. */
export interface ProjectStatistics {
  publicProjects: number;
  publicRepositories: number;
  privateProjects: number;
  privateRepositories: number;
  total?: { projects: number; repositories: number };
}

export interface ProjectRequest {
  name?: string;
  metadata: Metadata;
  /** storage_limit in bytes (-1 unlimited); absent or 0: the default quota. */
  storageLimit?: number;
}

export interface ProjectSummary {
  repoCount: number;
  /** Members per role, when the caller may list members. */
  members?: Map<number, number>;
}

const projectNamePattern = /^[a-z0-9]+(?:[._-][a-z0-9]+)*$/;

/** Harbor's project name rule: lower case letters, digits and single separators (._-), at most 255 characters. */
export function projectNameProblem(name: string): string | undefined {
  if (name.length < 1 || name.length > 255) return 'the project name must be 1 to 255 characters long';
  if (!projectNamePattern.test(name)) {
    return `invalid project name "${name.slice(0, 100)}": use lower case letters, digits and single '.', '_' or '-' between them (${projectNamePattern.source})`;
  }
  return undefined;
}

/** Checks a ProjectReq body: project_name, the deprecated `public`, metadata, storage_limit and registry_id. */
export function parseProjectRequest(body: unknown): ProjectRequest {
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    throw new BerthError('BAD_REQUEST', 'the request body must be a ProjectReq object');
  const req = body as Record<string, unknown>;
  if (req.project_name !== undefined && typeof req.project_name !== 'string')
    throw new BerthError('BAD_REQUEST', 'project_name must be a string');
  if (req.public !== undefined && req.public !== null && typeof req.public !== 'boolean')
    throw new BerthError('BAD_REQUEST', 'public must be a boolean');
  if (req.storage_limit !== undefined && req.storage_limit !== null) {
    const limit = req.storage_limit;
    // Harbor's quota rule: -1 (unlimited) or a positive number of bytes; 0 means the default.
    if (typeof limit !== 'number' || !Number.isInteger(limit) || limit < -1)
      throw new BerthError('BAD_REQUEST', 'storage_limit must be -1 or a non-negative integer');
  }
  if (req.registry_id !== undefined && req.registry_id !== null) {
    throw new BerthError(
      'BAD_REQUEST',
      'proxy cache projects (registry_id) are not supported by this version of Berth',
    );
  }
  const metadata = metadataFromRequest(req.metadata);
  // Harbor accepts the deprecated `public` when metadata.public is absent (replication from old versions).
  if (metadata.public === undefined && typeof req.public === 'boolean') metadata.public = String(req.public);
  const storageLimit = typeof req.storage_limit === 'number' && req.storage_limit !== 0 ? req.storage_limit : undefined;
  return {
    name: req.project_name as string | undefined,
    metadata,
    ...(storageLimit !== undefined && { storageLimit }),
  };
}

export interface ProjectServiceDeps {
  db: Kysely<Database>;
  clock: Clock;
  access: AccessControl;
  authenticator: Pick<Authenticator, 'forget'>;
  audit: AuditLog;
  /** Where `project.created` goes. */
  events?: Pick<EventBus, 'publish'>;
  /**
   * Writes what a new project gets from other features (its quota) in the transaction that
   * creates it: a project never exists without them, even if the process dies right after.
   */
  onCreate?: (
    trx: Transaction<Database>,
    project: { id: number; name: string; storageLimit?: number },
  ) => Promise<void>;
}

export function createProjectService({
  db,
  clock,
  access,
  authenticator,
  audit,
  events,
  onCreate,
}: ProjectServiceDeps) {
  const repo = createProjectRepo(db);

  function record(
    actor: Actor,
    operation: 'create' | 'update' | 'delete',
    project: { id: number; name: string },
  ): Promise<void> {
    return audit.record({
      operation,
      resourceType: 'project',
      resource: project.name,
      username: principalName(actor.principal),
      projectId: project.id,
      clientIp: actor.clientIp,
    });
  }

  async function find(nameOrId: string | number): Promise<ProjectRow | undefined> {
    return typeof nameOrId === 'number' ? repo.byId(nameOrId) : repo.byName(nameOrId);
  }

  async function get(nameOrId: string | number): Promise<ProjectRow> {
    const row = await find(nameOrId);
    if (!row) throw new BerthError('NOT_FOUND', `project ${String(nameOrId)} not found`);
    return row;
  }

  async function owner(principal: Principal): Promise<number> {
    if (principal.kind === 'user') return principal.id;
    const admin = await repo.firstSysadmin();
    if (!admin) throw new BerthError('UNKNOWN', 'cannot create a project: no system administrator exists');
    return admin.id;
  }

  /** Harbor's visibility rules for listing: anonymous sees public projects, users also their own, admins all. */
  function visibilityOf(principal: Principal, publicFilter: boolean | undefined): Visibility {
    const withPublic = publicFilter !== false;
    if (principal.kind === 'anonymous') return { kind: 'public' };
    if (principal.kind === 'user')
      return principal.sysadmin ? { kind: 'all' } : { kind: 'member', userId: principal.id, withPublic };
    const namespaces = principal.permissions.filter((p) => p.kind === 'project').map((p) => p.namespace);
    return namespaces.includes('*') ? { kind: 'all' } : { kind: 'named', names: namespaces, withPublic };
  }

  async function views(principal: Principal, rows: ProjectRow[]): Promise<ProjectView[]> {
    const ids = rows.map((r) => r.id);
    const [metadata, repoCounts, roleLists] = await Promise.all([
      repo.metadataOf(ids),
      repo.repoCounts(ids),
      principal.kind === 'user' ? repo.rolesOf(principal.id, ids) : Promise.resolve(new Map<number, number[]>()),
    ]);
    return rows.map((row) => ({
      ...row,
      metadata: metadata.get(row.id) ?? {},
      repo_count: repoCounts.get(row.id) ?? 0,
      role_ids: (roleLists.get(row.id) ?? []) as RoleId[],
    }));
  }

  async function deletable(row: ProjectRow): Promise<{ deletable: boolean; message?: string }> {
    const repoCount = (await repo.repoCounts([row.id])).get(row.id) ?? 0;
    // Harbor's rule and message (handler/project.go deletable).
    if (repoCount > 0) return { deletable: false, message: 'the project contains repositories, can not be deleted' };
    return { deletable: true };
  }

  async function changed(): Promise<void> {
    access.invalidate();
  }

  return {
    find,
    get,

    async exists(name: string): Promise<ProjectRow | undefined> {
      return repo.byName(name);
    },

    /** Creates a project owned by the caller, who becomes its project admin (a robot's project is owned by the first admin). */
    async create(actor: Actor, request: ProjectRequest): Promise<{ id: number; name: string }> {
      const name = request.name ?? '';
      const problem = projectNameProblem(name);
      if (problem) throw new BerthError('BAD_REQUEST', problem);
      if (actor.principal.kind === 'robot' && actor.principal.level !== 'system') {
        throw new BerthError('FORBIDDEN', 'only system level robot can create project');
      }
      const metadata: Metadata = { ...request.metadata, public: request.metadata.public ?? 'false' };
      const id = await repo.insert({
        name,
        ownerId: await owner(actor.principal),
        metadata,
        now: isoNow(clock),
        adminRole: roles.projectAdmin,
        within: onCreate && ((trx, id) => onCreate(trx, { id, name, storageLimit: request.storageLimit })),
      });
      if (id === undefined) throw new BerthError('CONFLICT', `The project named ${name} already exists`);
      await changed();
      await record(actor, 'create', { id, name });
      events?.publish({
        type: 'project.created',
        project: name,
        projectId: id,
        ...(request.storageLimit !== undefined && { storageLimit: request.storageLimit }),
        actor: principalName(actor.principal),
        ...(actor.clientIp && { clientIp: actor.clientIp }),
      });
      return { id, name };
    },

    async list(
      principal: Principal,
      filter: Omit<ProjectFilter, 'visibility'>,
      sort: ProjectSort[],
      page: { limit: number; offset: number },
    ): Promise<{ total: number; projects: ProjectView[] }> {
      // Anonymous callers asking for private projects get none (Harbor).
      if (principal.kind === 'anonymous' && filter.public === false) return { total: 0, projects: [] };
      const full: ProjectFilter = { ...filter, visibility: visibilityOf(principal, filter.public) };
      const total = await repo.count(full);
      if (total === 0) return { total, projects: [] };
      const rows = await repo.list(full, sort, page.limit, page.offset);
      return { total, projects: await views(principal, rows) };
    },

    /**
     * Harbor's search: projects whose name contains `keyword` (case-sensitive, as Harbor's strings.Contains),
     * among public projects, the caller's own (a user's memberships) and, for an administrator, all.
     */
    async search(principal: Principal, keyword: string): Promise<ProjectView[]> {
      const visibility: Visibility = isSysadmin(principal)
        ? { kind: 'all' }
        : principal.kind === 'user'
          ? { kind: 'member', userId: principal.id, withPublic: true }
          : { kind: 'public' };
      const filter: ProjectFilter = { name: { kind: 'fuzzy', value: keyword }, visibility };
      const rows = await repo.list(filter, [{ column: 'name', desc: false }], Number.MAX_SAFE_INTEGER, 0);
      return views(
        principal,
        rows.filter((row) => row.name.includes(keyword)),
      );
    },

    /** Harbor's statistics: public counts for everyone, a user's private memberships, totals for administrators. */
    async statistics(principal: Principal): Promise<ProjectStatistics> {
      const publicOnly: ProjectFilter = { public: true, visibility: { kind: 'all' } };
      const [publicProjects, publicRepositories] = await Promise.all([
        repo.count(publicOnly),
        repo.repositoryCount(publicOnly),
      ]);
      if (isSysadmin(principal)) {
        const all: ProjectFilter = { visibility: { kind: 'all' } };
        const [projects, repositories] = await Promise.all([repo.count(all), repo.repositoryCount(all)]);
        return {
          publicProjects,
          publicRepositories,
          privateProjects: projects - publicProjects,
          privateRepositories: repositories - publicRepositories,
          total: { projects, repositories },
        };
      }
      // Harbor counts private projects by membership, so robots see none.
      if (principal.kind !== 'user')
        return { publicProjects, publicRepositories, privateProjects: 0, privateRepositories: 0 };
      const mine: ProjectFilter = {
        public: false,
        visibility: { kind: 'member', userId: principal.id, withPublic: false },
      };
      const [privateProjects, privateRepositories] = await Promise.all([repo.count(mine), repo.repositoryCount(mine)]);
      return { publicProjects, publicRepositories, privateProjects, privateRepositories };
    },

    async view(principal: Principal, row: ProjectRow): Promise<ProjectView> {
      const [view] = await views(principal, [row]);
      return view;
    },

    /** Merges the request's metadata into the project's; the name cannot change (Harbor ignores project_name). */
    async update(actor: Actor, row: ProjectRow, request: ProjectRequest): Promise<void> {
      await repo.upsertMetadata(row.id, request.metadata);
      await repo.touch(row.id, isoNow(clock));
      await changed();
      await record(actor, 'update', row);
    },

    deletable,

    /** Deletes an empty project with its members, metadata and robot accounts; 412 when repositories remain. */
    async remove(actor: Actor, row: ProjectRow): Promise<void> {
      const result = await deletable(row);
      if (!result.deletable) throw new BerthError('PRECONDITION', result.message);
      await repo.remove(row.id);
      await changed();
      // The project's robot accounts are gone: drop every cached account on this replica.
      authenticator.forget();
      await record(actor, 'delete', row);
    },

    async summary(row: ProjectRow, withMembers: boolean): Promise<ProjectSummary> {
      const repoCount = (await repo.repoCounts([row.id])).get(row.id) ?? 0;
      return { repoCount, members: withMembers ? await repo.memberCountsByRole(row.id) : undefined };
    },

    /** All metadata, or only `key` (an empty object when it is not set, as Harbor answers). */
    async metadata(row: ProjectRow, key?: string): Promise<Metadata> {
      const all = (await repo.metadataOf([row.id])).get(row.id) ?? {};
      if (key === undefined) return all;
      return key in all ? { [key]: all[key] } : {};
    },

    /** Adds one metadata entry (Harbor allows exactly one per call); 409 when it exists. */
    async addMetadata(actor: Actor, row: ProjectRow, body: unknown): Promise<void> {
      const [key, value] = singleEntry(body);
      const added = await repo.addMetadata(row.id, { [key]: normalizeMetadata(key, value) });
      if (!added)
        throw new BerthError('CONFLICT', `metadata ${key} of project ${row.name} already exists; use PUT to change it`);
      await repo.touch(row.id, isoNow(clock));
      await changed();
      await record(actor, 'update', row);
    },

    /** Sets `key` from the body's value for `key`. */
    async setMetadata(actor: Actor, row: ProjectRow, key: string, body: unknown): Promise<void> {
      const value =
        typeof body === 'object' && body !== null && !Array.isArray(body)
          ? (body as Record<string, unknown>)[key]
          : undefined;
      await repo.upsertMetadata(row.id, { [key]: normalizeMetadata(key, value) });
      await repo.touch(row.id, isoNow(clock));
      await changed();
      await record(actor, 'update', row);
    },

    async deleteMetadata(actor: Actor, row: ProjectRow, key: string): Promise<void> {
      await repo.deleteMetadata(row.id, key);
      await repo.touch(row.id, isoNow(clock));
      await changed();
      await record(actor, 'update', row);
    },
  };
}

function singleEntry(body: unknown): [string, unknown] {
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    throw new BerthError('BAD_REQUEST', 'the body must be an object with one key/value pair');
  const entries = Object.entries(body as Record<string, unknown>);
  if (entries.length !== 1) throw new BerthError('BAD_REQUEST', 'only allow one key/value pair');
  return entries[0];
}

export type ProjectService = ReturnType<typeof createProjectService>;
