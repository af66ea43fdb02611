import { PutObjectCommand, UploadPartCopyCommand } from '@aws-sdk/client-s3';
import type { S3Context } from './context.js';
import { abortUpload, completeUpload, copySource, deleteObject, getBytes, headObject } from './objects.js';

// An object being appended to across writer sessions (a chunked blob upload PATCHed
// many times, maybe on different replicas) lives in an open multipart upload plus a
// "pending" side object. The side object holds the tail (bytes not yet a full part)
// and, in its metadata, the upload id and how many parts are committed. Writing it is
// the commit point: parts uploaded after it was last written are not part of the
// object. While it exists it is the truth about the object; reading the object
// completes the upload first ("materialises" it).

/** Marks side objects; valid paths cannot hold "~", so they never collide with objects. */
export const pendingSuffix = '~pending';

export interface PendingState {
  uploadId: string;
  /** Committed parts, numbered 1..parts. */
  parts: number;
  partsSize: number;
  tailSize: number;
  modifiedAt: Date;
}

export const pendingKey = (key: string) => `${key}${pendingSuffix}`;

export async function readPending(ctx: S3Context, key: string): Promise<PendingState | undefined> {
  const head = await headObject(ctx, pendingKey(key));
  if (!head) return undefined;
  const { 'upload-id': uploadId, parts, 'parts-size': partsSize } = head.metadata;
  if (!uploadId || !/^\d+$/.test(parts ?? '') || !/^\d+$/.test(partsSize ?? '')) throw new Error(`pending object ${pendingKey(key)} has no valid upload state`);
  return { uploadId, parts: Number(parts), partsSize: Number(partsSize), tailSize: head.size, modifiedAt: head.modifiedAt };
}

export async function readPendingTail(ctx: S3Context, key: string): Promise<Buffer> {
  return (await getBytes(ctx, pendingKey(key))) ?? Buffer.alloc(0);
}

/** Commits the upload state: the parts so far and the tail. */
export async function writePending(ctx: S3Context, key: string, state: { uploadId: string; parts: number; partsSize: number }, tail: Buffer): Promise<void> {
  await ctx.client.send(
    new PutObjectCommand({
      Bucket: ctx.bucket,
      Key: pendingKey(key),
      Body: tail,
      ContentLength: tail.length,
      Metadata: { 'upload-id': state.uploadId, parts: String(state.parts), 'parts-size': String(state.partsSize) },
      ...ctx.objectParams,
    }),
  );
}

/** Abandons an append in progress: aborts its upload and removes the side object. */
export async function clearPending(ctx: S3Context, key: string): Promise<void> {
  const pending = await readPending(ctx, key);
  if (!pending) return;
  await abortUpload(ctx, key, pending.uploadId);
  await deleteObject(ctx, pendingKey(key));
}

/** Completes an append in progress so the object can be read; a no-op for plain objects. */
export async function materialize(ctx: S3Context, key: string): Promise<void> {
  const pending = await readPending(ctx, key);
  if (!pending) return;
  try {
    let count = pending.parts;
    if (pending.tailSize > 0) {
      // The tail becomes the last part, copied server-side; the last part may be under 5 MiB.
      count += 1;
      await ctx.client.send(new UploadPartCopyCommand({ Bucket: ctx.bucket, Key: key, UploadId: pending.uploadId, PartNumber: count, CopySource: copySource(ctx, pendingKey(key)) }));
    }
    await completeUpload(ctx, key, pending.uploadId, count);
    await deleteObject(ctx, pendingKey(key));
  } catch (err) {
    // Another reader may have completed it first; then the side object is gone.
    if ((await readPending(ctx, key))?.uploadId === pending.uploadId) throw err;
  }
}
