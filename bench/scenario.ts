import type { Row } from './measure.js';
import type { Target } from './target.js';

// A scenario: what it measures, which targets it runs against, and its run, which
// seeds what it needs outside the measured stretch and returns one row per measure.

export interface BenchOptions {
  quick: boolean;
  concurrency: number;
  hotLoopMs: number;
  bigBytes: number;
  chunkBytes: number;
  stormCount: number;
  manifestCount: number;
  catalogRepos: number;
  scaleArtifacts: number;
  /** Where Berth children started by a scenario write their CPU profiles (`--cpu-prof`). */
  cpuProfileDir?: string;
}

export type TargetName = 'in-memory' | 'reference' | 'berth' | 'berth (anonymous token)' | 'berth (basic)';

export interface Scenario {
  id: string;
  title: string;
  targets: TargetName[];
  /** `admin` is a target on the same server allowed to push, for seeding. */
  run(target: Target, options: BenchOptions, admin: Target): Promise<Row[]>;
}

export const sideBySide: TargetName[] = ['in-memory', 'reference', 'berth'];
export const berthOnly: TargetName[] = ['berth'];
