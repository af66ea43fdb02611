import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { adminAuthorization } from '../helpers/berth.js';
import {
  configBlob,
  descriptorOf,
  encodeManifest,
  imageManifestJSON,
  indexJSON,
  mediaTypes,
  OciClient,
  randomBlob,
} from '../helpers/oci.js';
import { describeExchange, httpClient, type Exchange, type HttpClient, type Reply } from './support/http.js';
import {
  manifestPuts,
  nearlyValidManifestPuts,
  ociRequests,
  uploadRequests,
  type World,
} from './support/oci-arbitraries.js';
import { apiListings, apiWrites, tokenRequests } from './support/api-arbitraries.js';
import { cliBuilt, envIfKnown, printSummary, startReliabilityBerth, type ReliabilityBerth } from './support/server.js';
import { announceSeed } from './support/seed.js';

// Part 1: property-based fuzzing of a Berth child process over HTTP. Property: no generated
// request (anonymous, admin, or with broken credentials) gets a 5xx, and the server lives on.

const scale = Number(process.env.RELIABILITY_FUZZ_SCALE ?? 1);
const runs = (n: number) => Math.max(1, Math.round(n * scale));

let berth: ReliabilityBerth;
let client: HttpClient;
let world: World;
let requests = 0;
const statusCounts = new Map<number, number>();
const startedAt = performance.now();

/** Who sends the request: mostly anonymous or admin, sometimes broken credentials. */
const callers = fc.oneof(
  { weight: 4, arbitrary: fc.constant<Record<string, string>>({}) },
  { weight: 4, arbitrary: fc.constant({ authorization: adminAuthorization }) },
  {
    weight: 1,
    arbitrary: fc.constantFrom<Record<string, string>>(
      { authorization: 'Basic %%%%' },
      { authorization: `Basic ${Buffer.from(':x').toString('base64')}` },
      { authorization: 'Bearer garbage' },
      { authorization: 'Bearer a.b.c' },
      { authorization: 'Negotiate x' },
      { cookie: 'sid=%E0%A4%A' },
      { cookie: 'sid=; sid=x' },
    ),
  },
);

before(async () => {
  assert.ok(cliBuilt, 'the reliability tests run the built CLI: run `npx tsc -p tsconfig.build.json` first');
  announceSeed('fuzz');
  // Broken credentials must not lock the fuzzer's address out of the admin account.
  berth = await startReliabilityBerth(envIfKnown({ 'auth.maxLoginFailures': '1000000000' }));
  client = httpClient(berth.url, 8);
  world = await seedWorld(new OciClient(berth.url));
});

after(async () => {
  client?.close();
  const seconds = (performance.now() - startedAt) / 1000;
  const statuses = [...statusCounts.entries()].sort(([a], [b]) => a - b).map(([s, n]) => `${s}×${n}`);
  printSummary('fuzzing', [
    ['requests', requests],
    ['seconds', seconds.toFixed(1)],
    ['requests/s', (requests / seconds).toFixed(0)],
    ['statuses', statuses.join(' ')],
    ['server alive', String(berth?.alive())],
  ]);
  await berth?.close();
});

/** An image, a tag and an index in library/fuzz-base, for generated requests to hit. */
async function seedWorld(oci: OciClient): Promise<World> {
  const repository = 'library/fuzz-base';
  const image = await oci.pushImage(repository, 'v1', { layerCount: 1 });
  const config = configBlob();
  const layer = randomBlob(100);
  await oci.pushBlobs(repository, config, layer);
  const second = encodeManifest(
    imageManifestJSON({
      config: descriptorOf(mediaTypes.ociConfig, config),
      layers: [descriptorOf(mediaTypes.ociLayer, layer)],
    }),
  );
  await oci.pushManifest(repository, second.digest, second);
  const index = encodeManifest(
    indexJSON({ manifests: [descriptorOf(image.mediaType, image), descriptorOf(second.mediaType, second)] }),
  );
  await oci.pushManifest(repository, 'multi', index);
  return {
    repository,
    tag: 'v1',
    manifestDigest: image.digest,
    manifestSize: image.bytes.length,
    configDigest: image.config.digest,
    configSize: image.config.size,
    layerDigest: image.layers[0]!.digest,
    layerSize: image.layers[0]!.size,
    indexDigest: index.digest,
  };
}

/** Sends one exchange; `{upload}` becomes the Location of a fresh upload session, cancelled afterwards. */
async function execute(exchange: Exchange): Promise<{ sent: Exchange; reply: Reply }> {
  if (!exchange.path.startsWith('{upload}')) return { sent: exchange, reply: await counted(exchange) };
  const admin = { authorization: adminAuthorization };
  const started = await counted({ method: 'POST', path: `/v2/${world.repository}/blobs/uploads/`, headers: admin });
  assert.equal(started.status, 202, `opening an upload session: ${started.body.toString()}`);
  const location = new URL(String(started.headers.location), berth.url);
  const target = `${location.pathname}${location.search}`;
  const sent = {
    ...exchange,
    path: exchange.path.replace('{upload}', target).replace('{sep}', target.includes('?') ? '&' : '?'),
  };
  const reply = await counted(sent);
  // Sessions left open would run into the per-user cap on upload sessions.
  await counted({ method: 'DELETE', path: target, headers: admin });
  return { sent, reply };
}

async function counted(exchange: Exchange): Promise<Reply> {
  const reply = await client.send(exchange);
  requests++;
  statusCounts.set(reply.status, (statusCounts.get(reply.status) ?? 0) + 1);
  return reply;
}

/** The property: status < 500; a failure names the request, the answer and the server's error log. */
async function checkOne(exchange: Exchange, caller: Record<string, string>): Promise<void> {
  const request = { ...exchange, headers: { ...exchange.headers, ...caller } };
  const mark = berth.logLength();
  let outcome: { sent: Exchange; reply: Reply };
  try {
    outcome = await execute(request);
  } catch (err) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    throw new Error(
      `${describeExchange(request, err as Error)}\nserver alive: ${berth.alive()}\nserver log:\n${berth.errorLog(mark)}`,
      { cause: err },
    );
  }
  if (outcome.reply.status >= 500) {
    await new Promise((resolve) => setTimeout(resolve, 50));
    throw new Error(`${describeExchange(outcome.sent, outcome.reply)}\nserver log:\n${berth.errorLog(mark)}`);
  }
}

async function fuzz(name: string, requestsOf: fc.Arbitrary<Exchange>, numRuns: number): Promise<void> {
  const seed = announceSeed(`fuzz ${name}`);
  await fc.assert(fc.asyncProperty(requestsOf, callers, checkOne), {
    seed,
    numRuns,
    endOnFailure: process.env.RELIABILITY_SHRINK === '0',
  });
  const alive = await client.send({ method: 'GET', path: '/v2/' });
  assert.ok(alive.status === 200 || alive.status === 401, `GET /v2/ after ${name}: ${alive.status}`);
}

test('fuzz: any method on every /v2 route, with generated names, references, digests, ranges and media types', () =>
  fuzz('oci', ociRequests(world), runs(3000)));

test('fuzz: PATCH/PUT/GET/DELETE on live upload sessions with generated Content-Range and digests', () =>
  fuzz('uploads', uploadRequests(world), runs(1000)));

test('fuzz: manifest PUTs (invalid JSON, deep nesting, oversized, wrong media types, dangling blobs and subjects)', () =>
  fuzz('manifests', manifestPuts(world), runs(1200)));

test('fuzz: nearly valid images and indexes with generated subjects (foreign, unknown), children and annotations', () =>
  fuzz('manifests-valid', nearlyValidManifestPuts(world), runs(800)));

test('fuzz: Harbor API listings with generated page, page_size, q and sort', () =>
  fuzz('api-listings', apiListings, runs(2000)));

test('fuzz: Harbor API writes with generated JSON bodies (projects, users, robots, configurations, metadata)', () =>
  fuzz('api-writes', apiWrites, runs(1500)));

test('fuzz: token requests with generated scopes, services and accounts', () =>
  fuzz('token', tokenRequests, runs(1000)));

test('fuzz: at least 10,000 requests were sent and the server still answers', async () => {
  if (scale >= 1) assert.ok(requests >= 10_000, `only ${requests} requests were sent`);
  assert.ok(berth.alive(), 'the server process died');
  const res = await client.send({ method: 'GET', path: '/v2/', headers: { authorization: adminAuthorization } });
  assert.equal(res.status, 200);
});
