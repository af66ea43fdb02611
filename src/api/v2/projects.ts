import type { FastifyInstance, FastifyRequest } from 'fastify';
import { BerthError } from '../../shared/errors.js';
import type { Principal } from '../../auth/index.js';
import {
  parseProjectRequest,
  type Actor,
  type ProjectRow,
  type NameMatch,
  type ProjectFilter,
  type ProjectSort,
  type ProjectView,
  roles,
} from '../../iam/index.js';
import type { ApiDeps } from './deps.js';
import { pageRequest, setPageHeaders } from './paging.js';
import { parseQuery, parseSort, termsFor, type Term } from './query.js';
import { projectNameOrId } from './project-param.js';

// /projects: Harbor's project operations (swagger tags "project" and "projectMetadata").

type Query = Record<string, string | undefined>;

// Harbor's highestRole: projectAdmin > maintainer > developer > guest > limitedGuest.
const rolePower: Record<number, number> = { 1: 50, 4: 40, 2: 30, 3: 20, 5: 10 };

function highestRole(roleIds: number[]): number {
  let best = 0;
  for (const role of roleIds) if ((rolePower[role] ?? 0) > (rolePower[best] ?? 0)) best = role;
  return best;
}

/** A project as Harbor's swagger defines it (definitions.Project). */
export function projectBody(view: ProjectView, principal: Principal, withDetail = true): Record<string, unknown> {
  const roleIds = [...view.role_ids].sort((a, b) => a - b);
  const body: Record<string, unknown> = {
    project_id: view.id,
    name: view.name,
    owner_id: view.owner_id ?? 0,
    creation_time: view.creation_time,
    update_time: view.update_time,
    deleted: false,
    repo_count: view.repo_count,
    current_user_role_id: highestRole(roleIds),
    current_user_role_ids: roleIds,
    togglable: (principal.kind === 'user' && principal.sysadmin) || roleIds.includes(roles.projectAdmin),
  };
  if (view.registry_id) body.registry_id = view.registry_id;
  if (withDetail) {
    body.owner_name = view.owner_name ?? '';
    body.metadata = view.metadata;
    body.cve_allowlist = { project_id: view.id, items: [] }; // the scanning feature's, when it is mounted
  }
  return body;
}

function actorOf(request: FastifyRequest, principal: Principal): Actor {
  return { principal, clientIp: request.ip };
}

function booleanParam(value: string | undefined, name: string): boolean | undefined {
  if (value === undefined || value === '') return undefined;
  if (value === 'true' || value === '1') return true;
  if (value === 'false' || value === '0') return false;
  throw new BerthError('BAD_REQUEST', `${name} must be true or false`);
}

function nameMatch(term: Term): NameMatch {
  if (term.kind === 'exact' || term.kind === 'fuzzy') return { kind: term.kind, value: term.value };
  if (term.kind === 'or') return { kind: 'any', values: term.values };
  throw new BerthError('BAD_REQUEST', 'q: name supports exact (name=x), fuzzy (name=~x) and list (name={a b}) matches');
}

function exactValue(term: Term): string {
  if (term.kind !== 'exact') throw new BerthError('BAD_REQUEST', `q: ${term.key} supports an exact match only`);
  return term.value;
}

function projectIds(term: Term): number[] {
  const values = term.kind === 'or' ? term.values : [exactValue(term)];
  return values.map((v) => {
    const id = Number(v);
    if (!Number.isInteger(id))
      throw new BerthError('BAD_REQUEST', `q: project_id must be an integer, not "${v.slice(0, 50)}"`);
    return id;
  });
}

/** The list filter from `q` and the name/public/owner parameters (the parameters win, as in Harbor). */
function listFilter(query: Query): Omit<ProjectFilter, 'visibility'> {
  const terms = termsFor(parseQuery(query.q), ['name', 'public', 'owner', 'project_id']);
  const filter: Omit<ProjectFilter, 'visibility'> = {};
  const name = terms.get('name');
  if (name) filter.name = nameMatch(name);
  const isPublic = terms.get('public');
  if (isPublic) filter.public = booleanParam(exactValue(isPublic), 'q: public');
  const owner = terms.get('owner');
  if (owner) filter.owner = exactValue(owner);
  const ids = terms.get('project_id');
  if (ids) filter.ids = projectIds(ids);
  // Harbor matches the `name` parameter as a substring.
  if (query.name) filter.name = { kind: 'fuzzy', value: query.name };
  const publicParam = booleanParam(query.public, 'public');
  if (publicParam !== undefined) filter.public = publicParam;
  if (query.owner) filter.owner = query.owner;
  return filter;
}

const sortColumns: Record<string, ProjectSort['column']> = {
  name: 'name',
  creation_time: 'creation_time',
  update_time: 'update_time',
  project_id: 'id',
};

/** What these routes use, and nothing else. */
export type ProjectRouteDeps = Pick<ApiDeps, 'projects' | 'security' | 'access' | 'settings' | 'features'>;

export function projectRoutes(
  app: FastifyInstance,
  { projects, security, access, settings, features = [] }: ProjectRouteDeps,
): void {
  /** The project named in the path, after checking that the caller may do `action` on `resource` in it. */
  const fields = features.flatMap((f) => (f.projectFields ? [f.projectFields] : []));
  const requestOf = (body: unknown) =>
    typeof body === 'object' && body !== null && !Array.isArray(body) ? (body as Record<string, unknown>) : {};
  /** Project bodies with the features' fields (cve_allowlist) merged in. */
  async function withFields(bodies: Record<string, unknown>[]): Promise<Record<string, unknown>[]> {
    const ids = bodies.filter((b) => 'metadata' in b).map((b) => b.project_id as number);
    if (ids.length === 0 || fields.length === 0) return bodies;
    const extra = await Promise.all(fields.map((f) => f.read(ids)));
    return bodies.map((b) => Object.assign(b, ...extra.map((e) => e.get(b.project_id as number) ?? {})));
  }

  async function projectFor(request: FastifyRequest, resource: string, action: string) {
    const { principal, project } = await security.requireProject(request, projectNameOrId(request), resource, action);
    return { principal, row: await projects.get(project.id) };
  }

  app.post('/projects', async (request, reply) => {
    const principal = await security.requireAuthenticated(request);
    // Harbor's project_creation_restriction "adminonly": only system administrators (and system robots allowed to) create projects.
    if (
      (await settings.get()).project_creation_restriction === 'adminonly' &&
      !access.canSystem(principal, 'project', 'create')
    ) {
      throw new BerthError('FORBIDDEN', 'Only system admin can create project');
    }
    const parsed = parseProjectRequest(request.body);
    for (const f of fields) f.check(requestOf(request.body));
    const created = await projects.create(actorOf(request, principal), parsed);
    for (const f of fields) await f.write(created.id, requestOf(request.body));
    const base = request.url.split('?')[0].replace(/\/$/, '');
    const byName = String(request.headers['x-resource-name-in-location'] ?? '').toLowerCase() === 'true';
    return reply
      .code(201)
      .header('location', `${base}/${byName ? created.name : created.id}`)
      .send();
  });

  // Declared before GET /projects: fastify would otherwise derive HEAD from GET.
  app.head('/projects', async (request, reply) => {
    const name = (request.query as Query).project_name;
    if (!name) throw new BerthError('BAD_REQUEST', 'project_name is required');
    const principal = await security.principal(request);
    const found = await projects.exists(name);
    // Anonymous callers learn only about public projects.
    const visible =
      found && (principal.kind !== 'anonymous' || (await projects.metadata(found, 'public')).public === 'true');
    if (!visible) throw new BerthError('NOT_FOUND', `project ${name} not found`);
    return reply.code(200).send();
  });

  app.get('/projects', async (request, reply) => {
    const query = request.query as Query;
    const principal = await security.principal(request);
    const page = pageRequest(query);
    const sort = parseSort(query.sort, Object.keys(sortColumns)).map(({ column, desc }) => ({
      column: sortColumns[column],
      desc,
    }));
    const withDetail = booleanParam(query.with_detail, 'with_detail') ?? true;
    const { total, projects: views } = await projects.list(principal, listFilter(query), sort, {
      limit: page.pageSize,
      offset: page.offset,
    });
    setPageHeaders(request, reply, page, total);
    return withFields(views.map((view) => projectBody(view, principal, withDetail)));
  });

  app.get('/projects/:project_name_or_id', async (request) => {
    const { principal, row } = await projectFor(request, 'project', 'read');
    const [body] = await withFields([projectBody(await projects.view(principal, row), principal)]);
    return body;
  });

  app.put('/projects/:project_name_or_id', async (request, reply) => {
    const { principal, row } = await projectFor(request, 'project', 'update');
    const parsed = parseProjectRequest(request.body ?? {});
    for (const f of fields) f.check(requestOf(request.body));
    await projects.update(actorOf(request, principal), row, parsed);
    for (const f of fields) await f.write(row.id, requestOf(request.body));
    return reply.code(200).send();
  });

  app.delete('/projects/:project_name_or_id', async (request, reply) => {
    const { principal, row } = await projectFor(request, 'project', 'delete');
    await projects.remove(actorOf(request, principal), row);
    return reply.code(200).send();
  });

  app.get('/projects/:project_name_or_id/_deletable', async (request) => {
    const { row } = await projectFor(request, 'project', 'delete');
    return projects.deletable(row);
  });

  app.get('/projects/:project_name_or_id/summary', async (request) => {
    const { principal, row } = await projectFor(request, 'project', 'read');
    // Member counts only for callers who may list members (Harbor).
    const withMembers = await access.can(principal, row.id, 'member', 'list');
    const summary = await projects.summary(row, withMembers);
    const body: Record<string, unknown> = { repo_count: summary.repoCount };
    if (summary.members) {
      body.project_admin_count = summary.members.get(roles.projectAdmin) ?? 0;
      body.maintainer_count = summary.members.get(roles.maintainer) ?? 0;
      body.developer_count = summary.members.get(roles.developer) ?? 0;
      body.guest_count = summary.members.get(roles.guest) ?? 0;
      body.limited_guest_count = summary.members.get(roles.limitedGuest) ?? 0;
    }
    // What features add (quota): each from its own folder, the project route knows none of them.
    const caller = { can: (resource: string, action: string) => access.can(principal, row.id, resource, action) };
    for (const feature of features)
      Object.assign(body, await feature.projectSummary?.({ id: row.id, name: row.name }, caller));
    return body;
  });

  metadataRoutes(app, projectFor, projects);
}

type ProjectFor = (
  request: FastifyRequest,
  resource: string,
  action: string,
) => Promise<{ principal: Principal; row: ProjectRow }>;

function metadataRoutes(app: FastifyInstance, projectFor: ProjectFor, projects: ApiDeps['projects']): void {
  const metaName = (request: FastifyRequest) => (request.params as { meta_name: string }).meta_name;

  // Harbor's swagger spells the collection with a trailing slash; both forms are served.
  for (const path of ['/projects/:project_name_or_id/metadatas', '/projects/:project_name_or_id/metadatas/']) {
    // Harbor asks for metadata:list, which no project role holds; Berth lets readers of the metadata list it.
    app.get(path, async (request) => {
      const { row } = await projectFor(request, 'metadata', 'read');
      return projects.metadata(row);
    });

    app.post(path, async (request, reply) => {
      const { principal, row } = await projectFor(request, 'metadata', 'create');
      await projects.addMetadata(actorOf(request, principal), row, request.body);
      return reply.code(200).send();
    });
  }

  app.get('/projects/:project_name_or_id/metadatas/:meta_name', async (request) => {
    const { row } = await projectFor(request, 'metadata', 'read');
    return projects.metadata(row, metaName(request));
  });

  app.put('/projects/:project_name_or_id/metadatas/:meta_name', async (request, reply) => {
    const { principal, row } = await projectFor(request, 'metadata', 'update');
    await projects.setMetadata(actorOf(request, principal), row, metaName(request), request.body);
    return reply.code(200).send();
  });

  app.delete('/projects/:project_name_or_id/metadatas/:meta_name', async (request, reply) => {
    const { principal, row } = await projectFor(request, 'metadata', 'delete');
    await projects.deleteMetadata(actorOf(request, principal), row, metaName(request));
    return reply.code(200).send();
  });
}
