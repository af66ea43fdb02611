import type { FastifyRequest } from 'fastify';

// Harbor's {project_name_or_id}: a name when X-Is-Resource-Name is true, else an id when
// it is an integer, else a name (handler/util.go parseProjectNameOrID).

export function projectNameOrId(request: FastifyRequest): string | number {
  const raw = (request.params as { project_name_or_id: string }).project_name_or_id;
  const isName = String(request.headers['x-is-resource-name'] ?? '').toLowerCase() === 'true';
  if (!isName && /^\d+$/.test(raw)) {
    const id = Number(raw);
    if (Number.isSafeInteger(id)) return id;
  }
  return raw;
}
