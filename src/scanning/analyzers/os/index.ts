import type { Analyzer } from '../../model.js';
import { apkAnalyzer } from './apk.js';
import { dpkgAnalyzer } from './dpkg.js';
import { osReleaseAnalyzer } from './os-release.js';
import { rpmAnalyzer } from './rpm.js';

// The distribution's analyzers: os-release first (the package analyzers name their ecosystem
// and purls after it), then each package manager's database.

export function osAnalyzers(): Analyzer[] {
  return [osReleaseAnalyzer(), dpkgAnalyzer(), apkAnalyzer(), rpmAnalyzer()];
}

export { osInfoOf } from './os-release.js';
