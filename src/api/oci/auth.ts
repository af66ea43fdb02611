import type { FastifyRequest } from 'fastify';
import { BerthError } from '../../shared/errors.js';
import {
  type Authenticator,
  type ResourceAccess,
  type TokenService,
  anonymous,
  principalName,
  type Principal,
} from '../../auth/index.js';
import type { ScopeGranter } from '../../iam/index.js';
import { credentialsOf } from '../credentials.js';
import type { AccessRequest, Authorizer } from './access.js';

// The /v2 authoriser: Bearer tokens from /service/token (the seed's `docker login`
// flow) or Basic credentials, as Harbor accepts both. What a token grants is
// intersected with what its subject may do now, so a deleted user or a removed member
// loses access within the access cache's few seconds.

export interface RegistryAuthorizerOptions {
  tokens: TokenService;
  authenticator: Authenticator;
  granter: ScopeGranter;
  /** `<externalURL>/service/token`, read per challenge (the URL is known once the port is bound). */
  realm: () => string;
}

type Resolved = { principal: Principal; tokenAccess?: ResourceAccess[] };

export function createRegistryAuthorizer({
  tokens,
  authenticator,
  granter,
  realm,
}: RegistryAuthorizerOptions): Authorizer {
  const challenge = (required: AccessRequest[], error?: string) => {
    const scope = required.map((r) => `${r.type}:${r.name}:${r.actions.join(',')}`).join(' ');
    let value = `Bearer realm="${realm()}",service="${tokens.service}"`;
    if (scope) value += `,scope="${scope}"`;
    if (error) value += `,error="${error}"`;
    return { 'WWW-Authenticate': value };
  };

  async function resolve(request: FastifyRequest): Promise<Resolved | undefined> {
    const credentials = credentialsOf(request);
    if (credentials.scheme === 'bearer') {
      const claims = await tokens.verify(credentials.token);
      if (!claims) return undefined;
      const principal = claims.sub === '' ? anonymous : await authenticator.current(claims.sub);
      return principal && { principal, tokenAccess: claims.access };
    }
    if (credentials.scheme === 'basic') {
      return { principal: await authenticator.login(credentials.username, credentials.password, request.ip) };
    }
    return undefined;
  }

  /** Actions of `required` held by the caller: token claims ∩ current permissions. */
  async function missing(
    resolved: Resolved,
    required: AccessRequest[],
  ): Promise<{ unscoped: boolean; denied: boolean }> {
    const granted = await granter.grant(resolved.principal, required);
    let unscoped = false;
    let denied = false;
    for (const need of required) {
      const now = granted.find((g) => g.type === need.type && g.name === need.name)?.actions ?? [];
      const claim = resolved.tokenAccess?.find((a) => a.type === need.type && a.name === need.name);
      if (resolved.tokenAccess && !claim) {
        unscoped = true;
        continue;
      }
      for (const action of need.actions) {
        if (!now.includes(action) && !now.includes('*')) denied = true;
        else if (claim && !claim.actions.includes(action) && !claim.actions.includes('*')) unscoped = true;
      }
    }
    return { unscoped, denied };
  }

  return {
    async authorize(request, required) {
      const resolved = await resolve(request).catch((err: unknown) => {
        if (err instanceof BerthError && err.code === 'UNAUTHORIZED') return undefined;
        throw err;
      });
      if (!resolved) {
        throw new BerthError('UNAUTHORIZED', 'authentication required', { headers: challenge(required) });
      }
      const caller = resolved.principal.kind === 'anonymous' ? {} : { name: principalName(resolved.principal) };
      if (required.length === 0) return caller;
      const { unscoped, denied } = await missing(resolved, required);
      // A token lacking the scope: ask the client for a new one; a caller without the permission: deny.
      if (denied && resolved.principal.kind === 'anonymous') {
        throw new BerthError('UNAUTHORIZED', 'authentication required', {
          headers: challenge(required, 'insufficient_scope'),
        });
      }
      if (denied) throw new BerthError('DENIED', 'requested access to the resource is denied');
      if (unscoped)
        throw new BerthError('UNAUTHORIZED', 'the token does not grant this scope', {
          headers: challenge(required, 'insufficient_scope'),
        });
      return caller;
    },

    async allows(request, access) {
      const resolved = await resolve(request).catch(() => undefined);
      if (!resolved) return false;
      const { unscoped, denied } = await missing(resolved, [access]);
      return !unscoped && !denied;
    },
  };
}
