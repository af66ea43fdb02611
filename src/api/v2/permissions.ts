import type { FastifyInstance } from 'fastify';
import { BerthError } from '../../shared/errors.js';
import type { ApiDeps } from './deps.js';

// GET /permissions: Harbor's catalogue of what robot accounts may be granted
// (handler/permissions.go): system admins see system and project permissions,
// project admins the project ones, anyone else is refused.

/** What these routes use, and nothing else. */
export type PermissionRouteDeps = Pick<ApiDeps, 'security' | 'robots'>;

export function permissionRoutes(app: FastifyInstance, { security, robots }: PermissionRouteDeps): void {
  app.get('/permissions', async (request) => {
    const principal = await security.requireAuthenticated(request);
    const catalogue = await robots.catalogue(principal);
    if (!catalogue) throw new BerthError('FORBIDDEN', 'only admins (system and project) can access permissions');
    return catalogue;
  });
}
