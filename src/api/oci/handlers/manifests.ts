import { BerthError } from '../../../shared/errors.js';
import {
  isManifestMediaType,
  mediaTypes,
  parseReference,
  type Registry,
  type StoredManifest,
} from '../../../registry/index.js';
import { repositoryAccess } from '../access.js';
import { readBody, type OciContext } from '../context.js';

// GET/HEAD/PUT/DELETE /v2/<name>/manifests/<reference>

export async function getManifest({ request, reply, params, registry, actor, pullChecks, authorizer }: OciContext) {
  const { name, reference } = params;
  const found = await registry.manifests.resolve(name, reference);
  const manifest = accepts(request.headers.accept, found.mediaType)
    ? found
    : await defaultPlatformImage(registry, name, reference, found, request.headers.accept);
  if (request.method !== 'HEAD') {
    // A GET is the pull (Harbor's policy middlewares sit on GET): the features may refuse it.
    // Only a token that claims scanner-pull (Harbor: a v2 token), never Basic credentials, whatever they may do.
    const isScannerPull = async () =>
      /^bearer /i.test(request.headers.authorization ?? '') &&
      (await authorizer.allows(request, repositoryAccess(name, 'scanner-pull')));
    for (const check of pullChecks) await check({ repository: name, reference, manifest, isScannerPull });
    registry.manifests.recordPull(name, reference, manifest.digest, actor);
  }
  reply.code(200).headers(manifestHeaders(manifest)).header('content-length', String(manifest.bytes.byteLength));
  return request.method === 'HEAD' ? reply.send() : reply.send(manifest.bytes);
}

/**
 * A client that does not accept manifest lists gets, for a Docker manifest list pulled by
 * tag, its linux/amd64 image (distribution: registry/handlers/manifests.go). An OCI index,
 * or a list pulled by digest (other bytes would not match the digest), stays unknown.
 */
async function defaultPlatformImage(
  registry: Registry,
  name: string,
  reference: string,
  found: StoredManifest,
  accept: string | undefined,
): Promise<StoredManifest> {
  const byTag = parseReference(reference).kind === 'tag';
  const image =
    byTag && found.mediaType === mediaTypes.dockerManifestList
      ? await registry.manifests.platformImage(name, found, { os: 'linux', architecture: 'amd64' })
      : undefined;
  if (!image) {
    const message =
      found.mediaType === mediaTypes.ociIndex
        ? 'OCI index found, but accept header does not support OCI indexes'
        : `manifest ${reference} is ${found.mediaType}, which the Accept header does not allow`;
    throw new BerthError('MANIFEST_UNKNOWN', message, { detail: { mediaType: found.mediaType } });
  }
  if (!accepts(accept, image.mediaType))
    throw new BerthError('MANIFEST_INVALID', `${image.mediaType} manifest not supported by client`, {
      detail: { mediaType: image.mediaType },
    });
  return image;
}

export async function putManifest(
  { request, reply, params, query, registry, actor }: OciContext,
  maxManifestBytes: number,
) {
  const { name, reference } = params;
  const bytes = await readBody(request, maxManifestBytes);
  if (!bytes)
    throw new BerthError('SIZE_INVALID', `manifest exceeds the limit of ${maxManifestBytes} bytes`, { status: 413 });
  const pushed = await registry.manifests.push(
    name,
    reference,
    bytes,
    request.headers['content-type'],
    actor,
    query.getAll('tag'),
  );
  // Distribution spec "Pushing Manifests with tags": one OCI-Tag header per tag applied by `?tag=`.
  if (parseReference(reference).kind === 'digest' && pushed.tags.length > 0) reply.header('oci-tag', pushed.tags);
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
