import { randomUUID } from 'node:crypto';
import { SignJWT, jwtVerify } from 'jose';
import { byteLru } from '../cache/index.js';
import type { Clock } from '../shared/clock.js';
import type { SigningKey } from './keys.js';

/** Memory for verified tokens (a pull checks its token once, not on every request). */
const verifiedTokensBytes = 16 * 1024 * 1024;

// Registry bearer tokens (Docker token authentication spec): RS256 JWTs whose
// `access` claim lists what the holder may do. A verified token is cached until it
// expires, so a pull pays one signature check, not one per request.

export interface ResourceAccess {
  type: string;
  name: string;
  actions: string[];
}

export interface TokenClaims {
  sub: string;
  access: ResourceAccess[];
  /** Expiry, Unix seconds. */
  exp: number;
}

export interface TokenServiceOptions {
  key: SigningKey;
  issuer: string;
  /** The `service` clients name, the JWT audience. */
  service: string;
  expiresInSeconds: number;
  clock: Clock;
}

export interface IssuedToken {
  token: string;
  expiresIn: number;
  issuedAt: string;
}

export function createTokenService({ key, issuer, service, expiresInSeconds, clock }: TokenServiceOptions) {
  // Keyed by the token itself; a token's claims take about what its payload does.
  const verifiedTokens = byteLru<string, TokenClaims>(verifiedTokensBytes, (_claims, token) => token.length * 3);

  return {
    service,

    async issue(subject: string, access: ResourceAccess[]): Promise<IssuedToken> {
      const now = clock.now();
      const iat = Math.floor(now.getTime() / 1000);
      const token = await new SignJWT({ access })
        .setProtectedHeader({ alg: 'RS256', typ: 'JWT', kid: key.kid })
        .setIssuer(issuer)
        .setSubject(subject)
        .setAudience(service)
        .setIssuedAt(iat)
        .setNotBefore(iat - 5)
        .setExpirationTime(iat + expiresInSeconds)
        .setJti(randomUUID())
        .sign(key.privateKey);
      return { token, expiresIn: expiresInSeconds, issuedAt: now.toISOString() };
    },

    /** The token's claims when its signature, issuer, audience and times check out; else undefined. */
    async verify(token: string): Promise<TokenClaims | undefined> {
      const nowSeconds = Math.floor(clock.now().getTime() / 1000);
      const hit = verifiedTokens.get(token);
      if (hit) return hit.exp > nowSeconds ? hit : undefined;
      try {
        const { payload } = await jwtVerify(token, key.publicKey, {
          issuer,
          audience: service,
          algorithms: ['RS256'],
          currentDate: clock.now(),
        });
        if (typeof payload.sub !== 'string' || typeof payload.exp !== 'number') return undefined;
        const claims: TokenClaims = { sub: payload.sub, exp: payload.exp, access: parseAccess(payload.access) };
        verifiedTokens.set(token, claims, { ttl: Math.max(1, (payload.exp - nowSeconds) * 1000) });
        return claims;
      } catch {
        return undefined;
      }
    },
  };
}

export type TokenService = ReturnType<typeof createTokenService>;

function parseAccess(value: unknown): ResourceAccess[] {
  if (!Array.isArray(value)) return [];
  return value.flatMap((entry: unknown) => {
    if (typeof entry !== 'object' || entry === null) return [];
    const { type, name, actions } = entry as Record<string, unknown>;
    if (typeof type !== 'string' || typeof name !== 'string' || !Array.isArray(actions)) return [];
    return [{ type, name, actions: actions.filter((a): a is string => typeof a === 'string') }];
  });
}

/** Parses a token-request scope: `repository:library/app:pull,push`, `registry:catalog:*`. */
export function parseScope(scope: string): ResourceAccess | undefined {
  // The name may itself contain a colon (a registry host with a port), so split at both ends.
  const first = scope.indexOf(':');
  const last = scope.lastIndexOf(':');
  if (first <= 0 || last === first) return undefined;
  let type = scope.slice(0, first);
  const name = scope.slice(first + 1, last);
  const actions = scope
    .slice(last + 1)
    .split(',')
    .filter(Boolean);
  // Some clients send `repository(plugin):name:pull`.
  type = type.replace(/\(.*\)$/, '');
  if (!name || actions.length === 0) return undefined;
  return { type, name, actions };
}
