import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { RouteKit } from '../feature.js';
import { BerthError } from '../shared/errors.js';
import { parseScheduleRequest } from './params.js';
import type { GcRunQuery } from './runs.js';
import type { GcService } from './service.js';

// Harbor's /system/gc (swagger tag gc; goharbor/harbor src/server/v2.0/handler/gc.go), for
// system administrators: Harbor's system resource "garbage-collection".

const resource = 'garbage-collection';

/** gc_id is an int64 path parameter: anything else is Harbor's 422 validation answer. */
function gcId(request: FastifyRequest): number {
  const { gc_id } = request.params as { gc_id: string };
  if (!/^-?\d{1,18}$/.test(gc_id))
    throw new BerthError(
      'UNPROCESSABLE_ENTITY',
      `validation failure list:\ngc_id in path must be of type int64: "${gc_id}"`,
    );
  return Number(gc_id);
}

// The history's q and sort take the names of Harbor's execution columns and of its GCHistory fields.
const textKeys = ['status', 'job_status', 'trigger', 'job_kind'] as const;
const sortColumns = {
  id: 'id',
  creation_time: 'creation_time',
  start_time: 'creation_time',
  update_time: 'update_time',
  end_time: 'update_time',
} as const;

function historyQuery(kit: RouteKit, query: Record<string, unknown>): GcRunQuery {
  const terms = kit.textTerms(query, textKeys);
  const status = terms.status ?? terms.job_status;
  const kind = terms.trigger ?? terms.job_kind;
  const sort = kit.sort(query, Object.keys(sortColumns) as (keyof typeof sortColumns)[]);
  return {
    ...(status && { status: status.value }),
    ...(kind && { kind: kind.value.toUpperCase() }),
    ...(sort && { sort: { column: sortColumns[sort.column], descending: sort.descending } }),
  };
}

export function gcRoutes(app: FastifyInstance, kit: RouteKit, service: GcService): void {
  app.get('/system/gc', async (request, reply) => {
    await kit.requireSystem(request, resource, 'list');
    const query = request.query as Record<string, unknown>;
    const page = kit.page(query);
    const { total, items } = await service.list(historyQuery(kit, query), page.offset, page.pageSize);
    kit.setPageHeaders(request, reply, page, total);
    return items;
  });

  app.get('/system/gc/schedule', async (request) => {
    await kit.requireSystem(request, resource, 'read');
    return service.schedule();
  });

  app.post('/system/gc/schedule', async (request, reply) => {
    await kit.requireSystem(request, resource, 'create');
    const id = await service.apply(parseScheduleRequest(request.body));
    // Harbor's Location names the run a Manual schedule started.
    if (id !== undefined)
      void reply.header('location', `${request.url.replace(/\/schedule\/?(\?.*)?$/, '')}/${String(id)}`);
    return reply.code(201).send();
  });

  app.put('/system/gc/schedule', async (request, reply) => {
    await kit.requireSystem(request, resource, 'update');
    await service.apply(parseScheduleRequest(request.body));
    return reply.code(200).send();
  });

  app.get('/system/gc/:gc_id', async (request) => {
    await kit.requireSystem(request, resource, 'read');
    return service.get(gcId(request));
  });

  app.put('/system/gc/:gc_id', async (request, reply) => {
    await kit.requireSystem(request, resource, 'stop');
    await service.stop(gcId(request));
    return reply.code(200).send();
  });

  app.get('/system/gc/:gc_id/log', async (request, reply) => {
    await kit.requireSystem(request, resource, 'read');
    const log = await service.log(gcId(request));
    return reply.header('content-type', 'text/plain; charset=utf-8').send(log);
  });
}
