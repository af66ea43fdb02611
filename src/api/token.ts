import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { BerthError } from '../shared/errors.js';
import {
  type Authenticator,
  parseScope,
  type TokenService,
  anonymous,
  principalName,
  type Principal,
} from '../auth/index.js';
import type { ScopeGranter } from '../iam/index.js';
import { credentialsOf } from './credentials.js';
import { sendOciError } from './oci/errors.js';

// GET /service/token: the Docker token authentication spec's token endpoint, the
// second step of the seed's `docker login` flow. Also POST with the OAuth2 password
// grant, which containerd tries first.

export interface TokenEndpointOptions {
  tokens: TokenService;
  authenticator: Authenticator;
  granter: ScopeGranter;
  onLogin?: (principal: Principal, request: FastifyRequest) => void;
  /** The portal's session user, so the portal can read private repositories through /v2 (as Harbor's token service does). */
  sessionPrincipal?: (request: FastifyRequest) => Promise<Principal | undefined>;
}

export async function tokenEndpoint(app: FastifyInstance, options: TokenEndpointOptions): Promise<void> {
  const { tokens, authenticator, granter } = options;
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_request, body, done) =>
    done(null, body),
  );

  async function respond(request: FastifyRequest, reply: FastifyReply, principal: Principal, params: URLSearchParams) {
    const service = params.get('service');
    if (service !== null && service !== tokens.service) {
      throw new BerthError(
        'BAD_REQUEST',
        `unknown service "${service.slice(0, 100)}"; this registry is "${tokens.service}"`,
      );
    }
    const requested = params
      .getAll('scope')
      .flatMap((s) => s.split(' '))
      .filter(Boolean)
      .map(parseScope);
    if (requested.some((s) => s === undefined))
      throw new BerthError('BAD_REQUEST', 'malformed scope; expected type:name:actions');
    const access = await granter.grant(
      principal,
      requested.filter((s) => s !== undefined),
    );
    const issued = await tokens.issue(principal.kind === 'anonymous' ? '' : principalName(principal), access);
    options.onLogin?.(principal, request);
    return reply.header('cache-control', 'no-store').send({
      token: issued.token,
      access_token: issued.token,
      expires_in: issued.expiresIn,
      issued_at: issued.issuedAt,
    });
  }

  app.get('/service/token', async (request, reply) => {
    try {
      const params = new URLSearchParams(request.url.split('?', 2)[1] ?? '');
      const credentials = credentialsOf(request);
      if (credentials.scheme === 'invalid' || credentials.scheme === 'bearer')
        throw new BerthError('UNAUTHORIZED', 'use Basic credentials or none');
      const principal =
        credentials.scheme === 'basic'
          ? await authenticator.login(credentials.username, credentials.password, request.ip)
          : ((await options.sessionPrincipal?.(request)) ?? anonymous);
      return await respond(request, reply, principal, params);
    } catch (err) {
      return sendOciError(request, reply, err);
    }
  });

  app.post('/service/token', async (request, reply) => {
    try {
      const body = request.body;
      const params = new URLSearchParams(typeof body === 'string' ? body : '');
      if (params.get('grant_type') !== 'password')
        throw new BerthError('UNSUPPORTED', 'only grant_type=password is supported; or use GET', { status: 400 });
      const username = params.get('username') ?? '';
      const password = params.get('password') ?? '';
      // Missing fields are a malformed request, not a failed login for the client address.
      if (!username || !password) throw new BerthError('BAD_REQUEST', 'username and password are required');
      const principal = await authenticator.login(username, password, request.ip);
      return await respond(request, reply, principal, params);
    } catch (err) {
      return sendOciError(request, reply, err);
    }
  });
}
