import Fastify, { LogController, type FastifyInstance } from 'fastify';
import type { Logger } from '../shared/logger.js';
import { healthRoute, type HealthCheck } from './health.js';
import type { Metrics } from './metrics.js';

// The jobservice role's small listener: health, ping and metrics, nothing else.
export async function createOpsServer({
  logger,
  health,
  metrics,
}: {
  logger: Logger;
  health: Record<string, HealthCheck>;
  metrics: Metrics;
}): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: logger,
    logController: new LogController({ disableRequestLogging: true }),
    return503OnClosing: true,
  }) as unknown as FastifyInstance;
  metrics.attach(app);
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
