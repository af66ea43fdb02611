import type { FastifyRequest } from 'fastify';
import { principalName, type Principal } from '../../auth/index.js';
import type { RouteCaller, RouteKit } from '../../feature.js';
import { pageRequest, setPageHeaders } from './paging.js';
import { projectNameOrId } from './project-param.js';
import { parseQuery, parseSort, termsFor } from './query.js';
import { repositoryNameParam, textMatch } from './repositories.js';
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
    projectParam: projectNameOrId,
    repositoryParam: repositoryNameParam,
    page: (query) => pageRequest(query),
    setPageHeaders,
    textTerms(query, keys) {
      const q = typeof query.q === 'string' ? query.q : undefined;
      const terms = termsFor(parseQuery(q), keys);
      const matches: Partial<Record<(typeof keys)[number], { value: string; fuzzy: boolean }>> = {};
      for (const key of keys) {
        const match = textMatch(terms.get(key), key);
        if (match) matches[key] = { value: match.value, fuzzy: match.kind === 'fuzzy' };
      }
      return matches;
    },
    queryTerms(query) {
      return parseQuery(typeof query.q === 'string' ? query.q : undefined);
    },
    sort(query, keys) {
      const first = parseSort(typeof query.sort === 'string' ? query.sort : undefined, keys)[0];
      return first && { column: first.column as (typeof keys)[number], descending: first.desc };
    },
  };
}
