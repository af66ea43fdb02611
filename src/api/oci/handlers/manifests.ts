import { BerthError } from '../../../shared/errors.js';
import { isManifestMediaType, type StoredManifest } from '../../../registry/index.js';
import { readBody, type OciContext } from '../context.js';

// GET/HEAD/PUT/DELETE /v2/<name>/manifests/<reference>

export async function getManifest({ request, reply, params, registry, actor }: OciContext) {
  const { name, reference } = params;
  const manifest =
    request.method === 'HEAD'
      ? await registry.manifests.resolve(name, reference)
      : await registry.manifests.pull(name, reference, actor);
  if (!accepts(request.headers.accept, manifest.mediaType)) {
    throw new BerthError(
      'MANIFEST_UNKNOWN',
      `manifest ${reference} is ${manifest.mediaType}, which the Accept header does not allow`,
      {
        detail: { mediaType: manifest.mediaType },
      },
    );
  }
  reply.code(200).headers(manifestHeaders(manifest)).header('content-length', String(manifest.bytes.byteLength));
  return request.method === 'HEAD' ? reply.send() : reply.send(manifest.bytes);
}

export async function putManifest({ request, reply, params, registry, actor }: OciContext, maxManifestBytes: number) {
  const { name, reference } = params;
  const bytes = await readBody(request, maxManifestBytes);
  if (!bytes)
    throw new BerthError('SIZE_INVALID', `manifest exceeds the limit of ${maxManifestBytes} bytes`, { status: 413 });
  const pushed = await registry.manifests.push(name, reference, bytes, request.headers['content-type'], actor);
  reply
    .code(201)
    .header('location', `/v2/${name}/manifests/${pushed.digest}`)
    .header('docker-content-digest', pushed.digest)
    .header('content-length', '0');
  if (pushed.subjectDigest) reply.header('oci-subject', pushed.subjectDigest);
  return reply.send();
}

export async function deleteManifest({ reply, params, registry, actor }: OciContext) {
  await registry.manifests.delete(params.name, params.reference, actor);
  return reply.code(202).header('content-length', '0').send();
}

function manifestHeaders(manifest: StoredManifest): Record<string, string> {
  return {
    'content-type': manifest.mediaType,
    'docker-content-digest': manifest.digest,
    etag: `"${manifest.digest}"`,
  };
}

/**
 * Content negotiation: a client that names manifest media types in Accept gets only
 * one of those; an Accept without any (absent, `*\/*`, `application/json`) takes any.
 */
export function accepts(accept: string | undefined, mediaType: string): boolean {
  if (!accept) return true;
  const types = accept.split(',').map((part) => part.split(';')[0].trim().toLowerCase());
  if (types.includes(mediaType) || types.includes('*/*')) return true;
  return !types.some((type) => isManifestMediaType(type));
}
