import type { Analyzer, AnalyzerResult, ImageFile, OsInfo } from '../../model.js';
import { parseOsRelease } from './os-release-format.js';

// The distribution, from os-release(5): /etc/os-release, else /usr/lib/os-release (the file
// /etc/os-release usually links to; the layer walker gives a symlink's target only when the
// link is resolved, so both paths are asked for).

const paths = ['etc/os-release', 'usr/lib/os-release'];

/**
 * OSV's ecosystem for a release, as osv-schema's ecosystems.json names them: 'Debian:<major>',
 * 'Ubuntu:<YY.MM>' with ':LTS' for LTS releases, 'Alpine:v<major>.<minor>',
 * 'Rocky Linux:<major>', 'AlmaLinux:<major>', 'SUSE:<PRETTY_NAME>', 'openSUSE:<PRETTY_NAME>'.
 * Red Hat's streams are CPEs ('Red Hat:enterprise_linux:9::appstream') that os-release cannot
 * tell, so Red Hat gets the bare ecosystem. Undefined for a distribution OSV does not cover.
 */
export function osvEcosystemOf(id: string, variables: Map<string, string>): string | undefined {
  const versionId = variables.get('VERSION_ID') ?? '';
  const major = /^(\d+)/.exec(versionId)?.[1];
  const prettyName = variables.get('PRETTY_NAME') ?? '';
  switch (id) {
    case 'debian':
      return major && `Debian:${major}`;
    case 'ubuntu': {
      const lts = /\bLTS\b/.test(variables.get('VERSION') ?? '');
      return /^\d+\.\d+$/.test(versionId) ? `Ubuntu:${versionId}${lts ? ':LTS' : ''}` : undefined;
    }
    case 'alpine': {
      const release = /^(\d+)\.(\d+)/.exec(versionId);
      return release ? `Alpine:v${release[1]}.${release[2]}` : undefined;
    }
    case 'rhel':
      return 'Red Hat';
    case 'rocky':
      return major && `Rocky Linux:${major}`;
    case 'almalinux':
      return major && `AlmaLinux:${major}`;
    case 'wolfi':
      return 'Wolfi';
    case 'chainguard':
      return 'Chainguard';
  }
  if (id.startsWith('opensuse')) return prettyName && `openSUSE:${prettyName}`;
  if (id === 'sles' || id.startsWith('sle')) return prettyName && `SUSE:${prettyName}`;
  return undefined;
}

/** The OsInfo an os-release file describes; undefined when it has no ID. */
export function osInfoOf(text: string): OsInfo | undefined {
  const variables = parseOsRelease(text);
  const id = variables.get('ID')?.toLowerCase();
  if (!id) return undefined;
  const info: OsInfo = {
    id,
    versionId: variables.get('VERSION_ID') ?? '',
    prettyName: variables.get('PRETTY_NAME') ?? variables.get('NAME') ?? id,
  };
  const osvEcosystem = osvEcosystemOf(id, variables);
  if (osvEcosystem) info.osvEcosystem = osvEcosystem;
  return info;
}

/** Distributions OSV covers release by release; a release it cannot name is worth a note. */
const releasedEcosystems = ['debian', 'ubuntu', 'alpine', 'rocky', 'almalinux'];

function analyzeOsRelease(files: ImageFile[]): AnalyzerResult {
  const file = paths.map((path) => files.find((f) => f.path === path)).find((f) => f !== undefined);
  if (!file) return { packages: [] };
  const os = osInfoOf(file.content.toString('utf8'));
  if (!os) return { packages: [], notes: [`${file.path} has no ID: the distribution is unknown`] };
  if (os.osvEcosystem || !releasedEcosystems.includes(os.id)) return { packages: [], os };
  // Debian testing and unstable have no VERSION_ID, and OSV no release for them.
  const note = `${os.prettyName}: no OSV release for VERSION_ID '${os.versionId}'; its packages are matched to no release`;
  return { packages: [], os, notes: [note] };
}

export function osReleaseAnalyzer(): Analyzer {
  return {
    name: 'os-release',
    wants: (path) => paths.includes(path),
    maxFileSize: 64 * 1024,
    analyze: analyzeOsRelease,
  };
}
