import type { Analyzer, ImageFile, Package } from '../../model.js';
import {
  analyzeEach,
  baseName,
  isPseudoFilesystem,
  isRecord,
  libraryPackage,
  packageUrl,
  parseJson,
  stringField,
} from './common.js';

// PHP packages from composer.lock: `packages` and `packages-dev` (kept: an image that ships dev
// packages ships their vulnerabilities), each with `name` ('vendor/name'), `version` (tags often
// carry a 'v', which Packagist's advisories do not) and `license` (an array of SPDX ids).

export const composerAnalyzer: Analyzer = {
  name: 'composer',
  maxFileSize: 32 * 1024 * 1024,
  wants: (path) => !isPseudoFilesystem(path) && baseName(path) === 'composer.lock',
  analyze: (files) => analyzeEach(files, 'composer.lock', (file) => ({ packages: composerPackages(file) })),
};

export function composerPackages(file: ImageFile): Package[] {
  const lock = parseJson(file.content);
  if (!isRecord(lock)) throw new Error('not a JSON object');
  const entries = [lock.packages, lock['packages-dev']].flatMap((list) => (Array.isArray(list) ? list : []));
  const packages: Package[] = [];
  for (const entry of entries) {
    if (!isRecord(entry)) continue;
    const name = stringField(entry, 'name');
    const declared = stringField(entry, 'version');
    // Branches ('dev-main', '2.x-dev') name no release to match.
    if (!name || !declared || declared.startsWith('dev-') || declared.endsWith('-dev')) continue;
    const version = declared.replace(/^v/, '');
    const licenses = Array.isArray(entry.license) ? entry.license.filter((id) => typeof id === 'string') : [];
    packages.push(
      libraryPackage('Packagist', file, { name, version, purl: packageUrl('composer', name, version), licenses }),
    );
  }
  return packages;
}
