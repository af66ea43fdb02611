import { splitEvr } from './evr.js';

// RPM version ordering, as rpm's rpmvercmp() defines it, for Red Hat, Fedora, CentOS, Rocky,
// AlmaLinux, SUSE and Amazon Linux packages: [epoch:]version[-release]. Each of version and
// release compares in runs of digits (as numbers: the longer run, leading zeros dropped, is
// greater) or letters (as strings); a numeric run beats a letter run; other characters only
// separate runs; `~` sorts before anything, even the end; `^` after the end but before
// anything else.

export interface RpmVersion {
  epoch: number;
  version: string;
  release: string;
}

/** Splits [epoch:]version[-release]; undefined for an empty version or a bad epoch. */
export function parseRpm(evr: string): RpmVersion | undefined {
  const split = splitEvr(evr, { emptyEpoch: true });
  return split && { epoch: split.epoch, version: split.version, release: split.release };
}

const isDigit = (c: string) => c >= '0' && c <= '9';
const isAlpha = (c: string) => (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
const isAlnum = (c: string) => isDigit(c) || isAlpha(c);

/** rpmvercmp: compares one version or release string with another (-1, 0, 1). */
export function rpmvercmp(a: string, b: string): number {
  if (a === b) return 0;
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    while (i < a.length && !isAlnum(a[i]!) && a[i] !== '~' && a[i] !== '^') i++;
    while (j < b.length && !isAlnum(b[j]!) && b[j] !== '~' && b[j] !== '^') j++;
    const x = a.charAt(i);
    const y = b.charAt(j);
    if (x === '~' || y === '~') {
      if (x !== '~') return 1;
      if (y !== '~') return -1;
      i++;
      j++;
      continue;
    }
    if (x === '^' || y === '^') {
      if (x === '') return -1;
      if (y === '') return 1;
      if (x !== '^') return 1;
      if (y !== '^') return -1;
      i++;
      j++;
      continue;
    }
    if (x === '' || y === '') break;
    const numeric = isDigit(x);
    const inRun = numeric ? isDigit : isAlpha;
    let iEnd = i;
    let jEnd = j;
    while (iEnd < a.length && inRun(a[iEnd]!)) iEnd++;
    while (jEnd < b.length && inRun(b[jEnd]!)) jEnd++;
    // A numeric run against a letter run: the number is newer.
    if (jEnd === j) return numeric ? 1 : -1;
    let left = a.slice(i, iEnd);
    let right = b.slice(j, jEnd);
    if (numeric) {
      left = left.replace(/^0+/, '');
      right = right.replace(/^0+/, '');
      if (left.length !== right.length) return left.length > right.length ? 1 : -1;
    }
    if (left !== right) return left > right ? 1 : -1;
    i = iEnd;
    j = jEnd;
  }
  if (i >= a.length && j >= b.length) return 0;
  return i >= a.length ? -1 : 1;
}

/** Compares two [epoch:]version[-release] strings (-1, 0, 1); throws on an empty one. */
export function compareRpm(a: string, b: string): number {
  const x = parseRpm(a);
  const y = parseRpm(b);
  if (!x) throw new TypeError(`not an RPM version: "${a}"`);
  if (!y) throw new TypeError(`not an RPM version: "${b}"`);
  if (x.epoch !== y.epoch) return x.epoch > y.epoch ? 1 : -1;
  return rpmvercmp(x.version, y.version) || rpmvercmp(x.release, y.release);
}
