import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { RouteKit } from '../feature.js';
import { BerthError } from '../shared/errors.js';
import type { QuotaRow } from './repo.js';
import type { QuotaService } from './service.js';

// Harbor's quota API (swagger tag "quota"): GET /quotas, GET|PUT /quotas/{id}, for system
// administrators (src/server/v2.0/handler/quota.go asks for system-level quota access).

/** Harbor's Quota object for a project quota. */
export function quotaBody(row: QuotaRow): Record<string, unknown> {
  return {
    id: row.id,
    ref: { id: row.projectId, name: row.project, owner_name: row.ownerName },
    hard: { storage: row.hard },
    used: { storage: row.used },
    creation_time: row.creationTime,
    update_time: row.updateTime,
  };
}

function quotaId(request: FastifyRequest): number {
  const raw = (request.params as { id: string }).id;
  if (!/^\d{1,15}$/.test(raw))
    throw new BerthError('NOT_FOUND', `quota ${raw.slice(0, 50)} not found (id is an integer)`);
  return Number(raw);
}

function stringParam(value: unknown): string | undefined {
  const last = Array.isArray(value) ? value[value.length - 1] : value;
  return last === undefined || last === '' ? undefined : String(last);
}

export function quotaRoutes(app: FastifyInstance, kit: RouteKit, quotas: QuotaService): void {
  app.get('/quotas', async (request, reply) => {
    await kit.requireSystem(request, 'quota', 'list');
    const query = request.query as Record<string, unknown>;
    const page = kit.page(query);
    const { total, quotas: rows } = await quotas.list({
      reference: stringParam(query.reference),
      referenceId: stringParam(query.reference_id),
      sort: stringParam(query.sort),
      limit: page.pageSize,
      offset: page.offset,
    });
    kit.setPageHeaders(request, reply, page, total);
    return rows.map(quotaBody);
  });

  app.get('/quotas/:id', async (request) => {
    await kit.requireSystem(request, 'quota', 'read');
    return quotaBody(await quotas.get(quotaId(request)));
  });

  app.put('/quotas/:id', async (request, reply) => {
    await kit.requireSystem(request, 'quota', 'update');
    await quotas.update(quotaId(request), request.body);
    return reply.code(200).send();
  });
}
