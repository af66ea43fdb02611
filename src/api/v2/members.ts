import type { FastifyInstance, FastifyRequest } from 'fastify';
import { BerthError } from '../../shared/errors.js';
import type { ApiDeps } from './deps.js';
import { pageRequest, setPageHeaders } from './paging.js';
import { projectNameOrId } from './project-param.js';

// /projects/{project_name_or_id}/members: Harbor's member operations (swagger tag "member").

function memberId(request: FastifyRequest): number {
  const raw = (request.params as { mid: string }).mid;
  const id = Number(raw);
  if (!/^\d+$/.test(raw) || !Number.isSafeInteger(id) || id < 1)
    throw new BerthError('BAD_REQUEST', `invalid member id "${raw.slice(0, 50)}"`);
  return id;
}

/** What these routes use, and nothing else. */
export type MemberRouteDeps = Pick<ApiDeps, 'members' | 'security'>;

export function memberRoutes(app: FastifyInstance, { members, security }: MemberRouteDeps): void {
  async function projectFor(request: FastifyRequest, action: string) {
    const { principal, project } = await security.requireProject(request, projectNameOrId(request), 'member', action);
    return { actor: { principal, clientIp: request.ip }, project };
  }

  app.get('/projects/:project_name_or_id/members', async (request, reply) => {
    const { project } = await projectFor(request, 'list');
    const query = request.query as Record<string, string | undefined>;
    const page = pageRequest(query);
    const { total, members: list } = await members.list(project, query.entityname || undefined, {
      limit: page.pageSize,
      offset: page.offset,
    });
    setPageHeaders(request, reply, page, total);
    return list;
  });

  app.post('/projects/:project_name_or_id/members', async (request, reply) => {
    const { actor, project } = await projectFor(request, 'create');
    const id = await members.create(actor, project, request.body);
    const nameOrId = (request.params as { project_name_or_id: string }).project_name_or_id;
    // Harbor's Location names the project as the caller did.
    return reply
      .code(201)
      .header('location', `/api/v2.0/projects/${encodeURIComponent(nameOrId)}/members/${id}`)
      .send();
  });

  app.get('/projects/:project_name_or_id/members/:mid', async (request) => {
    const { project } = await projectFor(request, 'read');
    return members.get(project, memberId(request));
  });

  app.put('/projects/:project_name_or_id/members/:mid', async (request, reply) => {
    const { actor, project } = await projectFor(request, 'update');
    await members.updateRole(actor, project, memberId(request), request.body);
    return reply.code(200).send();
  });

  app.delete('/projects/:project_name_or_id/members/:mid', async (request, reply) => {
    const { actor, project } = await projectFor(request, 'delete');
    await members.remove(actor, project, memberId(request));
    return reply.code(200).send();
  });
}
