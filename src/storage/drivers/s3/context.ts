import { Agent as HttpsAgent } from 'node:https';
import { S3Client, type ServerSideEncryption, type StorageClass } from '@aws-sdk/client-s3';

// What every part of the S3 driver shares: the client, the bucket, the part size and
// the headers each new object carries. Built once from the driver's options.

export interface S3StoreOptions {
  /** Endpoint URL (or host); unset = AWS's endpoint for the region. */
  endpoint?: string;
  region: string;
  bucket: string;
  /** Unset = the SDK's default chain (environment, web identity, instance role). */
  accessKey?: string;
  secretKey?: string;
  forcePathStyle: boolean;
  /** Key prefix under which Berth keeps everything; "" = the bucket root. */
  rootDirectory: string;
  /** "NONE" sends no storage class, for services that reject the header. */
  storageClass: string;
  /** Multipart part size in bytes; at least 5 MiB (S3's minimum part). */
  chunkSize: number;
  /** Server-side encryption: SSE-S3 (AES256), or SSE-KMS when keyId is set. */
  encrypt: boolean;
  keyId?: string;
  /** Scheme for an endpoint given without one. */
  secure: boolean;
  /** Accept any TLS certificate from the endpoint. */
  skipVerify: boolean;
  /** Never hand clients presigned URLs; Berth streams blob bytes itself. */
  disableRedirect: boolean;
}

export interface S3Context {
  client: S3Client;
  bucket: string;
  chunkSize: number;
  objectParams: { StorageClass?: StorageClass; ServerSideEncryption?: ServerSideEncryption; SSEKMSKeyId?: string };
}

export const MiB = 1024 * 1024;
/** S3's smallest part (all but the last) and largest single-request copy. */
export const minPartSize = 5 * MiB;
export const maxCopySize = 5 * 1024 * MiB;
export const maxParts = 10_000;

export function createS3Context(options: S3StoreOptions): S3Context {
  if (options.chunkSize < minPartSize)
    throw new RangeError(`chunk size ${options.chunkSize} is below S3's minimum part of ${minPartSize} bytes`);
  const client = new S3Client({
    region: options.region,
    endpoint: options.endpoint ? withScheme(options.endpoint, options.secure) : undefined,
    forcePathStyle: options.forcePathStyle,
    credentials:
      options.accessKey && options.secretKey
        ? { accessKeyId: options.accessKey, secretAccessKey: options.secretKey }
        : undefined,
    // Checksums only where S3 requires them: S3-compatible services (RGW, OSS, older MinIO) reject the newer trailers.
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    requestHandler: options.skipVerify
      ? { httpsAgent: new HttpsAgent({ rejectUnauthorized: false, keepAlive: true }) }
      : undefined,
  });
  return {
    client,
    bucket: options.bucket,
    chunkSize: options.chunkSize,
    objectParams: {
      ...(options.storageClass && options.storageClass.toUpperCase() !== 'NONE'
        ? { StorageClass: options.storageClass as StorageClass }
        : {}),
      ...(options.encrypt
        ? options.keyId
          ? { ServerSideEncryption: 'aws:kms' as const, SSEKMSKeyId: options.keyId }
          : { ServerSideEncryption: 'AES256' as const }
        : {}),
    },
  };
}

function withScheme(endpoint: string, secure: boolean): string {
  return /^https?:\/\//i.test(endpoint) ? endpoint : `${secure ? 'https' : 'http'}://${endpoint}`;
}

export function isNotFound(err: unknown): boolean {
  return errorName(err) === 'NotFound' || errorName(err) === 'NoSuchKey' || httpStatus(err) === 404;
}

export function isNoSuchUpload(err: unknown): boolean {
  return errorName(err) === 'NoSuchUpload';
}

export function isInvalidRange(err: unknown): boolean {
  return errorName(err) === 'InvalidRange' || httpStatus(err) === 416;
}

function errorName(err: unknown): string | undefined {
  return err instanceof Error ? err.name : undefined;
}

function httpStatus(err: unknown): number | undefined {
  return (err as { $metadata?: { httpStatusCode?: number } } | null)?.$metadata?.httpStatusCode;
}
