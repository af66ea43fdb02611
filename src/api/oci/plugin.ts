import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { BerthError } from '../../shared/errors.js';
import { checkRepositoryName, type Registry } from '../../registry/index.js';
import type { PullCheck } from '../../feature.js';
import type { Authorizer } from './access.js';
import { sendOciError } from './errors.js';
import { matchRoute, ociRoutes } from './routes.js';

export interface OciApiOptions {
  registry: Registry;
  authorizer: Authorizer;
  maxManifestBytes: number;
  /** The features' checks on manifest pulls (GET). */
  pullChecks?: readonly PullCheck[];
  /** Told the route table's name of each matched request (metrics). */
  onRoute?: (request: FastifyRequest, name: string) => void;
}

const methods = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'] as const;

/** Serves the OCI Distribution API on /v2/ from the route table in routes.ts. */
export async function ociApi(app: FastifyInstance, options: OciApiOptions): Promise<void> {
  const routes = ociRoutes(options);
  // Blob and manifest bodies are streamed by the handlers themselves, never parsed.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', (_request, _payload, done) => done(null, undefined));

  const handle = async (request: FastifyRequest, reply: FastifyReply) => {
    reply.header('docker-distribution-api-version', 'registry/2.0');
    try {
      const [rawPath, rawQuery = ''] = request.url.split('?', 2);
      const path = rawPath.replace(/^\/v2\/?/, '');
      const match = matchRoute(routes, request.method, path);
      if (!match)
        throw new BerthError('UNSUPPORTED', `no such endpoint: ${request.method} ${rawPath.slice(0, 200)}`, {
          status: 404,
        });
      if ('allowed' in match) {
        reply.header('allow', [...new Set(match.allowed)].join(', '));
        throw new BerthError('UNSUPPORTED', `${request.method} is not supported on ${rawPath.slice(0, 200)}`);
      }
      const { route, params } = match;
      options.onRoute?.(request, route.name);
      if (params.name !== undefined) checkRepositoryName(params.name);
      const caller = await options.authorizer
        .authorize(request, route.access(params))
        .catch((err: unknown) => explainDenial(err, params.name, options.registry));
      const actor = { ...(caller.name ? { actor: caller.name } : {}), clientIp: request.ip };
      const ctx = {
        request,
        reply,
        params,
        query: new URLSearchParams(rawQuery),
        registry: options.registry,
        authorizer: options.authorizer,
        actor,
        pullChecks: options.pullChecks ?? [],
      };
      for (const check of route.checks ?? []) await check(ctx);
      await route.handler(ctx);
      return reply;
    } catch (err) {
      return sendOciError(request, reply, err);
    }
  };

  app.route({ method: [...methods], url: '/v2', handler: handle, exposeHeadRoute: false });
  app.route({ method: [...methods], url: '/v2/*', handler: handle, exposeHeadRoute: false });
}

/**
 * A caller denied access to a repository whose project does not exist is told so, with
 * Harbor's message (its v2auth middleware answers "project <name> not found"); DENIED is
 * kept as the code, as a 401 would send clients for a new token that cannot help.
 */
async function explainDenial(err: unknown, repository: string | undefined, registry: Registry): Promise<never> {
  if (!(err instanceof BerthError) || err.code !== 'DENIED' || repository === undefined) throw err;
  const project = repository.includes('/') ? repository.slice(0, repository.indexOf('/')) : repository;
  if (await registry.repositories.projectExists(project)) throw err;
  throw new BerthError('DENIED', `project ${project} not found`, { detail: { project } });
}
