import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSHA256 } from 'hash-wasm';
import pg from 'pg';
import { Redis } from 'ioredis';
import {
  CreateBucketCommand,
  DeleteBucketCommand,
  DeleteObjectsCommand,
  ListObjectsV2Command,
  S3Client,
} from '@aws-sdk/client-s3';
import { berthCli, benchAdminPassword } from './servers/berth.js';
import { freePort, startProcess, type ServerProcess } from './servers/process.js';

// Issue 4 item 5: a chunked upload whose PATCHes land on different replicas. Berth keeps
// a session's running SHA-256 in the memory of the replica that received the last chunk;
// when a chunk or the completion lands elsewhere, that replica re-reads the session's bytes
// from the blob store and hashes them at completion. The alternative is to persist the
// hash state after every chunk (node:crypto cannot export it, so a hasher that can, such
// as hash-wasm's, for every byte of every upload).
//
// This measures both sides on this machine: (1) two Berth processes, a chunked push that
// sticks to one vs alternates between them, on SQLite + filesystem and on PostgreSQL +
// Redis + S3; (2) the hashers: node:crypto vs hash-wasm with a state save and load per chunk.
//
//   npm run build && node --import tsx bench/replica-uploads.ts [--mib 128] [--runs 3]

const argv = process.argv.slice(2);
const option = (name: string, fallback: number) => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? Number(argv[i + 1]) : fallback;
};
const MiB = 1024 * 1024;
const sizeMiB = option('mib', 128);
const runs = option('runs', 3);
const chunk = 8 * MiB;
const auth = `Basic ${Buffer.from(`admin:${benchAdminPassword}`).toString('base64')}`;
const redisUrl = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379/9';
const postgresBase = process.env.BENCH_POSTGRES_URL ?? 'postgres://root@127.0.0.1:5432/test';
const s3Endpoint = process.env.BENCH_S3_ENDPOINT ?? 'http://127.0.0.1:7480';

interface Setup {
  name: string;
  env: NodeJS.ProcessEnv;
  dataDirs: [string, string];
  cleanup(): Promise<void>;
}

async function startPair(setup: Setup): Promise<[ServerProcess, ServerProcess]> {
  const start = async (dataDir: string, name: string) => {
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    return startProcess(
      name,
      process.execPath,
      [berthCli, 'serve', '--port', String(port), '--data-dir', dataDir],
      {
        ...setup.env,
        BERTH_ADMIN_PASSWORD: benchAdminPassword,
        BERTH_EXTERNAL_URL: url,
        BERTH_LOG_LEVEL: 'warn',
        BERTH_HTTP_HOST: '127.0.0.1',
      },
      url,
    );
  };
  const a = await start(setup.dataDirs[0], 'berth-a');
  const b = await start(setup.dataDirs[1], 'berth-b');
  return [a, b];
}

async function request(url: string, init: RequestInit): Promise<Response> {
  const res = await fetch(url, {
    ...init,
    headers: { authorization: auth, ...(init.headers as Record<string, string>) },
  });
  await res.arrayBuffer();
  return res;
}

/** One chunked push; `pick(i)` chooses the replica of chunk i; the completion goes to `pick(n)`. Returns ms total and ms of the completing PUT. */
async function push(
  replicas: ServerProcess[],
  pick: (i: number) => number,
  bytes: Buffer,
  digest: string,
): Promise<{ totalMs: number; completeMs: number }> {
  const repository = `library/replicas-${randomBytes(4).toString('hex')}`;
  const started = performance.now();
  const open = await request(`${replicas[0].url}/v2/${repository}/blobs/uploads/`, { method: 'POST' });
  let location = new URL(open.headers.get('location')!, replicas[0].url);
  const chunks = Math.ceil(bytes.length / chunk);
  for (let i = 0; i < chunks; i++) {
    const part = bytes.subarray(i * chunk, Math.min((i + 1) * chunk, bytes.length));
    const target = new URL(location.pathname + location.search, replicas[pick(i)].url);
    const res = await request(target.href, {
      method: 'PATCH',
      body: part,
      headers: {
        'content-type': 'application/octet-stream',
        'content-range': `${i * chunk}-${i * chunk + part.length - 1}`,
      },
    });
    if (res.status !== 202) throw new Error(`PATCH ${i}: ${res.status}`);
    location = new URL(res.headers.get('location')!, replicas[pick(i)].url);
  }
  const completeStarted = performance.now();
  const target = new URL(location.pathname + location.search, replicas[pick(chunks)].url);
  target.searchParams.set('digest', digest);
  const done = await request(target.href, { method: 'PUT' });
  if (done.status !== 201) throw new Error(`PUT: ${done.status}`);
  const end = performance.now();
  return { totalMs: end - started, completeMs: end - completeStarted };
}

const median = (values: number[]) => [...values].sort((x, y) => x - y)[Math.floor(values.length / 2)];

async function measurePair(setup: Setup, bytes: Buffer, digest: string): Promise<void> {
  const replicas = await startPair(setup);
  try {
    await push(replicas, () => 0, bytes, digest); // warm-up
    for (const [label, pick] of [
      ['one replica', () => 0],
      ['alternating', (i: number) => i % 2],
    ] as const) {
      const results = [];
      for (let r = 0; r < runs; r++) results.push(await push(replicas, pick, bytes, digest));
      const total = median(results.map((x) => x.totalMs));
      const complete = median(results.map((x) => x.completeMs));
      console.log(
        `${setup.name.padEnd(22)} ${label.padEnd(12)} ${(sizeMiB / (total / 1000)).toFixed(0).padStart(5)} MiB/s   total ${total.toFixed(0).padStart(6)} ms   completing PUT ${complete.toFixed(0).padStart(5)} ms`,
      );
    }
  } finally {
    for (const replica of replicas) await replica.stop();
    await setup.cleanup();
  }
}

function filesystemSetup(): Setup {
  const dir = mkdtempSync(join(tmpdir(), 'berth-replicas-'));
  return {
    name: 'SQLite + filesystem',
    env: { BERTH_REDIS_URL: redisUrl, BERTH_REDIS_PREFIX: 'bench-fs' },
    dataDirs: [dir, dir],
    cleanup: async () => rmSync(dir, { recursive: true, force: true }),
  };
}

async function scaleOutSetup(): Promise<Setup> {
  const name = `berth_bench_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: postgresBase });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(postgresBase);
  url.pathname = `/${name}`;
  const s3 = new S3Client({
    endpoint: s3Endpoint,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: { accessKeyId: 'AKTEST', secretAccessKey: 'SKTEST' },
  });
  const bucket = `berth-bench-${randomBytes(4).toString('hex')}`;
  await s3.send(new CreateBucketCommand({ Bucket: bucket }));
  const dirs: [string, string] = [mkdtempSync(join(tmpdir(), 'berth-a-')), mkdtempSync(join(tmpdir(), 'berth-b-'))];
  return {
    name: 'PostgreSQL + Redis + S3',
    env: {
      BERTH_DATABASE_URL: url.toString(),
      BERTH_REDIS_URL: redisUrl,
      BERTH_REDIS_PREFIX: 'bench-s3',
      BERTH_STORAGE_TYPE: 's3',
      BERTH_STORAGE_S3_ENDPOINT: s3Endpoint,
      BERTH_STORAGE_S3_BUCKET: bucket,
      BERTH_STORAGE_S3_ACCESSKEY: 'AKTEST',
      BERTH_STORAGE_S3_SECRETKEY: 'SKTEST',
      BERTH_STORAGE_S3_FORCEPATHSTYLE: 'true',
    },
    dataDirs: dirs,
    async cleanup() {
      for (;;) {
        const page = await s3.send(new ListObjectsV2Command({ Bucket: bucket }));
        const keys = (page.Contents ?? []).map(({ Key }) => ({ Key: Key! }));
        if (keys.length === 0) break;
        await s3.send(new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: keys } }));
      }
      await s3.send(new DeleteBucketCommand({ Bucket: bucket })).catch(() => undefined);
      const client = new pg.Client({ connectionString: postgresBase });
      await client.connect();
      await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await client.end();
      for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The two hashers over the same bytes, in chunks as the PATCHes bring them. */
async function hashers(bytes: Buffer): Promise<void> {
  const time = async (work: () => Promise<unknown> | unknown) => {
    const samples = [];
    for (let r = 0; r < runs; r++) {
      const started = performance.now();
      await work();
      samples.push(performance.now() - started);
    }
    return median(samples);
  };
  const native = await time(() => createHash('sha256').update(bytes).digest('hex'));
  const wasm = await createSHA256();
  let stateBytes = 0;
  const persisted = await time(() => {
    let state: Uint8Array | undefined;
    for (let offset = 0; offset < bytes.length; offset += chunk) {
      wasm.init();
      if (state) wasm.load(state);
      wasm.update(bytes.subarray(offset, offset + chunk));
      state = wasm.save();
      stateBytes = state.length;
    }
    return wasm.digest('hex');
  });
  console.log(
    `hashing ${sizeMiB} MiB: node:crypto ${(sizeMiB / (native / 1000)).toFixed(0)} MiB/s; hash-wasm with its state saved and loaded per 8 MiB chunk ${(sizeMiB / (persisted / 1000)).toFixed(0)} MiB/s (state ${stateBytes} bytes)`,
  );
}

const bytes = randomBytes(sizeMiB * MiB);
const digest = `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
console.log(
  `${sizeMiB} MiB in 8 MiB PATCHes, median of ${runs}; load average ${(await import('node:os'))
    .loadavg()
    .map((l) => l.toFixed(1))
    .join(' ')}`,
);
await hashers(bytes);
const redis = new Redis(redisUrl);
await redis.flushdb();
redis.disconnect();
await measurePair(filesystemSetup(), bytes, digest);
await measurePair(await scaleOutSetup(), bytes, digest);
