import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { httpClient } from './support/http.js';
import { assertNoHalfPush, assertPushReadable, planPush, pushImage, type PlannedPush } from './support/pushes.js';
import { cliBuilt, printSummary, startReliabilityBerth, type ReliabilityBerth } from './support/server.js';

// Part 2: kill -9 of a Berth child during 50 concurrent pushes (small and multi-MiB blobs,
// monolithic and chunked), restart on the same data directory and database, then check:
// every acknowledged push reads back whole, and nothing unacknowledged is half-visible.

const rounds = 3;
const concurrentPushes = 50;
/** Acknowledged pushes to wait for before the kill, per round: early, middle, late. */
const killAfter = [5, 20, 35];

let berth: ReliabilityBerth;
const acknowledged: PlannedPush[] = [];
const figures: [string, string | number][] = [];

before(async () => {
  assert.ok(cliBuilt, 'the reliability tests run the built CLI: run `npx tsc -p tsconfig.build.json` first');
  berth = await startReliabilityBerth();
});

after(async () => {
  printSummary('crash safety', figures);
  await berth?.close();
});

interface RoundOutcome {
  acknowledged: PlannedPush[];
  unacknowledged: PlannedPush[];
}

/** Starts the pushes, kills the server once `threshold` are acknowledged, and sorts them out. */
async function pushAndKill(round: number, threshold: number): Promise<RoundOutcome> {
  const client = httpClient(berth.url, concurrentPushes * 2);
  const pushes = Array.from({ length: concurrentPushes }, (_, i) =>
    planPush(`library/crash-${round}-${i % 10}`, `t${i}`, { big: i % 8 === 0, chunked: i % 2 === 1 }),
  );
  let killed = false;
  const done: PlannedPush[] = [];
  const results = pushes.map((push) =>
    pushImage(client, push).then(
      () => void done.push(push),
      (err: unknown) => {
        // Before the kill every push must succeed; after it, failing is the point.
        if (!killed) throw err;
      },
    ),
  );
  const deadline = Date.now() + 60_000;
  while (done.length < threshold && Date.now() < deadline) await sleep(5);
  assert.ok(done.length >= threshold, `only ${done.length} pushes were acknowledged in 60 s`);
  killed = true;
  await berth.crashAndRestart();
  await Promise.all(results);
  client.close();
  // A 201 that reached the client while the kill was on its way counts as acknowledged too.
  const acked = new Set(done);
  return { acknowledged: [...acked], unacknowledged: pushes.filter((push) => !acked.has(push)) };
}

test('kill -9 during 50 concurrent pushes, three rounds: acknowledged pushes are whole, the rest never half-visible', async () => {
  for (let round = 0; round < rounds; round++) {
    const started = performance.now();
    const outcome = await pushAndKill(round, killAfter[round]!);
    const client = httpClient(berth.url, 16);
    try {
      acknowledged.push(...outcome.acknowledged);
      // Everything acknowledged so far, this round and the ones before, survives.
      for (const push of acknowledged) await assertPushReadable(client, push);
      let visibleBlobs = 0;
      let visibleTags = 0;
      let blobs = 0;
      for (const push of outcome.unacknowledged) {
        const seen = await assertNoHalfPush(client, push);
        visibleBlobs += seen.blobs;
        visibleTags += seen.tagged ? 1 : 0;
        blobs += push.blobs.length;
      }
      figures.push([
        `round ${round + 1}`,
        `${outcome.acknowledged.length} acknowledged, ${outcome.unacknowledged.length} cut off ` +
          `(${visibleBlobs}/${blobs} of their blobs and ${visibleTags} tags whole and visible, none partial), ` +
          `${((performance.now() - started) / 1000).toFixed(1)} s`,
      ]);
    } finally {
      client.close();
    }
  }
  figures.push(['acknowledged pushes verified', acknowledged.length]);
});

test('after the crashes the server accepts and serves a new push', async () => {
  const client = httpClient(berth.url, 4);
  try {
    const push = planPush('library/crash-after', 'fresh', { big: false, chunked: true });
    assert.equal(await pushImage(client, push), true);
    await assertPushReadable(client, push);
  } finally {
    client.close();
  }
});
