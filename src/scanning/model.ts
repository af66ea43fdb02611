import type { Readable } from 'node:stream';

// The built-in scanner's contracts, in one file: what an image is made of (layers read from the
// blob store), what the analyzers find in it (the OS and its packages, language packages), and
// what a vulnerability database answers for them. The layer walker, the analyzers, the database,
// the SBOM writers and the scan job each implement or consume one of these.

/** One layer of an image, as its manifest names it. */
export interface ImageLayer {
  digest: string;
  mediaType: string;
  size: number;
}

/** An image to analyse: its layers in order (base first) and a way to read each one's bytes. */
export interface ImageSource {
  layers: ImageLayer[];
  /** The layer's blob as stored (compressed as its media type says). */
  open(digest: string, signal?: AbortSignal): Promise<Readable>;
}

/** One version of a file as a layer left it. */
export interface FileVersion {
  /** The digest of the layer that wrote this version. */
  layer: string;
  content: Buffer;
}

/**
 * A file of the image's final filesystem that an analyzer asked for: its content after every
 * layer was applied (whiteouts and opaque directories included), with the versions earlier
 * layers wrote when the analyzer asked for history (to find the layer that installed a package).
 */
export interface ImageFile {
  /** Relative to the image's root, without a leading '/' (e.g. 'var/lib/dpkg/status'). */
  path: string;
  /** The final version (the last layer that wrote it). */
  layer: string;
  content: Buffer;
  /** Every version, oldest first, the final one last; only when the analyzer asked for history. */
  history?: FileVersion[];
}

/** The package ecosystems the built-in scanner knows, by the names OSV gives them. */
export type Ecosystem =
  | 'Debian'
  | 'Ubuntu'
  | 'Alpine'
  | 'Red Hat'
  | 'Rocky Linux'
  | 'AlmaLinux'
  | 'SUSE'
  | 'openSUSE'
  | 'Wolfi'
  | 'Chainguard'
  | 'npm'
  | 'PyPI'
  | 'Go'
  | 'Maven'
  | 'crates.io'
  | 'RubyGems'
  | 'Packagist';

/** A package found in the image. */
export interface Package {
  /** OSV's ecosystem, without a release ('Debian', not 'Debian:12'); OsInfo says the release. */
  ecosystem: Ecosystem;
  name: string;
  version: string;
  /**
   * For OS packages, the source package advisories are filed under (dpkg `Source:`, rpm
   * SOURCERPM's name, apk `o:` origin), when it differs from the binary package's name.
   */
  sourceName?: string;
  /** The source package's version when it differs from the binary's (dpkg `Source: x (1.2-3)`). */
  sourceVersion?: string;
  /** Package URL (https://github.com/package-url/purl-spec), e.g. pkg:deb/debian/libc6@2.36-9?arch=amd64&distro=debian-12. */
  purl: string;
  /** SPDX licence identifiers or expressions as the package declares them; empty when unknown. */
  licenses: string[];
  /** The digest of the layer that installed this package (this version). */
  layer: string;
  /** The file it was found in, relative to the image's root. */
  path: string;
  /** 'os' for the distribution's packages, 'library' for language packages. */
  kind: 'os' | 'library';
}

/** The distribution, from /etc/os-release (or /usr/lib/os-release). */
export interface OsInfo {
  /** os-release ID: 'debian', 'ubuntu', 'alpine', 'rhel', 'rocky', 'almalinux', 'fedora', … */
  id: string;
  /** os-release VERSION_ID ('12', '3.20.3', '9.4'). */
  versionId: string;
  /** PRETTY_NAME, for people. */
  prettyName: string;
  /** OSV's ecosystem with its release ('Debian:12', 'Alpine:v3.20', 'Ubuntu:22.04:LTS'), when OSV covers it. */
  osvEcosystem?: string;
}

/** What analysing an image found. */
export interface Analysis {
  os?: OsInfo;
  packages: Package[];
  /**
   * What could not be analysed, for people and for the report ('rpm Berkeley DB database in
   * var/lib/rpm/Packages is not analysed'): a scan never passes such a gap off as "nothing found".
   */
  notes: string[];
}

/**
 * An analyzer: declares which files it wants (so the layer walker keeps only those, and never
 * writes a layer to disk) and turns them into packages.
 */
export interface Analyzer {
  name: string;
  /** Whether a path (relative to the root, no leading '/') is one this analyzer reads. */
  wants(path: string): boolean;
  /** Files larger than this are skipped (and a note says so). */
  maxFileSize: number;
  /** Keep every layer's version of the wanted files, to find the layer that installed each package. */
  history?: boolean;
  /** Turns the wanted files of the final filesystem into packages; `os` is known before language analyzers run. */
  analyze(files: ImageFile[], context: { os?: OsInfo }): Promise<AnalyzerResult> | AnalyzerResult;
}

export interface AnalyzerResult {
  packages: Package[];
  notes?: string[];
  /** Only the os-release analyzer sets it. */
  os?: OsInfo;
}

/** Harbor's severities, lowest first ('None' when a vulnerability has no severity known). */
export const severities = ['None', 'Unknown', 'Low', 'Medium', 'High', 'Critical'] as const;
export type Severity = (typeof severities)[number];

/** A vulnerability of a package, as the database matched it. */
export interface Finding {
  /** The advisory's id (a CVE id when the advisory is one or aliases exactly one, else the OSV id). */
  id: string;
  /** Other ids of the same vulnerability (OSV `aliases`, the OSV id when `id` is a CVE). */
  aliases: string[];
  package: Package;
  /** The lowest version that fixes it in the package's affected range; absent when no fix is known. */
  fixVersion?: string;
  severity: Severity;
  /** CVSS, when the advisory gives a vector: Harbor's preferred_cvss shape. */
  cvss?: { scoreV3?: number; vectorV3?: string; scoreV2?: number; vectorV2?: string };
  summary: string;
  description: string;
  links: string[];
  /** CWE ids ('CWE-79') when known. */
  cweIds: string[];
}

/** The state of the vulnerability database a scan ran against. */
export interface VulnDbStatus {
  /** When the database was last imported (ISO 8601), absent when never. */
  importedAt?: string;
  /** The newest `modified` time among its advisories (ISO 8601). */
  updatedAt?: string;
  advisories: number;
  /** Ecosystems it holds advisories for (OSV names, without release). */
  ecosystems: string[];
}

/** A vulnerability database the scanner matches packages against. */
export interface VulnDb {
  status(): Promise<VulnDbStatus>;
  /** The findings for the analysed packages (each package's advisories, with the ecosystem's version ordering). */
  match(analysis: Analysis): Promise<Finding[]>;
}
