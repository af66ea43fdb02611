import type { FastifyRequest } from 'fastify';
import { principalName, type Principal } from '../../auth/index.js';
import type { RouteCaller, RouteKit } from '../../feature.js';
import { pageRequest, setPageHeaders } from './paging.js';
import type { Security } from './security.js';

// What the REST API lends the features' routes (src/feature.ts RouteKit): its security and
// paging, so a feature's Harbor paths answer exactly as the API's own do.

function callerOf(principal: Principal, request: FastifyRequest): RouteCaller {
  const name = principalName(principal);
  return {
    kind: principal.kind,
    name,
    actor: { ...(principal.kind === 'anonymous' ? {} : { actor: name }), clientIp: request.ip },
  };
}

export function routeKit(security: Security): RouteKit {
  return {
    async requireSystem(request, resource, action) {
      return callerOf(await security.requireSystem(request, resource, action), request);
    },
    async requireProject(request, project, resource, action) {
      const granted = await security.requireProject(request, project, resource, action);
      return {
        caller: callerOf(granted.principal, request),
        project: { id: granted.project.id, name: granted.project.name },
      };
    },
    async requireAuthenticated(request) {
      return callerOf(await security.requireAuthenticated(request), request);
    },
    page: (query) => pageRequest(query),
    setPageHeaders,
  };
}
