import { createHash } from 'node:crypto';
import { expectStatus, locationPath, type Reply } from './client.js';
import { pullScope, pushScope, type Target } from './target.js';

// Registry operations as the OCI distribution spec words them, spoken identically to
// every target: blob uploads (monolithic and chunked), manifests, HEAD and GET.

export const sha256 = (data: Buffer): string => `sha256:${createHash('sha256').update(data).digest('hex')}`;

export const manifestType = 'application/vnd.oci.image.manifest.v1+json';

const withQuery = (path: string, query: string) => `${path}${path.includes('?') ? '&' : '?'}${query}`;

async function startUpload(t: Target, repo: string): Promise<string> {
  const reply = await t.client.request('POST', `/v2/${repo}/blobs/uploads/`, {
    headers: await t.auth([pushScope(repo)]),
  });
  return locationPath(expectStatus(reply, `POST upload ${repo}`, 202));
}

/** POST then one PUT carrying the whole blob. */
export async function pushBlob(t: Target, repo: string, data: Buffer, digest = sha256(data)): Promise<void> {
  const location = await startUpload(t, repo);
  const headers = { ...(await t.auth([pushScope(repo)])), 'content-type': 'application/octet-stream' };
  const reply = await t.client.request('PUT', withQuery(location, `digest=${encodeURIComponent(digest)}`), {
    headers,
    body: data,
  });
  expectStatus(reply, `PUT blob ${repo}`, 201);
}

/** POST, one PATCH per chunk with its Content-Range, then a PUT with the digest. */
export async function pushBlobChunked(
  t: Target,
  repo: string,
  data: Buffer,
  chunkBytes: number,
  digest = sha256(data),
): Promise<void> {
  let location = await startUpload(t, repo);
  const auth = await t.auth([pushScope(repo)]);
  for (let offset = 0; offset < data.length; offset += chunkBytes) {
    const chunk = data.subarray(offset, Math.min(offset + chunkBytes, data.length));
    const headers = {
      ...auth,
      'content-type': 'application/octet-stream',
      'content-range': `${offset}-${offset + chunk.length - 1}`,
    };
    const reply = await t.client.request('PATCH', location, { headers, body: chunk });
    location = locationPath(expectStatus(reply, `PATCH blob ${repo}`, 202));
  }
  const reply = await t.client.request('PUT', withQuery(location, `digest=${encodeURIComponent(digest)}`), {
    headers: auth,
  });
  expectStatus(reply, `PUT blob ${repo}`, 201);
}

export async function headBlob(t: Target, repo: string, digest: string): Promise<Reply> {
  return t.client.request('HEAD', `/v2/${repo}/blobs/${digest}`, { headers: await t.auth([pullScope(repo)]) });
}

/** Pushes the blob unless the target already has it in `repo`. */
export async function ensureBlob(t: Target, repo: string, data: Buffer, digest = sha256(data)): Promise<string> {
  if ((await headBlob(t, repo, digest)).status !== 200) await pushBlob(t, repo, data, digest);
  return digest;
}

export async function putManifest(t: Target, repo: string, reference: string, body: Buffer): Promise<void> {
  const headers = { ...(await t.auth([pushScope(repo)])), 'content-type': manifestType };
  const reply = await t.client.request('PUT', `/v2/${repo}/manifests/${reference}`, { headers, body });
  expectStatus(reply, `PUT manifest ${repo}:${reference}`, 201);
}

export interface ImageBlobs {
  config: { digest: string; size: number };
  layer: { digest: string; size: number };
}

/** A config and a one-layer blob in `repo`, the parts every bench manifest points at. */
export async function ensureImageBlobs(t: Target, repo: string): Promise<ImageBlobs> {
  const config = Buffer.from(
    JSON.stringify({ architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: [] }, config: {} }),
  );
  const layer = Buffer.alloc(1024, 7);
  return {
    config: { digest: await ensureBlob(t, repo, config), size: config.length },
    layer: { digest: await ensureBlob(t, repo, layer), size: layer.length },
  };
}

/** An OCI image manifest; `index` makes each one distinct. */
export function imageManifest(blobs: ImageBlobs, index: number): Buffer {
  return Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: manifestType,
      config: { mediaType: 'application/vnd.oci.image.config.v1+json', ...blobs.config },
      layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', ...blobs.layer }],
      annotations: { 'org.opencontainers.image.version': String(index) },
    }),
  );
}

export const tagName = (i: number) => `t${String(i).padStart(6, '0')}`;
