import type { FileHandle } from 'node:fs/promises';
import type { OutgoingHttpHeaders } from 'node:http';
import { BerthError } from '../../../shared/errors.js';
import { copyFile, DestinationClosedError, parseByteRange } from '../../../registry/index.js';
import type { ByteRange } from '../../../storage/index.js';
import type { OciContext } from '../context.js';

// GET/HEAD/DELETE /v2/<name>/blobs/<digest>

export async function getBlob({ request, reply, params, registry }: OciContext) {
  const { name, digest } = params;
  if (request.method === 'HEAD') {
    const info = await registry.blobs.stat(name, digest);
    return reply.code(200).headers(blobHeaders(digest)).header('content-length', String(info.size)).send();
  }
  const rangeHeader = request.headers.range;
  const content = await registry.blobs.open(name, digest, (info) => parseByteRange(rangeHeader, info.size));
  if (content.redirectURL) {
    return reply.code(307).header('location', content.redirectURL).header('docker-content-digest', digest).send();
  }
  reply.headers(blobHeaders(digest));
  if (content.range) {
    const { start, end } = content.range;
    reply
      .code(206)
      .header('content-range', `bytes ${start}-${end}/${content.info.size}`)
      .header('content-length', String(end - start + 1));
  } else {
    reply.code(200).header('content-length', String(content.info.size));
  }
  if (content.file) return sendFile(reply, content.file, content.info.size, content.range);
  return reply.send(content.stream);
}

/** Writes the headers and the file's bytes to the socket ourselves (fastify would pipe a Readable). */
async function sendFile(reply: OciContext['reply'], file: FileHandle, size: number, range: ByteRange | undefined) {
  reply.hijack();
  const res = reply.raw;
  res.writeHead(reply.statusCode, reply.getHeaders() as OutgoingHttpHeaders);
  try {
    await copyFile(file, size, range, res);
  } catch (err) {
    if (!(err instanceof DestinationClosedError))
      reply.log.warn({ err }, 'blob pull failed after its headers were sent');
    res.destroy();
  }
}

export async function deleteBlob({ reply, params, registry }: OciContext) {
  await registry.blobs.delete(params.name, params.digest);
  return reply.code(202).header('content-length', '0').send();
}

function blobHeaders(digest: string): Record<string, string> {
  return {
    'content-type': 'application/octet-stream',
    'docker-content-digest': digest,
    'accept-ranges': 'bytes',
    etag: `"${digest}"`,
    'cache-control': 'max-age=31536000',
  };
}

export function assertNoBody(request: OciContext['request']): void {
  if (request.headers['content-length'] && request.headers['content-length'] !== '0') {
    throw new BerthError('BAD_REQUEST', 'this request takes no body');
  }
}
