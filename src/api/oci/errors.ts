import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { BerthError, errorCatalogue, isBerthError, type ErrorCode } from '../../shared/errors.js';

// Maps any error raised under /v2 to the distribution spec's envelope:
// {"errors":[{"code":"BLOB_UNKNOWN","message":"…","detail":…}]}.

export interface OciErrorBody {
  errors: { code: string; message: string; detail?: unknown }[];
}

export function ociErrorBody(err: BerthError): OciErrorBody {
  return {
    errors: [{ code: err.code, message: err.message, ...(err.detail === undefined ? {} : { detail: err.detail }) }],
  };
}

/** Turns framework and unexpected errors into coded ones; a client's mistake never becomes a 500. */
export function toBerthError(err: unknown): BerthError {
  if (isBerthError(err)) return err;
  const fastifyError = err as Partial<FastifyError>;
  const status = fastifyError.statusCode;
  if (typeof status === 'number' && status >= 400 && status < 500) {
    return new BerthError(
      codeForStatus(status),
      fastifyError.message ?? errorCatalogue[codeForStatus(status)].message,
      { status },
    );
  }
  return new BerthError('UNKNOWN', 'internal server error', { cause: err });
}

function codeForStatus(status: number): ErrorCode {
  if (status === 401) return 'UNAUTHORIZED';
  if (status === 403) return 'DENIED';
  if (status === 404) return 'NOT_FOUND';
  if (status === 405) return 'UNSUPPORTED';
  if (status === 413) return 'SIZE_INVALID';
  if (status === 416) return 'RANGE_INVALID';
  if (status === 429) return 'TOOMANYREQUESTS';
  return 'BAD_REQUEST';
}

export function sendOciError(request: FastifyRequest, reply: FastifyReply, err: unknown): FastifyReply {
  const error = toBerthError(err);
  // Drain an unread body so the connection stays usable.
  if (!request.raw.readableEnded) request.raw.resume();
  if (error.status >= 500) request.log.error({ err: error.cause ?? err }, 'request failed');
  reply.code(error.status).headers(error.headers).header('content-type', 'application/json; charset=utf-8');
  // The envelope stays the distribution spec's; the request id travels in the header only.
  reply.header('x-request-id', request.id);
  // A HEAD response carries the status and headers only (distribution spec: HEAD errors have no body).
  if (request.method === 'HEAD') return reply.send();
  return reply.send(JSON.stringify(ociErrorBody(error)));
}
