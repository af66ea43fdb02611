import { randomFillSync } from 'node:crypto';
import { measure, type Outcome } from '../measure.js';
import { ensureBlob, pushBlob, pushBlobChunked, sha256 } from '../ops.js';
import { sideBySide, type BenchOptions, type Scenario } from '../scenario.js';
import { pullScope, type Target } from '../target.js';

// Big blobs: 256 MiB pushes (monolithic PUT, then 8 MiB PATCH chunks) and a pull whose
// bytes the client hashes against the digest, each repeated `repetitions` times.

const repo = 'library/big';
const repetitions = 3;
let buffer: Buffer | undefined;

/** One random buffer per run; the first 8 bytes make each (variant, repetition) a new blob. */
function variants(
  options: BenchOptions,
  variant: number,
): { data: Buffer; digests: string[]; select(i: number): void } {
  buffer ??= randomFillSync(Buffer.allocUnsafe(options.bigBytes));
  const data = buffer;
  const select = (i: number) => {
    data.writeUInt32BE(variant, 0);
    data.writeUInt32BE(i, 4);
  };
  const digests = Array.from({ length: repetitions }, (_, i) => {
    select(i);
    return sha256(data);
  });
  return { data, digests, select };
}

async function repeat(times: number, bytes: number, run: (i: number) => Promise<void>): Promise<Outcome> {
  const latenciesMs: number[] = [];
  for (let i = 0; i < times; i++) {
    const started = performance.now();
    await run(i);
    latenciesMs.push(performance.now() - started);
  }
  return { ops: times, latenciesMs, bytes: bytes * times };
}

function pushScenario(
  id: string,
  title: string,
  variant: number,
  push: (t: Target, data: Buffer, digest: string, o: BenchOptions) => Promise<void>,
): Scenario {
  return {
    id,
    title,
    targets: sideBySide,
    async run(target, options) {
      const { data, digests, select } = variants(options, variant);
      const row = await measure(title, target.name, target.server.pid, () =>
        repeat(repetitions, data.length, (i) => {
          select(i);
          return push(target, data, digests[i], options);
        }),
      );
      return [row];
    },
  };
}

export const transferScenarios: Scenario[] = [
  pushScenario('blob-push', 'blob push, monolithic', 1, (t, data, digest) => pushBlob(t, repo, data, digest)),
  pushScenario('blob-push-chunked', 'blob push, chunked', 2, (t, data, digest, o) =>
    pushBlobChunked(t, repo, data, o.chunkBytes, digest),
  ),
  {
    id: 'blob-pull',
    title: 'blob pull + digest check',
    targets: sideBySide,
    async run(target, options) {
      const { data, digests, select } = variants(options, 3);
      select(0);
      await ensureBlob(target, repo, data, digests[0]);
      const headers = await target.auth([pullScope(repo)]);
      const pull = async () => {
        const reply = await target.client.request('GET', `/v2/${repo}/blobs/${digests[0]}`, { headers, hash: true });
        if (reply.status !== 200 || reply.digest !== digests[0])
          throw new Error(`pull: HTTP ${reply.status}, digest ${reply.digest}`);
      };
      return [await measure(this.title, target.name, target.server.pid, () => repeat(repetitions, data.length, pull))];
    },
  },
];
