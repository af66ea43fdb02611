import type { FastifyInstance } from 'fastify';
import { BerthError } from '../../shared/errors.js';
import { safeEqual } from '../../auth/index.js';
import type { ApiDeps } from './deps.js';
import { sendHarborError } from './errors.js';
import { systemRoutes } from './system.js';
import { repositoryRoutes } from './repositories.js';
import { artifactRoutes } from './artifacts.js';
import { auditRoutes } from './audit.js';
import { robotRoutes } from './robots.js';
import { permissionRoutes } from './permissions.js';
import { userRoutes } from './users.js';
import { projectRoutes } from './projects.js';
import { memberRoutes } from './members.js';
import { jobServiceRoutes } from './jobservice.js';
import { healthRoute } from '../health.js';
import { configurationRoutes } from './configurations.js';
import { additionRoutes } from './additions.js';
import { readOnlyApiGuard } from '../read-only.js';
import { searchRoutes } from './search.js';
import { statisticsRoutes } from './statistics.js';
import { routeKit } from './route-kit.js';

// Harbor's REST API v2.0 under /api/v2.0 (reference/harbor-swagger.yaml). Each
// resource has its own route module; they share security, paging and error bodies.

const routeModules: ((app: FastifyInstance, deps: ApiDeps) => void)[] = [
  systemRoutes,
  userRoutes,
  robotRoutes,
  permissionRoutes,
  projectRoutes,
  memberRoutes,
  repositoryRoutes,
  artifactRoutes,
  additionRoutes,
  auditRoutes,
  jobServiceRoutes,
  configurationRoutes,
  searchRoutes,
  statisticsRoutes,
  (app, deps) => healthRoute(app, deps.health),
];

const unsafeMethods = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

export async function harborApi(app: FastifyInstance, deps: ApiDeps): Promise<void> {
  app.setErrorHandler((err, request, reply) => sendHarborError(request, reply, err));
  app.setNotFoundHandler((request, reply) =>
    sendHarborError(
      request,
      reply,
      new BerthError('NOT_FOUND', `no such API: ${request.method} ${request.url.split('?')[0]}`),
    ),
  );

  app.addHook('onRequest', readOnlyApiGuard(deps.settings));

  // Cookie-authenticated writes must echo the session's CSRF token (Harbor's X-Harbor-CSRF-Token).
  app.addHook('preHandler', async (request, reply) => {
    const context = await deps.security.of(request);
    if (!context.session) return;
    reply.header('x-harbor-csrf-token', context.session.csrfToken);
    if (!unsafeMethods.has(request.method)) return;
    const sent = request.headers['x-harbor-csrf-token'];
    if (typeof sent !== 'string' || !safeEqual(sent, context.session.csrfToken)) {
      throw new BerthError('FORBIDDEN', 'CSRF token invalid');
    }
  });

  for (const register of routeModules) register(app, deps);
  const kit = routeKit(deps.security);
  for (const feature of deps.features ?? []) feature.routes?.(app, kit);
}
