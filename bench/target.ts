import { HttpClient, expectStatus } from './client.js';
import { benchAdminPassword } from './servers/berth.js';
import type { ServerProcess } from './servers/process.js';

// A target is a server plus the way this client authenticates to it. The reference
// and in-memory registries take no credentials; Berth always wants them, so its
// targets fetch Bearer tokens from /service/token the way docker does, once per scope.

export type Credentials = 'none' | 'admin-token' | 'anonymous-token' | 'admin-basic';

export interface Target {
  /** Row label: reference, in-memory, berth, berth (anonymous token), berth (basic). */
  name: string;
  server: ServerProcess;
  client: HttpClient;
  credentials: Credentials;
  /** Authorization headers granting `scopes` (token spec syntax, e.g. repository:library/x:pull,push). */
  auth(scopes: string[]): Promise<Record<string, string>>;
}

export const adminBasic = `Basic ${Buffer.from(`admin:${benchAdminPassword}`).toString('base64')}`;

export function createTarget(name: string, server: ServerProcess, credentials: Credentials): Target {
  const client = new HttpClient(server.url);
  const tokens = new Map<string, Promise<string>>();
  const token = (scopes: string[]) => {
    const key = scopes.join(' ');
    let pending = tokens.get(key);
    if (!pending) {
      pending = fetchToken(client, scopes, credentials === 'admin-token' ? adminBasic : undefined);
      tokens.set(key, pending);
    }
    return pending;
  };
  return {
    name,
    server,
    client,
    credentials,
    async auth(scopes): Promise<Record<string, string>> {
      if (credentials === 'none') return {};
      if (credentials === 'admin-basic') return { authorization: adminBasic };
      return { authorization: `Bearer ${await token(scopes)}` };
    },
  };
}

export async function fetchToken(client: HttpClient, scopes: string[], authorization?: string): Promise<string> {
  const query = new URLSearchParams({ service: 'harbor-registry' });
  for (const scope of scopes) query.append('scope', scope);
  const reply = await client.request('GET', `/service/token?${query}`, {
    headers: authorization ? { authorization } : {},
  });
  expectStatus(reply, 'token', 200);
  return (JSON.parse(reply.body.toString('utf8')) as { token: string }).token;
}

export const pullScope = (repo: string) => `repository:${repo}:pull`;
export const pushScope = (repo: string) => `repository:${repo}:pull,push`;
export const catalogScope = 'registry:catalog:*';
