import Fastify, { LogController, type FastifyInstance } from 'fastify';
import type { Config } from '../config/index.js';
import type { Logger } from '../shared/logger.js';
import type { Registry } from '../registry/index.js';
import type { Authorizer } from './oci/access.js';
import { ociApi } from './oci/plugin.js';
import { tokenEndpoint, type TokenEndpointOptions } from './token.js';
import { sessionRoutes, type SessionRoutesOptions } from './session.js';
import { harborApi } from './v2/plugin.js';
import type { ApiDeps } from './v2/deps.js';
import { loadTlsFiles } from './tls.js';

export interface HttpDeps {
  config: Config;
  logger: Logger;
  registry: Registry;
  authorizer: Authorizer;
  token: TokenEndpointOptions;
  session: SessionRoutesOptions;
  api: ApiDeps;
}

/** The HTTP server: /v2 (OCI), /service/token, /c/ sessions and /api/v2.0 (Harbor's REST API). */
export async function createHttpServer(deps: HttpDeps): Promise<FastifyInstance> {
  const { config, logger } = deps;
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
    trustProxy: true,
    ...(tls ? { https: tls } : {}),
  }) as unknown as FastifyInstance;
  app.server.headersTimeout = 60_000;
  app.server.timeout = config.http.bodyTimeoutSeconds * 1000;

  app.addHook('onResponse', async (request, reply) => {
    if (reply.statusCode >= 500 || logger.isLevelEnabled('debug')) {
      request.log.info({ method: request.method, url: request.url, status: reply.statusCode, ms: Math.round(reply.elapsedTime) }, 'request');
    }
  });

  await app.register(ociApi, { registry: deps.registry, authorizer: deps.authorizer, maxManifestBytes: config.registry.maxManifestBytes });
  await app.register(tokenEndpoint, deps.token);
  await app.register(sessionRoutes, deps.session);
  await app.register(harborApi, { ...deps.api, prefix: '/api/v2.0' } as ApiDeps & { prefix: string });
  return app;
}
