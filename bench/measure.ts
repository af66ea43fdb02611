import { loadavg } from 'node:os';
import { cpuSeconds, peakRssMiB, resetPeakRss, rssMiB, sampleRss } from './proc.js';

// One measured stretch of a scenario: operations, wall time, latencies, and what the
// server process spent meanwhile. Setup (seeding, tokens) happens outside it.

export interface Row {
  scenario: string;
  target: string;
  ops: number;
  seconds: number;
  /** Operations per second, or MiB/s for transfers. */
  rate: number;
  unit: 'op/s' | 'MiB/s';
  p50Ms: number;
  p99Ms: number;
  cpuMsPerOp: number;
  idleRssMiB: number;
  peakRssMiB: number;
  errors: number;
  /** 1-minute load average when the stretch ended: the machine is shared. */
  load: number;
  note?: string;
}

export interface Outcome {
  ops: number;
  latenciesMs: number[];
  errors?: number;
  /** Bytes moved, for transfer scenarios (the rate is then MiB/s). */
  bytes?: number;
  note?: string;
}

export async function measure(
  scenario: string,
  target: string,
  pid: number,
  run: () => Promise<Outcome>,
): Promise<Row> {
  const idle = rssMiB(pid);
  const hwmReset = resetPeakRss(pid);
  const stopSampling = sampleRss(pid);
  const cpuBefore = cpuSeconds(pid);
  const started = performance.now();
  const outcome = await run();
  const seconds = (performance.now() - started) / 1000;
  const cpu = cpuSeconds(pid) - cpuBefore;
  const sampled = stopSampling();
  const peak = hwmReset ? Math.max(peakRssMiB(pid), sampled) : sampled;
  const transfer = outcome.bytes !== undefined;
  return {
    scenario,
    target,
    ops: outcome.ops,
    seconds,
    rate: transfer ? outcome.bytes! / 1048576 / seconds : outcome.ops / seconds,
    unit: transfer ? 'MiB/s' : 'op/s',
    p50Ms: percentile(outcome.latenciesMs, 0.5),
    p99Ms: percentile(outcome.latenciesMs, 0.99),
    cpuMsPerOp: outcome.ops > 0 ? (cpu * 1000) / outcome.ops : 0,
    idleRssMiB: idle,
    peakRssMiB: peak,
    errors: outcome.errors ?? 0,
    load: Math.round(loadavg()[0] * 100) / 100,
    ...(outcome.note ? { note: outcome.note } : {}),
  };
}

export function percentile(values: number[], q: number): number {
  if (values.length === 0) return 0;
  const sorted = Float64Array.from(values).sort();
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}

/**
 * Runs `op` from `concurrency` workers until `count` operations are done, `durationMs`
 * has passed or `signal` aborts; each latency is recorded. A failed op counts as an error.
 */
export async function loop(
  options: { concurrency: number; count?: number; durationMs?: number; signal?: AbortSignal },
  op: (index: number) => Promise<void>,
): Promise<Outcome> {
  const latenciesMs: number[] = [];
  let next = 0;
  let errors = 0;
  let firstError: unknown;
  const deadline = options.durationMs === undefined ? Infinity : performance.now() + options.durationMs;
  const limit = options.count ?? Infinity;
  const worker = async () => {
    while (next < limit && performance.now() < deadline && !options.signal?.aborted) {
      const index = next++;
      const started = performance.now();
      try {
        await op(index);
        latenciesMs.push(performance.now() - started);
      } catch (err) {
        errors++;
        firstError ??= err;
      }
    }
  };
  await Promise.all(Array.from({ length: options.concurrency }, worker));
  // A benchmark of failures measures nothing: stop loudly when most operations failed.
  if (errors > 0 && errors >= latenciesMs.length) throw firstError;
  return { ops: latenciesMs.length, latenciesMs, errors };
}
