import { randomUUID } from 'node:crypto';
import type { TestContext } from 'node:test';
import {
  AbortMultipartUploadCommand,
  CreateBucketCommand,
  DeleteBucketCommand,
  DeleteObjectsCommand,
  ListMultipartUploadsCommand,
  ListObjectsV2Command,
  S3Client,
} from '@aws-sdk/client-s3';
import type { S3StoreOptions } from '../../src/storage/drivers/s3/index.js';

// The real S3 server of the test machine: scripts/s3-server.sh (Ceph RGW,
// path-style, keys AKTEST / SKTEST). Tests make their own buckets and remove them.

export const s3Endpoint = process.env.BERTH_TEST_S3_ENDPOINT ?? 'http://127.0.0.1:7480';
const credentials = { accessKeyId: 'AKTEST', secretAccessKey: 'SKTEST' };
const startHint = 'start it with: bash scripts/s3-server.sh start';

export async function s3Reachable(): Promise<boolean> {
  try {
    await fetch(s3Endpoint, { signal: AbortSignal.timeout(3000) });
    return true;
  } catch {
    return false;
  }
}

/** Why S3 tests cannot run, or undefined when they can; under CI=true a down server is an error. */
export async function s3Unavailable(): Promise<string | undefined> {
  if (await s3Reachable()) return undefined;
  const message = `the S3 server at ${s3Endpoint} is not answering (${startHint})`;
  if (process.env.CI === 'true') throw new Error(`${message}: required in CI`);
  return message;
}

/** Skips the test (fails it under CI=true) when S3 is down; true when it may go on. */
export async function needS3(t: TestContext): Promise<boolean> {
  const reason = await s3Unavailable();
  if (reason) t.skip(reason);
  return reason === undefined;
}

export function testS3Client(): S3Client {
  return new S3Client({
    endpoint: s3Endpoint,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials,
    requestChecksumCalculation: 'WHEN_REQUIRED',
  });
}

/** Driver options for a bucket of the test server, with Berth's defaults for the rest. */
export function testS3Options(bucket: string, overrides: Partial<S3StoreOptions> = {}): S3StoreOptions {
  return {
    endpoint: s3Endpoint,
    region: 'us-east-1',
    bucket,
    accessKey: credentials.accessKeyId,
    secretKey: credentials.secretAccessKey,
    forcePathStyle: true,
    rootDirectory: '',
    storageClass: 'STANDARD',
    chunkSize: 10 * 1024 * 1024,
    encrypt: false,
    secure: true,
    skipVerify: false,
    disableRedirect: false,
    ...overrides,
  };
}

/** The same settings as Berth's config keys (storage.s3.*), for startTestBerth. */
export function testS3Config(bucket: string, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    endpoint: s3Endpoint,
    region: 'us-east-1',
    bucket,
    accesskey: credentials.accessKeyId,
    secretkey: credentials.secretAccessKey,
    forcepathstyle: true,
    ...overrides,
  };
}

export async function createTestBucket(client: S3Client, label = 'berth'): Promise<string> {
  const bucket = `${label}-${randomUUID().slice(0, 13)}`.toLowerCase();
  await client.send(new CreateBucketCommand({ Bucket: bucket }));
  return bucket;
}

/** Deletes every object and open upload under `prefix` ("" = all). */
export async function emptyBucket(client: S3Client, bucket: string, prefix = ''): Promise<void> {
  for (;;) {
    const page = await client.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix }));
    const keys = (page.Contents ?? []).flatMap(({ Key }) => (Key ? [{ Key }] : []));
    if (keys.length === 0) break;
    await client.send(new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: keys, Quiet: true } }));
  }
  const uploads = await client.send(new ListMultipartUploadsCommand({ Bucket: bucket, Prefix: prefix }));
  for (const { Key, UploadId } of uploads.Uploads ?? [])
    await client.send(new AbortMultipartUploadCommand({ Bucket: bucket, Key, UploadId }));
}

export async function deleteTestBucket(client: S3Client, bucket: string): Promise<void> {
  await emptyBucket(client, bucket);
  await client.send(new DeleteBucketCommand({ Bucket: bucket }));
}

/** Keys in the bucket under `prefix`, for tests that check what is left behind. */
export async function bucketKeys(client: S3Client, bucket: string, prefix = ''): Promise<string[]> {
  const keys: string[] = [];
  let token: string | undefined;
  do {
    const page = await client.send(
      new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }),
    );
    for (const { Key } of page.Contents ?? []) if (Key) keys.push(Key);
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
  return keys;
}

export async function openUploads(client: S3Client, bucket: string): Promise<string[]> {
  const page = await client.send(new ListMultipartUploadsCommand({ Bucket: bucket }));
  return (page.Uploads ?? []).flatMap(({ Key }) => (Key ? [Key] : []));
}
