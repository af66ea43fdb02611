import type { Analysis, Analyzer, ImageSource, OsInfo, Package } from './model.js';
import { walkImage, type WalkOptions } from './image/index.js';

// The analysis pipeline: one walk over the image's layers for all analyzers, the os-release
// analyzer first (language analyzers and the purls of OS packages need to know the
// distribution), then every other analyzer with the OS it found.

export type AnalyzeOptions = WalkOptions;

/** The name the os-release analyzer goes by; it runs before the others. */
export const osReleaseAnalyzerName = 'os-release';

export async function analyzeImage(
  source: ImageSource,
  analyzers: Analyzer[],
  options: AnalyzeOptions = {},
): Promise<Analysis> {
  const walk = await walkImage(source, analyzers, options);
  const notes = [...walk.notes];
  const packages: Package[] = [];
  let os: OsInfo | undefined;
  for (const analyzer of osReleaseFirst(analyzers)) {
    options.signal?.throwIfAborted();
    try {
      const result = await analyzer.analyze(walk.files.get(analyzer) ?? [], { os });
      os ??= result.os;
      packages.push(...result.packages);
      notes.push(...(result.notes ?? []));
    } catch (err) {
      // One analyzer's failure is a gap the report names, not a failed scan of everything else.
      notes.push(`${analyzer.name} analyzer failed: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
  return { ...(os ? { os } : {}), packages: packages.sort(comparePackages), notes };
}

function osReleaseFirst(analyzers: Analyzer[]): Analyzer[] {
  const isOsRelease = (analyzer: Analyzer) => analyzer.name === osReleaseAnalyzerName;
  return [...analyzers.filter(isOsRelease), ...analyzers.filter((analyzer) => !isOsRelease(analyzer))];
}

// By code points, not locale: the same order on every machine. Array.prototype.sort is stable.
function comparePackages(a: Package, b: Package): number {
  return compare(a.ecosystem, b.ecosystem) || compare(a.name, b.name) || compare(a.version, b.version);
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
