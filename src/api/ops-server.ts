import Fastify, { LogController, type FastifyInstance } from 'fastify';
import type { Config } from '../config/index.js';
import type { Logger } from '../shared/logger.js';
import { healthRoute, type HealthCheck } from './health.js';
import type { Metrics } from './metrics.js';

function opsApp(logger: Logger): FastifyInstance {
  return Fastify({
    loggerInstance: logger,
    logController: new LogController({ disableRequestLogging: true }),
    return503OnClosing: true,
  }) as unknown as FastifyInstance;
}

// The jobservice role's small listener: health, ping and metrics, nothing else.
export async function createOpsServer({
  logger,
  health,
  metrics,
  exposure,
}: {
  logger: Logger;
  health: Record<string, HealthCheck>;
  metrics: Metrics;
  exposure: Config['metrics'];
}): Promise<FastifyInstance> {
  const app = opsApp(logger);
  // No public traffic reaches this listener: /metrics is open here unless a token is configured.
  metrics.attach(app, {
    serve: exposure.enabled && exposure.port === undefined,
    ...(exposure.token ? { access: { token: exposure.token } } : {}),
  });
  await app.register(
    async (api) => {
      api.get('/ping', async (_request, reply) =>
        reply.header('content-type', 'text/plain; charset=utf-8').send('Pong'),
      );
      healthRoute(api, health);
    },
    { prefix: '/api/v2.0' },
  );
  return app;
}

/** The metrics.port listener: GET /metrics only, for scrapers on the operations network. */
export function createMetricsServer({ logger, metrics }: { logger: Logger; metrics: Metrics }): FastifyInstance {
  const app = opsApp(logger);
  metrics.serve(app);
  return app;
}
