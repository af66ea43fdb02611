import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { request as httpsRequest } from 'node:https';

// The few HTTP exchanges Berth has with a scanner adapter (its metadata, a scan request, a
// report), over node:http(s) so that a registration's `skip_certVerify` can apply to its
// requests alone. Answers are bounded: an adapter cannot make Berth buffer without limit.

export interface AdapterAnswer {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

export interface AdapterRequest {
  method?: 'GET' | 'POST';
  headers?: Record<string, string>;
  body?: string;
  /** Accept a self-signed or otherwise unverifiable certificate. */
  insecure?: boolean;
  timeoutMs?: number;
  /** Largest answer read (the rest is refused). */
  maxBytes?: number;
  signal?: AbortSignal;
}

export class AdapterHttpError extends Error {}

export function adapterRequest(url: string, options: AdapterRequest = {}): Promise<AdapterAnswer> {
  const {
    method = 'GET',
    headers = {},
    body,
    insecure = false,
    timeoutMs = 10_000,
    maxBytes = 64 * 1024 * 1024,
  } = options;
  const target = new URL(url);
  const send = target.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = send(
      target,
      {
        method,
        headers: { ...headers, ...(body === undefined ? {} : { 'content-length': String(Buffer.byteLength(body)) }) },
        rejectUnauthorized: !insecure,
        timeout: timeoutMs,
        signal: options.signal,
      },
      (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > maxBytes) {
            req.destroy(
              new AdapterHttpError(`the answer of ${target.origin} is larger than ${String(maxBytes)} bytes`),
            );
            return;
          }
          chunks.push(chunk);
        });
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }),
        );
        res.on('error', reject);
      },
    );
    req.on('timeout', () =>
      req.destroy(new AdapterHttpError(`${target.origin} did not answer within ${String(timeoutMs)} ms`)),
    );
    req.on('error', (err) =>
      reject(err instanceof AdapterHttpError ? err : new AdapterHttpError(`${target.origin}: ${err.message}`)),
    );
    req.end(body);
  });
}
