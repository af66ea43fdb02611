// A text progress bar on stderr: redrawn in place on a terminal, one line per quarter otherwise (logs, CI).

export interface ProgressBar {
  update(done: number): void;
  finish(): void;
}

const width = 30;

export function progressBar(
  label: string,
  total: number,
  format: (n: number) => string = String,
  out: NodeJS.WriteStream = process.stderr,
): ProgressBar {
  let lastQuarter = -1;
  let lastDrawn = 0;
  const line = (done: number) => {
    const ratio = total === 0 ? 1 : Math.min(1, done / total);
    const filled = Math.round(ratio * width);
    return `${label} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${String(Math.floor(ratio * 100)).padStart(3)}% ${format(done)}/${format(total)}`;
  };
  const draw = (done: number, final: boolean) => {
    if (out.isTTY) {
      // Redrawing costs a write: at most ten times a second, and always the last state.
      if (!final && Date.now() - lastDrawn < 100) return;
      lastDrawn = Date.now();
      out.write(`\r${line(done)}${final ? '\n' : ''}`);
      return;
    }
    const quarter = total === 0 ? 4 : Math.floor((Math.min(done, total) / total) * 4);
    if (quarter === lastQuarter && !final) return;
    if (final && lastQuarter === 4) return;
    lastQuarter = quarter;
    out.write(`${line(done)}\n`);
  };
  let current = 0;
  draw(0, false);
  return {
    update(done) {
      current = done;
      draw(done, false);
    },
    finish() {
      draw(Math.max(current, total), true);
    },
  };
}

export function formatBytes(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${unit === 0 ? value : value.toFixed(1)} ${units[unit]}`;
}
