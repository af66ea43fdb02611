import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { adminAuthorization } from '../../helpers/berth.js';
import {
  configBlob,
  descriptorOf,
  encodeManifest,
  imageManifestJSON,
  mediaTypes,
  randomBlob,
  type Blob,
  type Manifest,
} from '../../helpers/oci.js';
import type { HttpClient, Reply } from './http.js';

// Image pushes over a node:http pool, monolithic or chunked, and the checks that what a
// registry serves is whole: every byte hashes to the digest it is served under.

const auth = { authorization: adminAuthorization };
const MiB = 1024 * 1024;

export interface PlannedPush {
  repository: string;
  tag: string;
  blobs: Blob[];
  manifest: Manifest;
  chunked: boolean;
}

/** An image with a config and one or two layers; `big` makes one layer a few MiB. */
export function planPush(repository: string, tag: string, options: { big: boolean; chunked: boolean }): PlannedPush {
  const config = configBlob();
  const layers = [
    randomBlob(options.big ? 2 * MiB + Math.floor(Math.random() * 2 * MiB) : 1 + Math.floor(Math.random() * 64 * 1024)),
  ];
  if (Math.random() < 0.5) layers.push(randomBlob(1 + Math.floor(Math.random() * 4096)));
  const manifest = encodeManifest(
    imageManifestJSON({
      config: descriptorOf(mediaTypes.ociConfig, config),
      layers: layers.map((layer) => descriptorOf(mediaTypes.ociLayer, layer)),
    }),
  );
  return { repository, tag, blobs: [config, ...layers], manifest, chunked: options.chunked };
}

function expect(reply: Reply, status: number, what: string): Reply {
  assert.equal(reply.status, status, `${what}: ${reply.status} ${reply.body.toString().slice(0, 300)}`);
  return reply;
}

function pathOf(location: string | string[] | undefined): string {
  const url = new URL(String(location), 'http://x');
  return `${url.pathname}${url.search}`;
}

export async function pushBlobMonolithic(client: HttpClient, repository: string, blob: Blob): Promise<void> {
  const reply = await client.send({
    method: 'POST',
    path: `/v2/${repository}/blobs/uploads/?digest=${blob.digest}`,
    headers: { ...auth, 'content-type': 'application/octet-stream' },
    body: blob.bytes,
  });
  expect(reply, 201, `monolithic push of ${blob.digest}`);
}

/** POST, PATCH in 512 KiB chunks with Content-Range, then PUT ?digest=. */
export async function pushBlobChunked(client: HttpClient, repository: string, blob: Blob): Promise<void> {
  const started = expect(
    await client.send({ method: 'POST', path: `/v2/${repository}/blobs/uploads/`, headers: auth }),
    202,
    'opening an upload',
  );
  let location = pathOf(started.headers.location);
  const chunk = 512 * 1024;
  for (let offset = 0; offset < blob.size; offset += chunk) {
    const bytes = blob.bytes.subarray(offset, offset + chunk);
    const reply = await client.send({
      method: 'PATCH',
      path: location,
      headers: {
        ...auth,
        'content-type': 'application/octet-stream',
        'content-range': `${offset}-${offset + bytes.length - 1}`,
      },
      body: Buffer.from(bytes),
    });
    location = pathOf(expect(reply, 202, `PATCH at ${offset}`).headers.location);
  }
  const separator = location.includes('?') ? '&' : '?';
  expect(
    await client.send({ method: 'PUT', path: `${location}${separator}digest=${blob.digest}`, headers: auth }),
    201,
    `completing ${blob.digest}`,
  );
}

/** Pushes the blobs then the manifest; resolves true once the manifest PUT answered 201. */
export async function pushImage(client: HttpClient, push: PlannedPush): Promise<boolean> {
  for (const blob of push.blobs) {
    if (push.chunked) await pushBlobChunked(client, push.repository, blob);
    else await pushBlobMonolithic(client, push.repository, blob);
  }
  const reply = await client.send({
    method: 'PUT',
    path: `/v2/${push.repository}/manifests/${push.tag}`,
    headers: { ...auth, 'content-type': push.manifest.mediaType },
    body: push.manifest.bytes,
  });
  return expect(reply, 201, `manifest PUT ${push.repository}:${push.tag}`).status === 201;
}

export const sha256 = (bytes: Buffer) => `sha256:${createHash('sha256').update(bytes).digest('hex')}`;

/** GETs a blob and checks its bytes hash to its digest; returns false on 404. */
export async function blobServedIntact(client: HttpClient, repository: string, digest: string): Promise<boolean> {
  const reply = await client.send({ method: 'GET', path: `/v2/${repository}/blobs/${digest}`, headers: auth });
  if (reply.status === 404) return false;
  expect(reply, 200, `GET blob ${digest}`);
  assert.equal(sha256(reply.body), digest, `blob ${repository}@${digest} is served with other bytes`);
  return true;
}

/** An acknowledged push reads back whole: manifest by tag and digest, config and layers. */
export async function assertPushReadable(client: HttpClient, push: PlannedPush): Promise<void> {
  const accept = { ...auth, accept: push.manifest.mediaType };
  for (const reference of [push.tag, push.manifest.digest]) {
    const reply = await client.send({
      method: 'GET',
      path: `/v2/${push.repository}/manifests/${reference}`,
      headers: accept,
    });
    expect(reply, 200, `acknowledged manifest ${push.repository}:${reference}`);
    assert.equal(sha256(reply.body), push.manifest.digest, `manifest ${push.repository}:${reference} changed`);
  }
  for (const blob of push.blobs)
    assert.ok(await blobServedIntact(client, push.repository, blob.digest), `acknowledged blob ${blob.digest} is gone`);
}

/**
 * An unacknowledged push is never half-visible: each blob is 404 or whole, and the tag
 * is 404 or a complete manifest whose blobs all exist. Returns what became visible.
 */
export async function assertNoHalfPush(
  client: HttpClient,
  push: PlannedPush,
): Promise<{ blobs: number; tagged: boolean }> {
  let blobs = 0;
  for (const blob of push.blobs) {
    const head = await client.send({
      method: 'HEAD',
      path: `/v2/${push.repository}/blobs/${blob.digest}`,
      headers: auth,
    });
    assert.ok(head.status === 200 || head.status === 404, `HEAD ${blob.digest}: ${head.status}`);
    if (head.status === 200) {
      assert.equal(Number(head.headers['content-length']), blob.size, `HEAD ${blob.digest} announces another size`);
      assert.ok(
        await blobServedIntact(client, push.repository, blob.digest),
        `HEAD 200 but GET 404 for ${blob.digest}`,
      );
      blobs++;
    }
  }
  const reply = await client.send({
    method: 'GET',
    path: `/v2/${push.repository}/manifests/${push.tag}`,
    headers: { ...auth, accept: push.manifest.mediaType },
  });
  assert.ok(reply.status === 200 || reply.status === 404, `tag ${push.tag}: ${reply.status}`);
  if (reply.status === 404) return { blobs, tagged: false };
  assert.equal(sha256(reply.body), push.manifest.digest, 'the tag names a manifest that was never pushed');
  for (const blob of push.blobs)
    assert.ok(
      await blobServedIntact(client, push.repository, blob.digest),
      `tagged manifest's blob ${blob.digest} is missing`,
    );
  return { blobs, tagged: true };
}
