import { Redis, type RedisOptions } from 'ioredis';

// Connections to Redis from the redis.* settings: one server or sentinels
// (redis://s1:26379,s2:26379/<db> with sentinelMasterSet), password, db index in the path.

export interface RedisSettings {
  url: string;
  sentinelMasterSet?: string;
  password?: string;
  /** Prefix of every key and channel (redis.prefix). */
  prefix: string;
}

export class RedisUrlError extends Error {
  override name = 'RedisUrlError';
}

/** ioredis options for the settings; throws RedisUrlError naming the key that is wrong. */
export function redisOptions(settings: RedisSettings): RedisOptions {
  const match = /^(rediss?):\/\/(?:([^:@/]*)(?::([^@/]*))?@)?([^/?#]+)(?:\/(\d*))?\/?$/.exec(settings.url);
  if (!match)
    throw new RedisUrlError(
      `redis.url: expected redis://[:password@]host:port[/db], got "${settings.url.replace(/\/\/[^@]*@/, '//***@')}"`,
    );
  const [, scheme, username, urlPassword, hostList, db] = match;
  const hosts = hostList.split(',').map((h) => {
    const [host, port] = h.split(':');
    if (!host || (port !== undefined && !/^\d+$/.test(port))) throw new RedisUrlError(`redis.url: bad host "${h}"`);
    return { host, port: port ? Number(port) : settings.sentinelMasterSet ? 26379 : 6379 };
  });
  if (hosts.length > 1 && !settings.sentinelMasterSet)
    throw new RedisUrlError('redis.url: several hosts need redis.sentinelMasterSet');
  const password = settings.password ?? (urlPassword ? decodeURIComponent(urlPassword) : undefined);
  const common: RedisOptions = {
    db: db ? Number(db) : 0,
    ...(password ? { password } : {}),
    ...(username ? { username: decodeURIComponent(username) } : {}),
    ...(scheme === 'rediss' ? { tls: {} } : {}),
    // Fail a command after a bounded wait rather than queueing it forever while Redis is away.
    maxRetriesPerRequest: 3,
    connectTimeout: 5000,
  };
  if (settings.sentinelMasterSet) {
    return { ...common, sentinels: hosts, name: settings.sentinelMasterSet };
  }
  return { ...common, host: hosts[0].host, port: hosts[0].port };
}

export function connectRedis(settings: RedisSettings, extra: RedisOptions = {}): Redis {
  return new Redis({ ...redisOptions(settings), ...extra });
}

/** A short description for logs, without the password. */
export function describeRedis(settings: RedisSettings): string {
  const o = redisOptions(settings);
  const where = o.sentinels
    ? `sentinels ${o.sentinels.map((s) => `${s.host}:${s.port}`).join(',')} (master set ${o.name})`
    : `${o.host}:${o.port}`;
  return `${where} db ${o.db}`;
}
