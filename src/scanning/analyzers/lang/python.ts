import type { Analyzer, ImageFile, Package } from '../../model.js';
import { analyzeEach, isPseudoFilesystem, libraryPackage, packageUrl } from './common.js';

// Installed Python distributions: `*.dist-info/METADATA` (wheels, pip) and `*.egg-info/PKG-INFO`
// (setuptools; a bare `*.egg-info` file for distutils installs). Both are the core metadata
// format (packaging.python.org, "Core metadata specifications"): RFC 822 email headers.

const metadataFile = /(?:^|\/)[^/]+(?:\.dist-info\/METADATA|\.egg-info\/PKG-INFO|\.egg-info)$/;

export const pythonAnalyzer: Analyzer = {
  name: 'python',
  maxFileSize: 8 * 1024 * 1024,
  wants: (path) => !isPseudoFilesystem(path) && metadataFile.test(path),
  analyze: (files) => analyzeEach(files, 'Python metadata', (file) => ({ packages: distribution(file) })),
};

/** PEP 503's normalised name, the one PyPI and OSV key packages by. */
export function normalizeName(name: string): string {
  return name.toLowerCase().replace(/[-_.]+/g, '-');
}

function distribution(file: ImageFile): Package[] {
  const headers = parseHeaders(file.content.toString('utf8'));
  const name = headers.get('name')?.[0];
  const version = headers.get('version')?.[0];
  if (!name || !version) throw new Error('no Name or Version header');
  const normalized = normalizeName(name);
  return [
    libraryPackage('PyPI', file, {
      name: normalized,
      version,
      purl: packageUrl('pypi', normalized, version),
      licenses: licenses(headers),
    }),
  ];
}

/**
 * The header block (up to the first blank line; the description may follow), as lower-cased
 * field name → values. Continuation lines (starting with whitespace) extend the previous value.
 */
export function parseHeaders(text: string): Map<string, string[]> {
  const headers = new Map<string, string[]>();
  let last: { values: string[]; index: number } | undefined;
  for (const line of text.split(/\r?\n/)) {
    if (line === '') break;
    if (/^[ \t]/.test(line)) {
      if (last) last.values[last.index] += `\n${line.trim()}`;
      continue;
    }
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const key = line.slice(0, colon).trim().toLowerCase();
    const values = headers.get(key) ?? [];
    values.push(line.slice(colon + 1).trim());
    headers.set(key, values);
    last = { values, index: values.length - 1 };
  }
  return headers;
}

/**
 * License-Expression (metadata 2.4, SPDX) when present; else License when it is a short name
 * (many packages paste the whole licence text there); else the trove classifiers' last part
 * ('License :: OSI Approved :: MIT License' → 'MIT License').
 */
function licenses(headers: Map<string, string[]>): string[] {
  const expression = headers.get('license-expression')?.[0];
  if (expression) return [expression];
  const license = headers.get('license')?.[0];
  if (license && license !== 'UNKNOWN' && !license.includes('\n') && license.length <= 100) return [license];
  return (headers.get('classifier') ?? [])
    .filter((classifier) => classifier.startsWith('License ::'))
    .map((classifier) => classifier.split('::').at(-1)!.trim())
    .filter((name) => name !== '' && name !== 'OSI Approved');
}
