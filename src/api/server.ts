import Fastify, { LogController, type FastifyInstance } from 'fastify';
import type { Config } from '../config/index.js';
import type { Logger } from '../shared/logger.js';
import type { Registry } from '../registry/index.js';
import type { Authorizer } from './oci/access.js';
import { ociApi } from './oci/plugin.js';
import { tokenEndpoint, type TokenEndpointOptions } from './token.js';
import { sessionRoutes, type SessionRoutesOptions } from './session.js';
import { harborApi } from './v2/plugin.js';
import { portal } from './portal.js';
import type { ApiDeps } from './v2/deps.js';
import { loadTlsFiles } from './tls.js';
import { echoRequestId, requestIdOptions } from './request-id.js';
import { applyConnectionLimits, serverTimeoutOptions } from './connection-limits.js';
import { noSniff } from './security-headers.js';
import { BerthError } from '../shared/errors.js';
import { sendOciError } from './oci/errors.js';
import { sendHarborError } from './v2/errors.js';
import type { Metrics } from './metrics.js';
import { isSysadmin } from '../iam/index.js';
import type { PullCheck } from '../feature.js';

export interface HttpDeps {
  config: Config;
  logger: Logger;
  registry: Registry;
  authorizer: Authorizer;
  token: TokenEndpointOptions;
  session: SessionRoutesOptions;
  api: ApiDeps;
  metrics?: Metrics;
  /** Cache invalidations this request published reach the other replicas before its response. */
  invalidation?: { flush(): Promise<void> };
  /** The features' checks on /v2 manifest pulls. */
  pullChecks?: readonly PullCheck[];
}

/** The HTTP server: /v2 (OCI), /service/token, /c/ sessions and /api/v2.0 (Harbor's REST API). */
export async function createHttpServer(deps: HttpDeps): Promise<FastifyInstance> {
  const { config, logger } = deps;
  const tls = loadTlsFiles(config.tls);
  const app = Fastify({
    loggerInstance: logger,
    logController: new LogController({ disableRequestLogging: true }),
    ...requestIdOptions,
    // Large blob bodies stream for as long as the client keeps sending.
    requestTimeout: 0,
    connectionTimeout: 0,
    keepAliveTimeout: config.http.keepAliveTimeoutSeconds * 1000,
    routerOptions: { maxParamLength: 2048 },
    return503OnClosing: true,
    // X-Forwarded-For, -Proto and -Host count only from the configured proxies' addresses.
    trustProxy: config.http.trustedProxies.length > 0 ? config.http.trustedProxies : false,
    ...(tls ? {} : { http: serverTimeoutOptions(config.http) }),
    // A URL fastify cannot decode still gets the error body its API speaks.
    frameworkErrors: (error, request, reply) => {
      const coded = new BerthError(
        request.url.startsWith('/v2') ? 'NAME_INVALID' : 'BAD_REQUEST',
        `malformed URL: ${error.message}`,
      );
      reply.header('docker-distribution-api-version', 'registry/2.0');
      return request.url.startsWith('/v2')
        ? sendOciError(request, reply, coded)
        : sendHarborError(request, reply, coded);
    },
    ...(tls ? { https: { ...tls, ...serverTimeoutOptions(config.http) } } : {}),
  }) as unknown as FastifyInstance;
  applyConnectionLimits(app.server, config.http);
  app.addHook('onRequest', noSniff);

  app.addHook('onRequest', echoRequestId);
  app.addHook('onResponse', async (request, reply) => {
    if (reply.statusCode >= 500 || logger.isLevelEnabled('debug')) {
      request.log.info(
        { method: request.method, url: request.url, status: reply.statusCode, ms: Math.round(reply.elapsedTime) },
        'request',
      );
    }
  });

  app.setNotFoundHandler((request, reply) => {
    const message = `no such endpoint: ${request.method} ${request.url.split('?')[0].slice(0, 200)}`;
    if (!request.url.startsWith('/v2')) return sendHarborError(request, reply, new BerthError('NOT_FOUND', message));
    return sendOciError(request, reply, new BerthError('UNSUPPORTED', message, { status: 404 }));
  });

  // /metrics on the main port: for a bearer token or an administrator, unless it has its own port.
  deps.metrics?.attach(app, {
    serve: config.metrics.enabled && config.metrics.port === undefined,
    access: {
      token: config.metrics.token,
      admits: async (request) => isSysadmin(await deps.api.security.principal(request)),
    },
  });
  const invalidation = deps.invalidation;
  if (invalidation)
    app.addHook(
      'onSend',
      async (request) =>
        void (request.method !== 'GET' && request.method !== 'HEAD' ? await invalidation.flush() : undefined),
    );
  await app.register(ociApi, {
    registry: deps.registry,
    authorizer: deps.authorizer,
    maxManifestBytes: config.registry.maxManifestBytes,
    pullChecks: deps.pullChecks,
    onRoute: deps.metrics?.nameRoute,
  });
  await app.register(tokenEndpoint, deps.token);
  await app.register(sessionRoutes, deps.session);
  await app.register(harborApi, { ...deps.api, prefix: '/api/v2.0' } as ApiDeps & { prefix: string });
  await app.register(portal);
  return app;
}
