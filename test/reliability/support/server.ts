import { existsSync, readFileSync, rmSync } from 'node:fs';
import { spawnBerth, tempDir, type BerthProcess } from '../../helpers/berth.js';
import { testDatabaseKind } from '../../helpers/database.js';
import { configLeaves, envName } from '../../../src/config/index.js';

// A Berth child process (the built CLI, started as the image starts it) on a data
// directory the test keeps across restarts: a crash is a dead process, and its RSS is real.

export const cliBuilt = existsSync(new URL('../../../dist/cli/index.js', import.meta.url));

export interface ReliabilityBerth {
  proc: BerthProcess;
  url: string;
  dataDir: string;
  pid: number;
  /** Kill -9 and start again on the same data directory (and database). */
  crashAndRestart(): Promise<void>;
  /** Resident set size of the server process, MiB. */
  rssMiB(): number;
  alive(): boolean;
  /** Server log lines that report a 5xx or an error, for failure messages. */
  errorLog(sinceChars?: number): string;
  logLength(): number;
  close(): Promise<void>;
}

/** Environment for config keys that exist in this version of the schema; others are left out. */
export function envIfKnown(values: Record<string, string>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(values)
      .filter(([path]) => hasConfigKey(path))
      .map(([path, value]) => [envName(path.split('.')), value]),
  );
}

export function hasConfigKey(path: string): boolean {
  return configLeaves().some((leaf) => leaf.path.join('.') === path);
}

export async function startReliabilityBerth(env: Record<string, string> = {}): Promise<ReliabilityBerth> {
  const dataDir = tempDir('berth-rel-');
  const start = () => spawnBerth(['--port', '0', '--data-dir', dataDir], env, { executable: true });
  let proc = await start();
  const berth: ReliabilityBerth = {
    get proc() {
      return proc;
    },
    get url() {
      return proc.url;
    },
    get pid() {
      return proc.child.pid ?? 0;
    },
    dataDir,
    async crashAndRestart() {
      await proc.kill();
      proc = await start();
    },
    rssMiB: () => rssMiB(proc.child.pid ?? 0),
    alive: () => proc.child.exitCode === null && proc.child.signalCode === null,
    errorLog: (since = 0) =>
      proc
        .output()
        .slice(since)
        .split('\n')
        .filter((line) => /"level":(50|60)|"status":5\d\d/.test(line))
        .join('\n'),
    logLength: () => proc.output().length,
    async close() {
      await proc.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
  return berth;
}

function rssMiB(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const match = /VmRSS:\s+(\d+) kB/.exec(status);
  return match ? Number(match[1]) / 1024 : NaN;
}

export const databaseLabel = testDatabaseKind === 'postgres' ? 'PostgreSQL' : 'SQLite';

/** Prints one summary block for a part, so the figures stand out in the runner's output. */
export function printSummary(part: string, rows: [string, string | number][]): void {
  const width = Math.max(...rows.map(([label]) => label.length));
  const lines = rows.map(([label, value]) => `  ${label.padEnd(width)}  ${value}`);
  console.log(`\n=== reliability: ${part} (${databaseLabel}) ===\n${lines.join('\n')}\n`);
}
