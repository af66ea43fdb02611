// The contract every identity provider (database, LDAP, OIDC) implements. A wrong
// name or password is an answer (`bad-credentials`); a provider that cannot answer
// (directory down, bad configuration) throws, so an outage is never taken for a
// failed login. Throttling is the login service's job, not a provider's.

/** A user as a provider knows them. */
export interface ExternalUser {
  username: string;
  email?: string;
  realname?: string;
}

export type AuthenticateResult = { ok: true; user: ExternalUser } | { ok: false; reason: 'bad-credentials' };

export interface IdentityProvider {
  /** Short name for logs and configuration: `db`, `ldap`, `oidc`. */
  readonly name: string;
  /**
   * Checks a user name and password. Takes as long for an unknown user as for a
   * wrong password, so the answer's timing does not tell whether the user exists.
   */
  authenticate(username: string, password: string, signal?: AbortSignal): Promise<AuthenticateResult>;
  /** The user of that exact name, or undefined. */
  lookUp(username: string, signal?: AbortSignal): Promise<ExternalUser | undefined>;
  /** Names of the groups the user belongs to (empty for an unknown user). */
  groups(username: string, signal?: AbortSignal): Promise<string[]>;
  /** Users whose name contains `query`, at most `limit`, by name. */
  search(query: string, limit: number, signal?: AbortSignal): Promise<ExternalUser[]>;
  /** Drops what the provider cached about a user (or everyone) after a change on this replica. */
  forget?(username?: string): void;
}
