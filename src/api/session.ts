import type { FastifyInstance } from 'fastify';
import { BerthError } from '../shared/errors.js';
import type { Authenticator, SessionStore } from '../auth/index.js';
import { cookieValue, sessionCookie } from './v2/security.js';
import { sendHarborError } from './v2/errors.js';

// The portal's login: POST /c/login with form fields `principal` and `password` sets
// the session cookie; GET /c/log_out ends it (Harbor's paths and fields).

export interface SessionRoutesOptions {
  authenticator: Authenticator;
  sessions: SessionStore;
  secureCookie: boolean;
  onLogin?: (username: string, address: string) => void;
}

export async function sessionRoutes(
  app: FastifyInstance,
  { authenticator, sessions, secureCookie, onLogin }: SessionRoutesOptions,
): Promise<void> {
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_request, body, done) =>
    done(null, body),
  );
  app.setErrorHandler((err, request, reply) => sendHarborError(request, reply, err));
  const cookie = (value: string, maxAge: number) =>
    `${sessionCookie}=${value}; Path=/; HttpOnly; SameSite=Lax; Max-Age=${maxAge}${secureCookie ? '; Secure' : ''}`;

  app.post('/c/login', async (request, reply) => {
    const form = new URLSearchParams(typeof request.body === 'string' ? request.body : '');
    const name = form.get('principal') ?? '';
    const password = form.get('password') ?? '';
    if (!name || !password) throw new BerthError('BAD_REQUEST', 'principal and password are required');
    const principal = await authenticator.login(name, password, request.ip);
    if (principal.kind !== 'user') throw new BerthError('UNAUTHORIZED', 'robot accounts cannot log in to the portal');
    const { sid, csrfToken } = await sessions.create(principal.id);
    onLogin?.(principal.username, request.ip);
    return reply
      .header('set-cookie', cookie(sid, 60 * 60 * 24))
      .header('x-harbor-csrf-token', csrfToken)
      .code(200)
      .send();
  });

  app.get('/c/log_out', async (request, reply) => {
    const sid = cookieValue(request.headers.cookie, sessionCookie);
    if (sid) await sessions.destroy(sid);
    return reply.header('set-cookie', cookie('', 0)).code(200).send();
  });
}
