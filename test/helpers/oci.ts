import { createHash, randomBytes } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import assert from 'node:assert/strict';
import { adminAuthorization } from './berth.js';

// A small OCI Distribution client for the HTTP tests: content builders (random blobs,
// image / index / artifact manifests) and the few requests most tests need as setup.

export type Algorithm = 'sha256' | 'sha512';

export const mediaTypes = {
  dockerManifest: 'application/vnd.docker.distribution.manifest.v2+json',
  dockerManifestList: 'application/vnd.docker.distribution.manifest.list.v2+json',
  dockerConfig: 'application/vnd.docker.container.image.v1+json',
  dockerLayer: 'application/vnd.docker.image.rootfs.diff.tar.gzip',
  ociManifest: 'application/vnd.oci.image.manifest.v1+json',
  ociIndex: 'application/vnd.oci.image.index.v1+json',
  ociConfig: 'application/vnd.oci.image.config.v1+json',
  ociLayer: 'application/vnd.oci.image.layer.v1.tar+gzip',
  ociEmpty: 'application/vnd.oci.empty.v1+json',
} as const;

export interface Blob {
  bytes: Buffer;
  digest: string;
  size: number;
}

export interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
  artifactType?: string;
  annotations?: Record<string, string>;
  platform?: Record<string, unknown>;
  urls?: string[];
}

/** A manifest ready to push: its exact bytes, media type and digest. */
export interface Manifest {
  bytes: Buffer;
  mediaType: string;
  digest: string;
  json: Record<string, unknown>;
}

export function digestOf(bytes: Uint8Array, algorithm: Algorithm = 'sha256'): string {
  return `${algorithm}:${createHash(algorithm).update(bytes).digest('hex')}`;
}

export function blobOf(bytes: Uint8Array | string, algorithm: Algorithm = 'sha256'): Blob {
  const buffer = Buffer.from(bytes);
  return { bytes: buffer, digest: digestOf(buffer, algorithm), size: buffer.byteLength };
}

export function randomBlob(size = 1024, algorithm: Algorithm = 'sha256'): Blob {
  return blobOf(randomBytes(size), algorithm);
}

/** The image-spec "empty descriptor": `{}` under application/vnd.oci.empty.v1+json. */
export const emptyJSON: Blob = blobOf('{}');

export function descriptorOf(mediaType: string, content: Blob | Manifest, extra: Partial<Descriptor> = {}): Descriptor {
  return { mediaType, digest: content.digest, size: content.bytes.byteLength, ...extra };
}

/** A random, valid-looking config blob (unique per call). */
export function configBlob(): Blob {
  return blobOf(
    JSON.stringify({
      architecture: 'amd64',
      os: 'linux',
      rootfs: { type: 'layers', diff_ids: [] },
      nonce: randomBytes(8).toString('hex'),
    }),
  );
}

/**
 * Serialises a manifest exactly as given. `indent` lets tests push bytes that differ from
 * any canonical JSON encoding, to prove the registry returns them untouched.
 */
export function encodeManifest(
  json: Record<string, unknown>,
  options: { mediaType?: string; indent?: string | number; algorithm?: Algorithm; trailer?: string } = {},
): Manifest {
  const text = JSON.stringify(json, null, options.indent) + (options.trailer ?? '');
  const bytes = Buffer.from(text);
  const mediaType = options.mediaType ?? (json.mediaType as string | undefined) ?? mediaTypes.ociManifest;
  return { bytes, mediaType, digest: digestOf(bytes, options.algorithm), json };
}

export interface ImageOptions {
  mediaType?: string;
  config: Descriptor;
  layers: Descriptor[];
  subject?: Descriptor;
  artifactType?: string;
  annotations?: Record<string, string>;
}

export function imageManifestJSON(options: ImageOptions): Record<string, unknown> {
  const mediaType = options.mediaType ?? mediaTypes.ociManifest;
  return {
    schemaVersion: 2,
    mediaType,
    ...(options.artifactType ? { artifactType: options.artifactType } : {}),
    config: options.config,
    layers: options.layers,
    ...(options.subject ? { subject: options.subject } : {}),
    ...(options.annotations ? { annotations: options.annotations } : {}),
  };
}

export interface IndexOptions {
  mediaType?: string;
  manifests: Descriptor[];
  subject?: Descriptor;
  artifactType?: string;
  annotations?: Record<string, string>;
}

export function indexJSON(options: IndexOptions): Record<string, unknown> {
  const mediaType = options.mediaType ?? mediaTypes.ociIndex;
  return {
    schemaVersion: 2,
    mediaType,
    ...(options.artifactType ? { artifactType: options.artifactType } : {}),
    manifests: options.manifests,
    ...(options.subject ? { subject: options.subject } : {}),
    ...(options.annotations ? { annotations: options.annotations } : {}),
  };
}

/** Decoded OCI error envelope. */
export interface ErrorBody {
  errors: { code: string; message: string; detail?: unknown }[];
}

export interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

/**
 * A request through node:http, for what fetch will not do: omit the Accept header, send a
 * Content-Length that disagrees with the body, or show the bytes of a HEAD response.
 */
export function rawRequest(
  url: string,
  options: { method: string; headers?: Record<string, string>; body?: Uint8Array },
): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const headers = { authorization: adminAuthorization, ...options.headers };
    const req = httpRequest(url, { method: options.method, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(options.body);
  });
}

/** A readable stream of `chunks`: fetch sends it with Transfer-Encoding: chunked, no Content-Length. */
export function streamOf(...chunks: Uint8Array[]): ReadableStream<Uint8Array> {
  return new ReadableStream({
    start(controller) {
      for (const chunk of chunks) controller.enqueue(chunk);
      controller.close();
    },
  });
}

export class OciClient {
  readonly url: string;
  /** The Authorization header sent with every request (admin's Basic credentials by default; null = anonymous). */
  readonly authorization: string | null;

  constructor(url: string, authorization: string | null = adminAuthorization) {
    this.url = url;
    this.authorization = authorization;
  }

  /** `path` is relative to the server root ("/v2/…") or an absolute Location. */
  fetch(path: string, init: RequestInit & { duplex?: 'half' } = {}): Promise<Response> {
    const headers = new Headers(init.headers);
    if (this.authorization && !headers.has('authorization')) headers.set('authorization', this.authorization);
    return fetch(new URL(path, this.url), { ...init, headers } as RequestInit);
  }

  /** A body-less request with the same semantics as `fetch`; the body is discarded. */
  async send(method: string, path: string, init: RequestInit & { duplex?: 'half' } = {}): Promise<Response> {
    const res = await this.fetch(path, { ...init, method });
    await res.arrayBuffer();
    return res;
  }

  /** Monolithic upload (`POST ?digest=`); asserts 201. */
  async pushBlob(repository: string, blob: Blob): Promise<void> {
    const res = await this.fetch(`/v2/${repository}/blobs/uploads/?digest=${blob.digest}`, {
      method: 'POST',
      headers: { 'content-type': 'application/octet-stream' },
      body: blob.bytes,
    });
    await res.arrayBuffer();
    assert.equal(res.status, 201, `pushing blob ${blob.digest} to ${repository}`);
  }

  async pushBlobs(repository: string, ...blobs: Blob[]): Promise<void> {
    for (const blob of blobs) await this.pushBlob(repository, blob);
  }

  /** Opens an upload session (`POST`); asserts 202 and returns its Location. */
  async startUpload(repository: string): Promise<string> {
    const res = await this.send('POST', `/v2/${repository}/blobs/uploads/`);
    assert.equal(res.status, 202, `starting an upload in ${repository}`);
    const location = res.headers.get('location');
    assert.ok(location, 'upload session Location');
    return location;
  }

  putManifest(
    repository: string,
    reference: string,
    manifest: Manifest,
    contentType: string | null = manifest.mediaType,
  ): Promise<Response> {
    return this.fetch(`/v2/${repository}/manifests/${reference}`, {
      method: 'PUT',
      headers: contentType === null ? {} : { 'content-type': contentType },
      body: manifest.bytes,
    });
  }

  /** PUTs a manifest whose blobs are already pushed; asserts 201. */
  async pushManifest(repository: string, reference: string, manifest: Manifest): Promise<Response> {
    const res = await this.putManifest(repository, reference, manifest);
    const text = await res.text();
    assert.equal(res.status, 201, `pushing manifest ${manifest.digest} as ${repository}:${reference}: ${text}`);
    return res;
  }

  /**
   * Pushes a fresh image (random config and layers, then the manifest) under `reference`
   * (a tag, or its own digest when omitted) and returns the manifest.
   */
  async pushImage(
    repository: string,
    reference?: string,
    options: Partial<ImageOptions> & { layerCount?: number; indent?: string | number } = {},
  ): Promise<Manifest & { config: Blob; layers: Blob[] }> {
    const docker = options.mediaType === mediaTypes.dockerManifest;
    const config = configBlob();
    const layers = Array.from({ length: options.layerCount ?? 2 }, () =>
      randomBlob(512 + Math.floor(Math.random() * 512)),
    );
    await this.pushBlobs(repository, config, ...layers);
    const manifest = encodeManifest(
      imageManifestJSON({
        config: descriptorOf(docker ? mediaTypes.dockerConfig : mediaTypes.ociConfig, config),
        layers: layers.map((layer) => descriptorOf(docker ? mediaTypes.dockerLayer : mediaTypes.ociLayer, layer)),
        ...options,
      }),
      { indent: options.indent },
    );
    await this.pushManifest(repository, reference ?? manifest.digest, manifest);
    return { ...manifest, config, layers };
  }

  /** Pushes an artifact (image-spec 1.1: `artifactType`, the empty config, one layer) referring to `subject`. */
  async pushArtifact(
    repository: string,
    options: { artifactType: string; subject?: Descriptor; annotations?: Record<string, string>; reference?: string },
  ): Promise<Manifest> {
    const layer = randomBlob(64);
    await this.pushBlobs(repository, emptyJSON, layer);
    const manifest = encodeManifest(
      imageManifestJSON({
        artifactType: options.artifactType,
        config: descriptorOf(mediaTypes.ociEmpty, emptyJSON),
        layers: [descriptorOf('application/octet-stream', layer)],
        subject: options.subject,
        annotations: options.annotations,
      }),
    );
    await this.pushManifest(repository, options.reference ?? manifest.digest, manifest);
    return manifest;
  }

  async tags(repository: string, query = ''): Promise<{ res: Response; tags: string[] }> {
    const res = await this.fetch(`/v2/${repository}/tags/list${query}`);
    const body = (await res.json()) as { tags?: string[] | null };
    return { res, tags: body.tags ?? [] };
  }
}

/** Reads an OCI error response and asserts its status, envelope and first code. */
export async function expectError(res: Response, status: number, code: string): Promise<ErrorBody> {
  const text = await res.text();
  assert.equal(res.status, status, `expected ${status} ${code}, got ${res.status}: ${text}`);
  assert.match(res.headers.get('content-type') ?? '', /^application\/json/);
  const body = JSON.parse(text) as ErrorBody;
  assert.ok(Array.isArray(body.errors) && body.errors.length > 0, `error envelope: ${text}`);
  for (const error of body.errors) {
    assert.equal(typeof error.code, 'string');
    assert.equal(typeof error.message, 'string');
  }
  assert.equal(body.errors[0].code, code, text);
  return body;
}

/** Random lowercase repository name component, so tests in one server never collide. */
/** A fresh repository name in the public project `library`, which every Berth has. */
export function uniqueName(prefix = 'repo'): string {
  return `library/${prefix}-${randomBytes(4).toString('hex')}`;
}
