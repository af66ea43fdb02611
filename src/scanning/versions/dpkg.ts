import { splitEvr } from './evr.js';

// Debian (dpkg) version ordering, as dpkg's lib/dpkg/version.c defines it, for Debian and
// Ubuntu packages: [epoch:]upstream[-revision]. Epochs compare as numbers; upstream and
// revision each compare in alternating runs of non-digits (letters before other characters,
// `~` before anything, even the end) and digits (as numbers).

export interface DpkgVersion {
  epoch: number;
  upstream: string;
  revision: string;
}

/** Splits a version; undefined when it is not one dpkg accepts. */
export function parseDpkg(version: string): DpkgVersion | undefined {
  const evr = splitEvr(version, { emptyEpoch: false });
  // dpkg warns about an upstream version that does not start with a digit; it still orders it.
  if (!evr || !/^[A-Za-z0-9.+~:-]+$/.test(evr.version)) return undefined;
  if (evr.hasRelease && !/^[A-Za-z0-9.+~]+$/.test(evr.release)) return undefined;
  return { epoch: evr.epoch, upstream: evr.version, revision: evr.release };
}

const isDigit = (c: string) => c >= '0' && c <= '9';
const isLetter = (c: string) => (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');

/** The weight of one character in a non-digit run; '' is the end of the string. */
function order(c: string): number {
  if (c === '' || isDigit(c)) return 0;
  if (isLetter(c)) return c.charCodeAt(0);
  if (c === '~') return -1;
  return c.charCodeAt(0) + 256;
}

/** Compares two upstream versions or two revisions: negative, zero or positive. */
export function compareDpkgPart(a: string, b: string): number {
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    while ((i < a.length && !isDigit(a[i]!)) || (j < b.length && !isDigit(b[j]!))) {
      const diff = order(a.charAt(i)) - order(b.charAt(j));
      if (diff !== 0) return diff;
      i++;
      j++;
    }
    while (a[i] === '0') i++;
    while (b[j] === '0') j++;
    let firstDiff = 0;
    while (i < a.length && j < b.length && isDigit(a[i]!) && isDigit(b[j]!)) {
      if (firstDiff === 0) firstDiff = a.charCodeAt(i) - b.charCodeAt(j);
      i++;
      j++;
    }
    if (i < a.length && isDigit(a[i]!)) return 1;
    if (j < b.length && isDigit(b[j]!)) return -1;
    if (firstDiff !== 0) return firstDiff;
  }
  return 0;
}

/** Compares two dpkg versions (-1, 0, 1); throws on a version dpkg would refuse. */
export function compareDpkg(a: string, b: string): number {
  const x = parseDpkg(a);
  const y = parseDpkg(b);
  if (!x) throw new TypeError(`not a Debian version: "${a}"`);
  if (!y) throw new TypeError(`not a Debian version: "${b}"`);
  return Math.sign(
    x.epoch - y.epoch || compareDpkgPart(x.upstream, y.upstream) || compareDpkgPart(x.revision, y.revision),
  );
}
