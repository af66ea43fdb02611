import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { RouteKit } from '../../feature.js';
import type { RegistrationQuery } from './repo.js';
import type { ScannerService } from './service.js';

// Harbor's scanner API (swagger tag "scanner", handler/scanner.go) for system admins, and the
// project's scanner (tag "project": getScannerOfProject, setScannerOfProject,
// listScannerCandidatesOfProject) under the project's `scanner` permission.

const textKeys = ['name', 'description', 'url'] as const;
const sortKeys = ['name', 'url', 'create_time', 'update_time', 'id'] as const;

const registrationId = (request: FastifyRequest) => (request.params as { registration_id: string }).registration_id;

/** Harbor's list query, and its older `name`, `description`, `url` (fuzzy) and `ex_name`, `ex_url` (exact) parameters. */
function listQuery(kit: RouteKit, query: Record<string, unknown>): RegistrationQuery {
  const page = kit.page(query);
  const matches: Pick<RegistrationQuery, 'name' | 'description' | 'url'> = kit.textTerms(query, textKeys);
  for (const key of textKeys) {
    const fuzzy = query[key];
    if (typeof fuzzy === 'string' && fuzzy) matches[key] = { value: fuzzy, fuzzy: true };
  }
  for (const key of ['name', 'url'] as const) {
    const exact = query[`ex_${key}`];
    if (typeof exact === 'string' && exact) matches[key] = { value: exact, fuzzy: false };
  }
  const sort = kit.sort(query, sortKeys);
  return { ...matches, ...(sort ? { sort } : {}), limit: page.pageSize, offset: page.offset };
}

export function scannerRoutes(app: FastifyInstance, kit: RouteKit, scanners: ScannerService): void {
  app.get('/scanners', async (request, reply) => {
    await kit.requireSystem(request, 'scanner', 'list');
    const query = request.query as Record<string, unknown>;
    const page = kit.page(query);
    const { items, total } = await scanners.list(listQuery(kit, query));
    kit.setPageHeaders(request, reply, page, total);
    return items;
  });

  app.post('/scanners', async (request, reply) => {
    await kit.requireSystem(request, 'scanner', 'create');
    const uuid = await scanners.create(request.body);
    const path = request.url.split('?')[0]!.replace(/\/$/, '');
    return reply.code(201).header('location', `${path}/${uuid}`).send();
  });

  app.post('/scanners/ping', async (request, reply) => {
    await kit.requireSystem(request, 'scanner', 'read');
    await scanners.ping(request.body);
    return reply.code(200).send();
  });

  app.get('/scanners/:registration_id', async (request) => {
    await kit.requireSystem(request, 'scanner', 'read');
    return scanners.get(registrationId(request));
  });

  app.put('/scanners/:registration_id', async (request, reply) => {
    await kit.requireSystem(request, 'scanner', 'update');
    await scanners.update(registrationId(request), request.body);
    return reply.code(200).send();
  });

  app.delete('/scanners/:registration_id', async (request) => {
    await kit.requireSystem(request, 'scanner', 'delete');
    return scanners.delete(registrationId(request));
  });

  app.patch('/scanners/:registration_id', async (request, reply) => {
    await kit.requireSystem(request, 'scanner', 'update');
    await scanners.setDefault(registrationId(request), request.body);
    return reply.code(200).send();
  });

  app.get('/scanners/:registration_id/metadata', async (request) => {
    await kit.requireSystem(request, 'scanner', 'read');
    return scanners.metadata(registrationId(request));
  });

  app.get('/projects/:project_name_or_id/scanner', async (request) => {
    const { project } = await kit.requireProject(request, kit.projectParam(request), 'scanner', 'read');
    return scanners.projectView(project.id);
  });

  app.put('/projects/:project_name_or_id/scanner', async (request, reply) => {
    const { project } = await kit.requireProject(request, kit.projectParam(request), 'scanner', 'create');
    await scanners.setProject(project.id, request.body);
    return reply.code(200).send();
  });

  // Harbor lists every registration here, paged and filtered as /scanners, to the project's admins.
  app.get('/projects/:project_name_or_id/scanner/candidates', async (request, reply) => {
    await kit.requireProject(request, kit.projectParam(request), 'scanner', 'create');
    const query = request.query as Record<string, unknown>;
    const page = kit.page(query);
    const { items, total } = await scanners.list(listQuery(kit, query));
    kit.setPageHeaders(request, reply, page, total);
    return items;
  });
}
