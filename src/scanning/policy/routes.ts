import type { FastifyInstance } from 'fastify';
import type { RouteKit } from '../../feature.js';
import type { Allowlists } from './allowlists.js';

// Harbor's system CVE allowlist (tag SystemCVEAllowlist): read by every authenticated user,
// replaced by system admins. Projects' allowlists travel in the Project body (index.ts).

export function allowlistRoutes(app: FastifyInstance, kit: RouteKit, allowlists: Allowlists): void {
  app.get('/system/CVEAllowlist', async (request) => {
    await kit.requireAuthenticated(request);
    return allowlists.get(0);
  });

  app.put('/system/CVEAllowlist', async (request, reply) => {
    await kit.requireSystem(request, 'system-cve-allowlist', 'update');
    await allowlists.set(0, request.body);
    return reply.code(200).send();
  });
}
