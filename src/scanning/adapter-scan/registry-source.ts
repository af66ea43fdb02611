import { createHash } from 'node:crypto';
import { Readable, Transform, type TransformCallback } from 'node:stream';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { parseManifest } from '../../registry/index.js';
import type { ImageSource } from '../model.js';
import { manifestMediaTypes } from '../scanners/adapter.js';

// An image read from a remote registry's /v2 (Docker Registry HTTP API V2, OCI distribution
// spec), as a scanner adapter reads the artifact a ScanRequest names: the manifest, checked
// against its digest, and each layer streamed as the analysis walks it, checked on the way.
// The ScanRequest's authorization goes with every request; when the registry answers 401 with
// a Bearer challenge and the authorization is Basic, a token is fetched from the challenge's
// realm with it (the token flow of the distribution spec), as Harbor's adapters do.

export class RegistryPullError extends Error {
  override name = 'RegistryPullError';
}

const maxManifestBytes = 4 * 1024 * 1024;

/** `Bearer realm="…",service="…",scope="…"` as its parameters, or undefined for another scheme. */
export function parseBearerChallenge(header: string | null): Record<string, string> | undefined {
  if (!header || !/^bearer\s/i.test(header)) return undefined;
  const params: Record<string, string> = {};
  for (const match of header.slice(7).matchAll(/([a-z_]+)="([^"]*)"/gi)) params[match[1]!.toLowerCase()] = match[2]!;
  return params.realm ? params : undefined;
}

/** Requests to one registry with one authorization, trading Basic for a token when challenged. */
function registryClient(baseUrl: string, authorization: string, signal: AbortSignal) {
  let current = authorization;

  async function tokenFor(challenge: Record<string, string>): Promise<string> {
    const realm = new URL(challenge.realm!);
    if (realm.protocol !== 'http:' && realm.protocol !== 'https:')
      throw new RegistryPullError(`the token realm ${realm.origin} is not http or https`);
    if (challenge.service) realm.searchParams.set('service', challenge.service);
    if (challenge.scope) realm.searchParams.set('scope', challenge.scope);
    const res = await fetch(realm, { headers: { authorization }, signal });
    if (!res.ok)
      throw new RegistryPullError(`the token service at ${realm.origin} refused: HTTP ${String(res.status)}`);
    const body = (await res.json()) as { token?: unknown; access_token?: unknown };
    const token = typeof body.token === 'string' ? body.token : body.access_token;
    if (typeof token !== 'string' || !token) throw new RegistryPullError('the token service answered without a token');
    return token;
  }

  return async function get(path: string, accept?: string): Promise<Response> {
    const send = () =>
      fetch(`${baseUrl}${path}`, {
        headers: { ...(current ? { authorization: current } : {}), ...(accept ? { accept } : {}) },
        signal,
      });
    let res = await send();
    const challenge = res.status === 401 ? parseBearerChallenge(res.headers.get('www-authenticate')) : undefined;
    if (challenge && (/^basic\s/i.test(authorization) || !authorization) && current === authorization) {
      await res.body?.cancel();
      current = `Bearer ${await tokenFor(challenge)}`;
      res = await send();
    }
    if (!res.ok) {
      const detail = (await res.text().catch(() => '')).slice(0, 300);
      throw new RegistryPullError(`GET ${path} answered HTTP ${String(res.status)}${detail ? `: ${detail}` : ''}`);
    }
    return res;
  };
}

/** A response body read whole, refused once it passes `max` bytes (a registry cannot make the scanner buffer without limit). */
async function boundedBody(res: Response, max: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of res.body ?? []) {
    size += chunk.length;
    // Leaving the loop cancels the download.
    if (size > max) throw new RegistryPullError(`the manifest is larger than ${String(max)} bytes`);
    chunks.push(Buffer.from(chunk));
  }
  return Buffer.concat(chunks);
}

/** Passes a layer's bytes through, failing the stream at its end when they are not its digest. */
function digestCheck(digest: string): Transform {
  const [algorithm, expected] = digest.split(':');
  const hash = createHash(algorithm === 'sha512' ? 'sha512' : 'sha256');
  return new Transform({
    transform(chunk: Buffer, _encoding, done: TransformCallback) {
      hash.update(chunk);
      done(null, chunk);
    },
    flush(done: TransformCallback) {
      const actual = hash.digest('hex');
      done(actual === expected ? null : new RegistryPullError(`layer ${digest} arrived with digest ${actual}`));
    },
  });
}

/** The image `repository@digest` at the registry `registryUrl`, for analyzeImage. */
export async function registryImageSource(
  target: { registryUrl: string; authorization: string; repository: string; digest: string },
  signal: AbortSignal,
): Promise<ImageSource> {
  const get = registryClient(target.registryUrl.replace(/\/+$/, ''), target.authorization, signal);
  const res = await get(`/v2/${target.repository}/manifests/${target.digest}`, manifestMediaTypes.join(', '));
  const bytes = await boundedBody(res, maxManifestBytes);
  const actual = `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
  if (target.digest.startsWith('sha256:') && actual !== target.digest)
    throw new RegistryPullError(`the registry sent a manifest of digest ${actual} for ${target.digest}`);
  const manifest = parseManifest(bytes, res.headers.get('content-type') ?? undefined);
  if (manifest.layers.length === 0 && manifest.manifests.length > 0)
    throw new RegistryPullError(`${target.repository}@${target.digest} is an index: scan its images one by one`);
  return {
    layers: manifest.layers.map((l) => ({ digest: l.digest, mediaType: l.mediaType, size: l.size })),
    open: async (digest) => {
      const blob = await get(`/v2/${target.repository}/blobs/${digest}`);
      if (!blob.body) throw new RegistryPullError(`layer ${digest} came without a body`);
      const bytes = Readable.fromWeb(blob.body as WebReadableStream<Uint8Array>);
      const checked = digestCheck(digest);
      // pipe() does not pass a broken download on: the walker would wait for an end that never comes.
      bytes.on('error', (err) => checked.destroy(err));
      return bytes.pipe(checked);
    },
  };
}
