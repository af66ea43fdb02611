import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { adminAuthorization } from '../helpers/berth.js';

import { httpClient, type Exchange, type HttpClient, type Reply } from './support/http.js';
import { planPush, pushImage, type PlannedPush } from './support/pushes.js';
import { cliBuilt, envIfKnown, printSummary, startReliabilityBerth, type ReliabilityBerth } from './support/server.js';

// Part 3: 200 concurrent clients for 60 s against a Berth child: manifest and blob pulls of
// pre-pushed images, small pushes, and REST API listings. No 5xx, no network error, no
// unexpected status; latency per request kind, throughput and the server's RSS.

const clients = Number(process.env.RELIABILITY_LOAD_CLIENTS ?? 200);
const seconds = Number(process.env.RELIABILITY_LOAD_SECONDS ?? 60);
const idleSeconds = Number(process.env.RELIABILITY_IDLE_SECONDS ?? 120);
const images = 8;

let berth: ReliabilityBerth;
let client: HttpClient;
let pulls: PlannedPush[] = [];
let pullToken = '';
const figures: [string, string | number][] = [];

before(async () => {
  assert.ok(cliBuilt, 'the reliability tests run the built CLI: run `npx tsc -p tsconfig.build.json` first');
  // 200 clients from one address: no per-address cap for this test.
  // The product's PostgreSQL pool, not the test suite's small one.
  berth = await startReliabilityBerth(
    envIfKnown({ 'http.maxConnectionsPerAddress': '0', 'database.maxOpenConns': '20', 'database.maxIdleConns': '10' }),
  );
  client = httpClient(berth.url, clients);
  pulls = Array.from({ length: images }, (_, i) =>
    planPush(`library/load-pull-${i}`, 'v1', { big: false, chunked: false }),
  );
  for (const push of pulls) await pushImage(client, push);
  const scope = pulls.map((p) => `scope=repository:${p.repository}:pull`).join('&');
  const token = await client.send({ method: 'GET', path: `/service/token?service=harbor-registry&${scope}` });
  assert.equal(token.status, 200, `anonymous pull token: ${token.body.toString()}`);
  pullToken = (JSON.parse(token.body.toString()) as { token: string }).token;
});

after(async () => {
  client?.close();
  printSummary('load', figures);
  await berth?.close();
});

type Kind =
  'manifest pull' | 'blob pull' | 'blob push' | 'manifest push' | 'api projects' | 'api repositories' | 'api artifacts';

interface Step {
  kind: Kind;
  exchange: Exchange;
  expect: number;
}

const pick = <T>(items: readonly T[]): T => items[Math.floor(Math.random() * items.length)]!;

/** One client's next request: mostly pulls, as a registry sees; pushes and listings besides. */
function nextSteps(): Step[] {
  const roll = Math.random();
  const image = pick(pulls);
  const bearer = { authorization: `Bearer ${pullToken}` };
  const admin = { authorization: adminAuthorization };
  if (roll < 0.35)
    return [
      {
        kind: 'manifest pull',
        expect: 200,
        exchange: {
          method: 'GET',
          path: `/v2/${image.repository}/manifests/v1`,
          headers: { ...bearer, accept: image.manifest.mediaType },
        },
      },
    ];
  if (roll < 0.65)
    return [
      {
        kind: 'blob pull',
        expect: 200,
        exchange: { method: 'GET', path: `/v2/${image.repository}/blobs/${pick(image.blobs).digest}`, headers: bearer },
      },
    ];
  if (roll < 0.75) {
    const push = planPush(
      `library/load-push-${Math.floor(Math.random() * 20)}`,
      `t${Math.floor(Math.random() * 1e9)}`,
      { big: false, chunked: false },
    );
    return [
      ...push.blobs.map((blob): Step => ({
        kind: 'blob push',
        expect: 201,
        exchange: {
          method: 'POST',
          path: `/v2/${push.repository}/blobs/uploads/?digest=${blob.digest}`,
          headers: { ...admin, 'content-type': 'application/octet-stream' },
          body: blob.bytes,
        },
      })),
      {
        kind: 'manifest push',
        expect: 201,
        exchange: {
          method: 'PUT',
          path: `/v2/${push.repository}/manifests/${push.tag}`,
          headers: { ...admin, 'content-type': push.manifest.mediaType },
          body: push.manifest.bytes,
        },
      },
    ];
  }
  if (roll < 0.83)
    return [
      {
        kind: 'api projects',
        expect: 200,
        exchange: { method: 'GET', path: '/api/v2.0/projects?page=1&page_size=10', headers: admin },
      },
    ];
  if (roll < 0.91)
    return [
      {
        kind: 'api repositories',
        expect: 200,
        exchange: { method: 'GET', path: '/api/v2.0/projects/library/repositories?page_size=20', headers: admin },
      },
    ];
  const name = image.repository.split('/')[1];
  return [
    {
      kind: 'api artifacts',
      expect: 200,
      exchange: {
        method: 'GET',
        path: `/api/v2.0/projects/library/repositories/${name}/artifacts?with_tag=true`,
        headers: admin,
      },
    },
  ];
}

interface Tally {
  latencies: Map<Kind, number[]>;
  failures: string[];
  requests: number;
}

async function runClient(deadline: number, tally: Tally): Promise<void> {
  while (Date.now() < deadline) {
    for (const step of nextSteps()) {
      let reply: Reply;
      try {
        reply = await client.send(step.exchange, 30_000);
      } catch (err) {
        tally.failures.push(`${step.kind} ${step.exchange.method} ${step.exchange.path}: ${(err as Error).message}`);
        break;
      }
      tally.requests++;
      if (reply.status !== step.expect) {
        tally.failures.push(
          `${step.kind} ${step.exchange.method} ${step.exchange.path}: ${reply.status} ${reply.body.toString().slice(0, 200)}`,
        );
        break;
      }
      const list = tally.latencies.get(step.kind) ?? [];
      list.push(reply.ms);
      tally.latencies.set(step.kind, list);
    }
  }
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
}

test(`load: ${clients} concurrent clients for ${seconds} s (pulls, pushes, API listings) without a single error`, async () => {
  const rssBefore = berth.rssMiB();
  const tally: Tally = { latencies: new Map(), failures: [], requests: 0 };
  const started = Date.now();
  await Promise.all(Array.from({ length: clients }, () => runClient(started + seconds * 1000, tally)));
  const elapsed = (Date.now() - started) / 1000;
  const rssAfter = berth.rssMiB();
  figures.push(['clients', clients], ['duration', `${elapsed.toFixed(1)} s`], ['requests', tally.requests]);
  figures.push(['requests/s', (tally.requests / elapsed).toFixed(0)], ['errors', tally.failures.length]);
  for (const [kind, list] of [...tally.latencies.entries()].sort()) {
    const sorted = list.sort((a, b) => a - b);
    figures.push([
      kind,
      `n=${sorted.length} p50 ${percentile(sorted, 50).toFixed(1)} ms, p99 ${percentile(sorted, 99).toFixed(1)} ms`,
    ]);
  }
  figures.push(['RSS before load', `${rssBefore.toFixed(0)} MiB`], ['RSS after load', `${rssAfter.toFixed(0)} MiB`]);
  assert.deepEqual(
    tally.failures.slice(0, 20),
    [],
    `${tally.failures.length} failed requests; server log:\n${berth.errorLog().slice(0, 4000)}`,
  );
  assert.ok(berth.alive());
});

test(`load: the server's memory after ${idleSeconds} s idle`, async () => {
  await sleep(idleSeconds * 1000);
  const rssIdle = berth.rssMiB();
  figures.push([`RSS after ${idleSeconds} s idle`, `${rssIdle.toFixed(0)} MiB`]);
  const res = await client.send({ method: 'GET', path: '/v2/', headers: { authorization: adminAuthorization } });
  assert.equal(res.status, 200);
});
