import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { FastifyReply, FastifyRequest } from 'fastify';

// X-Request-Id, as Harbor's requestid middleware: the client's id when it sent one, else a new UUID,
// echoed on every response and logged with the request (fastify's reqId).

export const requestIdHeader = 'x-request-id';

/** Ids a log line and a header can carry safely; anything else is replaced. */
const reasonableId = /^[A-Za-z0-9._:-]{1,128}$/;

export function requestIdFor(raw: IncomingMessage): string {
  const sent = raw.headers[requestIdHeader];
  return typeof sent === 'string' && reasonableId.test(sent) ? sent : randomUUID();
}

/** fastify's options: the id comes from genReqId alone, which checks the client's header first. */
export const requestIdOptions = { requestIdHeader: false as const, genReqId: requestIdFor };

export async function echoRequestId(request: FastifyRequest, reply: FastifyReply): Promise<void> {
  reply.header(requestIdHeader, request.id);
}
