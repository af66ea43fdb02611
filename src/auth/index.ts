// Identities, logins, portal sessions and registry tokens: auth's public surface.
export * from './principal.js';
export * from './authenticate.js';
export * from './passwords.js';
export * from './sessions.js';
export * from './tokens.js';
export * from './keys.js';
export * from './ratelimit.js';
export * from './session-purge.js';
export type * from './providers/contract.js';
export { createDbProvider } from './providers/db.js';
export { createDbThrottleStore } from './throttle/db-store.js';
export { createRedisThrottleStore } from './throttle/redis-store.js';
