import { BerthError } from '../shared/errors.js';
import type { ByteRange } from '../storage/index.js';

/**
 * RFC 9110 §14.1.2 `Range: bytes=…` for blob GETs. Returns undefined when the header
 * is absent, names another unit or asks for several ranges (we then send the whole
 * blob, which the RFC allows); throws RANGE_INVALID when the range cannot be satisfied.
 */
export function parseByteRange(header: string | undefined, size: number): ByteRange | undefined {
  if (!header) return undefined;
  // RFC 9110 §14.2: a range unit the server does not understand is ignored.
  if (!/^bytes=/i.test(header.trim())) return undefined;
  const match = /^bytes=(\d*)-(\d*)$/i.exec(header.trim());
  if (!match) {
    if (header.includes(',')) return undefined;
    throw unsatisfiable(size, header);
  }
  const [, first, last] = match;
  if (first === '' && last === '') throw unsatisfiable(size, header);
  if (first === '') {
    const suffix = Number(last);
    if (suffix === 0 || size === 0) throw unsatisfiable(size, header);
    return { start: Math.max(0, size - suffix), end: size - 1 };
  }
  const start = Number(first);
  const end = last === '' ? size - 1 : Math.min(Number(last), size - 1);
  if (start >= size || end < start) throw unsatisfiable(size, header);
  return { start, end };
}

function unsatisfiable(size: number, header: string): BerthError {
  return new BerthError('RANGE_INVALID', `range "${header.slice(0, 100)}" not satisfiable`, {
    headers: { 'Content-Range': `bytes */${size}` },
    detail: { size },
  });
}

/**
 * `Content-Range` on a chunked upload PATCH: "<start>-<end>" (inclusive), as the
 * distribution spec writes it; "bytes " / "bytes=" prefixes and a "/total" are tolerated.
 */
export function parseContentRange(header: string | undefined): ByteRange | undefined {
  if (header === undefined) return undefined;
  const match = /^(?:bytes[ =])?(\d+)-(\d+)(?:\/(?:\d+|\*))?$/.exec(header.trim());
  if (!match) throw new BerthError('RANGE_INVALID', `malformed Content-Range "${header.slice(0, 100)}"`);
  const start = Number(match[1]);
  const end = Number(match[2]);
  if (end < start) throw new BerthError('RANGE_INVALID', `malformed Content-Range "${header.slice(0, 100)}"`);
  return { start, end };
}

/** The `Range` header of an upload session: bytes received so far, "0-<last>". */
export function uploadRangeHeader(size: number): string {
  return `0-${size > 0 ? size - 1 : 0}`;
}
