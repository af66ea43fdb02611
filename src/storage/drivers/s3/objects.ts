import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListPartsCommand,
  UploadPartCopyCommand,
  type CompletedPart,
} from '@aws-sdk/client-s3';
import { isNoSuchUpload, isNotFound, maxCopySize, type S3Context } from './context.js';

// Single-object operations the driver builds on: head, read, delete, copy, and the
// start and end of multipart uploads.

export interface Head {
  size: number;
  modifiedAt: Date;
  metadata: Record<string, string>;
}

/** HeadObject, or undefined when the key is absent. */
export async function headObject(ctx: S3Context, key: string): Promise<Head | undefined> {
  try {
    const head = await ctx.client.send(new HeadObjectCommand({ Bucket: ctx.bucket, Key: key }));
    return {
      size: head.ContentLength ?? 0,
      modifiedAt: head.LastModified ?? new Date(0),
      metadata: head.Metadata ?? {},
    };
  } catch (err) {
    if (isNotFound(err)) return undefined;
    throw err;
  }
}

/** The whole object, or undefined when the key is absent. */
export async function getBytes(ctx: S3Context, key: string): Promise<Buffer | undefined> {
  try {
    const response = await ctx.client.send(new GetObjectCommand({ Bucket: ctx.bucket, Key: key }));
    const bytes = (await response.Body?.transformToByteArray()) ?? new Uint8Array();
    return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  } catch (err) {
    if (isNotFound(err)) return undefined;
    throw err;
  }
}

export async function deleteObject(ctx: S3Context, key: string): Promise<void> {
  await ctx.client.send(new DeleteObjectCommand({ Bucket: ctx.bucket, Key: key }));
}

export function copySource(ctx: S3Context, key: string): string {
  return `${ctx.bucket}/${key.split('/').map(encodeURIComponent).join('/')}`;
}

export async function createUpload(ctx: S3Context, key: string): Promise<string> {
  const { UploadId } = await ctx.client.send(
    new CreateMultipartUploadCommand({ Bucket: ctx.bucket, Key: key, ...ctx.objectParams }),
  );
  if (!UploadId) throw new Error(`S3 gave no upload id for ${key}`);
  return UploadId;
}

export async function abortUpload(ctx: S3Context, key: string, uploadId: string): Promise<void> {
  try {
    await ctx.client.send(new AbortMultipartUploadCommand({ Bucket: ctx.bucket, Key: key, UploadId: uploadId }));
  } catch (err) {
    if (!isNoSuchUpload(err) && !isNotFound(err)) throw err;
  }
}

/** The parts an upload holds, by part number, with their ETags. */
export async function listParts(ctx: S3Context, key: string, uploadId: string): Promise<Map<number, string>> {
  const parts = new Map<number, string>();
  let marker: string | undefined;
  do {
    const page = await ctx.client.send(
      new ListPartsCommand({ Bucket: ctx.bucket, Key: key, UploadId: uploadId, PartNumberMarker: marker }),
    );
    for (const { PartNumber, ETag } of page.Parts ?? [])
      if (PartNumber !== undefined && ETag) parts.set(PartNumber, ETag);
    marker = page.IsTruncated ? page.NextPartNumberMarker : undefined;
  } while (marker);
  return parts;
}

/** Completes an upload from the given parts; any other part it holds (never committed) is discarded. */
export async function completeUpload(
  ctx: S3Context,
  key: string,
  uploadId: string,
  partNumbers: number[],
  known = new Map<number, string>(),
): Promise<void> {
  const listed = partNumbers.every((n) => known.has(n))
    ? known
    : new Map([...(await listParts(ctx, key, uploadId)), ...known]);
  const parts: CompletedPart[] = [...partNumbers]
    .sort((a, b) => a - b)
    .map((n): CompletedPart => {
      const etag = listed.get(n);
      if (!etag) throw new Error(`multipart upload of ${key} lacks its part ${n}`);
      return { PartNumber: n, ETag: etag };
    });
  await ctx.client.send(
    new CompleteMultipartUploadCommand({
      Bucket: ctx.bucket,
      Key: key,
      UploadId: uploadId,
      MultipartUpload: { Parts: parts },
    }),
  );
}

/**
 * Copies `size` bytes of `from` into an upload as parts `firstPart`.. (server-side), in
 * equal ranges of at most 5 GiB, so every range stays above S3's minimum part; returns the count.
 */
export async function copyIntoUpload(
  ctx: S3Context,
  from: string,
  size: number,
  to: string,
  uploadId: string,
  firstPart: number,
): Promise<number> {
  const count = Math.max(1, Math.ceil(size / maxCopySize));
  const rangeSize = Math.ceil(size / count);
  await Promise.all(
    Array.from({ length: count }, (_, i) => {
      const start = i * rangeSize;
      const end = Math.min(size, start + rangeSize) - 1;
      return ctx.client.send(
        new UploadPartCopyCommand({
          Bucket: ctx.bucket,
          Key: to,
          UploadId: uploadId,
          PartNumber: firstPart + i,
          CopySource: copySource(ctx, from),
          CopySourceRange: `bytes=${start}-${end}`,
        }),
      );
    }),
  );
  return count;
}

/** Server-side copy: CopyObject up to 5 GiB, a multipart copy above. */
export async function copyObject(ctx: S3Context, from: string, to: string, size: number): Promise<void> {
  if (size <= maxCopySize) {
    await ctx.client.send(
      new CopyObjectCommand({ Bucket: ctx.bucket, Key: to, CopySource: copySource(ctx, from), ...ctx.objectParams }),
    );
    return;
  }
  const uploadId = await createUpload(ctx, to);
  try {
    const count = await copyIntoUpload(ctx, from, size, to, uploadId, 1);
    await completeUpload(
      ctx,
      to,
      uploadId,
      Array.from({ length: count }, (_, i) => i + 1),
    );
  } catch (err) {
    await abortUpload(ctx, to, uploadId);
    throw err;
  }
}
