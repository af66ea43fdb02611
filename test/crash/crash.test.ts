import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, rmSync } from 'node:fs';
import { request as httpRequest, type ClientRequest } from 'node:http';
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { adminAuthorization, spawnBerth, tempDir, type BerthProcess } from '../helpers/berth.js';
import {
  OciClient,
  blobOf,
  configBlob,
  descriptorOf,
  encodeManifest,
  expectError,
  imageManifestJSON,
  mediaTypes,
  randomBlob,
  type Blob,
  type Manifest,
} from '../helpers/oci.js';
import { storedBlobExists } from '../helpers/stored.js';
import { scaleOutProfile } from '../helpers/scale-out.js';

// Issue 2 item 5: a Berth killed with SIGKILL at any point leaves no visible partial
// blob or manifest, and a restart on the same data directory carries on. These tests
// run the built CLI (`npm run build`), kill it mid-request and restart it.

const MiB = 1024 * 1024;
/**
 * How far a streamed PATCH's bytes become durable while they flow: the filesystem store
 * appends as they arrive; S3 (the scale-out profile) keeps them in memory until a whole
 * part (storage.s3.chunksize, 10 MiB by default) is uploaded, and a session resumes
 * from what its last finished request committed.
 */
const streamedDurability = scaleOutProfile ? 10 * MiB : 64 * 1024;

before(() => {
  assert.ok(
    existsSync(new URL('../../dist/cli/index.js', import.meta.url)),
    'crash tests run the built CLI: run `npm run build` first',
  );
});

interface Running {
  proc: BerthProcess;
  client: OciClient;
}

async function boot(dataDir: string): Promise<Running> {
  const proc = await spawnBerth(['--port', '0', '--data-dir', dataDir]);
  return { proc, client: new OciClient(proc.url) };
}

/** Kills Berth and starts it again on the same data directory. */
async function crashAndRestart(running: Running, dataDir: string): Promise<Running> {
  await running.proc.kill();
  return boot(dataDir);
}

/** Resolves on 'drain' or 'close', whichever comes first, and removes both listeners: one wait per chunk. */
function drainOrClose(req: ClientRequest): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      req.off('drain', done).off('close', done);
      resolve();
    };
    req.once('drain', done).once('close', done);
  });
}

/** A request whose body is written in chunks with backpressure, and can stop part-way and hold the connection open. */
function streamingRequest(
  url: string,
  options: { method: string; data: Buffer; holdAt?: number; headers?: Record<string, string> },
) {
  let sent = 0;
  const req = httpRequest(url, {
    method: options.method,
    headers: { 'content-type': 'application/octet-stream', authorization: adminAuthorization, ...options.headers },
  });
  const done = new Promise<number | Error>((resolve) => {
    req.on('response', (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', resolve);
  });
  const holdAt = options.holdAt ?? options.data.length;
  void (async () => {
    const chunk = 64 * 1024;
    while (sent < holdAt && !req.destroyed) {
      const end = Math.min(holdAt, sent + chunk);
      const ok = req.write(options.data.subarray(sent, end));
      sent = end;
      if (!ok) await drainOrClose(req);
    }
    if (holdAt >= options.data.length && !req.destroyed) req.end();
  })();
  return { sent: () => sent, done, abort: () => req.destroy() };
}

interface UploadStatus {
  status: number;
  received: number;
}

async function uploadStatus(client: OciClient, location: string): Promise<UploadStatus> {
  const res = await client.send('GET', location);
  const range = res.headers.get('range');
  if (res.status !== 204 || !range) return { status: res.status, received: -1 };
  const match = /^0-(\d+)$/.exec(range);
  assert.ok(match, `upload status Range "${range}"`);
  // "0-0" is what a session with no bytes answers (as distribution does); no test here stops after exactly one byte.
  return { status: 204, received: range === '0-0' ? 0 : Number(match[1]) + 1 };
}

async function waitUntil(what: string, check: () => Promise<boolean>, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await sleep(10);
  }
}

async function patchChunk(client: OciClient, location: string, data: Buffer, start: number): Promise<string> {
  const res = await client.fetch(location, {
    method: 'PATCH',
    headers: { 'content-type': 'application/octet-stream', 'content-range': `${start}-${start + data.length - 1}` },
    body: data,
  });
  await res.arrayBuffer();
  assert.equal(res.status, 202, `PATCH ${start}-${start + data.length - 1}`);
  const next = res.headers.get('location');
  assert.ok(next);
  return next;
}

/**
 * After a restart: the session either resumes from a prefix of what was sent (at least
 * `durable` bytes, acknowledged before the crash) and completes with the right digest,
 * or is unknown and the blob is pushed again. Either way the blob reads back intact.
 */
async function resumeOrRestart(
  client: OciClient,
  repository: string,
  location: string,
  blob: Blob,
  bounds: { durable: number; sent: number },
): Promise<'resumed' | 'unknown'> {
  const state = await uploadStatus(client, location);
  let outcome: 'resumed' | 'unknown';
  if (state.status === 404) {
    await expectError(await client.fetch(location), 404, 'BLOB_UPLOAD_UNKNOWN');
    await client.pushBlob(repository, blob);
    outcome = 'unknown';
  } else {
    assert.equal(state.status, 204);
    assert.ok(
      state.received >= bounds.durable,
      `the session lost acknowledged bytes: ${state.received} < ${bounds.durable}`,
    );
    assert.ok(state.received <= bounds.sent, `the session claims ${state.received} bytes of ${bounds.sent} sent`);
    let next = location;
    if (state.received < blob.size)
      next = await patchChunk(client, location, blob.bytes.subarray(state.received), state.received);
    const res = await client.send('PUT', `${next}${next.includes('?') ? '&' : '?'}digest=${blob.digest}`);
    assert.equal(res.status, 201, 'completing the resumed upload');
    outcome = 'resumed';
  }
  await assertBlobIntact(client, repository, blob);
  return outcome;
}

async function assertBlobIntact(client: OciClient, repository: string, blob: Blob): Promise<void> {
  const res = await client.fetch(`/v2/${repository}/blobs/${blob.digest}`);
  assert.equal(res.status, 200);
  const bytes = Buffer.from(await res.arrayBuffer());
  assert.equal(bytes.length, blob.size);
  assert.equal(blobOf(bytes).digest, blob.digest, 'the blob read back is corrupted');
}

async function assertBlobInvisible(client: OciClient, repository: string, blob: Blob, dataDir: string): Promise<void> {
  const head = await client.send('HEAD', `/v2/${repository}/blobs/${blob.digest}`);
  assert.equal(head.status, 404, 'a partial blob became visible under its digest');
  assert.equal(
    await storedBlobExists(dataDir, blob.digest),
    false,
    'bytes were published under the digest before verification',
  );
}

test('SIGKILL during a large streamed PATCH: no blob appears, the session resumes from its durable bytes', async () => {
  const dataDir = tempDir('berth-crash-');
  let running = await boot(dataDir);
  try {
    const repository = 'library/crash-streamed';
    // Large enough that the kill lands mid-body even when the first durable point is a whole S3 part.
    const blob = randomBlob(Math.max(24 * MiB, 6 * streamedDurability));
    let location = await running.client.startUpload(repository);
    location = await patchChunk(running.client, location, blob.bytes.subarray(0, MiB), 0);
    location = await patchChunk(running.client, location, blob.bytes.subarray(MiB, 2 * MiB), MiB);
    const durable = 2 * MiB;

    // A streamed PATCH (no Content-Range, chunked) of the rest, killed while bytes flow in.
    const rest = blob.bytes.subarray(durable);
    const stream = streamingRequest(new URL(location, running.client.url).href, { method: 'PATCH', data: rest });
    const client = running.client;
    if (scaleOutProfile) {
      // S3 reports a session's bytes as of its last finished request: wait for the client instead.
      await waitUntil(
        'more than a part of the streamed PATCH was sent',
        async () => stream.sent() > streamedDurability + 4 * MiB,
      );
    } else {
      await waitUntil(
        'the server has stored part of the streamed PATCH',
        async () => (await uploadStatus(client, location)).received > durable + 4 * MiB,
      );
    }
    running = await crashAndRestart(running, dataDir);
    const sent = durable + stream.sent();
    assert.ok(sent < blob.size, 'the PATCH finished before the kill; make the blob larger');
    assert.ok((await stream.done) instanceof Error, 'the in-flight PATCH should have failed');

    await assertBlobInvisible(running.client, repository, blob, dataDir);
    const outcome = await resumeOrRestart(running.client, repository, location, blob, { durable, sent });
    assert.equal(outcome, 'resumed', 'the filesystem driver keeps the session across a restart');
  } finally {
    await running.proc.kill();
    rmSync(dataDir, { recursive: true, force: true });
  }
});

test('SIGKILL while a PATCH body is only partly sent: the session holds a prefix and completes correctly', async () => {
  const dataDir = tempDir('berth-crash-');
  let running = await boot(dataDir);
  try {
    const repository = 'library/crash-held';
    const blob = randomBlob(6 * MiB + 123);
    let location = await running.client.startUpload(repository);
    location = await patchChunk(running.client, location, blob.bytes.subarray(0, MiB), 0);
    const holdAt = 3 * MiB + 17;
    const stream = streamingRequest(new URL(location, running.client.url).href, {
      method: 'PATCH',
      data: blob.bytes.subarray(MiB),
      holdAt,
      headers: { 'content-range': `${MiB}-${blob.size - 1}`, 'content-length': String(blob.size - MiB) },
    });
    const client = running.client;
    if (streamedDurability < holdAt) {
      await waitUntil(
        'the held bytes reached the server',
        async () => (await uploadStatus(client, location)).received === MiB + holdAt,
      );
    } else {
      // Less than a part: nothing new is durable, so wait until the bytes are sent and received.
      await waitUntil('the held bytes were sent', async () => stream.sent() === holdAt);
      await sleep(300);
    }
    running = await crashAndRestart(running, dataDir);
    await stream.done;

    await assertBlobInvisible(running.client, repository, blob, dataDir);
    assert.equal(
      await resumeOrRestart(running.client, repository, location, blob, { durable: MiB, sent: MiB + holdAt }),
      'resumed',
    );
  } finally {
    await running.proc.kill();
    rmSync(dataDir, { recursive: true, force: true });
  }
});

test('SIGKILL during a monolithic PUT ?digest= with a body: nothing visible, the session resumes or is unknown', async () => {
  const dataDir = tempDir('berth-crash-');
  let running = await boot(dataDir);
  try {
    const repository = 'library/crash-monolithic-put';
    const blob = randomBlob(16 * MiB);
    const location = await running.client.startUpload(repository);
    const url = new URL(location, running.client.url);
    url.searchParams.set('digest', blob.digest);
    const stream = streamingRequest(url.href, {
      method: 'PUT',
      data: blob.bytes,
      headers: { 'content-length': String(blob.size) },
    });
    const client = running.client;
    await waitUntil(
      'the PUT body is half stored',
      async () => (await uploadStatus(client, location)).received > 4 * MiB,
    );
    running = await crashAndRestart(running, dataDir);
    const sent = stream.sent();
    await stream.done;

    await assertBlobInvisible(running.client, repository, blob, dataDir);
    await resumeOrRestart(running.client, repository, location, blob, { durable: 0, sent });
  } finally {
    await running.proc.kill();
    rmSync(dataDir, { recursive: true, force: true });
  }
});

test('SIGKILL during a monolithic POST ?digest=: nothing visible, and the same blob pushes cleanly afterwards', async () => {
  const dataDir = tempDir('berth-crash-');
  let running = await boot(dataDir);
  try {
    const repository = 'library/crash-monolithic-post';
    const blob = randomBlob(16 * MiB);
    const stream = streamingRequest(`${running.client.url}/v2/${repository}/blobs/uploads/?digest=${blob.digest}`, {
      method: 'POST',
      data: blob.bytes,
      holdAt: 9 * MiB,
      headers: { 'content-length': String(blob.size) },
    });
    await waitUntil('the POST body is on its way', async () => stream.sent() >= 9 * MiB);
    await sleep(200);
    running = await crashAndRestart(running, dataDir);
    await stream.done;

    await assertBlobInvisible(running.client, repository, blob, dataDir);
    await running.client.pushBlob(repository, blob);
    await assertBlobIntact(running.client, repository, blob);
  } finally {
    await running.proc.kill();
    rmSync(dataDir, { recursive: true, force: true });
  }
});

test('SIGKILL at random moments of upload completion: the blob is either whole and visible, or absent and still pushable', async () => {
  const dataDir = tempDir('berth-crash-');
  let running = await boot(dataDir);
  try {
    for (let round = 0; round < 6; round++) {
      const repository = `library/crash-complete-${round}`;
      const blob = randomBlob(4 * MiB + round);
      const location = await running.client.startUpload(repository);
      const next = await patchChunk(running.client, location, blob.bytes, 0);
      const completion = running.client
        .send('PUT', `${next}${next.includes('?') ? '&' : '?'}digest=${blob.digest}`)
        .catch((err: unknown) => err);
      await sleep(round * 3);
      running = await crashAndRestart(running, dataDir);
      await completion;

      const head = await running.client.send('HEAD', `/v2/${repository}/blobs/${blob.digest}`);
      if (head.status === 200) {
        assert.equal(head.headers.get('docker-content-digest'), blob.digest);
        await assertBlobIntact(running.client, repository, blob);
      } else {
        assert.equal(head.status, 404);
        await resumeOrRestart(running.client, repository, location, blob, { durable: 0, sent: blob.size });
      }
    }
  } finally {
    await running.proc.kill();
    rmSync(dataDir, { recursive: true, force: true });
  }
});

/** Pushes the blobs of a fresh image and returns its manifest, not yet pushed. */
async function prepareImage(client: OciClient, repository: string): Promise<Manifest> {
  const config = configBlob();
  const layer = randomBlob(2048);
  await client.pushBlobs(repository, config, layer);
  return encodeManifest(
    imageManifestJSON({
      config: descriptorOf(mediaTypes.ociConfig, config),
      layers: [descriptorOf(mediaTypes.ociLayer, layer)],
    }),
  );
}

/** The tag resolves to one of `candidates`, whose exact bytes come back; returns which. */
async function assertTagTarget(
  client: OciClient,
  repository: string,
  tag: string,
  candidates: Manifest[],
): Promise<Manifest> {
  const res = await client.fetch(`/v2/${repository}/manifests/${tag}`, { headers: { accept: mediaTypes.ociManifest } });
  assert.equal(res.status, 200, `the tag ${tag} is broken after the crash`);
  const bytes = Buffer.from(await res.arrayBuffer());
  const digest = res.headers.get('docker-content-digest');
  assert.equal(blobOf(bytes).digest, digest, 'the manifest bytes do not match their digest');
  const match = candidates.find((m) => m.digest === digest);
  assert.ok(match, `the tag points at ${digest}, neither the old nor the new manifest`);
  assert.ok(bytes.equals(match.bytes));
  JSON.parse(bytes.toString('utf8'));
  return match;
}

test('SIGKILL with a manifest PUT body half sent: the tag keeps its old target, the new manifest is unknown', async () => {
  const dataDir = tempDir('berth-crash-');
  let running = await boot(dataDir);
  try {
    const repository = 'library/crash-manifest-held';
    const old = await prepareImage(running.client, repository);
    await running.client.pushManifest(repository, 'latest', old);
    const next = await prepareImage(running.client, repository);
    const stream = streamingRequest(`${running.client.url}/v2/${repository}/manifests/latest`, {
      method: 'PUT',
      data: next.bytes,
      holdAt: Math.floor(next.bytes.length / 2),
      headers: { 'content-type': next.mediaType, 'content-length': String(next.bytes.length) },
    });
    await waitUntil('half the manifest is sent', async () => stream.sent() >= Math.floor(next.bytes.length / 2));
    await sleep(100);
    running = await crashAndRestart(running, dataDir);
    await stream.done;

    assert.equal((await assertTagTarget(running.client, repository, 'latest', [old, next])).digest, old.digest);
    await expectError(
      await running.client.fetch(`/v2/${repository}/manifests/${next.digest}`),
      404,
      'MANIFEST_UNKNOWN',
    );
    await running.client.pushManifest(repository, 'latest', next);
    assert.equal((await assertTagTarget(running.client, repository, 'latest', [old, next])).digest, next.digest);
  } finally {
    await running.proc.kill();
    rmSync(dataDir, { recursive: true, force: true });
  }
});

test('SIGKILL at random moments of manifest PUTs: the tag points at the old or the new manifest, never a broken one', async () => {
  const dataDir = tempDir('berth-crash-');
  let running = await boot(dataDir);
  try {
    const repository = 'library/crash-manifest-race';
    let current = await prepareImage(running.client, repository);
    await running.client.pushManifest(repository, 'latest', current);
    for (let round = 0; round < 6; round++) {
      const next = await prepareImage(running.client, repository);
      const push = running.client.putManifest(repository, 'latest', next).then(
        (res) => res.arrayBuffer(),
        (err: unknown) => err,
      );
      await sleep(round * 2);
      running = await crashAndRestart(running, dataDir);
      await push;

      const target = await assertTagTarget(running.client, repository, 'latest', [current, next]);
      // Whatever the tag says, each manifest is either wholly there (by digest) or unknown.
      for (const manifest of [current, next]) {
        const res = await running.client.fetch(`/v2/${repository}/manifests/${manifest.digest}`, {
          headers: { accept: mediaTypes.ociManifest },
        });
        if (manifest === target) assert.equal(res.status, 200);
        if (res.status === 200) assert.ok(Buffer.from(await res.arrayBuffer()).equals(manifest.bytes));
        else await expectError(res, 404, 'MANIFEST_UNKNOWN');
      }
      current = target;
    }
    const tags = await running.client.tags(repository);
    assert.deepEqual(tags.tags, ['latest']);
  } finally {
    await running.proc.kill();
    rmSync(dataDir, { recursive: true, force: true });
  }
});

test('after a crash, unrelated content pushed before it is intact', async () => {
  const dataDir = tempDir('berth-crash-');
  let running = await boot(dataDir);
  try {
    const repository = 'library/crash-bystander';
    const image = await running.client.pushImage(repository, 'v1');
    const extra = blobOf(randomBytes(3 * MiB));
    const stream = streamingRequest(`${running.client.url}/v2/${repository}/blobs/uploads/?digest=${extra.digest}`, {
      method: 'POST',
      data: extra.bytes,
      holdAt: MiB,
      headers: { 'content-length': String(extra.size) },
    });
    await waitUntil('the POST body is on its way', async () => stream.sent() >= MiB);
    running = await crashAndRestart(running, dataDir);
    await stream.done;

    assert.equal((await assertTagTarget(running.client, repository, 'v1', [image])).digest, image.digest);
    for (const blob of [image.config, ...image.layers]) await assertBlobIntact(running.client, repository, blob);
    const catalog = (await (await running.client.fetch('/v2/_catalog')).json()) as { repositories: string[] };
    assert.deepEqual(catalog.repositories, [repository]);
  } finally {
    await running.proc.kill();
    rmSync(dataDir, { recursive: true, force: true });
  }
});
