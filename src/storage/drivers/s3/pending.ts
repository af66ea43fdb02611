import { CopyObjectCommand, PutObjectCommand, UploadPartCopyCommand } from '@aws-sdk/client-s3';
import { isNoSuchUpload, type S3Context } from './context.js';
import {
  abortUpload,
  completeUpload,
  copyIntoUpload,
  copySource,
  createUpload,
  deleteObject,
  getBytes,
  headObject,
  listParts,
} from './objects.js';

// An object being appended to across writer sessions (a chunked blob upload PATCHed
// many times, maybe on different replicas) lives in an open multipart upload plus a
// "pending" side object. The side object holds the tail (bytes not yet a full part)
// and, in its metadata, the upload id and which parts are committed. Writing it is
// the commit point: parts uploaded after it was last written are not part of the
// object (committedUpload() drops them before the upload goes on). While it exists it is the truth about the object; reading the object
// completes the upload first ("materialises" it).

/** Marks side objects; valid paths cannot hold "~", so they never collide with objects. */
export const pendingSuffix = '~pending';

export interface PendingState {
  uploadId: string;
  /** Numbers of the committed parts, ascending. */
  partNumbers: number[];
  partsSize: number;
  tailSize: number;
  modifiedAt: Date;
}

export const pendingKey = (key: string) => `${key}${pendingSuffix}`;

export async function readPending(ctx: S3Context, key: string): Promise<PendingState | undefined> {
  const head = await headObject(ctx, pendingKey(key));
  if (!head) return undefined;
  const { 'upload-id': uploadId, parts, 'parts-size': partsSize } = head.metadata;
  const partNumbers = decodeRanges(parts ?? '');
  if (!uploadId || !partNumbers || !/^\d+$/.test(partsSize ?? ''))
    throw new Error(`pending object ${pendingKey(key)} has no valid upload state`);
  return { uploadId, partNumbers, partsSize: Number(partsSize), tailSize: head.size, modifiedAt: head.modifiedAt };
}

export async function readPendingTail(ctx: S3Context, key: string): Promise<Buffer> {
  return (await getBytes(ctx, pendingKey(key))) ?? Buffer.alloc(0);
}

/** Commits the upload state: the parts so far and the tail. */
export async function writePending(
  ctx: S3Context,
  key: string,
  state: { uploadId: string; partNumbers: number[]; partsSize: number },
  tail: Buffer,
): Promise<void> {
  await ctx.client.send(
    new PutObjectCommand({
      Bucket: ctx.bucket,
      Key: pendingKey(key),
      Body: tail,
      ContentLength: tail.length,
      Metadata: metadataOf(state),
      ...ctx.objectParams,
    }),
  );
}

function metadataOf(state: { uploadId: string; partNumbers: number[]; partsSize: number }): Record<string, string> {
  return { 'upload-id': state.uploadId, parts: encodeRanges(state.partNumbers), 'parts-size': String(state.partsSize) };
}

/**
 * The pending object's upload, holding exactly its committed parts, with their ETags. A
 * session that died after sending parts leaves stray ones; S3 services differ on
 * completing without some parts (RGW refuses), so such an upload is completed whole and
 * its committed prefix copied (server-side) into a new upload.
 */
export async function committedUpload(
  ctx: S3Context,
  key: string,
  pending: PendingState,
): Promise<{ pending: PendingState; listed: Map<number, string> }> {
  let listed: Map<number, string> | undefined;
  try {
    listed = await listParts(ctx, key, pending.uploadId);
  } catch (err) {
    // Completed by a recovery that died before recording the new upload: the key holds the bytes.
    if (!isNoSuchUpload(err)) throw err;
  }
  const committed = new Set(pending.partNumbers);
  if (listed && [...listed.keys()].every((n) => committed.has(n))) return { pending, listed };
  if (listed) await completeUpload(ctx, key, pending.uploadId, [...listed.keys()], listed);
  const uploadId = await createUpload(ctx, key);
  const count = await copyIntoUpload(ctx, key, pending.partsSize, key, uploadId, 1);
  const recovered = { ...pending, uploadId, partNumbers: Array.from({ length: count }, (_, i) => i + 1) };
  await ctx.client.send(
    new CopyObjectCommand({
      Bucket: ctx.bucket,
      Key: pendingKey(key),
      CopySource: copySource(ctx, pendingKey(key)),
      MetadataDirective: 'REPLACE',
      Metadata: metadataOf(recovered),
      ...ctx.objectParams,
    }),
  );
  return { pending: recovered, listed: await listParts(ctx, key, uploadId) };
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
  const found = await readPending(ctx, key);
  if (!found) return;
  try {
    const { pending, listed } = await committedUpload(ctx, key, found);
    const partNumbers = [...pending.partNumbers];
    if (pending.tailSize > 0) {
      // The tail becomes the last part, copied server-side; the last part may be under 5 MiB.
      const tailPart = Math.max(0, ...listed.keys(), ...partNumbers) + 1;
      const copied = await ctx.client.send(
        new UploadPartCopyCommand({
          Bucket: ctx.bucket,
          Key: key,
          UploadId: pending.uploadId,
          PartNumber: tailPart,
          CopySource: copySource(ctx, pendingKey(key)),
        }),
      );
      if (copied.CopyPartResult?.ETag) listed.set(tailPart, copied.CopyPartResult.ETag);
      partNumbers.push(tailPart);
    }
    await completeUpload(ctx, key, pending.uploadId, partNumbers, listed);
    await deleteObject(ctx, pendingKey(key));
  } catch (err) {
    // Another reader may have completed it first; then the side object is gone.
    if (await readPending(ctx, key)) throw err;
  }
}

/** Part numbers as compact ranges for object metadata: [1,2,3,7,8] ⇄ "1-3,7-8". */
export function encodeRanges(numbers: number[]): string {
  const ranges: string[] = [];
  for (let i = 0; i < numbers.length; i++) {
    const start = numbers[i];
    while (i + 1 < numbers.length && numbers[i + 1] === numbers[i] + 1) i++;
    ranges.push(start === numbers[i] ? String(start) : `${start}-${numbers[i]}`);
  }
  return ranges.join(',');
}

export function decodeRanges(text: string): number[] | undefined {
  if (text === '') return [];
  const numbers: number[] = [];
  for (const range of text.split(',')) {
    const match = /^(\d+)(?:-(\d+))?$/.exec(range);
    if (!match) return undefined;
    const [start, end] = [Number(match[1]), Number(match[2] ?? match[1])];
    for (let n = start; n <= end; n++) numbers.push(n);
  }
  return numbers;
}
