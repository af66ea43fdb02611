import { loop, measure, type Row } from '../measure.js';
import { ensureImageBlobs, imageManifest, manifestType, putManifest } from '../ops.js';
import { pullScope } from '../target.js';
import type { BenchOptions, Scenario, TargetName } from '../scenario.js';
import type { Target } from '../target.js';

// The pull path's hot loops: manifest GET by tag and blob HEAD for a fixed time at
// the bench concurrency. Berth runs them with an admin token, an anonymous token on
// the public project `library`, and Basic credentials on every request.

const repo = 'library/hot';
const targets: TargetName[] = ['in-memory', 'reference', 'berth', 'berth (anonymous token)', 'berth (basic)'];
const seeded = new WeakMap<Target, Promise<{ layer: string }>>();

function seed(admin: Target): Promise<{ layer: string }> {
  let pending = seeded.get(admin);
  if (!pending) {
    pending = (async () => {
      const blobs = await ensureImageBlobs(admin, repo);
      await putManifest(admin, repo, 'latest', imageManifest(blobs, 0));
      return { layer: blobs.layer.digest };
    })();
    seeded.set(admin, pending);
  }
  return pending;
}

/**
 * Runs `request` unmeasured for a fifth of the stretch (at most 2 s), so the JIT and
 * the caches are warm for every target alike, then measures it for the whole stretch.
 */
async function hotLoop(
  title: string,
  target: Target,
  options: BenchOptions,
  request: () => Promise<void>,
): Promise<Row> {
  await loop({ concurrency: options.concurrency, durationMs: Math.min(2000, options.hotLoopMs / 5) }, request);
  return measure(title, target.name, target.server.pid, () =>
    loop({ concurrency: options.concurrency, durationMs: options.hotLoopMs }, request),
  );
}

export const hotScenarios: Scenario[] = [
  {
    id: 'manifest-get',
    title: 'manifest GET by tag',
    targets,
    async run(target, options, admin) {
      await seed(admin);
      const headers = { ...(await target.auth([pullScope(repo)])), accept: manifestType };
      return [
        await hotLoop(this.title, target, options, async () => {
          const reply = await target.client.request('GET', `/v2/${repo}/manifests/latest`, { headers });
          if (reply.status !== 200) throw new Error(`manifest GET: HTTP ${reply.status}`);
        }),
      ];
    },
  },
  {
    id: 'blob-head',
    title: 'blob HEAD',
    targets,
    async run(target, options, admin) {
      const { layer } = await seed(admin);
      const headers = await target.auth([pullScope(repo)]);
      return [
        await hotLoop(this.title, target, options, async () => {
          const reply = await target.client.request('HEAD', `/v2/${repo}/blobs/${layer}`, { headers });
          if (reply.status !== 200) throw new Error(`blob HEAD: HTTP ${reply.status}`);
        }),
      ];
    },
  },
];
