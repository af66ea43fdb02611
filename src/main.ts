import type { FastifyInstance } from 'fastify';
import { loadConfig, type Config, type LoadOptions } from './config/index.js';
import { openDatabase, type Db } from './db/index.js';
import { createFilesystemStore, type BlobStore } from './storage/index.js';
import { createRegistry } from './registry/index.js';
import { createHttpServer } from './api/server.js';
import { allowAll } from './api/oci/access.js';
import { createLogger, type Logger } from './shared/logger.js';
import { createEventBus } from './shared/events.js';
import { createLocalLocks } from './shared/locks.js';
import { systemClock } from './shared/clock.js';

// The composition root: the only place that constructs services and wires them together.

export interface Berth {
  config: Config;
  app: FastifyInstance;
  logger: Logger;
  /** Listens on config.http.port (0 = ephemeral); returns the bound URL. */
  listen(): Promise<string>;
  close(): Promise<void>;
}

export async function startBerth(input: Config | LoadOptions = {}, logger?: Logger): Promise<Berth> {
  const config = 'dataDir' in input && 'externalURL' in input ? (input as Config) : loadConfig(input as LoadOptions);
  const log = logger ?? createLogger(config.logLevel);
  const db = openDatabase(config.database.url);
  await db.migrate();
  const store = createBlobStore(config);
  const events = createEventBus((err, event) => log.error({ err, event: event.type }, 'event handler failed'));
  const registry = createRegistry({
    db: db.kysely,
    store,
    locks: createLocalLocks(),
    events,
    clock: systemClock,
    logger: log,
    maxManifestBytes: config.registry.maxManifestBytes,
    cacheBytes: config.registry.cacheBytes,
  });
  const app = await createHttpServer({ config, logger: log, registry, authorizer: allowAll });
  return {
    config,
    app,
    logger: log,
    async listen() {
      return app.listen({ port: config.http.port, host: config.http.host });
    },
    close: () => closeAll(app, db, store),
  };
}

function createBlobStore(config: Config): BlobStore {
  if (config.storage.type === 's3') throw new Error('storage.type: the s3 driver is not built into this version yet; use filesystem');
  return createFilesystemStore({ root: config.storage.filesystem.rootdirectory });
}

async function closeAll(app: FastifyInstance, db: Db, store: BlobStore): Promise<void> {
  await app.close();
  await store.close?.();
  await db.close();
}
