// The build information the Go linker embeds in every binary it links (what `go version -m`
// prints), read from the binary's bytes. The layout is Go's own, as its reader documents it
// (https://github.com/golang/go/blob/master/src/debug/buildinfo/buildinfo.go):
//
//   offset 0   "\xff Go buildinf:"  14-byte magic, at the start of the .go.buildinfo section
//   offset 14  pointer size (4 or 8)
//   offset 15  flags: bit 0 big-endian; bit 1 (Go ≥ 1.18) the strings follow inline
//   offset 16  (before Go 1.18: two pointers to the version and modinfo strings; else padding)
//   offset 32  Go ≥ 1.18: the Go version, then the modinfo, each a uvarint length and its bytes
//
// The modinfo string is wrapped in 16 bytes of sentinel on each side (cmd/go's
// modload.infoStart/infoEnd); its lines are tab-separated: `path`, `mod`, `dep`, `=>`
// (a replacement of the line before it), `build`.

export const buildInfoMagic = Buffer.from('\xff Go buildinf:', 'latin1');
const headerSize = 32;
const flagsInline = 0x2;
const sentinelSize = 16;

export interface GoBuildInfo {
  /** As the binary says it, e.g. 'go1.22.5' or 'go1.21.0 X:boringcrypto'. */
  goVersion: string;
  /** The main module, from `mod` (version '(devel)' when built from a checkout). */
  main?: GoModule;
  /** Every `dep`, with its `=>` replacement applied. */
  deps: GoModule[];
}

export interface GoModule {
  path: string;
  version: string;
}

/** Why a binary's build info could not be read, as the note will say it. */
export class GoBuildInfoError extends Error {
  override name = 'GoBuildInfoError';
}

const executableMagics = [
  Buffer.from('\x7fELF', 'latin1'),
  Buffer.from([0xfe, 0xed, 0xfa, 0xce]), // Mach-O 32-bit, big-endian
  Buffer.from([0xfe, 0xed, 0xfa, 0xcf]), // Mach-O 64-bit, big-endian
  Buffer.from([0xce, 0xfa, 0xed, 0xfe]), // Mach-O 32-bit, little-endian
  Buffer.from([0xcf, 0xfa, 0xed, 0xfe]), // Mach-O 64-bit, little-endian
  Buffer.from('MZ', 'latin1'), // PE (Windows)
];

/** Whether the content starts like an ELF, Mach-O or PE executable. */
export function isExecutable(content: Buffer): boolean {
  return executableMagics.some((magic) => content.subarray(0, magic.length).equals(magic));
}

/**
 * The build info of a Go binary; undefined when the content has none (not a Go binary).
 * Throws GoBuildInfoError when it has one this reader cannot read.
 */
export function readGoBuildInfo(content: Buffer): GoBuildInfo | undefined {
  let at = content.indexOf(buildInfoMagic);
  if (at < 0) return undefined;
  let firstError: GoBuildInfoError | undefined;
  // The magic can also appear as data (a Go tool that reads build info holds it as a constant): try each.
  for (let tries = 0; at >= 0 && tries < 8; tries++) {
    try {
      return readHeaderAt(content, at);
    } catch (err) {
      if (!(err instanceof GoBuildInfoError)) throw err;
      firstError ??= err;
    }
    at = content.indexOf(buildInfoMagic, at + 1);
  }
  throw firstError!;
}

function readHeaderAt(content: Buffer, at: number): GoBuildInfo {
  if (at + headerSize > content.length) throw new GoBuildInfoError('build info header is truncated');
  const pointerSize = content[at + 14]!;
  const flags = content[at + 15]!;
  if (pointerSize !== 4 && pointerSize !== 8) throw new GoBuildInfoError(`pointer size ${pointerSize} is not 4 or 8`);
  if ((flags & flagsInline) === 0) {
    throw new GoBuildInfoError('Go binary built before Go 1.18 is not analysed (its build info is pointer-based)');
  }
  const version = readVarintBytes(content, at + headerSize);
  const modinfo = readVarintBytes(content, version.end);
  return { goVersion: version.bytes.toString('utf8'), ...parseModinfo(stripSentinels(modinfo.bytes)) };
}

function readVarintBytes(content: Buffer, offset: number): { bytes: Buffer; end: number } {
  let length = 0;
  let shift = 0;
  let at = offset;
  for (;;) {
    if (at >= content.length || shift > 28) throw new GoBuildInfoError('build info string length is corrupt');
    const byte = content[at++]!;
    length += (byte & 0x7f) * 2 ** shift;
    shift += 7;
    if ((byte & 0x80) === 0) break;
  }
  if (at + length > content.length) throw new GoBuildInfoError('build info string runs past the end of the file');
  return { bytes: content.subarray(at, at + length), end: at + length };
}

/** Go's reader: the sentinels are there when the text is long enough and ends "\n" + 16 bytes. */
function stripSentinels(bytes: Buffer): string {
  if (bytes.length < 2 * sentinelSize + 1 || bytes[bytes.length - sentinelSize - 1] !== 0x0a) return '';
  return bytes.toString('utf8', sentinelSize, bytes.length - sentinelSize);
}

/** The modinfo's lines (runtime/debug.ParseBuildInfo's format). */
export function parseModinfo(modinfo: string): Omit<GoBuildInfo, 'goVersion'> {
  const deps: GoModule[] = [];
  let main: GoModule | undefined;
  let previous: GoModule | undefined;
  for (const line of modinfo.split('\n')) {
    const [kind, path = '', version = ''] = line.split('\t');
    if (kind === 'mod') {
      main = { path, version };
      previous = main;
    } else if (kind === 'dep') {
      previous = { path, version };
      deps.push(previous);
    } else if (kind === '=>' && previous) {
      // A replacement by a local directory has no version: what is built is that directory.
      previous.path = path;
      previous.version = version;
    }
  }
  return { main, deps };
}
