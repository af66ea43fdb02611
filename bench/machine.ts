import { createHash, randomFillSync } from 'node:crypto';
import { closeSync, fsyncSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { join } from 'node:path';

// The machine a run happened on, and its physical limits measured in the same run:
// how fast node hashes (sha256 bounds every push and pull with a digest check) and
// how fast the data directory's disk takes written and fsynced bytes.

export interface Machine {
  cpuModel: string;
  cores: number;
  memoryGiB: number;
  kernel: string;
  node: string;
  loadAverage: number[];
  sha256MiBs: number;
  writeFsyncMiBs: number;
}

export function describeMachine(): Omit<Machine, 'sha256MiBs' | 'writeFsyncMiBs'> {
  const model =
    /^model name\s*:\s*(.+)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1] ?? cpus()[0]?.model ?? 'unknown';
  return {
    cpuModel: model,
    cores: cpus().length,
    memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    kernel: readFileSync('/proc/sys/kernel/osrelease', 'utf8').trim(),
    node: process.version,
    loadAverage: loadavg().map((l) => Math.round(l * 100) / 100),
  };
}

/** MiB/s of node's sha256 over `mib` MiB in 1 MiB updates. */
export function sha256Speed(mib: number): number {
  const chunk = randomFillSync(Buffer.allocUnsafe(1 << 20));
  const hash = createHash('sha256');
  const started = performance.now();
  for (let i = 0; i < mib; i++) hash.update(chunk);
  hash.digest();
  return mib / ((performance.now() - started) / 1000);
}

/** MiB/s of writing `mib` MiB in 1 MiB writes to a file in `dir`, then fsync. */
export function writeFsyncSpeed(dir: string, mib: number): number {
  const chunk = randomFillSync(Buffer.allocUnsafe(1 << 20));
  const file = join(dir, 'write-fsync.probe');
  const started = performance.now();
  const fd = openSync(file, 'w');
  for (let i = 0; i < mib; i++) writeSync(fd, chunk);
  fsyncSync(fd);
  closeSync(fd);
  const seconds = (performance.now() - started) / 1000;
  rmSync(file);
  return mib / seconds;
}

export function currentLoad(): number {
  return Math.round(loadavg()[0] * 100) / 100;
}
