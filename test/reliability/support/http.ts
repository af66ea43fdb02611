import { Agent, request as httpRequest, type IncomingHttpHeaders } from 'node:http';

// One HTTP exchange through node:http with a keep-alive pool: fetch refuses some of the
// headers the fuzzer sends (bad Content-Length aside), and the load test needs 200 sockets.

export interface Exchange {
  method: string;
  /** Path and query, sent as given (not re-encoded). */
  path: string;
  headers?: Record<string, string>;
  body?: Buffer;
}

export interface Reply {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
  ms: number;
}

export interface HttpClient {
  send(exchange: Exchange, timeoutMs?: number): Promise<Reply>;
  close(): void;
}

export function httpClient(baseUrl: string, maxSockets = 16): HttpClient {
  const base = new URL(baseUrl);
  const agent = new Agent({ keepAlive: true, maxSockets });
  return {
    send: (exchange, timeoutMs = 30_000) => send(base, agent, exchange, timeoutMs),
    close: () => agent.destroy(),
  };
}

function send(base: URL, agent: Agent, exchange: Exchange, timeoutMs: number): Promise<Reply> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      {
        host: base.hostname,
        port: base.port,
        method: exchange.method,
        path: exchange.path,
        headers: { ...exchange.headers, ...(exchange.body ? { 'content-length': exchange.body.length } : {}) },
        agent,
        timeout: timeoutMs,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: Buffer.concat(chunks),
            ms: performance.now() - started,
          }),
        );
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`no answer in ${timeoutMs} ms`)));
    req.on('error', reject);
    req.end(exchange.body);
  });
}

/** The exchange and its answer, for a failure message. */
export function describeExchange(exchange: Exchange, reply?: Reply | Error): string {
  const lines = [`${exchange.method} ${exchange.path}`];
  for (const [name, value] of Object.entries(exchange.headers ?? {})) lines.push(`  ${name}: ${excerpt(value, 300)}`);
  if (exchange.body)
    lines.push(`  body (${exchange.body.length} bytes): ${excerpt(exchange.body.toString('utf8'), 400)}`);
  if (reply instanceof Error) lines.push(`-> network error: ${reply.message}`);
  else if (reply) lines.push(`-> ${reply.status} ${excerpt(reply.body.toString('utf8'), 600)}`);
  return lines.join('\n');
}

function excerpt(text: string, max: number): string {
  const flat = JSON.stringify(text);
  return flat.length > max ? `${flat.slice(0, max)}… (${text.length} chars)` : flat;
}
