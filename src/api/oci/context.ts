import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Registry } from '../../registry/index.js';
import type { EventActor } from '../../shared/events.js';
import type { PullCheck } from '../../feature.js';
import type { Authorizer } from './access.js';

/** What a /v2 handler receives: the request, its path parameters and the registry. */
export interface OciContext {
  request: FastifyRequest;
  reply: FastifyReply;
  params: Record<string, string>;
  query: URLSearchParams;
  registry: Registry;
  authorizer: Authorizer;
  /** Who makes the request, passed to the registry so its events name them. */
  actor: EventActor;
  /** The features' checks on manifest pulls. */
  pullChecks: readonly PullCheck[];
}

/** The request body as a stream, or undefined when the request has none. */
export function requestBody(request: FastifyRequest): AsyncIterable<Uint8Array> | undefined {
  const length = request.headers['content-length'];
  if (request.headers['transfer-encoding'] === undefined && (length === undefined || length === '0')) return undefined;
  return request.raw;
}

export function declaredLength(request: FastifyRequest): number | undefined {
  const length = request.headers['content-length'];
  return length === undefined ? undefined : Number(length);
}

/** Reads a body of at most `limit` bytes; returns undefined when it is larger. */
export async function readBody(request: FastifyRequest, limit: number): Promise<Buffer | undefined> {
  const length = declaredLength(request);
  if (length !== undefined && length > limit) {
    request.raw.resume();
    return undefined;
  }
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of request.raw as AsyncIterable<Buffer>) {
    total += chunk.length;
    if (total > limit) {
      request.raw.resume();
      return undefined;
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks, total);
}
