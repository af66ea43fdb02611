import type { Package } from '../model.js';
import { UniqueIds } from './subject.js';
import { fromDep5 } from './dep5.js';
import { allOf, parseLicenseExpression, type LicenseNode } from './license-expression.js';

// A package's declared licences, read as SPDX expressions where they are ones. Debian and Ubuntu
// name licences the DEP-5 way (machine-readable debian/copyright: "GPL-2+ or Artistic", short
// names such as GPL-2 and LGPL-2.1+), which is mapped to SPDX first. A licence that is still no
// expression is a name, written as a LicenseRef (SPDX) or a named licence (CycloneDX).

/** One licence string of a package: an SPDX expression, or a name that is none. */
export type DeclaredLicense = { kind: 'expression'; node: LicenseNode } | { kind: 'name'; name: string };

const dep5Ecosystems = new Set<Package['ecosystem']>(['Debian', 'Ubuntu']);

/** Each distinct licence string of the package, as an expression where it reads as one. */
export function declaredLicenses(pkg: Pick<Package, 'ecosystem' | 'licenses'>): DeclaredLicense[] {
  const dep5 = dep5Ecosystems.has(pkg.ecosystem);
  const distinct = [...new Set(pkg.licenses.map((license) => license.trim()).filter((license) => license !== ''))];
  return distinct.map((text) => {
    const node = (dep5 ? parseLicenseExpression(fromDep5(text)) : undefined) ?? parseLicenseExpression(text);
    return node ? { kind: 'expression', node } : { kind: 'name', name: text };
  });
}

/**
 * The LicenseRef identifiers a document gives licence names: one per distinct name, built from
 * the name (letters, digits, '.' and '-' only, SPDX 2.3 §10.1) and numbered when two names
 * would share one. Deterministic for the same names met in the same order.
 */
export class LicenseRefs {
  private readonly byName = new Map<string, string>();
  private readonly ids = new UniqueIds();

  refFor(name: string): string {
    const known = this.byName.get(name);
    if (known) return known;
    const ref = this.ids.take(`LicenseRef-${idPart(name, 64) || 'unnamed'}`);
    this.byName.set(name, ref);
    return ref;
  }

  /** Every name given a reference, in the order they were met. */
  entries(): { name: string; ref: string }[] {
    return [...this.byName].map(([name, ref]) => ({ name, ref }));
  }
}

/** The package's licences as one SPDX expression (all of them apply), names as LicenseRefs; undefined when none. */
export function declaredExpression(licenses: DeclaredLicense[], refs: LicenseRefs): LicenseNode | undefined {
  return allOf(
    licenses.map((license) =>
      license.kind === 'expression' ? license.node : { kind: 'ref', ref: refs.refFor(license.name) },
    ),
  );
}

/** A string reduced to SPDX's idstring characters (runs of others and of '-' become one '-'), at most `max` long. */
export function idPart(value: string, max: number): string {
  return value
    .replace(/[^A-Za-z0-9.]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, max)
    .replace(/-+$/, '');
}
