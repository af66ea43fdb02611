import Fastify, { LogController, type FastifyInstance } from 'fastify';
import type { Config } from '../config/index.js';
import type { Logger } from '../shared/logger.js';
import type { Registry } from '../registry/index.js';
import type { Authorizer } from './oci/access.js';
import { ociApi } from './oci/plugin.js';
import { loadTlsFiles } from './tls.js';

export interface HttpDeps {
  config: Config;
  logger: Logger;
  registry: Registry;
  authorizer: Authorizer;
}

/** The HTTP server: /v2 (OCI), later /service/token, /api/v2.0 and the portal. */
export async function createHttpServer({ config, logger, registry, authorizer }: HttpDeps): Promise<FastifyInstance> {
  const tls = loadTlsFiles(config.tls);
  const app = Fastify({
    loggerInstance: logger,
    logController: new LogController({ disableRequestLogging: true }),
    // Large blob bodies stream for as long as the client keeps sending.
    requestTimeout: 0,
    connectionTimeout: 0,
    keepAliveTimeout: 65_000,
    routerOptions: { maxParamLength: 2048 },
    return503OnClosing: true,
    ...(tls ? { https: tls } : {}),
  }) as unknown as FastifyInstance;
  app.server.headersTimeout = 60_000;
  app.server.timeout = config.http.bodyTimeoutSeconds * 1000;

  app.addHook('onResponse', async (request, reply) => {
    if (reply.statusCode >= 500 || logger.isLevelEnabled('debug')) {
      request.log.info({ method: request.method, url: request.url, status: reply.statusCode, ms: Math.round(reply.elapsedTime) }, 'request');
    }
  });

  await app.register(ociApi, { registry, authorizer, maxManifestBytes: config.registry.maxManifestBytes });
  return app;
}
