import type { FastifyRequest } from 'fastify';

// The authorisation slot of every /v2 route: a route names the access it needs
// (Docker token spec scopes); an Authorizer decides. Identity and access plugs in here.

export type Action = 'pull' | 'push' | 'delete' | 'scanner-pull' | '*';

export interface AccessRequest {
  type: 'repository' | 'registry';
  /** Repository name, or "catalog" for the registry type. */
  name: string;
  actions: Action[];
}

export interface Authorizer {
  /**
   * Throws UNAUTHORIZED (with a challenge) or DENIED when the request lacks `required`;
   * otherwise names the caller (undefined when anonymous), for audit and events.
   */
  authorize(request: FastifyRequest, required: AccessRequest[]): Promise<{ name?: string }>;
  /** Whether the request has `access`, without throwing: for optional access such as a mount source. */
  allows(request: FastifyRequest, access: AccessRequest): Promise<boolean>;
}

/** Anonymous read-write: the registry core before identity and access is configured. */
export const allowAll: Authorizer = {
  authorize: async () => ({}),
  allows: async () => true,
};

export const repositoryAccess = (name: string, ...actions: Action[]): AccessRequest => ({
  type: 'repository',
  name,
  actions,
});
