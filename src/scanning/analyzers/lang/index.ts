import type { Analyzer } from '../../model.js';
import { cargoAnalyzer } from './cargo.js';
import { composerAnalyzer } from './composer.js';
import { goAnalyzer } from './go.js';
import { javaAnalyzer } from './java.js';
import { npmAnalyzer } from './npm.js';
import { pythonAnalyzer } from './python.js';
import { rubyAnalyzer } from './ruby.js';

// The language package analyzers (kind 'library'): one per ecosystem OSV covers.

export function languageAnalyzers(): Analyzer[] {
  return [npmAnalyzer, pythonAnalyzer, goAnalyzer, javaAnalyzer, cargoAnalyzer, rubyAnalyzer, composerAnalyzer];
}
