import { createHash } from 'node:crypto';
import { basename } from 'node:path';
import { Redis } from 'ioredis';
import type { S3Client } from '@aws-sdk/client-s3';
import { testRedisBase } from './redis.js';
import type { S3StoreOptions } from '../../src/storage/drivers/s3/index.js';
import {
  createTestBucket,
  deleteTestBucket,
  emptyBucket,
  s3Endpoint,
  testS3Client,
  testS3Config,
  testS3Options,
} from './s3.js';

// The scale-out profile of the suite (BERTH_TEST_SCALEOUT=1, run by .ci/run on PostgreSQL):
// every test server that does not choose its own gets Redis (locks, cache invalidation,
// BullMQ) and the S3 blob store. Servers share one Redis db and one bucket, each under
// a prefix of its own, and remove what they wrote when they close.
//
// Blob GETs answer 200 from Berth here (storage.disableredirect): the suite reads blob
// bytes and headers from Berth; the 307 to a presigned URL has its own tests in
// test/http/s3-storage.test.ts.

export const scaleOutProfile = process.env.BERTH_TEST_SCALEOUT === '1';

/** The Redis db index of the profile (the owners of the others: test/helpers/redis.ts). */
const redisDb = 10;

export interface ScaleOutParts {
  redis: { url: string; prefix: string };
  s3: Record<string, unknown>;
  /** Removes this server's Redis keys and objects. */
  cleanup(): Promise<void>;
}

let bucket: Promise<{ client: S3Client; name: string }> | undefined;
const usedPrefixes = new Set<string>();

function suiteBucket(): Promise<{ client: S3Client; name: string }> {
  bucket ??= (async () => {
    const client = testS3Client();
    const name = await createTestBucket(client, 'berth-suite');
    // What servers on a reopened data directory left goes when the test process ends.
    process.once('beforeExit', () => {
      void deleteTestBucket(client, name).catch(() => undefined);
      for (const prefix of usedPrefixes)
        void deleteRedisKeys(`${testRedisBase}/${redisDb}`, `${prefix}:*`).catch(() => undefined);
    });
    return { client, name };
  })();
  return bucket;
}

/** Redis and S3 settings for one test server on `dataDir`, or undefined outside the profile. */
export async function scaleOutParts(dataDir: string): Promise<ScaleOutParts | undefined> {
  if (!scaleOutProfile) return undefined;
  const { client, name } = await suiteBucket();
  const rootDirectory = rootDirectoryOf(dataDir);
  // Named after the data directory: a server restarted on it finds its queues again.
  const prefix = `t${createHash('sha256').update(dataDir).digest('hex').slice(0, 12)}`;
  usedPrefixes.add(prefix);
  return {
    redis: { url: `${testRedisBase}/${redisDb}`, prefix },
    s3: testS3Config(name, { rootdirectory: rootDirectory }),
    async cleanup() {
      usedPrefixes.delete(prefix);
      await emptyBucket(client, name, rootDirectory.slice(1) + '/').catch(() => undefined);
      await deleteRedisKeys(`${testRedisBase}/${redisDb}`, `${prefix}:*`).catch(() => undefined);
    },
  };
}

/** Driver options for the S3 prefix of the server on `dataDir`, or undefined outside the profile. */
export async function scaleOutStoreOptions(dataDir: string): Promise<S3StoreOptions | undefined> {
  if (!scaleOutProfile) return undefined;
  const { name } = await suiteBucket();
  return testS3Options(name, { rootDirectory: rootDirectoryOf(dataDir) });
}

function rootDirectoryOf(dataDir: string): string {
  return `/${basename(dataDir)}`;
}

/** The same parts as config overrides for startTestBerth. */
export function scaleOutOverrides(parts: ScaleOutParts): Record<string, unknown> {
  return { redis: parts.redis, storage: { type: 's3', disableredirect: true, s3: parts.s3 } };
}

/** The same parts as BERTH_* variables for a child process. */
export function scaleOutEnv(parts: ScaleOutParts): Record<string, string> {
  const s3 = parts.s3 as { bucket: string; rootdirectory: string };
  return {
    BERTH_REDIS_URL: parts.redis.url,
    BERTH_REDIS_PREFIX: parts.redis.prefix,
    BERTH_STORAGE_TYPE: 's3',
    BERTH_STORAGE_DISABLEREDIRECT: 'true',
    BERTH_STORAGE_S3_ENDPOINT: s3Endpoint,
    BERTH_STORAGE_S3_REGION: 'us-east-1',
    BERTH_STORAGE_S3_BUCKET: s3.bucket,
    BERTH_STORAGE_S3_ROOTDIRECTORY: s3.rootdirectory,
    BERTH_STORAGE_S3_ACCESSKEY: 'AKTEST',
    BERTH_STORAGE_S3_SECRETKEY: 'SKTEST',
    BERTH_STORAGE_S3_FORCEPATHSTYLE: 'true',
  };
}

async function deleteRedisKeys(url: string, pattern: string): Promise<void> {
  const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1 });
  try {
    await redis.connect();
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
      cursor = next;
      if (keys.length > 0) await redis.unlink(...keys);
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}

/** BERTH_* variables of one scaled-out deployment (processes sharing a database, a Redis and a bucket). */
export function deploymentEnv(parts: {
  databaseUrl: string;
  redisUrl: string;
  bucket: string;
  maxOpenConns: number;
}): Record<string, string> {
  return {
    BERTH_DATABASE_URL: parts.databaseUrl,
    BERTH_DATABASE_MAX_OPEN_CONNS: String(parts.maxOpenConns),
    BERTH_REDIS_URL: parts.redisUrl,
    BERTH_STORAGE_TYPE: 's3',
    BERTH_STORAGE_S3_ENDPOINT: s3Endpoint,
    BERTH_STORAGE_S3_REGION: 'us-east-1',
    BERTH_STORAGE_S3_BUCKET: parts.bucket,
    BERTH_STORAGE_S3_ACCESSKEY: 'AKTEST',
    BERTH_STORAGE_S3_SECRETKEY: 'SKTEST',
    BERTH_STORAGE_S3_FORCEPATHSTYLE: 'true',
    BERTH_STORAGE_S3_ROOTDIRECTORY: '/registry',
    BERTH_JOBSERVICE_SCHEDULER_INTERVAL_SECONDS: '0.2',
  };
}
