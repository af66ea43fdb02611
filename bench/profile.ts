import { readFileSync } from 'node:fs';

// Summarises a V8 .cpuprofile (from `npm run bench -- --cpu-prof`): the functions and
// the source files with the most self time. Usage: node --import tsx bench/profile.ts <file> [top]

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
}

interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

const [file, topArg] = process.argv.slice(2);
if (!file) throw new Error('usage: bench/profile.ts <file.cpuprofile> [top]');
const top = Number(topArg ?? 25);
const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const selfUs = new Map<number, number>();
profile.samples.forEach((id, i) => selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));

const total = [...selfUs.values()].reduce((a, b) => a + b, 0);
const sum = (key: (n: ProfileNode) => string) => {
  const totals = new Map<string, number>();
  for (const [id, us] of selfUs) totals.set(key(byId.get(id)!), (totals.get(key(byId.get(id)!)) ?? 0) + us);
  return [...totals].sort((a, b) => b[1] - a[1]).slice(0, top);
};
const short = (url: string) =>
  url.replace(/^file:\/\/.*?\/node_modules\//, '').replace(/^file:\/\/.*?\/dist\//, 'dist/') || '(native)';
const print = (title: string, rows: [string, number][]) => {
  process.stdout.write(`\n${title}\n`);
  for (const [name, us] of rows)
    process.stdout.write(
      `${((100 * us) / total).toFixed(1).padStart(5)}%  ${(us / 1000).toFixed(0).padStart(6)} ms  ${name}\n`,
    );
};
process.stdout.write(`${(total / 1e6).toFixed(2)} s sampled\n`);
print(
  'self time by function',
  sum((n) => `${n.callFrame.functionName || '(anonymous)'} ${short(n.callFrame.url)}:${n.callFrame.lineNumber + 1}`),
);
print(
  'self time by file',
  sum((n) => short(n.callFrame.url).replace(/\/[^/]*$/, (m) => (n.callFrame.url.includes('node_modules') ? '' : m))),
);
