// An rpm header as the rpm database stores it (rpm's lib/header.c, headerImport of a blob
// without the magic): il and dl as big-endian int32, then il index entries of 16 bytes (tag,
// type, offset into the data store, count), then dl bytes of data. Only the tags a package's
// identity needs are read (tag numbers from rpm's rpmtag.h / doc/manual/tags.md).

export const rpmTags = {
  name: 1000,
  version: 1001,
  release: 1002,
  epoch: 1003,
  license: 1014,
  arch: 1022,
  sourceRpm: 1044,
} as const;

const types = { int32: 4, string: 6, stringArray: 8, i18nString: 9 } as const;

// rpm's own limits for a header (hdrchkTags / hdrchkData in lib/header.c).
const maxEntries = 0xffff;
const maxData = 256 * 1024 * 1024;

/** A header blob rpm itself would refuse to read. */
export class RpmHeaderError extends Error {
  override name = 'RpmHeaderError';
}

interface IndexEntry {
  type: number;
  offset: number;
  count: number;
}

export interface RpmHeader {
  /** The first string of a string tag (STRING, STRING_ARRAY or I18NSTRING); undefined when absent. */
  string(tag: number): string | undefined;
  /** The first value of an INT32 tag; undefined when absent. */
  int32(tag: number): number | undefined;
}

/** Reads a header blob's index; throws RpmHeaderError when it is truncated or inconsistent. */
export function parseRpmHeader(blob: Buffer): RpmHeader {
  if (blob.length < 8) throw new RpmHeaderError(`header of ${blob.length} bytes is shorter than its 8-byte preamble`);
  const il = blob.readUInt32BE(0);
  const dl = blob.readUInt32BE(4);
  if (il < 1 || il > maxEntries) throw new RpmHeaderError(`header claims ${il} index entries`);
  if (dl > maxData) throw new RpmHeaderError(`header claims ${dl} bytes of data`);
  const dataStart = 8 + il * 16;
  if (dataStart + dl !== blob.length) {
    throw new RpmHeaderError(`header of ${blob.length} bytes does not hold its ${il} entries and ${dl} bytes of data`);
  }
  const data = blob.subarray(dataStart, dataStart + dl);
  const index = new Map<number, IndexEntry>();
  for (let i = 0; i < il; i++) {
    const at = 8 + i * 16;
    const tag = blob.readUInt32BE(at);
    const entry = {
      type: blob.readUInt32BE(at + 4),
      offset: blob.readUInt32BE(at + 8),
      count: blob.readUInt32BE(at + 12),
    };
    if (entry.offset >= dl && entry.count > 0 && entry.type !== 0) {
      throw new RpmHeaderError(`tag ${tag}'s data at ${entry.offset} is past the ${dl}-byte data store`);
    }
    if (!index.has(tag)) index.set(tag, entry);
  }
  return {
    string: (tag) => readString(data, index.get(tag), tag),
    int32: (tag) => readInt32(data, index.get(tag), tag),
  };
}

function readString(data: Buffer, entry: IndexEntry | undefined, tag: number): string | undefined {
  if (!entry) return undefined;
  if (entry.type !== types.string && entry.type !== types.stringArray && entry.type !== types.i18nString) {
    throw new RpmHeaderError(`tag ${tag} has type ${entry.type}, not a string`);
  }
  if (entry.count < 1) return undefined;
  const end = data.indexOf(0, entry.offset);
  if (end < 0) throw new RpmHeaderError(`tag ${tag}'s string runs past the data store`);
  return data.toString('utf8', entry.offset, end);
}

function readInt32(data: Buffer, entry: IndexEntry | undefined, tag: number): number | undefined {
  if (!entry) return undefined;
  if (entry.type !== types.int32) throw new RpmHeaderError(`tag ${tag} has type ${entry.type}, not INT32`);
  if (entry.count < 1) return undefined;
  if (entry.offset + 4 > data.length) throw new RpmHeaderError(`tag ${tag}'s value runs past the data store`);
  return data.readInt32BE(entry.offset);
}
