import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

// Prometheus metrics (prom-client, one registry per Berth): requests and latency by
// route name (the /v2 route table's names, fastify's route pattern elsewhere), blob
// bytes in and out, open uploads, job queue depth and the database pool.

export interface MetricsSources {
  openUploads(): Promise<number>;
  queueDepth(): Promise<{ jobType: string; count: number }[]>;
  /** PostgreSQL's pool; absent on SQLite (one connection, no pool). */
  dbPool?(): { total: number; idle: number; waiting: number; max: number };
}

/** Who may read GET /metrics on an app; absent = anyone (an operations-only listener). */
export interface MetricsAccess {
  /** `Authorization: Bearer <token>` admits a scraper. */
  token?: string;
  /** Admits a caller by its credentials (a system administrator on the main port). */
  admits?(request: FastifyRequest): Promise<boolean>;
}

export interface Metrics {
  registry: Registry;
  /** Names the request's route; the /v2 plugin calls it once it has matched its table. */
  nameRoute(request: FastifyRequest, name: string): void;
  /** Adds the request hooks to an app, and GET /metrics unless `serve` is false. */
  attach(app: FastifyInstance, options?: { serve?: boolean; access?: MetricsAccess }): void;
  /** Adds only GET /metrics: the separate metrics port. */
  serve(app: FastifyInstance, access?: MetricsAccess): void;
}

const uploadRoutes = new Set(['upload.start', 'upload.patch', 'upload.complete']);

export function createMetrics(sources: MetricsSources): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'berth_' });
  const requests = new Counter({
    name: 'berth_http_requests_total',
    help: 'HTTP requests by route, method and status',
    labelNames: ['route', 'method', 'code'],
    registers: [registry],
  });
  const latency = new Histogram({
    name: 'berth_http_request_duration_seconds',
    help: 'HTTP request latency by route and method',
    labelNames: ['route', 'method'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
    registers: [registry],
  });
  const blobBytes = new Counter({
    name: 'berth_blob_bytes_total',
    help: 'blob bytes received (in) and served (out) on /v2',
    labelNames: ['direction'],
    registers: [registry],
  });
  new Gauge({
    name: 'berth_open_uploads',
    help: 'upload sessions in progress',
    registers: [registry],
    async collect() {
      this.set(await sources.openUploads());
    },
  });
  new Gauge({
    name: 'berth_job_queue_depth',
    help: 'pending jobs by job type',
    labelNames: ['job_type'],
    registers: [registry],
    async collect() {
      this.reset();
      for (const q of await sources.queueDepth()) this.set({ job_type: q.jobType }, q.count);
    },
  });
  new Gauge({
    name: 'berth_db_pool_connections',
    help: 'PostgreSQL pool: connections open (total), idle, requests waiting for one (waiting), and the bound (max)',
    labelNames: ['state'],
    registers: [registry],
    collect() {
      const pool = sources.dbPool?.();
      if (!pool) return;
      this.set({ state: 'total' }, pool.total);
      this.set({ state: 'idle' }, pool.idle);
      this.set({ state: 'waiting' }, pool.waiting);
      this.set({ state: 'max' }, pool.max);
    },
  });

  const routeNames = new WeakMap<FastifyRequest, string>();
  const bytesAtStart = new WeakMap<FastifyRequest, number>();

  const serve = (app: FastifyInstance, access?: MetricsAccess) =>
    app.get('/metrics', async (request, reply) => {
      if (access && !(await admitted(request, access)))
        return reply
          .code(401)
          .header('www-authenticate', 'Bearer realm="metrics"')
          .send({ errors: [{ code: 'UNAUTHORIZED', message: 'metrics need a bearer token or an administrator' }] });
      return reply.header('content-type', registry.contentType).send(await registry.metrics());
    });

  return {
    registry,
    nameRoute: (request, name) => routeNames.set(request, name),
    serve,
    attach(app, options = {}) {
      app.addHook('onRequest', async (request) => {
        bytesAtStart.set(request, request.raw.socket?.bytesRead ?? 0);
      });
      app.addHook('onResponse', async (request, reply) => {
        const route = routeNames.get(request) ?? request.routeOptions.url ?? 'unmatched';
        requests.inc({ route, method: request.method, code: String(reply.statusCode) });
        latency.observe({ route, method: request.method }, reply.elapsedTime / 1000);
        if (reply.statusCode >= 400) return;
        if (route === 'blob.get' && request.method === 'GET') {
          const length = Number(reply.getHeader('content-length') ?? 0);
          if (length > 0) blobBytes.inc({ direction: 'out' }, length);
        } else if (uploadRoutes.has(route)) {
          // A streamed PATCH has no Content-Length: then count what the socket read (headers included).
          const declared = Number(request.headers['content-length'] ?? NaN);
          const read = (request.raw.socket?.bytesRead ?? 0) - (bytesAtStart.get(request) ?? 0);
          const bytes = Number.isFinite(declared) ? declared : Math.max(0, read);
          if (bytes > 0) blobBytes.inc({ direction: 'in' }, bytes);
        }
      });
      if (options.serve !== false) serve(app, options.access);
    },
  };
}

async function admitted(request: FastifyRequest, access: MetricsAccess): Promise<boolean> {
  const header = request.headers.authorization ?? '';
  if (access.token && header.startsWith('Bearer ') && sameSecret(header.slice(7).trim(), access.token)) return true;
  return (await access.admits?.(request).catch(() => false)) ?? false;
}

/** Compares digests, so the time taken says nothing about the token. */
function sameSecret(given: string, expected: string): boolean {
  const digest = (value: string) => createHash('sha256').update(value).digest();
  return timingSafeEqual(digest(given), digest(expected));
}
