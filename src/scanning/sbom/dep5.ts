import { maxExpressionLength, spdxLicenseId } from './license-expression.js';

// Debian's machine-readable copyright files (DEP-5, copyright-format 1.0, "License syntax")
// name licences by short names ("GPL-2+", "Expat", "BSD-3-clause") joined by lower-case "and" /
// "or", with "<licence> with <Name> exception" and commas that group ("A or B, and C" means
// "(A or B) and C"). This rewrites such a field in SPDX's expression syntax; the result is then
// parsed like any licence, so what is not mapped here stays a licence name.

// The GNU short names carry a bare major version ("GPL-2") and "+" for "or later"; the SPDX
// licence list (3.x) writes GPL-2.0-only and GPL-2.0-or-later.
const gnuShortName = /^(A?GPL|LGPL|GFDL)-(\d+)(?:\.(\d+))?(\+)?$/i;
const operators: Record<string, string> = { and: 'AND', or: 'OR', with: 'WITH' };

// Short names Debian writes for licences SPDX lists under another name.
const aliases: Record<string, string> = { expat: 'MIT', 'bsd-2': 'BSD-2-Clause', 'bsd-3': 'BSD-3-Clause' };

// "with <Name> exception": SPDX's exception for each name Debian uses most, by the licence's version.
const exceptions: Record<string, (licenseVersion: string) => string> = {
  autoconf: (version) => (version === '3' ? 'Autoconf-exception-3.0' : 'Autoconf-exception-2.0'),
  bison: () => 'Bison-exception-2.2',
  classpath: () => 'Classpath-exception-2.0',
  font: () => 'Font-exception-2.0',
  gcc: (version) => (version === '3' ? 'GCC-exception-3.1' : 'GCC-exception-2.0'),
  libtool: () => 'Libtool-exception',
  'linux-syscall-note': () => 'Linux-syscall-note',
  llvm: () => 'LLVM-exception',
};

function licenseToken(token: string): string {
  const operator = operators[token.toLowerCase()];
  if (operator) return operator;
  const gnu = gnuShortName.exec(token);
  if (gnu) {
    const id = spdxLicenseId(`${gnu[1]}-${gnu[2]}.${gnu[3] ?? '0'}-${gnu[4] ? 'or-later' : 'only'}`);
    if (id) return id;
  }
  const alias = aliases[token.toLowerCase()];
  if (alias) return alias;
  // "Apache-2", "MPL-2": SPDX writes the version with its minor part.
  if (/^[A-Za-z0-9.-]+-\d+$/.test(token)) return spdxLicenseId(`${token}.0`) ?? token;
  return token;
}

/** "GPL-2+ with Autoconf exception" → "GPL-2+ with Autoconf-exception-2.0" (unknown names are left). */
function namedExceptions(text: string): string {
  return text.replace(/(\S+)\s+with\s+(\S+)\s+exception\b/gi, (phrase, license: string, name: string) => {
    const exception = exceptions[name.toLowerCase()]?.(/-(\d+)/.exec(license)?.[1] ?? '');
    return exception ? `${license} with ${exception}` : phrase;
  });
}

function tokens(text: string): string {
  return text
    .split(/([()\s]+)/)
    .map((part) => (/^[()\s]*$/.test(part) ? part : licenseToken(part)))
    .join('');
}

/** A DEP-5 licence field in SPDX's syntax (best effort: the result is parsed, never trusted). */
export function fromDep5(text: string): string {
  // Longer is no expression anyway, and the phrase search below is quadratic in a long word.
  if (text.length > maxExpressionLength) return text;
  // Each comma closes a group: "A or B, and C, or D" is "((A or B) and C) or D".
  const [first, ...rest] = namedExceptions(text).split(',');
  let expression = tokens(first.trim());
  for (const group of rest) {
    const joined = /^\s*(and|or)\s+(.+)$/i.exec(group);
    if (!joined) return text;
    expression = `(${expression}) ${operators[joined[1].toLowerCase()]} (${tokens(joined[2].trim())})`;
  }
  return expression;
}
