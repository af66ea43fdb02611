import type { Analyzer, ImageFile, Package } from '../../model.js';
import { analyzeEach, baseName, isPseudoFilesystem, libraryPackage, packageUrl } from './common.js';
import { GoBuildInfoError, isExecutable, readGoBuildInfo, type GoModule } from './go-buildinfo.js';
import { parseGoMod } from './go-mod.js';

// Go modules, from the build info in Go binaries and from go.mod files. Matching follows OSV's Go
// ecosystem: modules by path with versions without the leading 'v', and the standard library as
// the module 'stdlib' at the Go version ('1.22.5', not 'go1.22.5').
//
// `wants` sees only a path, not the mode bits or the content, and every wanted file is held in
// memory, so it wants the places programs are installed rather than every file: everything in
// the usual bin directories (`bin/`, `sbin/`, `usr/bin/`, `usr/sbin/`, `usr/local/bin/`,
// `usr/local/sbin/`, Go's `go/bin/` and `usr/local/go/bin/`, `opt/*/bin/`); in the usual
// application folders (`app/`, `ko-app/`: ko's and many Dockerfiles' choice) and at the root
// (distroless images often COPY the binary to `/manager` or `/server`) only files without an
// extension, since Go binaries have none and those folders also hold sources and node_modules;
// and `*.exe`. The analyzer then checks the executable magic before looking for build info.

const binaryDirectories =
  /^(?:(?:usr\/(?:local\/)?)?s?bin\/|(?:usr\/local\/|root\/|home\/[^/]+\/)?go\/bin\/|opt\/[^/]+\/bin\/)/;
const applicationDirectories = /^(?:app|ko-app)\//;

export function wantsGoBinary(path: string): boolean {
  if (isPseudoFilesystem(path) || path.includes('/node_modules/')) return false;
  if (path.endsWith('.exe') || binaryDirectories.test(path)) return true;
  const extensionless = !baseName(path).includes('.');
  return extensionless && (!path.includes('/') || applicationDirectories.test(path));
}

export const goAnalyzer: Analyzer = {
  name: 'go',
  maxFileSize: 200 * 1024 * 1024,
  wants: (path) => baseName(path) === 'go.mod' || wantsGoBinary(path),
  analyze: (files) =>
    analyzeEach(files, 'Go file', (file) =>
      baseName(file.path) === 'go.mod' ? { packages: goModPackages(file) } : binaryPackages(file),
    ),
};

function goModPackages(file: ImageFile): Package[] {
  return parseGoMod(file.content.toString('utf8')).map((module) => goPackage(file, module));
}

function binaryPackages(file: ImageFile): { packages: Package[]; notes?: string[] } {
  if (!isExecutable(file.content)) return { packages: [] };
  try {
    const info = readGoBuildInfo(file.content);
    if (!info) return { packages: [] };
    const packages = info.deps.filter((dep) => dep.version !== '').map((dep) => goPackage(file, dep));
    if (info.main && isReleased(info.main.version)) packages.unshift(goPackage(file, info.main));
    const stdlib = stdlibVersion(info.goVersion);
    if (stdlib) packages.unshift(stdlibPackage(file, stdlib));
    const notes = stdlib ? [] : [`Go binary ${file.path}: Go version '${info.goVersion}' is not a release`];
    return { packages, notes };
  } catch (err) {
    if (err instanceof GoBuildInfoError) return { packages: [], notes: [`Go binary ${file.path}: ${err.message}`] };
    throw err;
  }
}

/** '(devel)' is a main module built from a checkout, with no version to match. */
function isReleased(version: string): boolean {
  return version !== '' && version !== '(devel)';
}

function goPackage(file: ImageFile, module: GoModule): Package {
  return libraryPackage('Go', file, {
    name: module.path,
    version: module.version.replace(/^v/, ''),
    purl: packageUrl('golang', module.path, module.version),
  });
}

function stdlibPackage(file: ImageFile, version: string): Package {
  return libraryPackage('Go', file, { name: 'stdlib', version, purl: packageUrl('golang', 'stdlib', version) });
}

/**
 * The Go release as OSV's Go ecosystem spells the stdlib's versions: 'go1.22.5' → '1.22.5',
 * 'go1.20' → '1.20.0', 'go1.21rc2' → '1.21.0-rc.2'; a GOEXPERIMENT suffix (' X:…') is dropped;
 * undefined for development toolchains ('devel go1.23-abc…').
 */
export function stdlibVersion(goVersion: string): string | undefined {
  const match = /^go(\d+)\.(\d+)(?:\.(\d+))?(?:(rc|beta)(\d+))?(?:\s|$)/.exec(goVersion.trim());
  if (!match) return undefined;
  const [, major, minor, patch = '0', pre, preNumber] = match;
  return `${major}.${minor}.${patch}${pre ? `-${pre}.${preNumber}` : ''}`;
}
