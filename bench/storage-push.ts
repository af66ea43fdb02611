import { randomBytes, createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { loadConfig } from '../src/config/index.js';
import { startBerth, type Berth } from '../src/main.js';
import { createTestBucket, deleteTestBucket, emptyBucket, testS3Client, testS3Config } from '../test/helpers/s3.js';

// Push throughput of one large blob to Berth on the filesystem and on S3 (the test
// machine's RGW): chunked PATCHes and a monolithic POST, median of --runs, in MiB/s.
// `node --import tsx bench/storage-push.ts [--mib 256] [--chunk-mib 8] [--runs 3]`

const args = new Map(process.argv.slice(2).map((arg, i, all) => [arg, all[i + 1]]));
const MiB = 1024 * 1024;
const size = Number(args.get('--mib') ?? 256) * MiB;
const chunk = Number(args.get('--chunk-mib') ?? 8) * MiB;
const runs = Number(args.get('--runs') ?? 3);
const auth = `Basic ${Buffer.from('admin:Harbor12345').toString('base64')}`;

async function start(storage: Record<string, unknown>, dataDir: string): Promise<{ berth: Berth; url: string }> {
  const config = loadConfig({
    env: {},
    overrides: {
      logLevel: 'silent',
      adminPassword: 'Harbor12345',
      dataDir,
      externalURL: 'http://127.0.0.1:0',
      http: { port: 0, host: '127.0.0.1' },
      storage,
    },
  });
  const berth = await startBerth(config);
  return { berth, url: await berth.listen() };
}

async function request(url: string, init: RequestInit): Promise<Response> {
  const res = await fetch(url, {
    ...init,
    headers: { authorization: auth, ...(init.headers as Record<string, string>) },
  });
  await res.arrayBuffer();
  if (res.status >= 300) throw new Error(`${init.method} ${url}: ${res.status}`);
  return res;
}

async function pushChunked(base: string, repo: string, bytes: Buffer, digest: string): Promise<void> {
  let location = (await request(`${base}/v2/${repo}/blobs/uploads/`, { method: 'POST' })).headers.get('location') ?? '';
  for (let start = 0; start < bytes.length; start += chunk) {
    const end = Math.min(start + chunk, bytes.length) - 1;
    const res = await request(new URL(location, base).toString(), {
      method: 'PATCH',
      headers: { 'content-range': `${start}-${end}`, 'content-type': 'application/octet-stream' },
      body: bytes.subarray(start, end + 1),
    });
    location = res.headers.get('location') ?? '';
  }
  const url = new URL(location, base);
  url.searchParams.set('digest', digest);
  await request(url.toString(), { method: 'PUT' });
}

async function pushMonolithic(base: string, repo: string, bytes: Buffer, digest: string): Promise<void> {
  await request(`${base}/v2/${repo}/blobs/uploads/?digest=${digest}`, {
    method: 'POST',
    headers: { 'content-type': 'application/octet-stream' },
    body: bytes,
  });
}

async function measure(
  label: string,
  push: (bytes: Buffer, digest: string) => Promise<void>,
  cleanup: () => Promise<void>,
): Promise<string> {
  const rates: number[] = [];
  for (let i = 0; i < runs; i++) {
    const bytes = randomBytes(size);
    const digest = `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
    const started = performance.now();
    await push(bytes, digest);
    rates.push(size / MiB / ((performance.now() - started) / 1000));
    await cleanup();
  }
  rates.sort((a, b) => a - b);
  const line = `${label.padEnd(28)} median ${rates[Math.floor(rates.length / 2)].toFixed(1)} MiB/s  (runs: ${rates.map((r) => r.toFixed(1)).join(', ')})`;
  console.log(line);
  return line;
}

/** The test RGW keeps deleted data for 2 h in a 2 GiB in-memory OSD; free it between targets. */
async function purgeDeleted(): Promise<void> {
  const dir = process.env.BERTH_S3_DIR ?? '/tmp/berth-s3';
  spawnSync('radosgw-admin', ['-c', `${dir}/ceph.conf`, '-n', 'client.rgw.a', 'gc', 'process', '--include-all'], {
    cwd: dir,
    stdio: 'ignore',
    timeout: 120_000,
  });
}

const s3 = testS3Client();
const bucket = await createTestBucket(s3, 'berth-bench');
const dirs = [mkdtempSync(join(tmpdir(), 'berth-bench-fs-')), mkdtempSync(join(tmpdir(), 'berth-bench-s3-'))];
const targets = [
  {
    name: 'filesystem',
    storage: { type: 'filesystem' },
    dataDir: dirs[0],
    cleanup: async () => rmSync(join(dirs[0], 'storage'), { recursive: true, force: true }),
  },
  {
    name: 's3',
    storage: { type: 's3', s3: testS3Config(bucket) },
    dataDir: dirs[1],
    cleanup: async () => (await emptyBucket(s3, bucket), await purgeDeleted()),
  },
];
console.log(`push of a ${size / MiB} MiB blob; chunked = ${chunk / MiB} MiB PATCHes; ${runs} runs each`);
try {
  for (const target of targets) {
    const { berth, url } = await start(target.storage, target.dataDir);
    try {
      // Each run pushes new bytes into a cleared store (the database still records earlier blobs, under other digests).
      await measure(
        `${target.name} chunked`,
        (bytes, digest) => pushChunked(url, `library/bench-${target.name}`, bytes, digest),
        target.cleanup,
      );
      await measure(
        `${target.name} monolithic`,
        (bytes, digest) => pushMonolithic(url, `library/bench-${target.name}`, bytes, digest),
        target.cleanup,
      );
    } finally {
      await berth.close();
    }
  }
} finally {
  await deleteTestBucket(s3, bucket);
  s3.destroy();
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
}
