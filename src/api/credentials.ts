import type { FastifyRequest } from 'fastify';

// Parsing the Authorization header, shared by /v2, the token service and the REST API.

export type Credentials =
  | { scheme: 'basic'; username: string; password: string }
  | { scheme: 'bearer'; token: string }
  | { scheme: 'none' }
  | { scheme: 'invalid' };

// Node's decoder skips characters outside the alphabet; a header with them is malformed, not a login attempt.
const base64 = /^[A-Za-z0-9+/]+={0,2}$/;

/** A header that cannot be read (bad base64, no colon, empty user name, unknown scheme) is `invalid`: never a failed login. */
export function credentialsOf(request: FastifyRequest): Credentials {
  const header = request.headers.authorization;
  if (!header) return { scheme: 'none' };
  const space = header.indexOf(' ');
  const scheme = header.slice(0, space).toLowerCase();
  const value = header.slice(space + 1).trim();
  if (scheme === 'bearer' && value) return { scheme: 'bearer', token: value };
  if (scheme === 'basic' && base64.test(value) && value.length % 4 !== 1) {
    const decoded = Buffer.from(value, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon > 0) return { scheme: 'basic', username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
  }
  return { scheme: 'invalid' };
}
