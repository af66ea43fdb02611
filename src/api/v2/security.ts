import type { FastifyRequest } from 'fastify';
import { BerthError } from '../../shared/errors.js';
import { type Authenticator, type SessionStore, anonymous, type Principal } from '../../auth/index.js';
import type { AccessControl, ProjectRef } from '../../iam/index.js';
import { credentialsOf } from '../credentials.js';

// Who calls the REST API and what they may do: Basic credentials (Harbor's scripts)
// or the portal's session cookie. Resolved once per request.

export const sessionCookie = 'sid';

export interface SecurityContext {
  principal: Principal;
  /** Set when the caller authenticated with the session cookie; writes then need the CSRF token. */
  session?: { sid: string; csrfToken: string };
}

export interface SecurityDeps {
  authenticator: Authenticator;
  sessions: SessionStore;
  access: AccessControl;
}

export function createSecurity({ authenticator, sessions, access }: SecurityDeps) {
  const resolved = new WeakMap<FastifyRequest, Promise<SecurityContext>>();

  async function resolve(request: FastifyRequest): Promise<SecurityContext> {
    const credentials = credentialsOf(request);
    if (credentials.scheme === 'basic') {
      return { principal: await authenticator.login(credentials.username, credentials.password, request.ip) };
    }
    if (credentials.scheme === 'invalid' || credentials.scheme === 'bearer') {
      throw new BerthError('UNAUTHORIZED', 'unsupported Authorization header; use Basic credentials');
    }
    const sid = cookieValue(request.headers.cookie, sessionCookie);
    if (sid) {
      const session = await sessions.get(sid);
      if (session) {
        const principal = await authenticator.current(session.username);
        if (principal) return { principal, session: { sid, csrfToken: session.csrfToken } };
      }
    }
    return { principal: anonymous };
  }

  function of(request: FastifyRequest): Promise<SecurityContext> {
    let pending = resolved.get(request);
    if (!pending) {
      pending = resolve(request);
      resolved.set(request, pending);
    }
    return pending;
  }

  /** 401 for anonymous callers, 403 for others: Harbor's answer to a missing permission, worded for people. */
  function refuse(principal: Principal, what: Refused): BerthError {
    return principal.kind === 'anonymous'
      ? new BerthError(
          'UNAUTHORIZED',
          `authentication required to ${describe({ ...what, target: undefined, project: undefined })}`,
        )
      : new BerthError('FORBIDDEN', `you are not allowed to ${describe(what)}`);
  }

  return {
    of,

    async principal(request: FastifyRequest): Promise<Principal> {
      return (await of(request)).principal;
    },

    async requireAuthenticated(request: FastifyRequest): Promise<Principal> {
      const { principal } = await of(request);
      if (principal.kind === 'anonymous') throw new BerthError('UNAUTHORIZED', 'authentication required');
      return principal;
    },

    /** System-level permission (users, audit logs, system robots, configurations). */
    async requireSystem(request: FastifyRequest, resource: string, action: string): Promise<Principal> {
      const { principal } = await of(request);
      if (!access.canSystem(principal, resource, action)) throw refuse(principal, { action, resource });
      return principal;
    },

    /**
     * Project-level permission. An unknown project is 404 for callers who could see it
     * if it existed, and a refusal otherwise, so private names do not leak.
     */
    async requireProject(
      request: FastifyRequest,
      project: string | number,
      resource: string,
      action: string,
      /** The instance acted on, when the route knows it ("proj/app", "proj/app@sha256:…", a robot's name). */
      target?: string,
    ): Promise<{ principal: Principal; project: ProjectRef }> {
      const { principal } = await of(request);
      const ref = await access.project(project);
      if (!ref) {
        if (principal.kind === 'anonymous') throw refuse(principal, { action, resource });
        throw new BerthError('NOT_FOUND', `project ${String(project)} not found`);
      }
      if (!(await access.can(principal, ref.id, resource, action))) {
        if (principal.kind !== 'anonymous' && !(await access.can(principal, ref.id, 'project', 'read'))) {
          throw new BerthError('NOT_FOUND', `project ${String(project)} not found`);
        }
        throw refuse(principal, { action, resource, target, project: ref.name });
      }
      return { principal, project: ref };
    },
  };
}

export type Security = ReturnType<typeof createSecurity>;

/** What a refused caller tried: the action, the resource kind and, where known, the instance and its project. */
export interface Refused {
  action: string;
  resource: string;
  target?: string;
  project?: string;
}

// Harbor's resource names as people say them; the rest read as they are ("tag", "label").
const nouns: Record<string, [one: string, many: string]> = {
  repository: ['repository', 'repositories'],
  robot: ['robot account', 'robot accounts'],
  'audit-log': ['audit log', 'audit logs'],
  log: ['log', 'logs'],
  configuration: ['configuration', 'configuration'],
  metadata: ['metadata', 'metadata'],
  'tag-retention': ['tag retention policy', 'tag retention policies'],
  'immutable-tag': ['tag immutability rule', 'tag immutability rules'],
  'notification-policy': ['webhook policy', 'webhook policies'],
  'jobservice-monitor': ['job service', 'job service'],
  catalog: ['catalog', 'catalog'],
  quota: ['quota', 'quotas'],
};
const verbs: Record<string, string> = {
  pull: 'pull from',
  push: 'push to',
  operate: 'run',
  read: 'read',
  stop: 'stop',
};

/**
 * "delete project proj-1", "create robot accounts in project proj-1", "delete artifact proj-1/app@sha256:…",
 * "list users": the refused action with the instance when the route names one.
 */
export function describe({ action, resource, target, project }: Refused): string {
  const [one, many] = nouns[resource] ?? [resource.replace(/-/g, ' '), `${resource.replace(/-/g, ' ')}s`];
  const verb = verbs[action] ?? action;
  if (resource === 'project') return project ? `${verb} project ${project}` : `${verb} projects`;
  const what = target ? `${verb} ${one} ${target}` : `${verb} ${many}`;
  return project && !target?.startsWith(`${project}/`) ? `${what} in project ${project}` : what;
}

export function cookieValue(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return decodeCookie(part.slice(eq + 1).trim());
  }
  return undefined;
}

/** A cookie value that is not valid percent-encoding cannot name a session: it is ignored, not a 500. */
function decodeCookie(raw: string): string | undefined {
  try {
    return decodeURIComponent(raw) || undefined;
  } catch {
    return undefined;
  }
}
