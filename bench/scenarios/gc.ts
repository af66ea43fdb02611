import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { expectStatus } from '../client.js';
import {
  blobsPerArtifact,
  gcRepository,
  gcSeed,
  gcTag,
  repositoryCount,
  seedGarbage,
  type GcSeed,
} from '../gc-seed.js';
import { loop, measure, percentile, type Outcome, type Row } from '../measure.js';
import { manifestType } from '../ops.js';
import type { BenchOptions, Scenario } from '../scenario.js';
import { startBerthServer } from '../servers/berth.js';
import { adminBasic, createTarget, pullScope, type Target } from '../target.js';

// Berth only (the reference registry collects offline, with the registry stopped): online
// garbage collection at scale, on SQLite and on PostgreSQL. A Berth of its own per database,
// seeded while stopped with n referenced and n unreferenced blobs (bench/gc-seed.ts); then
// manifest GETs by tag over its 10k tags without GC, then again while one collection runs
// (Harbor's API, time window 0), whose wall time from trigger to Success is a row too.
// Afterwards exactly the referenced blobs' files are left and a sample of them still answers.

const postgresBase = process.env.BENCH_POSTGRES_URL ?? 'postgres://root@127.0.0.1:5432/test';
/** A few pulling clients: the GETs measure what GC does to latency, not the server's peak rate. */
const clients = 4;
const gcTimeoutMs = 15 * 60_000;
/** BENCH_GC_DATABASES=sqlite (or postgres) runs one of the two, e.g. to profile it. */
const databases = (process.env.BENCH_GC_DATABASES ?? 'sqlite,postgres').split(',');
const log = (line: string) => process.stderr.write(`    ${line}\n`);

interface Database {
  label: 'SQLite' | 'PostgreSQL';
  env: NodeJS.ProcessEnv;
  postgresUrl?: string;
}

interface GcHistory {
  job_status: string;
  progress?: { blobs_marked: number; blobs_swept: number; manifests_deleted: number; freed_bytes: number };
}

const api = { authorization: adminBasic };
const label = (n: number, db: string) => `(${db}) @ ${n / 1000}k + ${n / 1000}k blobs`;

async function withPostgresAdmin<T>(work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: postgresBase });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** GET manifest by tag of artifact `index` spread over all of them, with that repository's token. */
function manifestGet(target: Target, seed: GcSeed, tokens: Map<string, Record<string, string>>) {
  return async (index: number) => {
    const artifact = (index * 7919) % seed.artifacts;
    const repo = gcRepository(artifact % repositoryCount);
    const headers = { ...tokens.get(repo), accept: manifestType };
    const reply = await target.client.request('GET', `/v2/${repo}/manifests/${gcTag(artifact)}`, { headers });
    if (reply.status !== 200) throw new Error(`manifest GET ${repo}:${gcTag(artifact)}: HTTP ${reply.status}`);
  };
}

/** POST a manual run (Harbor's schedule type Manual) and return its id from Location. */
async function triggerGc(target: Target): Promise<string> {
  const body = {
    schedule: { type: 'Manual' },
    parameters: { delete_untagged: false, dry_run: false, time_window: 0, workers: 3 },
  };
  const reply = await target.client.request('POST', '/api/v2.0/system/gc/schedule', {
    headers: { ...api, 'content-type': 'application/json' },
    body: Buffer.from(JSON.stringify(body)),
  });
  expectStatus(reply, 'POST /api/v2.0/system/gc/schedule', 201);
  const id = /\/system\/gc\/(\d+)$/.exec(String(reply.headers.location))?.[1];
  if (!id) throw new Error(`GC run: no id in Location ${String(reply.headers.location)}`);
  return id;
}

/** Polls the run every 200 ms until it ends; an end other than Success throws with its log. */
async function awaitGc(target: Target, id: string): Promise<GcHistory> {
  const deadline = Date.now() + gcTimeoutMs;
  for (;;) {
    const reply = await target.client.request('GET', `/api/v2.0/system/gc/${id}`, { headers: api });
    const run = JSON.parse(expectStatus(reply, `GET gc ${id}`, 200).body.toString('utf8')) as GcHistory;
    if (run.job_status === 'Success') return run;
    if (['Error', 'Stopped'].includes(run.job_status)) {
      const logReply = await target.client.request('GET', `/api/v2.0/system/gc/${id}/log`, { headers: api });
      throw new Error(`GC run ${id} ended ${run.job_status}:\n${logReply.body.toString('utf8').slice(-2000)}`);
    }
    if (Date.now() > deadline) throw new Error(`GC run ${id} still ${run.job_status} after ${gcTimeoutMs / 1000} s`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** A latency row measured alongside another stretch: its server CPU and RSS are that row's. */
function latencyRow(scenario: string, outcome: Outcome, seconds: number): Row {
  return {
    scenario,
    target: 'berth',
    ops: outcome.ops,
    seconds,
    rate: outcome.ops / seconds,
    unit: 'op/s',
    p50Ms: percentile(outcome.latenciesMs, 0.5),
    p99Ms: percentile(outcome.latenciesMs, 0.99),
    cpuMsPerOp: Number.NaN,
    idleRssMiB: Number.NaN,
    peakRssMiB: Number.NaN,
    errors: outcome.errors ?? 0,
    load: Math.round(loadavg()[0] * 100) / 100,
    note: 'server CPU and RSS: see the GC run row it ran alongside',
  };
}

/** What a collection must leave: exactly the referenced blobs, on disk and through /v2. Returns the faults. */
async function checkAfterGc(target: Target, dataDir: string, seed: GcSeed, run: GcHistory): Promise<string[]> {
  const faults: string[] = [];
  const swept = run.progress?.blobs_swept;
  if (swept !== seed.unreferenced.length) faults.push(`blobs_swept ${swept}, expected ${seed.unreferenced.length}`);
  const root = join(dataDir, 'storage', 'blobs', 'sha256');
  const files = new Set(readdirSync(root).flatMap((dir) => readdirSync(join(root, dir)).map((hex) => `sha256:${hex}`)));
  const lost = seed.referenced.filter((b) => !files.has(b.digest)).length;
  const left = seed.unreferenced.filter((b) => files.has(b.digest)).length;
  if (lost) faults.push(`${lost} referenced blob files gone`);
  if (left) faults.push(`${left} unreferenced blob files left`);
  // Every 100th blob, HEAD in the repository it is linked to: referenced ones answer, swept ones are unknown.
  const sampled = Array.from({ length: Math.ceil(seed.referenced.length / 100) }, (_, k) => k * 100);
  const checks = [
    { blobs: seed.referenced, repo: (i: number) => Math.floor(i / blobsPerArtifact), status: 200 },
    { blobs: seed.unreferenced, repo: (i: number) => i, status: 404 },
  ];
  for (const { blobs, repo, status } of checks) {
    let wrong = 0;
    await loop({ concurrency: clients, count: sampled.length }, async (k) => {
      const i = sampled[k]!;
      const name = gcRepository(repo(i) % repositoryCount);
      const reply = await target.client.request('HEAD', `/v2/${name}/blobs/${blobs[i]!.digest}`, {
        headers: await target.auth([pullScope(name)]),
      });
      if (reply.status !== status) wrong++;
    });
    if (wrong) faults.push(`${wrong} of ${sampled.length} sampled blob HEADs not ${status}`);
  }
  return faults;
}

/** Without GC for the bench's stretch, then during one collection: three rows. */
async function measureGc(target: Target, dataDir: string, seed: GcSeed, db: string, options: BenchOptions) {
  const n = seed.referenced.length;
  const tokens = new Map<string, Record<string, string>>();
  for (let r = 0; r < repositoryCount; r++)
    tokens.set(gcRepository(r), await target.auth([pullScope(gcRepository(r))]));
  const get = manifestGet(target, seed, tokens);
  const pid = target.server.pid;
  // Warm up as the hot loops do: statements prepared, JIT and page cache warm.
  await loop({ concurrency: clients, durationMs: Math.min(2000, options.hotLoopMs / 5) }, get);
  const without = await measure(`manifest GET without GC ${label(n, db)}`, 'berth', pid, () =>
    loop({ concurrency: clients, durationMs: options.hotLoopMs }, get),
  );

  const stop = new AbortController();
  let during: Row | undefined;
  let history: GcHistory | undefined;
  const run = await measure(`GC run ${label(n, db)}`, 'berth', pid, async () => {
    const started = performance.now();
    const ended = (async () => awaitGc(target, await triggerGc(target)))().finally(() => stop.abort());
    const [outcome, ran] = await Promise.all([loop({ concurrency: clients, signal: stop.signal }, get), ended]);
    history = ran;
    const wallMs = performance.now() - started;
    during = latencyRow(`manifest GET during GC ${label(n, db)}`, outcome, wallMs / 1000);
    return {
      ops: history.progress?.blobs_swept ?? 0,
      latenciesMs: [wallMs],
      note: 'ops = blobs swept; p50/p99 = the whole run, trigger to Success; CPU includes the GETs served meanwhile',
    };
  });
  const faults = await checkAfterGc(target, dataDir, seed, history!);
  for (const fault of faults) log(`GC check failed: ${fault}`);
  run.errors = faults.length;
  if (faults.length) run.note = `${run.note}; CHECK FAILED: ${faults.join('; ')}`;
  return [without, during!, run];
}

/** Starts Berth once to migrate and create admin and library, seeds it stopped, then measures. */
async function gcOn(database: Database, seed: GcSeed, options: BenchOptions): Promise<Row[]> {
  const dataDir = mkdtempSync(join(tmpdir(), 'berth-bench-gc-'));
  try {
    await (await startBerthServer(dataDir, { env: database.env })).stop();
    const seeding = performance.now();
    await seedGarbage(dataDir, seed, database.postgresUrl);
    log(
      `${database.label}: seeded ${seed.referenced.length} + ${seed.unreferenced.length} blobs and ${seed.artifacts} artifacts in ${((performance.now() - seeding) / 1000).toFixed(1)} s`,
    );
    const server = await startBerthServer(dataDir, {
      env: database.env,
      ...(options.cpuProfileDir ? { cpuProfileDir: options.cpuProfileDir } : {}),
    });
    const target = createTarget('berth', server, 'admin-token');
    try {
      const rows = await measureGc(target, dataDir, seed, database.label, options);
      for (const row of rows)
        log(
          `${row.scenario}: ${row.seconds.toFixed(1)} s, p50 ${row.p50Ms.toFixed(2)} ms, p99 ${row.p99Ms.toFixed(2)} ms`,
        );
      return rows;
    } finally {
      target.client.close();
      await server.stop();
    }
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}

/** A fresh PostgreSQL database next to the bench's base URL, dropped after `work`; no rows when PostgreSQL is down. */
async function onPostgres(work: (database: Database) => Promise<Row[]>): Promise<Row[]> {
  const name = `berth_bench_gc_${randomBytes(6).toString('hex')}`;
  try {
    await withPostgresAdmin((client) => client.query(`CREATE DATABASE ${name}`));
  } catch (err) {
    log(`PostgreSQL at ${postgresBase} is not answering (${String(err)}): its GC rows are left out`);
    return [];
  }
  const url = new URL(postgresBase);
  url.pathname = `/${name}`;
  try {
    return await work({
      label: 'PostgreSQL',
      env: { BERTH_DATABASE_URL: url.toString() },
      postgresUrl: url.toString(),
    });
  } finally {
    await withPostgresAdmin((client) => client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
  }
}

export const gcScenarios: Scenario[] = [
  {
    id: 'gc',
    title: 'garbage collection',
    targets: ['berth'],
    async run(_target, options) {
      const seed = gcSeed(options.scaleArtifacts);
      return [
        ...(databases.includes('sqlite') ? await gcOn({ label: 'SQLite', env: {} }, seed, options) : []),
        ...(databases.includes('postgres') ? await onPostgres((database) => gcOn(database, seed, options)) : []),
      ];
    },
  },
];
