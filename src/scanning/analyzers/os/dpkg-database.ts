import { parseControl } from './control-format.js';

// The packages of a dpkg database file: var/lib/dpkg/status, or one of distroless's
// var/lib/dpkg/status.d/ files (the same stanzas, without a Status field: every package in
// them is installed).

export interface DpkgEntry {
  name: string;
  version: string;
  architecture: string;
  /** `Source:`'s name, when the stanza has one. */
  sourceName?: string;
  /** The version in `Source: name (version)`, when given. */
  sourceVersion?: string;
}

export interface DpkgDatabase {
  entries: DpkgEntry[];
  /** What was skipped, for the analysis's notes. */
  problems: string[];
}

/**
 * Whether dpkg counts the package as installed: the status word (the third of `Status:`) is
 * 'installed' and the error flag 'ok'. The wanted state does not matter: a package on hold
 * ('hold ok installed') or selected for removal but still there is on disk all the same;
 * 'deinstall ok config-files' or 'install ok half-installed' are not.
 */
function isInstalled(status: string | undefined, requireStatus: boolean): boolean {
  if (status === undefined) return !requireStatus;
  const [, flag, state] = status.split(/\s+/);
  return flag === 'ok' && state === 'installed';
}

/** `Source: name` or `Source: name (version)`. */
function parseSource(source: string | undefined): { name?: string; version?: string } {
  const match = source === undefined ? null : /^(\S+)(?:\s*\(\s*([^)\s]+)\s*\))?$/.exec(source);
  return match ? { name: match[1], version: match[2] } : {};
}

/** The installed packages of one database file; `requireStatus` for var/lib/dpkg/status. */
export function parseDpkgDatabase(text: string, path: string, requireStatus: boolean): DpkgDatabase {
  const { stanzas, badLines } = parseControl(text);
  const problems: string[] = [];
  if (badLines > 0) problems.push(`${path}: ${badLines} malformed line(s) skipped`);
  const entries: DpkgEntry[] = [];
  let unnamed = 0;
  for (const stanza of stanzas) {
    if (!isInstalled(stanza.get('status'), requireStatus)) continue;
    const name = stanza.get('package');
    const version = stanza.get('version');
    if (!name || !version) {
      if (name) problems.push(`${path}: package ${name} has no Version and is skipped`);
      else unnamed++;
      continue;
    }
    const source = parseSource(stanza.get('source'));
    entries.push({
      name,
      version,
      architecture: stanza.get('architecture') ?? '',
      ...(source.name !== undefined && { sourceName: source.name }),
      ...(source.version !== undefined && { sourceVersion: source.version }),
    });
  }
  if (unnamed > 0) problems.push(`${path}: ${unnamed} stanza(s) without a Package field skipped`);
  return { entries, problems };
}
