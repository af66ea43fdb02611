import { Readable } from 'node:stream';
import {
  DeleteObjectsCommand,
  GetObjectCommand,
  ListMultipartUploadsCommand,
  ListObjectsV2Command,
  PutObjectCommand,
} from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { checkPath, PathNotFoundError, type BlobStore, type ByteRange, type ObjectInfo } from '../../driver.js';
import { createS3Context, isInvalidRange, isNotFound, type S3Context, type S3StoreOptions } from './context.js';
import { abortUpload, copyObject, deleteObject, headObject } from './objects.js';
import { clearPending, materialize, pendingSuffix, readPending } from './pending.js';
import { openWriter } from './writer.js';

export type { S3StoreOptions } from './context.js';

/** Presigned blob URLs live long enough for a slow client to start the download. */
const redirectSeconds = 15 * 60;
const deleteBatch = 1000;

/** The S3 driver: a path is a key under the root directory; appends map onto multipart uploads (writer.ts). */
export function createS3Store(options: S3StoreOptions): BlobStore {
  const ctx = createS3Context(options);
  const root = options.rootDirectory.replace(/^\/+|\/+$/g, '');
  const rootPrefix = root ? `${root}/` : '';
  const keyOf = (path: string) => rootPrefix + checkPath(path);

  async function statKey(path: string, key: string): Promise<ObjectInfo> {
    const [pending, head] = await Promise.all([readPending(ctx, key), headObject(ctx, key)]);
    if (pending) return { size: pending.partsSize + pending.tailSize, modifiedAt: pending.modifiedAt };
    if (head) return { size: head.size, modifiedAt: head.modifiedAt };
    throw new PathNotFoundError(path);
  }

  async function open(path: string, range?: ByteRange): Promise<Readable> {
    const key = keyOf(path);
    await materialize(ctx, key);
    try {
      const response = await ctx.client.send(
        new GetObjectCommand({
          Bucket: ctx.bucket,
          Key: key,
          Range: range ? `bytes=${range.start}-${range.end}` : undefined,
        }),
      );
      if (!(response.Body instanceof Readable)) throw new Error(`S3 returned no stream for ${key}`);
      return response.Body;
    } catch (err) {
      if (isNotFound(err)) throw new PathNotFoundError(path);
      // A range starting at or past the end of an existing object holds no bytes.
      if (range && isInvalidRange(err) && (await headObject(ctx, key))) return Readable.from([]);
      throw err;
    }
  }

  return {
    name: 's3',

    async stat(path) {
      return statKey(path, keyOf(path));
    },

    async getContent(path) {
      const chunks: Buffer[] = [];
      for await (const chunk of await open(path)) chunks.push(chunk as Buffer);
      return Buffer.concat(chunks);
    },

    async putContent(path, content) {
      const key = keyOf(path);
      const body = Buffer.from(content.buffer, content.byteOffset, content.byteLength);
      await ctx.client.send(
        new PutObjectCommand({
          Bucket: ctx.bucket,
          Key: key,
          Body: body,
          ContentLength: body.length,
          ...ctx.objectParams,
        }),
      );
      await clearPending(ctx, key);
    },

    reader: open,

    async writer(path, writerOptions = {}) {
      return openWriter(ctx, keyOf(path), writerOptions.append === true);
    },

    async move(from, to) {
      const fromKey = keyOf(from);
      const toKey = keyOf(to);
      await materialize(ctx, fromKey);
      const head = await headObject(ctx, fromKey);
      if (!head) throw new PathNotFoundError(from);
      if (fromKey === toKey) return;
      await copyObject(ctx, fromKey, toKey, head.size);
      await clearPending(ctx, toKey);
      await deleteObject(ctx, fromKey);
    },

    async delete(path) {
      const key = keyOf(path);
      const within = (candidate: string) =>
        candidate === key || candidate === key + pendingSuffix || candidate.startsWith(`${key}/`);
      for (const upload of await listUploads(ctx, key)) {
        if (within(upload.key)) await abortUpload(ctx, upload.key, upload.id);
      }
      const keys = (await listKeys(ctx, key)).filter(within);
      if (keys.length === 0) throw new PathNotFoundError(path);
      await deleteKeys(ctx, keys);
    },

    async deleteObjects(paths) {
      // An object stands alone here (blobs are never appended to); DeleteObjects skips absent keys.
      await deleteKeys(ctx, paths.map(keyOf));
    },

    async list(prefix) {
      const listed = prefix === '' ? rootPrefix : `${keyOf(prefix)}/`;
      const names = new Set<string>();
      let token: string | undefined;
      do {
        const page = await ctx.client.send(
          new ListObjectsV2Command({ Bucket: ctx.bucket, Prefix: listed, Delimiter: '/', ContinuationToken: token }),
        );
        for (const { Key } of page.Contents ?? []) {
          const name = Key?.slice(listed.length) ?? '';
          // A pending side object stands for its object; nothing else holds "~".
          if (name.endsWith(pendingSuffix)) names.add(name.slice(0, -pendingSuffix.length));
          else if (name && !name.includes('~')) names.add(name);
        }
        for (const { Prefix } of page.CommonPrefixes ?? []) names.add(Prefix?.slice(listed.length, -1) ?? '');
        token = page.IsTruncated ? page.NextContinuationToken : undefined;
      } while (token);
      names.delete('');
      return [...names].sort().map((name) => (prefix === '' ? name : `${prefix}/${name}`));
    },

    async redirectURL(path) {
      if (options.disableRedirect) return undefined;
      return getSignedUrl(ctx.client, new GetObjectCommand({ Bucket: ctx.bucket, Key: keyOf(path) }), {
        expiresIn: redirectSeconds,
      });
    },

    async close() {
      ctx.client.destroy();
    },
  };
}

/** Every key starting with `prefix` (no delimiter), across pages. */
async function listKeys(ctx: S3Context, prefix: string): Promise<string[]> {
  const keys: string[] = [];
  let token: string | undefined;
  do {
    const page = await ctx.client.send(
      new ListObjectsV2Command({ Bucket: ctx.bucket, Prefix: prefix, ContinuationToken: token }),
    );
    for (const { Key } of page.Contents ?? []) if (Key) keys.push(Key);
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
  return keys;
}

/** Multipart uploads in progress for keys starting with `prefix`. */
async function listUploads(ctx: S3Context, prefix: string): Promise<{ key: string; id: string }[]> {
  const uploads: { key: string; id: string }[] = [];
  let keyMarker: string | undefined;
  let uploadIdMarker: string | undefined;
  do {
    const page = await ctx.client.send(
      new ListMultipartUploadsCommand({
        Bucket: ctx.bucket,
        Prefix: prefix,
        KeyMarker: keyMarker,
        UploadIdMarker: uploadIdMarker,
      }),
    );
    for (const { Key, UploadId } of page.Uploads ?? []) if (Key && UploadId) uploads.push({ key: Key, id: UploadId });
    keyMarker = page.IsTruncated ? page.NextKeyMarker : undefined;
    uploadIdMarker = page.IsTruncated ? page.NextUploadIdMarker : undefined;
  } while (keyMarker);
  return uploads;
}

async function deleteKeys(ctx: S3Context, keys: string[]): Promise<void> {
  for (let i = 0; i < keys.length; i += deleteBatch) {
    const batch = keys.slice(i, i + deleteBatch);
    const result = await ctx.client.send(
      new DeleteObjectsCommand({ Bucket: ctx.bucket, Delete: { Objects: batch.map((Key) => ({ Key })), Quiet: true } }),
    );
    const failed = result.Errors?.[0];
    if (failed) throw new Error(`S3 did not delete ${failed.Key}: ${failed.Code ?? ''} ${failed.Message ?? ''}`.trim());
  }
}
