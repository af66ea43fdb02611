import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { RouteKit } from '../feature.js';
import { BerthError } from '../shared/errors.js';
import type { ImmutableService } from './service.js';

// Harbor's immutability API (swagger tag "immutable", handler/immutable.go): the rules of a
// project, under the project's `immutable-tag` permission (project admins and maintainers).

function ruleId(request: FastifyRequest): number {
  const raw = (request.params as { immutable_rule_id: string }).immutable_rule_id;
  if (!/^\d{1,15}$/.test(raw))
    throw new BerthError('BAD_REQUEST', `immutable_rule_id ${raw.slice(0, 50)} is not an integer`);
  return Number(raw);
}

export function immutableRoutes(app: FastifyInstance, kit: RouteKit, rules: ImmutableService): void {
  const base = '/projects/:project_name_or_id/immutabletagrules';

  app.get(base, async (request, reply) => {
    const { project } = await kit.requireProject(request, kit.projectParam(request), 'immutable-tag', 'list');
    const page = kit.page(request.query as Record<string, unknown>);
    const { rules: list, total } = await rules.list(project.id, { limit: page.pageSize, offset: page.offset });
    kit.setPageHeaders(request, reply, page, total);
    return list;
  });

  app.post(base, async (request, reply) => {
    const { project } = await kit.requireProject(request, kit.projectParam(request), 'immutable-tag', 'create');
    const id = await rules.create(project, request.body);
    const path = request.url.split('?')[0]!.replace(/\/$/, '');
    return reply
      .code(201)
      .header('location', `${path}/${String(id)}`)
      .send();
  });

  app.put(`${base}/:immutable_rule_id`, async (request, reply) => {
    const { project } = await kit.requireProject(request, kit.projectParam(request), 'immutable-tag', 'update');
    await rules.update(project, ruleId(request), request.body);
    return reply.code(200).send();
  });

  app.delete(`${base}/:immutable_rule_id`, async (request, reply) => {
    const { project } = await kit.requireProject(request, kit.projectParam(request), 'immutable-tag', 'delete');
    await rules.delete(project, ruleId(request));
    return reply.code(200).send();
  });
}
