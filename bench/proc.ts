import { readFileSync, writeFileSync } from 'node:fs';

// What the kernel says a server process spent: CPU from /proc/<pid>/stat (utime +
// stime, all threads), memory from /proc/<pid>/status (VmRSS now, VmHWM peak).

const clockTicks = 100; // sysconf(_SC_CLK_TCK), 100 on every Linux this runs on

/** User + system CPU seconds of the process, all threads included. */
export function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name, which is in parentheses and may contain spaces.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / clockTicks;
}

function statusKiB(pid: number, key: string): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const match = new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(status);
  return match ? Number(match[1]) : 0;
}

export const rssMiB = (pid: number): number => statusKiB(pid, 'VmRSS') / 1024;
export const peakRssMiB = (pid: number): number => statusKiB(pid, 'VmHWM') / 1024;

/** Resets VmHWM to the current RSS (Linux ≥ 4.0), so the next peak is this scenario's. */
export function resetPeakRss(pid: number): boolean {
  try {
    writeFileSync(`/proc/${pid}/clear_refs`, '5');
    return true;
  } catch {
    return false;
  }
}

/** Samples RSS while a scenario runs: a fallback peak when clear_refs is refused. */
export function sampleRss(pid: number, everyMs = 50): () => number {
  let peak = rssMiB(pid);
  const timer = setInterval(() => {
    try {
      peak = Math.max(peak, rssMiB(pid));
    } catch {
      // The process ended; the last sample stands.
    }
  }, everyMs);
  return () => {
    clearInterval(timer);
    return peak;
  };
}
