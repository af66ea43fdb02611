import http from 'node:http';
import { createHash } from 'node:crypto';

// The one HTTP client every target is measured with: node:http over a keep-alive
// Agent, bodies as Buffers, responses either buffered or hashed as they stream.

export interface Reply {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
  /** sha256 of the body, when the request asked for `hash` instead of a buffer. */
  digest?: string;
  bytes: number;
}

export interface RequestOptions {
  headers?: Record<string, string>;
  body?: Buffer;
  /** Hash the body as it streams instead of keeping it. */
  hash?: boolean;
}

export class HttpClient {
  readonly base: URL;
  private readonly agent: http.Agent;

  constructor(base: string, maxSockets = 64) {
    this.base = new URL(base);
    this.agent = new http.Agent({ keepAlive: true, maxSockets, maxFreeSockets: maxSockets });
  }

  request(method: string, path: string, options: RequestOptions = {}): Promise<Reply> {
    const headers: Record<string, string> = { ...options.headers };
    if (options.body) headers['content-length'] = String(options.body.length);
    else if (method === 'PUT' || method === 'POST' || method === 'PATCH') headers['content-length'] = '0';
    return new Promise((resolve, reject) => {
      const req = http.request(
        { host: this.base.hostname, port: this.base.port, method, path, headers, agent: this.agent },
        (res) => {
          const chunks: Buffer[] = [];
          const hash = options.hash ? createHash('sha256') : undefined;
          let bytes = 0;
          res.on('data', (chunk: Buffer) => {
            bytes += chunk.length;
            if (hash) hash.update(chunk);
            else chunks.push(chunk);
          });
          res.on('end', () =>
            resolve({
              status: res.statusCode ?? 0,
              headers: res.headers,
              body: Buffer.concat(chunks),
              bytes,
              ...(hash ? { digest: `sha256:${hash.digest('hex')}` } : {}),
            }),
          );
          res.on('error', reject);
        },
      );
      req.on('error', reject);
      req.end(options.body);
    });
  }

  close(): void {
    this.agent.destroy();
  }
}

/** Throws unless the reply has one of the expected statuses, naming the request. */
export function expectStatus(reply: Reply, what: string, ...expected: number[]): Reply {
  if (!expected.includes(reply.status)) {
    throw new Error(
      `${what}: HTTP ${reply.status}, expected ${expected.join('/')}: ${reply.body.toString('utf8').slice(0, 300)}`,
    );
  }
  return reply;
}

/** Resolves an upload Location header (absolute or relative) to a path with query. */
export function locationPath(reply: Reply): string {
  const location = reply.headers.location;
  if (!location) throw new Error(`HTTP ${reply.status} without a Location header`);
  const url = new URL(location, 'http://placeholder');
  return url.pathname + url.search;
}
