import type { FastifyReply, FastifyRequest } from 'fastify';
import { toBerthError } from '../oci/errors.js';

// Harbor's error body: {"errors":[{"code":"NOT_FOUND","message":"…"}]}, with Harbor's
// codes (src/lib/errors/const.go). Registry codes map onto them by status.

const harborCodes = new Set([
  'BAD_REQUEST',
  'UNAUTHORIZED',
  'FORBIDDEN',
  'DENIED',
  'NOT_FOUND',
  'CONFLICT',
  'PRECONDITION',
  'VIOLATE_FOREIGN_KEY_CONSTRAINT',
  'UNPROCESSABLE_ENTITY',
  'DIGEST_INVALID',
  'UNKNOWN',
]);

const byStatus: Record<number, string> = {
  400: 'BAD_REQUEST',
  401: 'UNAUTHORIZED',
  403: 'FORBIDDEN',
  404: 'NOT_FOUND',
  405: 'METHOD_NOT_ALLOWED',
  409: 'CONFLICT',
  412: 'PRECONDITION',
  413: 'BAD_REQUEST',
  416: 'BAD_REQUEST',
  422: 'UNPROCESSABLE_ENTITY',
  429: 'TOO_MANY_REQUESTS',
  503: 'SERVICE_UNAVAILABLE',
};

export function sendHarborError(request: FastifyRequest, reply: FastifyReply, err: unknown): FastifyReply {
  const error = toBerthError(err);
  if (error.status >= 500) request.log.error({ err: error.cause ?? err }, 'request failed');
  const code = harborCodes.has(error.code) ? error.code : (byStatus[error.status] ?? 'UNKNOWN');
  reply.code(error.status).headers(error.headers).header('content-type', 'application/json; charset=utf-8');
  reply.header('x-request-id', request.id);
  if (request.method === 'HEAD') return reply.send();
  // Harbor sends its X-Request-Id header only; the body repeats it beside `errors`, which its schema allows.
  return reply.send(JSON.stringify({ errors: [{ code, message: error.message }], request_id: request.id }));
}
