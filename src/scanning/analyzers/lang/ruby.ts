import type { Analyzer, ImageFile, Package } from '../../model.js';
import { analyzeEach, baseName, isPseudoFilesystem, libraryPackage, packageUrl } from './common.js';

// Ruby gems, from Bundler's Gemfile.lock (the GEM section's specs) and from installed gems'
// specifications (`…/specifications/<name>-<version>.gemspec`, the Ruby that `gem install`
// writes: `Gem::Specification.new do |s| s.name = "rake".freeze …`).

const installedSpec = /(?:^|\/)specifications\/[^/]+\.gemspec$/;

export const rubyAnalyzer: Analyzer = {
  name: 'ruby',
  maxFileSize: 8 * 1024 * 1024,
  wants: (path) => !isPseudoFilesystem(path) && (baseName(path) === 'Gemfile.lock' || installedSpec.test(path)),
  analyze: (files) =>
    analyzeEach(files, 'Ruby file', (file) => ({
      packages: baseName(file.path) === 'Gemfile.lock' ? lockfileGems(file) : installedGem(file),
    })),
};

function gem(file: ImageFile, name: string, version: string, licenses: string[] = []): Package {
  return libraryPackage('RubyGems', file, { name, version, purl: packageUrl('gem', name, version), licenses });
}

/**
 * The GEM section's `specs:` list: gems at four spaces (`    nokogiri (1.16.2-x86_64-linux)`),
 * their dependencies at six. Bundler's lockfile parser splits a version from its platform at the
 * first '-': the platform is not part of the version advisories name.
 */
export function lockfileGems(file: ImageFile): Package[] {
  const gems: Package[] = [];
  let section = '';
  for (const line of file.content.toString('utf8').split(/\r?\n/)) {
    if (/^\S/.test(line)) {
      section = line.trim();
      continue;
    }
    const spec = /^ {4}([^\s(]+) \(([^)]+)\)$/.exec(line);
    if (section !== 'GEM' || !spec) continue;
    const version = spec[2]!.split('-')[0]!;
    gems.push(gem(file, spec[1]!, version));
  }
  return gems;
}

/** An installed gemspec: `<var>.name = "x"`, `<var>.version = "1.2"`, `<var>.licenses = ["MIT"]`. */
export function installedGem(file: ImageFile): Package[] {
  const text = file.content.toString('utf8');
  const name = attribute(text, 'name');
  const version = attribute(text, 'version');
  if (!name || !version) throw new Error('no name or version in the specification');
  return [gem(file, name, version, licenses(text))];
}

function attribute(text: string, key: string): string | undefined {
  // `s.version = "1.2"` or the older `s.version = Gem::Version.new("1.2")`.
  const pattern = new RegExp(`^\\s*\\w+\\.${key}\\s*=\\s*(?:Gem::Version\\.new\\()?["']([^"']+)["']`, 'm');
  return pattern.exec(text)?.[1];
}

function licenses(text: string): string[] {
  const match = /^\s*\w+\.licenses?\s*=\s*(\[[^\]]*\]|["'][^"']*["'])/m.exec(text);
  if (!match) return [];
  return [...match[1]!.matchAll(/["']([^"']+)["']/g)].map((quoted) => quoted[1]!);
}
