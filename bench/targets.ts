import type { Machine } from './machine.js';
import type { Row } from './measure.js';
import type { IdleRss } from './report.js';

// Issue 6's targets for this machine, checked against a run's rows. Reached or not,
// each says the figures it compared, so the report shows how far off a miss is.

export interface Verdict {
  target: string;
  met: boolean | undefined;
  figures: string;
}

type Find = (scenario: string, target: string) => Row | undefined;

const f = (n: number, digits = 2) => n.toFixed(digits);

export function checkTargets(rows: Row[], machine: Machine, idle: IdleRss): Verdict[] {
  const find: Find = (scenario, target) => rows.find((r) => r.scenario === scenario && r.target === target);
  const verdicts: Verdict[] = [];
  const check = (target: string, parts: (Row | undefined)[], test: (...rows: Row[]) => [boolean, string]) => {
    if (parts.some((p) => p === undefined))
      return verdicts.push({ target, met: undefined, figures: 'not measured in this run' });
    const [met, figures] = test(...(parts as Row[]));
    verdicts.push({ target, met, figures });
  };
  for (const scenario of ['manifest GET by tag', 'blob HEAD']) {
    check(
      `${scenario}: ≥ 75% of the in-memory rate, ≤ 0.2 ms CPU/req (token auth)`,
      [find(scenario, 'berth'), find(scenario, 'in-memory')],
      (b, m) => [
        b.rate >= 0.75 * m.rate && b.cpuMsPerOp <= 0.2,
        `${f(b.rate, 0)} vs ${f(m.rate, 0)} req/s (${f((100 * b.rate) / m.rate, 0)}%), ${f(b.cpuMsPerOp, 3)} ms CPU/req`,
      ],
    );
  }
  const vsRef = (scenario: string, label: string, factor: number, cpuMs: number) =>
    check(
      `${label}: ≥ ${factor}× the reference, ≤ ${cpuMs} ms CPU/op`,
      [find(scenario, 'berth'), find(scenario, 'reference')],
      (b, r) => [
        b.rate >= factor * r.rate && b.cpuMsPerOp <= cpuMs,
        `${f(b.rate, 0)} vs ${f(r.rate, 0)} op/s (${f(b.rate / r.rate)}×), ${f(b.cpuMsPerOp, 3)} ms CPU/op`,
      ],
    );
  vsRef('small blob push storm', 'small-blob push', 2.5, 1.5);
  vsRef('manifest push', 'manifest push', 2, 1);
  for (const scenario of ['blob push, monolithic', 'blob push, chunked']) {
    check(
      `${scenario}: ≥ 1.2× the reference and ≥ 80% of write+fsync`,
      [find(scenario, 'berth'), find(scenario, 'reference')],
      (b, r) => [
        b.rate >= 1.2 * r.rate && b.rate >= 0.8 * machine.writeFsyncMiBs,
        `${f(b.rate, 0)} vs ${f(r.rate, 0)} MiB/s (${f(b.rate / r.rate)}×); write+fsync ${f(machine.writeFsyncMiBs, 0)} MiB/s (${f((100 * b.rate) / machine.writeFsyncMiBs, 0)}%)`,
      ],
    );
  }
  check(
    'blob pull: ≥ the reference',
    [find('blob pull + digest check', 'berth'), find('blob pull + digest check', 'reference')],
    (b, r) => [b.rate >= r.rate, `${f(b.rate, 0)} vs ${f(r.rate, 0)} MiB/s (${f(b.rate / r.rate)}×)`],
  );
  // Idle is the settled figure; the one right after start carries the young generation grown while loading.
  verdicts.push({
    target: 'idle RSS ≤ 80 MiB',
    met: Number.isNaN(idle.settledMiB) ? undefined : idle.settledMiB <= 80,
    figures: `${f(idle.settledMiB, 1)} MiB idle (${idle.settleSeconds} s after start); ${f(idle.afterStartMiB, 1)} MiB 1 s after start`,
  });
  const list = rows.find((r) => r.scenario.startsWith('artifact list, page 1 @'));
  const full = list?.scenario.includes('@ 100k');
  verdicts.push({
    target: 'artifact list p99 < 50 ms at 100k artifacts',
    met: list && full ? list.p99Ms < 50 : undefined,
    figures: list ? `p99 ${f(list.p99Ms)} ms (${list.scenario})` : 'not measured in this run',
  });
  return [...verdicts, ...gcTargets(rows)];
}

/** Issue 13's: at 100k referenced + 100k unreferenced blobs, a run < 60 s and manifest GET p99 within 2× meanwhile. */
function gcTargets(rows: Row[]): Verdict[] {
  return (['SQLite', 'PostgreSQL'] as const).flatMap((db) => {
    const find = (prefix: string) => rows.find((r) => r.scenario.startsWith(`${prefix} (${db})`));
    const [run, without, during] = [find('GC run'), find('manifest GET without GC'), find('manifest GET during GC')];
    const full = run?.scenario.endsWith('@ 100k + 100k blobs');
    const [runTarget, getTarget] = [
      `GC run < 60 s at 100k + 100k blobs (${db})`,
      `manifest GET p99 during GC ≤ 2× without (${db})`,
    ];
    if (!run || !without || !during)
      return [runTarget, getTarget].map((target) => ({ target, met: undefined, figures: 'not measured in this run' }));
    const ratio = during.p99Ms / without.p99Ms;
    const checked = run.errors === 0 ? '' : `; ${run.errors} checks FAILED`;
    return [
      {
        target: runTarget,
        met: full ? run.seconds < 60 && run.errors === 0 : undefined,
        figures: `${f(run.seconds, 1)} s, ${run.ops} blobs swept (${run.scenario})${checked}`,
      },
      {
        target: getTarget,
        met: full ? ratio <= 2 && during.errors === 0 : undefined,
        figures: `p99 ${f(during.p99Ms)} ms during vs ${f(without.p99Ms)} ms without (${f(ratio)}×), p50 ${f(during.p50Ms)} vs ${f(without.p50Ms)} ms${during.errors ? `, ${during.errors} errors` : ''}`,
      },
    ];
  });
}
