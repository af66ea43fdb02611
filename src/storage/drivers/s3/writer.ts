import { PutObjectCommand, UploadPartCommand } from '@aws-sdk/client-s3';
import type { BlobWriter } from '../../driver.js';
import { maxParts, minPartSize, type S3Context } from './context.js';
import {
  abortUpload,
  completeUpload,
  copyIntoUpload,
  createUpload,
  deleteObject,
  getBytes,
  headObject,
} from './objects.js';
import { clearPending, committedUpload, readPending, readPendingTail, writePending } from './pending.js';

// The S3 writer: bytes gather in memory and leave as parts of `chunkSize` (several in
// flight at once). A plain writer's commit completes the object. An append writer's
// commit leaves the upload open and records its state in the pending side object
// (pending.ts), so the next session, on any replica, continues it. Parts may differ in
// size as long as all but the last reach 5 MiB, so a session's commit sends any tail of
// 5 MiB or more as a part: what stays buffered, and what an object under 5 MiB costs to
// rewrite whole, is always less than one minimum part.

const partsInFlight = 3;

interface Upload {
  id: string;
  /** Created by this writer (so abandoned by close without commit), or resumed. */
  fresh: boolean;
}

export async function openWriter(ctx: S3Context, key: string, append: boolean): Promise<BlobWriter> {
  const tail = new ByteQueue();
  let upload: Upload | undefined;
  /** Parts of the object so far (committed ones, then this session's); numbers only grow. */
  const partNumbers: number[] = [];
  let nextPart = 1;
  let partsSize = 0;
  /** Bytes of an existing object too large to rewrite: copied server-side into the upload. */
  let copyBase = 0;
  let existed = false;

  if (append) {
    const found = await readPending(ctx, key);
    if (found) {
      const { pending, listed } = await committedUpload(ctx, key, found);
      existed = true;
      upload = { id: pending.uploadId, fresh: false };
      partNumbers.push(...pending.partNumbers);
      partsSize = pending.partsSize;
      nextPart = Math.max(0, ...listed.keys(), ...partNumbers) + 1;
      if (pending.tailSize > 0) tail.push(await readPendingTail(ctx, key));
    } else {
      const base = await headObject(ctx, key);
      existed = base !== undefined;
      if (base && base.size >= minPartSize) copyBase = base.size;
      else if (base && base.size > 0) tail.push((await getBytes(ctx, key)) ?? Buffer.alloc(0));
    }
  } else {
    // A plain writer truncates (as the filesystem's does): an append in progress is abandoned.
    await clearPending(ctx, key);
  }

  let size = partsSize + copyBase + tail.length;
  let written = 0;
  let done = false;
  const inFlight = new Set<Promise<void>>();
  let failure: unknown;

  async function ensureUpload(): Promise<Upload> {
    if (upload) return upload;
    const id = await createUpload(ctx, key);
    upload = { id, fresh: true };
    if (copyBase > 0) {
      const count = await copyIntoUpload(ctx, key, copyBase, key, id, nextPart);
      for (let i = 0; i < count; i++) partNumbers.push(nextPart++);
      partsSize = copyBase;
      copyBase = 0;
    }
    return upload;
  }

  async function sendPart(body: Buffer): Promise<void> {
    const { id } = await ensureUpload();
    if (nextPart > maxParts)
      throw new Error(`object ${key} would need more than ${maxParts} parts; raise storage.s3.chunksize`);
    const partNumber = nextPart++;
    partNumbers.push(partNumber);
    partsSize += body.length;
    const sending = ctx.client
      .send(
        new UploadPartCommand({
          Bucket: ctx.bucket,
          Key: key,
          UploadId: id,
          PartNumber: partNumber,
          Body: body,
          ContentLength: body.length,
        }),
      )
      .then(
        () => undefined,
        (err: unknown) => {
          failure ??= err;
        },
      );
    inFlight.add(sending);
    void sending.finally(() => inFlight.delete(sending));
    if (inFlight.size >= partsInFlight) await Promise.race(inFlight);
  }

  async function drain(): Promise<void> {
    await Promise.all(inFlight);
    if (failure) throw failure;
  }

  function checkOpen(): void {
    if (done) throw new Error(`writer for ${key} is already committed, closed or cancelled`);
    if (failure) throw failure;
  }

  async function commitAppend(): Promise<void> {
    if (written === 0 && existed) return;
    if (!upload && copyBase === 0 && tail.length < minPartSize) {
      await putWhole(ctx, key, tail.takeAll());
      return;
    }
    const { id } = await ensureUpload();
    // A tail that can be a part becomes one now, so the next session need not fetch it back.
    if (tail.length >= minPartSize) await sendPart(tail.takeAll());
    await drain();
    await writePending(ctx, key, { uploadId: id, partNumbers, partsSize }, tail.takeAll());
    // The parts now hold any earlier plain object; drop it so nothing stale is left at the key.
    if (existed) await deleteObject(ctx, key);
  }

  async function commitPlain(): Promise<void> {
    if (!upload) {
      await putWhole(ctx, key, tail.takeAll());
      return;
    }
    const last = tail.takeAll();
    if (last.length > 0) await sendPart(last);
    await drain();
    await completeUpload(ctx, key, upload.id, partNumbers);
  }

  return {
    get size() {
      return size;
    },
    async write(chunk) {
      checkOpen();
      if (chunk.length === 0) return;
      tail.push(Buffer.from(chunk));
      size += chunk.length;
      written += chunk.length;
      while (tail.length >= ctx.chunkSize) await sendPart(tail.take(ctx.chunkSize));
    },
    async commit() {
      checkOpen();
      await (append ? commitAppend() : commitPlain());
      done = true;
    },
    async close() {
      if (done) return;
      done = true;
      await Promise.allSettled(inFlight);
      if (upload?.fresh) await abortUpload(ctx, key, upload.id);
    },
    async cancel() {
      done = true;
      await Promise.allSettled(inFlight);
      if (upload) await abortUpload(ctx, key, upload.id);
      await clearPending(ctx, key);
      await deleteObject(ctx, key);
    },
  };
}

async function putWhole(ctx: S3Context, key: string, body: Buffer): Promise<void> {
  await ctx.client.send(
    new PutObjectCommand({ Bucket: ctx.bucket, Key: key, Body: body, ContentLength: body.length, ...ctx.objectParams }),
  );
}

/** A FIFO of byte chunks that hands out exact-size slices without re-copying everything on each push. */
class ByteQueue {
  private chunks: Buffer[] = [];
  length = 0;

  push(chunk: Buffer): void {
    if (chunk.length === 0) return;
    this.chunks.push(chunk);
    this.length += chunk.length;
  }

  take(count: number): Buffer {
    const out = Buffer.allocUnsafe(count);
    let filled = 0;
    while (filled < count) {
      const head = this.chunks[0];
      const used = Math.min(head.length, count - filled);
      head.copy(out, filled, 0, used);
      filled += used;
      if (used === head.length) this.chunks.shift();
      else this.chunks[0] = head.subarray(used);
    }
    this.length -= count;
    return out;
  }

  takeAll(): Buffer {
    return this.take(this.length);
  }
}
