// Packagist (Composer) versions, ordered as Composer orders them: each version is normalised by
// composer/semver's VersionParser::normalize ('v1.2' -> '1.2.0.0', '1.0.0RC1dev' ->
// '1.0.0.0-RC1-dev', '10.4.13-b5' -> '10.4.13.0-beta5', dates '2010-01-02' -> '2010.01.02'),
// then compared by PHP's version_compare(): dev < alpha = a < beta = b < RC = rc < a number
// < patch = pl = p, a word no stability names sorts below all of them. Branches ('dev-main')
// sort below every release and are not ordered among themselves (Composer's Constraint).

/**
 * Composer's modifier: a stability with its number, then an optional '-dev'. Composer's number,
 * `(?:[.-]?\d+)*+`, is possessive; JavaScript has no such thing, so it is written unambiguously
 * (digits, then separated digits) lest a long run of digits backtrack exponentially.
 */
const modifier = String.raw`[._-]?(?:(stable|beta|b|RC|alpha|a|patch|pl|p)((?:[.-]?\d+(?:[.-]\d+)*)?))?([.-]?dev)?`;
const classical = new RegExp(String.raw`^v?(\d{1,5})(\.\d+)?(\.\d+)?(\.\d+)?${modifier}$`, 'i');
const dated = new RegExp(String.raw`^v?(\d{4}(?:[.:-]?\d{2}){1,6}(?:[.:-]?\d{1,3}){0,2})${modifier}$`, 'i');
const numberedBranch = /^v?(\d+)(\.(?:\d+|[xX*]))?(\.(?:\d+|[xX*]))?(\.(?:\d+|[xX*]))?$/;

function expandStability(stability: string): string {
  const lower = stability.toLowerCase();
  if (lower === 'a') return 'alpha';
  if (lower === 'b') return 'beta';
  if (lower === 'p' || lower === 'pl') return 'patch';
  if (lower === 'rc') return 'RC';
  return lower;
}

/** The release part with its stability suffix, as VersionParser appends them. */
function withModifiers(release: string, stability?: string, number?: string, dev?: string): string {
  let version = release;
  if (stability) {
    if (stability.toLowerCase() === 'stable') return version;
    version += `-${expandStability(stability)}${number ? number.replace(/^[.-]+/, '') : ''}`;
  }
  return dev ? `${version}-dev` : version;
}

/** VersionParser::normalizeBranch: '1.x' -> '1.9999999.9999999.9999999-dev', 'main' -> 'dev-main'. */
export function normalizeComposerBranch(name: string): string {
  const match = numberedBranch.exec(name.trim());
  if (!match) return `dev-${name.trim()}`;
  const parts = [1, 2, 3, 4].map((i) => (match[i] ?? '.x').replace(/[*X]/g, 'x'));
  return `${parts.join('').replaceAll('x', '9999999')}-dev`;
}

/** VersionParser::normalize (composer/semver 3); throws on what Composer calls an invalid version. */
export function normalizeComposer(input: string): string {
  let version = input.trim();
  const alias = /^([^,\s]+) +as +([^,\s]+)$/.exec(version);
  if (alias) version = alias[1]!;
  version = version.replace(/@(?:stable|RC|beta|alpha|dev)$/i, '');
  if (['master', 'trunk', 'default'].includes(version)) version = `dev-${version}`;
  if (version.toLowerCase().startsWith('dev-')) return `dev-${version.slice(4)}`;
  const metadata = /^([^,\s+]+)\+\S+$/.exec(version);
  if (metadata) version = metadata[1]!;
  const c = classical.exec(version);
  if (c) return withModifiers(`${c[1]}${c[2] ?? '.0'}${c[3] ?? '.0'}${c[4] ?? '.0'}`, c[5], c[6], c[7]);
  const d = dated.exec(version);
  if (d) return withModifiers(d[1]!.replace(/\D/g, '.'), d[2], d[3], d[4]);
  const branch = /^(.*?)[.-]?dev$/i.exec(version);
  if (branch) {
    const normalized = normalizeComposerBranch(branch[1]!);
    if (!normalized.startsWith('dev-')) return normalized;
  }
  throw new TypeError(`not a Composer version: "${input}"`);
}

const isDigit = (c: string) => c >= '0' && c <= '9';
const isSpecial = (c: string) => c === '-' || c === '_' || c === '+';
const isAlnum = (c: string) => /^[0-9A-Za-z]$/.test(c);

/** php_canonicalize_version: '-', '_', '+' and other symbols become '.', and digits and letters are split apart. */
function canonicalize(version: string): string {
  if (version === '') return '';
  let out = version[0]!;
  for (let i = 1; i < version.length; i++) {
    const c = version[i]!;
    const previous = version[i - 1]!;
    const dotted = out.endsWith('.');
    if (isSpecial(c)) {
      if (!dotted) out += '.';
    } else if (previous !== '.' && c !== '.' && isDigit(previous) !== isDigit(c)) {
      out += dotted ? c : `.${c}`;
    } else if (!isAlnum(c)) {
      if (!dotted) out += '.';
    } else out += c;
  }
  return out;
}

/** PHP's special forms, matched as prefixes in this order ('patch' reads as 'p'); '#' is a number. */
const specialForms: [string, number][] = [
  ['dev', 0],
  ['alpha', 1],
  ['a', 1],
  ['beta', 2],
  ['b', 2],
  ['RC', 3],
  ['rc', 3],
  ['#', 4],
  ['pl', 5],
  ['p', 5],
];

function specialOrder(form: string): number {
  return specialForms.find(([name]) => form.startsWith(name))?.[1] ?? -1;
}

const compareForms = (a: string, b: string) => Math.sign(specialOrder(a) - specialOrder(b));
const isNumber = (part: string) => part !== '' && isDigit(part[0]!);

function comparePart(a: string, b: string): number {
  if (isNumber(a) && isNumber(b)) {
    const x = BigInt(a.match(/^\d+/)![0]);
    const y = BigInt(b.match(/^\d+/)![0]);
    return x === y ? 0 : x < y ? -1 : 1;
  }
  if (!isNumber(a) && !isNumber(b)) return compareForms(a, b);
  return isNumber(a) ? compareForms('#N#', b) : compareForms(a, '#N#');
}

/** PHP's version_compare() on two version strings as given (-1, 0, 1). */
export function phpVersionCompare(a: string, b: string): number {
  const x = canonicalize(a).split('.');
  const y = canonicalize(b).split('.');
  for (let i = 0; i < Math.min(x.length, y.length); i++) {
    const order = comparePart(x[i]!, y[i]!);
    if (order !== 0) return order;
  }
  if (x.length === y.length) return 0;
  // The longer one wins with a number left over, and is compared as a form against a number otherwise.
  const longer = x.length > y.length ? x : y;
  const rest = longer.slice(Math.min(x.length, y.length)).join('.');
  const sign = x.length > y.length ? 1 : -1;
  return isNumber(rest) ? sign : sign * phpVersionCompare(rest, '#N#');
}

/** Compares two Packagist versions (-1, 0, 1); throws on an invalid one or two different branches. */
export function comparePackagist(a: string, b: string): number {
  const x = normalizeComposer(a);
  const y = normalizeComposer(b);
  const xBranch = x.startsWith('dev-');
  const yBranch = y.startsWith('dev-');
  if (xBranch && yBranch && x !== y) throw new TypeError(`branches are not ordered: "${a}", "${b}"`);
  return phpVersionCompare(x, y);
}
