import type { FastifyRequest } from 'fastify';
import { BerthError } from '../shared/errors.js';
import type { SettingsStore } from '../iam/index.js';
import type { Authorizer } from './oci/access.js';

// Harbor's read-only mode (src/server/middleware/readonly): while `read_only` is set, every
// write is refused with 403 DENIED, on /v2 and on the REST API, except turning it off again.

const message = 'The system is in read only mode. Any modification is prohibited.';
const writeMethods = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

type ReadOnlySource = Pick<SettingsStore, 'get'>;

/** A REST API onRequest hook: writes other than PUT /configurations fail while read-only. */
export function readOnlyApiGuard(settings: ReadOnlySource) {
  return async (request: FastifyRequest): Promise<void> => {
    if (!writeMethods.has(request.method)) return;
    if (request.method === 'PUT' && /\/configurations\/?$/.test(request.url.split('?', 1)[0])) return;
    if ((await settings.get()).read_only) throw new BerthError('DENIED', message);
  };
}

/** The /v2 authoriser, refusing pushes and deletes while read-only; pulls and listings go on. */
export function readOnlyAuthorizer(inner: Authorizer, settings: ReadOnlySource): Authorizer {
  return {
    async authorize(request, required) {
      if (writeMethods.has(request.method) && (await settings.get()).read_only) throw new BerthError('DENIED', message);
      return inner.authorize(request, required);
    },
    allows: (request, access) => inner.allows(request, access),
  };
}
