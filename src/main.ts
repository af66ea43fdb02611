import type { FastifyInstance } from 'fastify';
import { loadConfig, type Config, type LoadOptions } from './config/index.js';
import { openDatabase, sqlitePathOf, type Db } from './db/index.js';
import { createBlobStore, type BlobStore } from './storage/index.js';
import { createRegistry, registryFeature, type GcThreadSettings } from './registry/index.js';
import { checkFeatures, type Feature } from './feature.js';
import { sessionsFeature } from './auth/session-purge.js';
import { gcFeature } from './gc/index.js';
import { createHttpServer } from './api/server.js';
import { createRegistryAuthorizer } from './api/oci/auth.js';
import { createSecurity } from './api/v2/security.js';
import { berthVersion } from './api/v2/system.js';
import { createAuthenticator } from './auth/authenticate.js';
import { loadSigningKey } from './auth/keys.js';
import { createLoginThrottle } from './auth/ratelimit.js';
import { createDbThrottleStore } from './auth/throttle/db-store.js';
import { createRedisThrottleStore } from './auth/throttle/redis-store.js';
import { createDbProvider } from './auth/providers/db.js';
import { createDummyHash } from './auth/passwords.js';
import { createScopeGranter } from './iam/scopes.js';
import { createSessionStore } from './auth/sessions.js';
import { createTokenService } from './auth/tokens.js';
import { createAccessControl } from './iam/access.js';
import { bootstrap, pendingAdminPassword } from './iam/bootstrap.js';
import { createRobotService } from './iam/robots/index.js';
import { createUserService } from './iam/users/index.js';
import { createProjectService } from './iam/projects/index.js';
import { createMemberService } from './iam/members/index.js';
import { createSettingsStore } from './iam/settings.js';
import { readOnlyAuthorizer } from './api/read-only.js';
import { createQuotaService, quotaFeature } from './quota/index.js';
import { createImmutableService, immutableFeature } from './immutable/index.js';
import { scanningFeature } from './scanning/index.js';
import { createLabelService, labelsFeature } from './labels/index.js';
import { retentionFeature } from './retention/index.js';
import { auditFeature, createAuditLog } from './audit/index.js';
import { artifactsFeature, createArtifactService, createArtifactsRepo, createPullRecorder } from './artifacts/index.js';
import { createLogger, type Logger } from './shared/logger.js';
import { createEventBus } from './shared/events.js';
import { createLocalLocks, type Locks } from './shared/locks.js';
import { createRedisLocks } from './shared/redis-locks.js';
import type { RedisSettings } from './shared/redis.js';
import { createLocalInvalidationBus, createRedisInvalidationBus, type InvalidationBus } from './shared/invalidation.js';
import { shareAccessInvalidation } from './iam/shared-access.js';
import { createJobService, eventDeliveryJob, type JobService } from './jobs/index.js';
import { localRelay, type EventRelay } from './shared/events.js';
import { createMetrics } from './api/metrics.js';
import { createMetricsServer, createOpsServer } from './api/ops-server.js';
import type { HealthCheck } from './api/health.js';
import { PathNotFoundError } from './storage/index.js';
import type { Redis } from 'ioredis';
import { systemClock } from './shared/clock.js';

// The composition root: the only place that constructs services and wires them together.

/** The version Berth reports, and its scanner (`berth scanner serve`) with it. */
export { berthVersion };

export interface Berth {
  config: Config;
  app: FastifyInstance;
  logger: Logger;
  jobs: JobService;
  /** Listens on config.http.port (0 = ephemeral); returns the bound URL. */
  listen(): Promise<string>;
  /** The generated admin password while admin has neither changed it nor logged in (printed after listen). */
  pendingAdminPassword(): Promise<string | undefined>;
  close(): Promise<void>;
}

export async function startBerth(input: Config | LoadOptions = {}, logger?: Logger): Promise<Berth> {
  const config = 'dataDir' in input && 'externalURL' in input ? (input as Config) : loadConfig(input as LoadOptions);
  const log = logger ?? createLogger(config.logLevel);
  const clock = systemClock;
  const db = openDatabase(config.database.url, config.database);
  await db.migrate();
  await bootstrap({ db: db.kysely, clock, logger: log, adminPassword: config.adminPassword });
  const store = await createBlobStore(config.storage);
  const shared = await sharedState(config, log);
  const events = createEventBus({
    relay: shared.relay,
    onError: (err, event, subscriber) => log.error({ err, event: event.type, subscriber }, 'event handler failed'),
  });
  const settings = createSettingsStore({
    db: db.kysely,
    defaults: { self_registration: config.auth.selfRegistration },
    bus: shared.bus,
  });
  // Quotas guard the registry's pushes: built first, handed to the registry as its storage guard.
  const quotas = createQuotaService({ db: db.kysely, clock, events, settings });
  // Immutability rules protect tags in every registry operation that moves or deletes one.
  const immutable = createImmutableService({ db: db.kysely, clock, bus: shared.bus });
  const registry = createRegistry({
    db: db.kysely,
    store,
    locks: shared.locks,
    invalidation: shared.bus,
    events,
    clock,
    logger: log,
    maxManifestBytes: config.registry.maxManifestBytes,
    cacheBytes: config.registry.cacheBytes,
    uploadLimits: config.registry.uploads,
    storageGuard: quotas.guard,
    tagProtection: immutable.protection,
    gcThread: gcThreadSettings(config),
  });

  const audit = createAuditLog({ db: db.kysely, clock, logger: log });
  const access = shareAccessInvalidation(createAccessControl({ db: db.kysely }), shared.bus);
  const dummyHash = await createDummyHash();
  const throttle = createLoginThrottle({
    // Replicas agree on failed logins through Redis when it is configured, else through the database.
    store: shared.redis
      ? createRedisThrottleStore(shared.redis, { prefix: config.redis.prefix })
      : createDbThrottleStore(db.kysely),
    clock,
    maxFailures: config.auth.maxLoginFailures,
    maxAddressFailures: config.auth.maxLoginFailuresPerAddress ?? config.auth.maxLoginFailures * 10,
    windowSeconds: config.auth.loginFailureWindowSeconds,
    backoffMaxSeconds: config.auth.loginBackoffMaxSeconds,
  });
  const authenticator = createAuthenticator({
    db: db.kysely,
    clock,
    provider: createDbProvider({ db: db.kysely, dummyHash }),
    throttle,
    dummyHash,
    onFailure: (username, address) =>
      void audit.record({
        operation: 'login_failed',
        resourceType: 'user',
        resource: username,
        username,
        clientIp: address,
        success: false,
      }),
  });
  const tokens = createTokenService({
    key: await loadSigningKey(db.kysely, config.auth.tokenSigningKey),
    issuer: config.auth.tokenIssuer,
    service: config.auth.tokenService,
    expiresInSeconds: config.auth.tokenExpirationMinutes * 60,
    clock,
  });
  const granter = createScopeGranter(access);
  const sessions = createSessionStore({ db: db.kysely, clock, timeoutMinutes: config.auth.sessionTimeoutMinutes });
  const security = createSecurity({ authenticator, sessions, access });
  const robots = createRobotService({ db: db.kysely, clock, access, authenticator, audit });
  const users = createUserService({ db: db.kysely, clock, authenticator, access, sessions, audit });
  const projects = createProjectService({
    db: db.kysely,
    clock,
    access,
    authenticator,
    audit,
    events,
    onCreate: (trx, project) => quotas.projectCreated(trx, project),
  });
  const members = createMemberService({ db: db.kysely, clock, access, authenticator, audit });
  const labels = createLabelService({ db: db.kysely, clock });
  const artifacts = createArtifactService({
    repo: createArtifactsRepo(db.kysely),
    registry,
    labels,
    tagProtection: immutable.protection,
    // The scanning feature, built below, answers for scan overviews.
    scans: { overviews: (...args) => scanning.scans.overviews(...args) },
    logger: log,
  });
  const pulls = createPullRecorder({ db: db.kysely, clock, logger: log });
  let boundUrl: string | undefined;
  const scanning = scanningFeature({
    db: db.kysely,
    clock,
    version: berthVersion,
    registry,
    store,
    artifacts,
    jobs: () => jobs,
    access,
    logger: log,
    externalUrl: () => config.externalURL,
    // Adapters registered with use_internal_addr pull from where Berth listens (a jobservice-only process: the external URL).
    internalUrl: () => boundUrl ?? config.externalURL,
    pullToken: async (repository) =>
      (await tokens.issue('admin', [{ type: 'repository', name: repository, actions: ['pull', 'scanner-pull'] }]))
        .token,
  });
  await scanning.start();

  // Every feature hands over its routes, jobs and subscribers here, in one list.
  const features: Feature[] = [
    registryFeature(registry, {
      clock,
      uploadPurge: { ageHours: config.registry.uploadPurgeAgeHours, cron: config.registry.uploadPurgeSchedule },
    }),
    artifactsFeature(pulls),
    auditFeature(audit, { projectIdOf: async (name) => (await access.project(name))?.id }),
    sessionsFeature(sessions, { purgeCron: config.auth.sessionPurgeSchedule }),
    gcFeature({ db: db.kysely, clock, collector: registry.collector, jobs: () => jobs }),
    quotaFeature(quotas),
    immutableFeature(immutable),
    labelsFeature(labels, artifacts),
    retentionFeature({
      db: db.kysely,
      clock,
      artifacts,
      registry,
      protection: immutable.protection,
      jobs: () => jobs,
    }),
    scanning,
  ];
  checkFeatures(features);
  const subscribers = features.flatMap((f) => f.subscribers ?? []);
  for (const sub of subscribers) events.add(sub);
  const jobs = await createJobService({
    db: db.kysely,
    clock,
    logger: log,
    redis: shared.settings,
    jobs: [
      ...features.flatMap((f) => f.jobs ?? []),
      ...subscribers.filter((sub) => sub.delivery === 'once').map(eventDeliveryJob),
    ],
  });
  events.useQueue((name, event) => jobs.queue.enqueue(name, { event }));
  const health = healthChecks(db, store, shared.redis, jobs);
  const metrics = createMetrics({
    openUploads: () => registry.uploads.openCount(),
    queueDepth: () => jobs.queue.queues(),
    ...(db.dialect.name === 'postgres' ? { dbPool: () => db.poolStats() } : {}),
  });
  if (config.role !== 'core')
    await jobs.start({
      workers: config.jobservice.workers,
      schedulerIntervalMs: config.jobservice.schedulerIntervalSeconds * 1000,
    });

  const app =
    config.role === 'jobservice'
      ? await createOpsServer({ logger: log, health, metrics, exposure: config.metrics })
      : await createHttpServer({
          config,
          logger: log,
          registry,
          pullChecks: features.flatMap((f) => f.pullChecks ?? []),
          authorizer: readOnlyAuthorizer(
            createRegistryAuthorizer({
              tokens,
              authenticator,
              granter,
              realm: () => `${config.externalURL}/service/token`,
            }),
            settings,
          ),
          token: {
            tokens,
            authenticator,
            granter,
            sessionPrincipal: async (request) => {
              const context = await security.of(request).catch(() => undefined);
              return context?.session ? context.principal : undefined;
            },
          },
          session: { authenticator, sessions, secureCookie: config.externalURL.startsWith('https:') },
          api: {
            config,
            clock,
            access,
            security,
            audit,
            users,
            robots,
            projects,
            members,
            artifacts,
            jobs,
            health,
            settings,
            features,
          },
          metrics,
          invalidation: shared.bus,
        });
  const metricsPort = config.metrics.enabled ? config.metrics.port : undefined;
  const metricsServer = metricsPort === undefined ? undefined : createMetricsServer({ logger: log, metrics });
  return {
    config,
    app,
    logger: log,
    jobs,
    async listen() {
      const address = await app.listen({ port: config.http.port, host: config.http.host });
      boundUrl = address.replace('://0.0.0.0:', '://127.0.0.1:');
      await metricsServer?.listen({ port: metricsPort, host: config.http.host });
      // On an ephemeral port the default externalURL learns the port once it is bound.
      if (config.externalURL.endsWith(':0'))
        config.externalURL = config.externalURL.replace(/:0$/, `:${new URL(address).port}`);
      return address;
    },
    pendingAdminPassword: () => pendingAdminPassword(db.kysely),
    close: async () => {
      // In-flight requests finish first (fastify drains, new ones get 503), then running jobs get their grace.
      await app.close();
      await metricsServer?.close();
      await jobs.close(config.jobservice.shutdownGraceSeconds * 1000);
      await closeAll(app, db, store, features);
      await shared.close();
    },
  };
}

/**
 * On SQLite a collection's statements and deletes run in a worker thread on a connection of
 * their own, so that pulls served meanwhile never wait for them.
 */
function gcThreadSettings(config: Config): GcThreadSettings | undefined {
  const path = sqlitePathOf(config.database.url);
  return path && path !== ':memory:' ? { sqlitePath: path, storage: config.storage } : undefined;
}

/** Closes the server, then lets each feature write what it still holds, then the stores. */
async function closeAll(app: FastifyInstance, db: Db, store: BlobStore, features: Feature[]): Promise<void> {
  await app.close();
  for (const feature of features) await feature.close?.();
  await store.close?.();
  await db.close();
}

export interface SharedState {
  settings?: RedisSettings;
  redis?: Redis;
  locks: Locks;
  bus: InvalidationBus;
  /** Carries events to 'every-replica' subscribers on the other replicas. */
  relay: EventRelay;
  close(): Promise<void>;
}

/** What replicas share: with redis.url, locks and cache invalidation go through Redis; without, they stay in-process. */
export async function sharedState(config: Config, log: Logger): Promise<SharedState> {
  if (!config.redis.url)
    return {
      locks: createLocalLocks(),
      bus: createLocalInvalidationBus(),
      relay: localRelay,
      close: async () => undefined,
    };
  const settings: RedisSettings = {
    url: config.redis.url,
    sentinelMasterSet: config.redis.sentinelMasterSet,
    password: config.redis.password,
    prefix: config.redis.prefix,
  };
  // ioredis is loaded only when Redis is configured (memory of the embedded default).
  const { connectRedis, describeRedis } = await import('./shared/redis.js');
  const redis = connectRedis(settings);
  const subscriber = connectRedis(settings);
  const bus = await createRedisInvalidationBus(redis, subscriber, {
    prefix: settings.prefix,
    onError: (err) => log.warn({ err }, 'cache invalidation message failed'),
  });
  const { createRedisEventRelay } = await import('./shared/redis-relay.js');
  const relay = await createRedisEventRelay(redis, connectRedis(settings), {
    prefix: settings.prefix,
    onError: (err) => log.warn({ err }, 'event relay message failed'),
  });
  log.info({ redis: describeRedis(settings) }, 'sharing locks, cache invalidation and events through Redis');
  return {
    settings,
    redis,
    locks: createRedisLocks(redis, { prefix: `${settings.prefix}:lock:` }),
    bus,
    relay,
    async close() {
      await bus.close();
      await relay.close();
      redis.disconnect();
    },
  };
}

function healthChecks(
  db: Db,
  store: BlobStore,
  redis: Redis | undefined,
  jobs: JobService,
): Record<string, HealthCheck> {
  return {
    core: async () => undefined,
    database: () => db.ping(),
    // Without redis.url there is no Redis to be unhealthy: the component is left out.
    ...(redis ? { redis: async () => void (await redis.ping()) } : {}),
    storage: async () => {
      await store.stat('blobs').catch((err: unknown) => {
        if (!(err instanceof PathNotFoundError)) throw err;
      });
    },
    jobservice: async () => {
      if ((await jobs.queue.pools()).length === 0) throw new Error('no job service worker pool is running');
    },
  };
}
