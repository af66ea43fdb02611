import type { Kysely } from 'kysely';
import { LRUCache } from 'lru-cache';
import type { Database } from '../db/index.js';
import { BerthError } from '../shared/errors.js';
import type { InvalidationBus } from '../shared/invalidation.js';

// The system settings an administrator changes at runtime (Harbor's PUT /configurations).
// Stored in `properties` as `config.<key>` (JSON), as Harbor keeps its configuration, so
// every replica reads the same values; berth.yml gives only the initial ones.

export type ProjectCreationRestriction = 'everyone' | 'adminonly';

/** Harbor's configuration keys Berth honours at runtime, with their current values. */
export interface SystemSettings {
  self_registration: boolean;
  project_creation_restriction: ProjectCreationRestriction;
  /** Days a robot lives when it is created with duration 0. */
  robot_token_duration: number;
  /** Refuses every write (pushes, deletes, API changes) but logins and PUT /configurations. */
  read_only: boolean;
  banner_message: string;
  /** Whether project quotas are enforced (Harbor's quota_per_project_enable). */
  quota_per_project_enable: boolean;
  /** The storage quota (bytes, -1 unlimited) a project gets when it is created without one. */
  storage_per_project: number;
}

export type SettingsKey = keyof SystemSettings;

const bad = (message: string) => new BerthError('BAD_REQUEST', message);

type Parser<K extends SettingsKey> = (value: unknown, key: K) => SystemSettings[K];

function booleanValue(value: unknown, key: string): boolean {
  if (typeof value !== 'boolean') throw bad(`${key} must be true or false`);
  return value;
}

const parsers: { [K in SettingsKey]: Parser<K> } = {
  self_registration: booleanValue,
  read_only: booleanValue,
  project_creation_restriction(value, key) {
    if (value !== 'everyone' && value !== 'adminonly') throw bad(`${key} must be "everyone" or "adminonly"`);
    return value;
  },
  robot_token_duration(value, key) {
    // Harbor keeps it below 2^31 days; 100 years keeps expiry times within a date.
    if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > 36_500)
      throw bad(`${key} must be a whole number of days from 1 to 36500`);
    return value;
  },
  quota_per_project_enable: booleanValue,
  storage_per_project(value, key) {
    // Harbor's QuotaType: -1 (unlimited) or a positive number of bytes.
    if (typeof value !== 'number' || !Number.isSafeInteger(value) || (value <= 0 && value !== -1))
      throw bad(`${key}: quota value should be -1 or greater than zero`);
    return value;
  },
  banner_message(value, key) {
    if (typeof value !== 'string' || value.length > 4096)
      throw bad(`${key} must be a string of at most 4096 characters`);
    return value;
  },
};

export const settingsKeys = Object.keys(parsers) as SettingsKey[];

export function isSettingsKey(key: string): key is SettingsKey {
  return Object.hasOwn(parsers, key);
}

/** Checks one value for `key`; throws BAD_REQUEST naming the key. */
export function parseSetting<K extends SettingsKey>(key: K, value: unknown): SystemSettings[K] {
  return (parsers[key] as Parser<K>)(value, key);
}

const propertyPrefix = 'config.';

export interface SettingsStoreOptions {
  db: Kysely<Database>;
  /** Values until an administrator changes them (from berth.yml, else Harbor's defaults). */
  defaults: Partial<SystemSettings>;
  /** Tells the other replicas of a change; settings govern access, so they ride on its `access` message. */
  bus?: Pick<InvalidationBus, 'publish' | 'subscribe'>;
  /** How long the settings may be served from memory (bounds how late a lost message is noticed). */
  cacheTtlMs?: number;
}

export function createSettingsStore({ db, defaults, bus, cacheTtlMs = 2000 }: SettingsStoreOptions) {
  const initial: SystemSettings = {
    self_registration: false,
    project_creation_restriction: 'everyone',
    robot_token_duration: 30,
    read_only: false,
    banner_message: '',
    quota_per_project_enable: true,
    storage_per_project: -1,
    ...defaults,
  };
  const cache = new LRUCache<'settings', SystemSettings>({ max: 1, ttl: cacheTtlMs });
  bus?.subscribe((m) => {
    if (m.kind === 'access') cache.clear();
  });

  async function load(executor: Kysely<Database>): Promise<SystemSettings> {
    const rows = await executor
      .selectFrom('properties')
      .select(['k', 'v'])
      .where('k', 'like', `${propertyPrefix}%`)
      .execute();
    const settings = { ...initial };
    for (const row of rows) {
      const key = row.k.slice(propertyPrefix.length);
      if (!isSettingsKey(key)) continue;
      try {
        Object.assign(settings, { [key]: parseSetting(key, JSON.parse(row.v)) });
      } catch {
        // A value this version cannot read keeps the default rather than failing every request.
      }
    }
    return settings;
  }

  return {
    /**
     * The current settings. Code inside a transaction passes it: a read from the pool while the
     * transaction holds locks that other pooled transactions wait for could starve the pool.
     */
    async get(executor: Kysely<Database> = db): Promise<SystemSettings> {
      const hit = cache.get('settings');
      if (hit) return hit;
      const settings = await load(executor);
      cache.set('settings', settings);
      return settings;
    },

    /** Stores already-parsed values, in one transaction. */
    async update(changes: Partial<SystemSettings>): Promise<void> {
      const entries = Object.entries(changes);
      if (entries.length === 0) return;
      await db.transaction().execute(async (trx) => {
        for (const [key, value] of entries) {
          const v = JSON.stringify(value);
          await trx
            .insertInto('properties')
            .values({ k: `${propertyPrefix}${key}`, v })
            .onConflict((oc) => oc.column('k').doUpdateSet({ v }))
            .execute();
        }
      });
      cache.clear();
      bus?.publish({ kind: 'access' });
    },
  };
}

export type SettingsStore = ReturnType<typeof createSettingsStore>;
