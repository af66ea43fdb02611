import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { RouteKit } from '../feature.js';
import { BerthError } from '../shared/errors.js';
import { retentionMetadata } from './rules.js';
import type { RetentionService } from './service.js';

// Harbor's retention API (swagger tag "Retention", handler/retention.go): a policy belongs to
// a project and needs the project's `tag-retention` permission (project admins and maintainers).

function id(request: FastifyRequest, name: string): number {
  const raw = (request.params as Record<string, string>)[name] ?? '';
  if (!/^\d{1,15}$/.test(raw)) throw new BerthError('BAD_REQUEST', `${name} must be an integer`);
  return Number(raw);
}

export function retentionRoutes(app: FastifyInstance, kit: RouteKit, retention: RetentionService): void {
  /** The policy of the path, once the caller may `action` on its project's retention. */
  async function policyFor(request: FastifyRequest, action: string) {
    const row = await retention.policy(id(request, 'id'));
    await kit.requireProject(request, row.projectId, 'tag-retention', action);
    return row;
  }

  const location = (request: FastifyRequest, created: number) =>
    `${request.url.split('?')[0]!.replace(/\/$/, '')}/${String(created)}`;

  app.get('/retentions/metadatas', async (request) => {
    await kit.requireAuthenticated(request);
    return retentionMetadata;
  });

  app.post('/retentions', async (request, reply) => {
    const body = retention.parse(request.body);
    try {
      await kit.requireProject(request, body.scope.ref, 'tag-retention', 'create');
    } catch (err) {
      if (err instanceof BerthError && err.code === 'NOT_FOUND')
        throw new BerthError('BAD_REQUEST', `invalid Project id ${String(body.scope.ref)}`);
      throw err;
    }
    const created = await retention.create(body);
    return reply.code(201).header('location', location(request, created)).send();
  });

  app.get('/retentions/:id', async (request) => (await policyFor(request, 'read')).policy);

  app.put('/retentions/:id', async (request, reply) => {
    const body = retention.parse(request.body);
    await retention.update(await policyFor(request, 'update'), body);
    return reply.code(200).send();
  });

  app.delete('/retentions/:id', async (request, reply) => {
    await retention.delete(await policyFor(request, 'delete'));
    return reply.code(200).send();
  });

  app.post('/retentions/:id/executions', async (request, reply) => {
    const row = await policyFor(request, 'update');
    const dryRun = (request.body as { dry_run?: unknown } | null)?.dry_run === true;
    const created = await retention.trigger(row, dryRun);
    return reply.code(201).header('location', location(request, created)).send();
  });

  app.get('/retentions/:id/executions', async (request, reply) => {
    const row = await policyFor(request, 'list');
    const page = kit.page(request.query as Record<string, unknown>);
    const { items, total } = await retention.executions(row.id, page.pageSize, page.offset);
    kit.setPageHeaders(request, reply, page, total);
    return items;
  });

  app.patch('/retentions/:id/executions/:eid', async (request, reply) => {
    const row = await policyFor(request, 'update');
    await retention.stop(row.id, id(request, 'eid'), (request.body as { action?: unknown } | null)?.action);
    return reply.code(200).send();
  });

  app.get('/retentions/:id/executions/:eid/tasks', async (request, reply) => {
    const row = await policyFor(request, 'list');
    const page = kit.page(request.query as Record<string, unknown>);
    const { items, total } = await retention.tasks(row.id, id(request, 'eid'), page.pageSize, page.offset);
    kit.setPageHeaders(request, reply, page, total);
    return items;
  });

  app.get('/retentions/:id/executions/:eid/tasks/:tid', async (request, reply) => {
    const row = await policyFor(request, 'read');
    const log = await retention.taskLog(row.id, id(request, 'eid'), id(request, 'tid'));
    return reply.type('text/plain; charset=utf-8').send(log);
  });
}
