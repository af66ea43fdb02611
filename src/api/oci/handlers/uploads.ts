import { BerthError } from '../../../shared/errors.js';
import { parseContentRange, uploadRangeHeader, type BlobInfo } from '../../../registry/index.js';
import { repositoryAccess } from '../access.js';
import { declaredLength, requestBody, type OciContext } from '../context.js';

// Blob uploads (distribution spec "Pushing blobs"): POST, PATCH, PUT, GET, DELETE on
// /v2/<name>/blobs/uploads/[<uuid>].

export async function startUpload(ctx: OciContext) {
  const { request, params, query, registry, authorizer, actor } = ctx;
  const name = params.name;
  const digest = query.get('digest');
  if (digest !== null) {
    const info = await registry.uploads.monolithic(
      name,
      digest,
      requestBody(request) ?? emptyBody(),
      actor.actor,
      declaredLength(request),
    );
    return blobCreated(ctx, info);
  }
  const mountDigest = query.get('mount');
  const from = query.get('from');
  // Mount only from a repository the caller may pull from; otherwise fall back to an upload (spec: 202).
  const mount =
    mountDigest !== null && from !== null && (await authorizer.allows(request, repositoryAccess(from, 'pull')))
      ? { digest: mountDigest, from }
      : undefined;
  const started = await registry.uploads.start(name, mount, actor.actor);
  if ('mounted' in started) return blobCreated(ctx, started.mounted);
  return uploadAccepted(ctx, started.session.uuid, started.session.size, 202);
}

export async function patchUpload(ctx: OciContext) {
  const { request, params, registry } = ctx;
  const range = parseContentRange(header(request.headers['content-range']));
  const body = requestBody(request) ?? emptyBody();
  const state = await registry.uploads.patch(params.name, params.uuid, body, range, declaredLength(request));
  return uploadAccepted(ctx, state.uuid, state.size, 202);
}

export async function completeUpload(ctx: OciContext) {
  const { request, params, query, registry } = ctx;
  const digest = query.get('digest');
  if (digest === null)
    throw new BerthError('DIGEST_INVALID', 'the digest query parameter is required to complete an upload');
  const range = parseContentRange(header(request.headers['content-range']));
  const info = await registry.uploads.complete(
    params.name,
    params.uuid,
    digest,
    requestBody(request),
    range,
    declaredLength(request),
  );
  return blobCreated(ctx, info);
}

export async function uploadStatus(ctx: OciContext) {
  const state = await ctx.registry.uploads.status(ctx.params.name, ctx.params.uuid);
  return uploadAccepted(ctx, state.uuid, state.size, 204);
}

export async function cancelUpload({ reply, params, registry }: OciContext) {
  await registry.uploads.cancel(params.name, params.uuid);
  return reply.code(204).send();
}

function uploadAccepted({ reply, params }: OciContext, uuid: string, size: number, status: 202 | 204) {
  return reply
    .code(status)
    .header('location', `/v2/${params.name}/blobs/uploads/${uuid}`)
    .header('range', uploadRangeHeader(size))
    .header('docker-upload-uuid', uuid)
    .header('content-length', '0')
    .send();
}

function blobCreated({ reply, params }: OciContext, info: BlobInfo) {
  return reply
    .code(201)
    .header('location', `/v2/${params.name}/blobs/${info.digest}`)
    .header('docker-content-digest', info.digest)
    .header('content-length', '0')
    .send();
}

function header(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

async function* emptyBody(): AsyncIterable<Uint8Array> {}
