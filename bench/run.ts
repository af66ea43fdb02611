import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { currentLoad, describeMachine, sha256Speed, writeFsyncSpeed, type Machine } from './machine.js';
import type { Row } from './measure.js';
import { rssMiB } from './proc.js';
import { printTable, writeDoc, writeJson, type Run } from './report.js';
import type { BenchOptions, Scenario, TargetName } from './scenario.js';
import { gcScenarios } from './scenarios/gc.js';
import { hotScenarios } from './scenarios/hot.js';
import { listingScenarios } from './scenarios/listings.js';
import { pushScenarios } from './scenarios/pushes.js';
import { scaleScenarios } from './scenarios/scale.js';
import { scanScenarios } from './scenarios/scan.js';
import { tokenScenarios } from './scenarios/tokens.js';
import { transferScenarios } from './scenarios/transfer.js';
import { startBerthServer } from './servers/berth.js';
import { startInMemory } from './servers/inmemory-start.js';
import type { ServerProcess } from './servers/process.js';
import { referenceBinary, startReference } from './servers/reference.js';
import { checkTargets } from './targets.js';
import { createTarget, type Target } from './target.js';

// `npm run bench`: Berth, the reference registry and the in-memory limit side by
// side, the same client and scenarios against each; a table, JSON and the report.

const scenarios: Scenario[] = [
  ...transferScenarios,
  ...pushScenarios,
  ...listingScenarios,
  ...hotScenarios,
  ...tokenScenarios,
  ...scaleScenarios,
  ...gcScenarios,
  ...scanScenarios,
];
const usage = `npm run bench -- [--quick] [--only id,id] [--skip id,id] [--targets berth,reference,in-memory]
  [--seconds N] [--scale N] [--cpu-prof] [--doc | --no-doc]
scenarios: ${scenarios.map((s) => s.id).join(', ')}`;

const { values: flags } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    only: { type: 'string', multiple: true },
    skip: { type: 'string', multiple: true },
    targets: { type: 'string' },
    seconds: { type: 'string' },
    scale: { type: 'string' },
    'cpu-prof': { type: 'boolean', default: false },
    doc: { type: 'boolean' },
    'no-doc': { type: 'boolean', default: false },
    help: { type: 'boolean', default: false },
  },
});
if (flags.help) {
  process.stdout.write(`${usage}\n`);
  process.exit(0);
}

const list = (values: string[] | undefined) => values?.flatMap((v) => v.split(',')).filter(Boolean);
const only = list(flags.only);
const skip = list(flags.skip) ?? [];
for (const id of [...(only ?? []), ...skip]) {
  if (!scenarios.some((s) => s.id === id)) throw new Error(`unknown scenario "${id}"\n${usage}`);
}
const selected = scenarios.filter((s) => (only ? only.includes(s.id) : true) && !skip.includes(s.id));
const quick = flags.quick;
const options: BenchOptions = {
  quick,
  concurrency: 32,
  hotLoopMs: Number(flags.seconds ?? (quick ? 3 : 10)) * 1000,
  bigBytes: (quick ? 64 : 256) * 1048576,
  chunkBytes: 8 * 1048576,
  stormCount: quick ? 500 : 2000,
  manifestCount: 500,
  catalogRepos: quick ? 50 : 200,
  scaleArtifacts: Number(flags.scale ?? (quick ? 5000 : 100_000)),
  ...(flags['cpu-prof'] ? { cpuProfileDir: fileURLToPath(new URL('results/profiles', import.meta.url)) } : {}),
};
const wantedServers = new Set((flags.targets ?? 'in-memory,reference,berth').split(','));
const root = fileURLToPath(new URL('..', import.meta.url));
const resultsDir = join(root, 'bench', 'results');
const log = (line: string) => process.stderr.write(`${line}\n`);
/**
 * How long Berth idles after its start before its settled RSS is read. V8's memory
 * reducer shrinks an idle heap in steps that end 24-30 s after start (RSS sampled every
 * 2 s, docs/performance.md); at 20 s a run read either side of the last step.
 */
const settleMs = 45_000;

async function main(): Promise<void> {
  const startedAt = new Date().toISOString();
  const work = mkdtempSync(join(tmpdir(), 'berth-bench-'));
  mkdirSync(resultsDir, { recursive: true });
  const servers: ServerProcess[] = [];
  try {
    log(`machine limits: sha256 and write+fsync in ${work} …`);
    const machine: Machine = {
      ...describeMachine(),
      sha256MiBs: sha256Speed(quick ? 128 : 512),
      writeFsyncMiBs: writeFsyncSpeed(work, quick ? 128 : 512),
    };
    log(
      `  sha256 ${machine.sha256MiBs.toFixed(0)} MiB/s, write+fsync ${machine.writeFsyncMiBs.toFixed(0)} MiB/s, load ${currentLoad()}`,
    );

    const targets = new Map<TargetName, Target>();
    if (wantedServers.has('in-memory')) servers.push(await startInMemory());
    if (wantedServers.has('reference')) {
      if (existsSync(referenceBinary)) servers.push(await startReference(mkdirIn(work, 'reference')));
      else log(`${referenceBinary} is missing (apt-get install docker-registry): the reference is left out`);
    }
    let berthIdleRssMiB = Number.NaN;
    let berthSettledRssMiB = Number.NaN;
    if (wantedServers.has('berth')) {
      const profiles = join(resultsDir, 'profiles');
      const berth = await startBerthServer(
        mkdirIn(work, 'berth'),
        flags['cpu-prof'] ? { cpuProfileDir: profiles } : {},
      );
      servers.push(berth);
      await new Promise((r) => setTimeout(r, 1000));
      berthIdleRssMiB = rssMiB(berth.pid);
      // V8 gives back the young generation it grew while loading the modules once the
      // process has been idle for some seconds (its memory reducer): both figures count.
      await new Promise((r) => setTimeout(r, settleMs));
      berthSettledRssMiB = rssMiB(berth.pid);
      log(
        `berth idle RSS ${berthIdleRssMiB.toFixed(1)} MiB after start, ${berthSettledRssMiB.toFixed(1)} MiB ${settleMs / 1000} s later`,
      );
    }
    for (const server of servers) {
      if (server.name === 'berth') {
        targets.set('berth', createTarget('berth', server, 'admin-token'));
        targets.set('berth (anonymous token)', createTarget('berth (anonymous token)', server, 'anonymous-token'));
        targets.set('berth (basic)', createTarget('berth (basic)', server, 'admin-basic'));
      } else {
        targets.set(server.name as TargetName, createTarget(server.name, server, 'none'));
      }
    }

    const rows: Row[] = [];
    for (const [index, scenario] of selected.entries()) {
      for (const name of scenario.targets) {
        const target = targets.get(name);
        if (!target) continue;
        const admin = name.startsWith('berth') ? targets.get('berth')! : target;
        log(`[${index + 1}/${selected.length}] ${scenario.title} · ${name} (load ${currentLoad()})`);
        for (const row of await scenario.run(target, options, admin)) {
          rows.push(row);
          log(
            `    ${row.scenario}: ${row.rate.toFixed(1)} ${row.unit}, p99 ${row.p99Ms.toFixed(2)} ms, ${Number.isFinite(row.cpuMsPerOp) ? `${row.cpuMsPerOp.toFixed(3)} ms CPU/op` : 'CPU not measured'}${row.errors ? `, ${row.errors} errors` : ''}`,
          );
        }
      }
    }
    for (const target of targets.values()) target.client.close();

    const idle = { afterStartMiB: berthIdleRssMiB, settledMiB: berthSettledRssMiB, settleSeconds: settleMs / 1000 };
    const run: Run = {
      startedAt,
      flags: process.argv.slice(2),
      machine,
      berthIdleRssMiB,
      berthIdle: idle,
      rows,
      verdicts: checkTargets(rows, machine, idle),
    };
    printTable(rows);
    for (const v of run.verdicts)
      process.stdout.write(`${v.met === undefined ? 'n/a' : v.met ? 'met' : 'MISSED'}  ${v.target}: ${v.figures}\n`);
    const stamp = startedAt.replace(/[:.]/g, '-');
    writeJson(join(resultsDir, `${stamp}.json`), run);
    writeJson(join(resultsDir, 'latest.json'), run);
    const full = !quick && !only && skip.length === 0 && !flags.targets && !flags.seconds && !flags.scale;
    if (!flags['no-doc'] && (flags.doc || full)) {
      writeDoc(join(root, 'docs', 'performance.md'), run);
      log('wrote docs/performance.md');
    }
    log(`wrote bench/results/${stamp}.json`);
  } finally {
    for (const server of servers) await server.stop();
    rmSync(work, { recursive: true, force: true });
    if (flags['cpu-prof']) log(`CPU profiles of the Berth child: ${join(resultsDir, 'profiles')}`);
  }
}

function mkdirIn(parent: string, name: string): string {
  const dir = join(parent, name);
  mkdirSync(dir, { recursive: true });
  return dir;
}

main().catch((err: unknown) => {
  process.stderr.write(`bench: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
