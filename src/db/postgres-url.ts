import { readFileSync } from 'node:fs';
import type { PoolConfig } from 'pg';
import type { ConnectionOptions } from 'node:tls';
import { DatabaseUrlError, maskUrl } from './errors.js';

// postgres://user:pw@host:5432/db?sslmode=… → pg's connection settings. sslmode keeps
// libpq's meaning (pg alone would treat `require` as verify-full).

export const sslModes = ['disable', 'require', 'verify-ca', 'verify-full'] as const;
export type SslMode = (typeof sslModes)[number];

const knownParams = new Set(['sslmode', 'sslrootcert', 'sslcert', 'sslkey', 'host', 'application_name']);

export type PostgresConnection = Pick<
  PoolConfig,
  'host' | 'port' | 'user' | 'password' | 'database' | 'ssl' | 'application_name'
> & { sslMode: SslMode };

export function parsePostgresUrl(url: string): PostgresConnection {
  const fail = (why: string) =>
    new DatabaseUrlError(
      `database.url: ${why} in "${maskUrl(url)}" (expected postgres://user:password@host:5432/database?sslmode=disable)`,
    );
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw fail('not a URL');
  }
  const database = decodeURIComponent(parsed.pathname.replace(/^\//, ''));
  if (!database || database.includes('/')) throw fail('no database name');
  for (const key of parsed.searchParams.keys()) {
    if (!knownParams.has(key)) throw fail(`unsupported parameter "${key}" (known: ${[...knownParams].join(', ')})`);
  }
  const mode = parsed.searchParams.get('sslmode') ?? 'disable';
  if (!(sslModes as readonly string[]).includes(mode))
    throw fail(`sslmode "${mode}" is not one of ${sslModes.join(', ')}`);
  const sslMode = mode as SslMode;
  const port = parsed.port ? Number(parsed.port) : 5432;
  const host = parsed.searchParams.get('host') ?? parsed.hostname.replace(/^\[(.*)\]$/, '$1');
  if (!host) throw fail('no host');
  return {
    host,
    port,
    user: decodeURIComponent(parsed.username) || undefined,
    password: decodeURIComponent(parsed.password) || undefined,
    database,
    application_name: parsed.searchParams.get('application_name') ?? 'berth',
    ssl: tlsOptions(sslMode, parsed.searchParams, fail),
    sslMode,
  };
}

function tlsOptions(
  mode: SslMode,
  params: URLSearchParams,
  fail: (why: string) => DatabaseUrlError,
): false | ConnectionOptions {
  if (mode === 'disable') return false;
  const file = (key: string) => {
    const path = params.get(key);
    if (!path) return undefined;
    try {
      return readFileSync(path, 'utf8');
    } catch (err) {
      throw fail(`cannot read ${key} ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
    }
  };
  const client = { ca: file('sslrootcert'), cert: file('sslcert'), key: file('sslkey') };
  // libpq: require encrypts without checking the certificate; verify-ca checks the chain; verify-full also the host name.
  if (mode === 'require') return { ...client, rejectUnauthorized: false };
  if (mode === 'verify-ca') return { ...client, rejectUnauthorized: true, checkServerIdentity: () => undefined };
  return { ...client, rejectUnauthorized: true };
}
