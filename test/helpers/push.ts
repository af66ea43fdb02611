import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { adminAuth } from './api.js';
import type { TestBerth } from './berth.js';

// Pushing and pulling over /v2 with plain fetch: monolithic blob uploads
// (POST …/blobs/uploads/?digest=) and manifest PUTs, as a registry client would.

export const media = {
  ociManifest: 'application/vnd.oci.image.manifest.v1+json',
  ociIndex: 'application/vnd.oci.image.index.v1+json',
  ociConfig: 'application/vnd.oci.image.config.v1+json',
  ociLayer: 'application/vnd.oci.image.layer.v1.tar+gzip',
  helmConfig: 'application/vnd.cncf.helm.config.v1+json',
  helmChart: 'application/vnd.cncf.helm.chart.content.v1.tar+gzip',
} as const;

export interface Pushed {
  digest: string;
  size: number;
  mediaType: string;
  configDigest?: string;
}

export const sha256 = (bytes: Buffer) => `sha256:${createHash('sha256').update(bytes).digest('hex')}`;

export async function pushBlob(
  server: TestBerth,
  repository: string,
  bytes: Buffer,
  auth = adminAuth,
): Promise<string> {
  const digest = sha256(bytes);
  const res = await fetch(`${server.url}/v2/${repository}/blobs/uploads/?digest=${digest}`, {
    method: 'POST',
    headers: {
      authorization: auth,
      'content-type': 'application/octet-stream',
      'content-length': String(bytes.length),
    },
    body: bytes,
  });
  assert.equal(res.status, 201, `blob upload to ${repository}: ${res.status} ${await res.text()}`);
  return digest;
}

export async function pushManifest(
  server: TestBerth,
  repository: string,
  reference: string,
  manifest: object,
  mediaType: string,
  auth = adminAuth,
): Promise<Pushed> {
  const bytes = Buffer.from(JSON.stringify(manifest));
  const res = await fetch(`${server.url}/v2/${repository}/manifests/${reference}`, {
    method: 'PUT',
    headers: { authorization: auth, 'content-type': mediaType },
    body: bytes,
  });
  assert.equal(res.status, 201, `manifest PUT ${repository}:${reference}: ${res.status} ${await res.text()}`);
  return { digest: sha256(bytes), size: bytes.length, mediaType };
}

/** A one-layer OCI image whose config names `platform`; distinct content per `seed`. */
export async function pushImage(
  server: TestBerth,
  repository: string,
  reference: string,
  options: { architecture?: string; os?: string; seed?: string; auth?: string } = {},
): Promise<Pushed> {
  const auth = options.auth ?? adminAuth;
  const config = Buffer.from(
    JSON.stringify({
      architecture: options.architecture ?? 'amd64',
      os: options.os ?? 'linux',
      config: { Env: ['PATH=/bin'], Cmd: ['/hello'] },
      created: '2024-01-02T03:04:05Z',
      rootfs: { type: 'layers', diff_ids: [] },
      seed: options.seed ?? randomBytes(8).toString('hex'),
    }),
  );
  return pushOneLayer(
    server,
    repository,
    reference,
    { mediaType: media.ociConfig, bytes: config },
    { mediaType: media.ociLayer, bytes: randomBytes(64) },
    auth,
  );
}

/** Pushes the config and one layer, then an OCI image manifest naming them. */
async function pushOneLayer(
  server: TestBerth,
  repository: string,
  reference: string,
  config: { mediaType: string; bytes: Buffer },
  layer: { mediaType: string; bytes: Buffer },
  auth: string,
): Promise<Pushed> {
  const configDigest = await pushBlob(server, repository, config.bytes, auth);
  const layerDigest = await pushBlob(server, repository, layer.bytes, auth);
  const manifest = {
    schemaVersion: 2,
    mediaType: media.ociManifest,
    config: { mediaType: config.mediaType, digest: configDigest, size: config.bytes.length },
    layers: [{ mediaType: layer.mediaType, digest: layerDigest, size: layer.bytes.length }],
  };
  return { ...(await pushManifest(server, repository, reference, manifest, media.ociManifest, auth)), configDigest };
}

/** An OCI index over images already in the repository. */
export async function pushIndex(
  server: TestBerth,
  repository: string,
  reference: string,
  children: (Pushed & { platform: Record<string, string> })[],
  auth = adminAuth,
): Promise<Pushed> {
  const index = {
    schemaVersion: 2,
    mediaType: media.ociIndex,
    manifests: children.map((c) => ({ mediaType: c.mediaType, digest: c.digest, size: c.size, platform: c.platform })),
  };
  return pushManifest(server, repository, reference, index, media.ociIndex, auth);
}

/** A Helm chart as `helm push oci://` stores it: Chart.yaml as the JSON config, the chart tarball as the layer. */
export async function pushChart(
  server: TestBerth,
  repository: string,
  reference: string,
  chart: { name: string; version: string },
  auth = adminAuth,
): Promise<Pushed> {
  const config = Buffer.from(
    JSON.stringify({
      apiVersion: 'v2',
      name: chart.name,
      version: chart.version,
      description: 'a test chart',
      type: 'application',
    }),
  );
  return pushOneLayer(
    server,
    repository,
    reference,
    { mediaType: media.helmConfig, bytes: config },
    { mediaType: media.helmChart, bytes: randomBytes(48) },
    auth,
  );
}

/** GET a manifest (a pull); returns the status. */
export async function pullManifest(
  server: TestBerth,
  repository: string,
  reference: string,
  auth: string | null = adminAuth,
): Promise<number> {
  const res = await fetch(`${server.url}/v2/${repository}/manifests/${reference}`, {
    headers: { ...(auth ? { authorization: auth } : {}), accept: `${media.ociManifest}, ${media.ociIndex}` },
  });
  await res.arrayBuffer();
  return res.status;
}

/** Harbor's double encoding of a repository name inside a project: a/b → a%252Fb. */
export const encodeRepository = (name: string) => encodeURIComponent(encodeURIComponent(name));
