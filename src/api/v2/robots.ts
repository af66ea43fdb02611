import type { FastifyInstance, FastifyRequest } from 'fastify';
import { BerthError } from '../../shared/errors.js';
import { robotPrefix, type Principal } from '../../auth/index.js';
import {
  type ProjectRef,
  parseRobotCreate,
  parseRobotSec,
  parseRobotUpdate,
  robotSortColumns,
  type NameMatch,
  type RobotFilter,
  type RobotSortColumn,
} from '../../iam/index.js';
import type { ApiDeps } from './deps.js';
import { pageRequest, setPageHeaders } from './paging.js';
import { parseQuery, parseSort, termsFor, type Term } from './query.js';

// Harbor's robot account API v2: /robots and /robots/{robot_id}. A system robot needs
// system `robot` permissions (system admins); a project robot needs `robot` permissions
// in its project (project admins), as handler/robot.go's requireAccess.

type RobotAction = 'read' | 'create' | 'update' | 'delete' | 'list';
type Row = { level: 'system' | 'project'; project_id: number };

/** What these routes use, and nothing else. */
export type RobotRouteDeps = Pick<ApiDeps, 'security' | 'robots' | 'settings'>;

export function robotRoutes(app: FastifyInstance, { security, robots, settings }: RobotRouteDeps): void {
  /** `target` (the robot's full name) words a refusal; only callers who may read the robot get one naming it. */
  async function authorize(
    request: FastifyRequest,
    robot: Row,
    action: RobotAction,
    target?: string,
  ): Promise<Principal> {
    if (robot.level === 'system') return security.requireSystem(request, 'robot', action);
    return (await security.requireProject(request, robot.project_id, 'robot', action, target)).principal;
  }

  async function robotOf(request: FastifyRequest) {
    await security.requireAuthenticated(request);
    const raw = (request.params as { robot_id: string }).robot_id;
    const id = /^\d{1,15}$/.test(raw) ? Number(raw) : NaN;
    if (!Number.isSafeInteger(id))
      throw new BerthError('NOT_FOUND', `robot ${raw.slice(0, 50)} not found (robot_id is an integer)`);
    return robots.get(id);
  }

  app.get('/robots', async (request, reply) => {
    await security.requireAuthenticated(request);
    const query = request.query as Record<string, string | undefined>;
    const page = pageRequest(query);
    const sort = parseSort(query.sort, robotSortColumns) as { column: RobotSortColumn; desc: boolean }[];
    const filter = robotFilter(parseQuery(query.q));
    if (filter.level === 'system') await security.requireSystem(request, 'robot', 'list');
    else await security.requireProject(request, filter.projectId ?? 0, 'robot', 'list');
    const { robots: items, total } = await robots.list(filter, { offset: page.offset, limit: page.pageSize, sort });
    setPageHeaders(request, reply, page, total);
    return items;
  });

  app.post('/robots', async (request, reply) => {
    const principal = await security.requireAuthenticated(request);
    const draft = parseRobotCreate(request.body, (await settings.get()).robot_token_duration);
    let project: ProjectRef | undefined;
    if (draft.level === 'system') await security.requireSystem(request, 'robot', 'create');
    else project = (await security.requireProject(request, draft.permissions[0].namespace, 'robot', 'create')).project;
    const created = await robots.create(draft, project, { principal, clientIp: request.ip });
    return reply
      .code(201)
      .header('location', `${request.url.split('?')[0].replace(/\/$/, '')}/${created.id}`)
      .send(created);
  });

  app.get('/robots/:robot_id', async (request) => {
    const robot = await robotOf(request);
    await authorize(request, robot, 'read');
    return robots.view(robot);
  });

  app.put('/robots/:robot_id', async (request, reply) => {
    const robot = await robotOf(request);
    const principal = await authorize(request, robot, 'update', robots.fullName(robot));
    const changes = parseRobotUpdate(
      request.body,
      robot,
      robots.fullName(robot),
      (await settings.get()).robot_token_duration,
    );
    await robots.update(robot, changes, { principal, clientIp: request.ip });
    return reply.code(200).send();
  });

  app.patch('/robots/:robot_id', async (request) => {
    const robot = await robotOf(request);
    const principal = await authorize(request, robot, 'update', robots.fullName(robot));
    return robots.refreshSecret(robot, parseRobotSec(request.body), { principal, clientIp: request.ip });
  });

  app.delete('/robots/:robot_id', async (request, reply) => {
    const robot = await robotOf(request);
    const principal = await authorize(request, robot, 'delete', robots.fullName(robot));
    await robots.delete(robot, { principal, clientIp: request.ip });
    return reply.code(200).send();
  });
}

/**
 * Harbor's `q` for robots: without `Level` the system robots; `Level=project` needs
 * `ProjectID` (what the portal sends). `name` narrows by the robot's name.
 */
function robotFilter(terms: Term[]): RobotFilter {
  const byKey = termsFor(terms, ['Level', 'level', 'ProjectID', 'project_id', 'name', 'Name']);
  const level = exactValue(byKey.get('Level') ?? byKey.get('level'), 'Level');
  const projectId = exactValue(byKey.get('ProjectID') ?? byKey.get('project_id'), 'ProjectID');
  const name = nameMatch(byKey.get('name') ?? byKey.get('Name'));
  if (level === undefined || level === 'system') {
    if (level === undefined && projectId !== undefined)
      throw new BerthError('BAD_REQUEST', 'ProjectID needs Level=project');
    return { level: 'system', name };
  }
  if (level !== 'project') throw new BerthError('BAD_REQUEST', `bad request error level input: ${level.slice(0, 50)}`);
  if (projectId === undefined) throw new BerthError('BAD_REQUEST', 'must with project ID when to query project robots');
  if (!/^\d{1,15}$/.test(projectId)) throw new BerthError('BAD_REQUEST', 'Project ID must be int type.');
  return { level: 'project', projectId: Number(projectId), name };
}

function exactValue(term: Term | undefined, key: string): string | undefined {
  if (!term) return undefined;
  if (term.kind !== 'exact') throw new BerthError('BAD_REQUEST', `${key} takes an exact value`);
  return unquote(term.value);
}

function nameMatch(term: Term | undefined): NameMatch | undefined {
  if (!term) return undefined;
  if (term.kind === 'exact' || term.kind === 'fuzzy') return { kind: term.kind, value: bareName(unquote(term.value)) };
  if (term.kind === 'or') return { kind: 'any', values: term.values.map((v) => bareName(unquote(v))) };
  throw new BerthError('BAD_REQUEST', 'name takes an exact value, ~fuzzy or {a b}');
}

/** Harbor stores a project robot as `<project>+<name>`; its API shows `robot$…`. Berth matches on the bare name. */
function bareName(value: string): string {
  const name = value.startsWith(robotPrefix) ? value.slice(robotPrefix.length) : value;
  return name.slice(name.lastIndexOf('+') + 1);
}

function unquote(value: string): string {
  return /^(["']).*\1$/.test(value) ? value.slice(1, -1) : value;
}
