/** A distribution package version split as dpkg and rpm split it: [epoch:]version[-release]. */
export interface Evr {
  epoch: number;
  version: string;
  /** After the last '-'; '' when there is none. */
  release: string;
  /** Whether the version had a '-' at all. */
  hasRelease: boolean;
}

/**
 * Splits at the first ':' and the last '-'. Undefined for an empty or spaced string, an empty
 * version, or an epoch that is not digits (rpm allows an empty one, dpkg does not).
 */
export function splitEvr(text: string, { emptyEpoch }: { emptyEpoch: boolean }): Evr | undefined {
  const evr = text.trim();
  if (evr === '' || /\s/.test(evr)) return undefined;
  const colon = evr.indexOf(':');
  const epochText = colon >= 0 ? evr.slice(0, colon) : '0';
  if (!(emptyEpoch ? /^\d*$/ : /^\d+$/).test(epochText)) return undefined;
  const rest = evr.slice(colon + 1);
  const hyphen = rest.lastIndexOf('-');
  const version = hyphen >= 0 ? rest.slice(0, hyphen) : rest;
  if (version === '') return undefined;
  return {
    epoch: Number(epochText || 0),
    version,
    release: hyphen >= 0 ? rest.slice(hyphen + 1) : '',
    hasRelease: hyphen >= 0,
  };
}
