import { SPDX } from '@cyclonedx/cyclonedx-library';

// SPDX licence expressions (SPDX 2.3 Annex D), parsed into a tree so an SBOM declares a licence
// as an expression only when it is one, with each identifier in the SPDX licence list's case.
// The list is the one @cyclonedx/cyclonedx-library ships (licences and exceptions in one list,
// so `WITH` accepts any listed identifier on either side: a syntax check, not a legal one).

export type LicenseNode =
  /** A listed licence, `+` meaning "this version or any later one". */
  | { kind: 'license'; id: string; orLater: boolean }
  /** `LicenseRef-x`, or `DocumentRef-y:LicenseRef-x` for one declared in another document. */
  | { kind: 'ref'; ref: string }
  | { kind: 'with'; license: LicenseNode; exception: string }
  | { kind: 'and' | 'or'; left: LicenseNode; right: LicenseNode };

// Hostile metadata must not cost unbounded time or stack: longer or deeper is not an expression.
export const maxExpressionLength = 2048;
const maxDepth = 32;

const idstring = '[A-Za-z0-9.-]+';
const licenseRefPattern = new RegExp(`^(?:DocumentRef-${idstring}:)?LicenseRef-${idstring}$`);
const licenseIdPattern = new RegExp(`^(${idstring})(\\+)?$`);

/** The identifier as the SPDX licence list spells it (ids match case-insensitively, Annex D.2), or undefined when unlisted. */
export function spdxLicenseId(value: string): string | undefined {
  return SPDX.fixupSpdxId(value);
}

class Parser {
  private position = 0;
  private depth = 0;

  constructor(private readonly tokens: string[]) {}

  parse(): LicenseNode | undefined {
    const node = this.or();
    return node && this.position === this.tokens.length ? node : undefined;
  }

  private peek(): string | undefined {
    return this.tokens[this.position];
  }

  private next(): string | undefined {
    return this.tokens[this.position++];
  }

  // Precedence, loosest first (Annex D.4): OR, AND, WITH, then "+" (part of a simple expression).
  private or(): LicenseNode | undefined {
    let left = this.and();
    while (left && this.peek() === 'OR') {
      this.next();
      const right = this.and();
      left = right && { kind: 'or', left, right };
    }
    return left;
  }

  private and(): LicenseNode | undefined {
    let left = this.with();
    while (left && this.peek() === 'AND') {
      this.next();
      const right = this.with();
      left = right && { kind: 'and', left, right };
    }
    return left;
  }

  private with(): LicenseNode | undefined {
    const license = this.atom();
    if (!license || this.peek() !== 'WITH') return license;
    this.next();
    // Only a simple expression takes an exception ("MIT WITH x", not "(MIT OR BSD) WITH x").
    if (license.kind !== 'license') return undefined;
    const exception = spdxLicenseId(this.next() ?? '');
    return exception === undefined ? undefined : { kind: 'with', license, exception };
  }

  private atom(): LicenseNode | undefined {
    const token = this.next();
    if (token === undefined) return undefined;
    if (token === '(') {
      if (++this.depth > maxDepth) return undefined;
      const inner = this.or();
      this.depth--;
      return inner && this.next() === ')' ? inner : undefined;
    }
    if (licenseRefPattern.test(token)) return { kind: 'ref', ref: token };
    const match = licenseIdPattern.exec(token);
    const id = match && spdxLicenseId(match[1]);
    return id ? { kind: 'license', id, orLater: match[2] === '+' } : undefined;
  }
}

/** Parses an SPDX licence expression (operators in upper case, Annex D.2); undefined when it is not one. */
export function parseLicenseExpression(text: string): LicenseNode | undefined {
  if (text.length > maxExpressionLength) return undefined;
  const tokens = text.split(/([()])|\s+/).filter((token): token is string => token !== undefined && token !== '');
  if (tokens.length === 0) return undefined;
  return new Parser(tokens).parse();
}

/** Writes a tree back as an expression, with parentheses only where precedence needs them. */
export function renderLicenseExpression(node: LicenseNode): string {
  switch (node.kind) {
    case 'license':
      return node.orLater ? `${node.id}+` : node.id;
    case 'ref':
      return node.ref;
    case 'with':
      return `${renderLicenseExpression(node.license)} WITH ${node.exception}`;
    case 'and':
      return `${operand(node.left)} AND ${operand(node.right)}`;
    case 'or':
      return `${renderLicenseExpression(node.left)} OR ${renderLicenseExpression(node.right)}`;
  }
}

/** An operand of AND: an OR inside it keeps its parentheses. */
function operand(node: LicenseNode): string {
  const text = renderLicenseExpression(node);
  return node.kind === 'or' ? `(${text})` : text;
}

/** Joins expressions with AND (every part applies). */
export function allOf(nodes: LicenseNode[]): LicenseNode | undefined {
  return nodes.reduce<LicenseNode | undefined>(
    (left, right) => (left ? { kind: 'and', left, right } : right),
    undefined,
  );
}

/** Whether the expression is one listed licence, as CycloneDX's `license.id` takes it (no `+`, no operator). */
export function isSingleLicense(node: LicenseNode): node is { kind: 'license'; id: string; orLater: false } {
  return node.kind === 'license' && !node.orLater;
}
