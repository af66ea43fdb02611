import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { test } from 'node:test';
import { fromDep5 } from './dep5.js';
import { parseLicenseExpression, renderLicenseExpression } from './license-expression.js';
import { declaredLicenses } from './licenses.js';

const asDebian = (licenses: string[]) =>
  declaredLicenses({ ecosystem: 'Debian', licenses }).map((license) =>
    license.kind === 'name' ? `name:${license.name}` : renderLicenseExpression(license.node),
  );

test("DEP-5's short names and operators are written as SPDX", () => {
  assert.equal(fromDep5('LGPL-2.1+ and GPL-2'), 'LGPL-2.1-or-later AND GPL-2.0-only');
  assert.equal(fromDep5('GPL-2+ or Artistic-2.0'), 'GPL-2.0-or-later OR Artistic-2.0');
  assert.equal(fromDep5('GPL-3.0+'), 'GPL-3.0-or-later');
  assert.equal(fromDep5('AGPL-3+'), 'AGPL-3.0-or-later');
  assert.equal(fromDep5('GFDL-1.3+'), 'GFDL-1.3-or-later');
  assert.equal(fromDep5('Expat'), 'MIT');
  assert.equal(fromDep5('BSD-3'), 'BSD-3-Clause');
  assert.equal(fromDep5('Apache-2'), 'Apache-2.0');
});

test('a comma closes a group: "A or B, and C" is "(A or B) and C"', () => {
  assert.equal(
    fromDep5('GPL-2+ or Artistic-2.0, and BSD-3-clause'),
    '(GPL-2.0-or-later OR Artistic-2.0) AND (BSD-3-clause)',
  );
  assert.deepEqual(asDebian(['GPL-2+ or Artistic-2.0, and BSD-3-clause']), [
    '(GPL-2.0-or-later OR Artistic-2.0) AND BSD-3-Clause',
  ]);
  assert.deepEqual(asDebian(['MIT and Zlib, or GPL-2']), ['MIT AND Zlib OR GPL-2.0-only']);
  assert.deepEqual(asDebian(['MIT, Zlib']), ['name:MIT, Zlib'], 'a comma without an operator is no DEP-5 expression');
});

test('"with <Name> exception" names SPDX\'s exception', () => {
  assert.deepEqual(
    asDebian([
      'GPL-2+ with Autoconf exception',
      'GPL-3+ with Autoconf exception',
      'GPL-3+ with Bison exception',
      'GPL-2 with Linux-syscall-note exception',
      'Apache-2.0 with LLVM exception',
      'GPL-2+ with OpenSSL exception',
    ]),
    [
      'GPL-2.0-or-later WITH Autoconf-exception-2.0',
      'GPL-3.0-or-later WITH Autoconf-exception-3.0',
      'GPL-3.0-or-later WITH Bison-exception-2.2',
      'GPL-2.0-only WITH Linux-syscall-note',
      'Apache-2.0 WITH LLVM-exception',
      'name:GPL-2+ with OpenSSL exception', // SPDX lists no such exception
    ],
  );
});

test('Debian packages read DEP-5; other ecosystems do not', () => {
  assert.deepEqual(asDebian(['LGPL-2.1+ and GPL-2', 'BSD-3-clause', 'public-domain', 'GPL-2', ' GPL-2 ', '']), [
    'LGPL-2.1-or-later AND GPL-2.0-only',
    'BSD-3-Clause',
    'name:public-domain',
    'GPL-2.0-only',
  ]);
  assert.deepEqual(declaredLicenses({ ecosystem: 'npm', licenses: ['GPL-2'] }), [{ kind: 'name', name: 'GPL-2' }]);
});

test('a huge licence field is a name, read in linear time', () => {
  const huge = `${'x'.repeat(1_000_000)} with y exception`;
  const started = performance.now();
  assert.deepEqual(asDebian([huge]), [`name:${huge}`]);
  assert.ok(performance.now() - started < 1000, 'no quadratic scan');
});

/** The first line of every License field of this machine's machine-readable copyright files. */
function installedDep5Licenses(): string[] {
  const docs = '/usr/share/doc';
  if (!existsSync(docs)) return [];
  const fields: string[] = [];
  for (const name of readdirSync(docs)) {
    const path = `${docs}/${name}/copyright`;
    if (!existsSync(path)) continue;
    const text = readFileSync(path, 'utf8');
    if (!/^Format:\s*\S*copyright-format\/1\.0/m.test(text)) continue;
    for (const match of text.matchAll(/^License:[ \t]*(\S[^\n]*)$/gm)) fields.push(match[1].trim());
  }
  return fields;
}

test("this machine's DEP-5 copyright files: GNU licences all read as SPDX, every expression stable", (t) => {
  const fields = [...new Set(installedDep5Licenses())];
  if (fields.length === 0) {
    if (process.env.CI === 'true') throw new Error('no DEP-5 copyright files in /usr/share/doc: required in CI');
    t.skip('no DEP-5 copyright files in /usr/share/doc (not a Debian machine)');
    return;
  }
  const onlyGnu = /^(?:A?GPL|LGPL)-\d(?:\.\d)?\+?(?: (?:and|or) (?:A?GPL|LGPL)-\d(?:\.\d)?\+?)*$/;
  let gnu = 0;
  for (const field of fields) {
    const [license] = declaredLicenses({ ecosystem: 'Debian', licenses: [field] });
    if (onlyGnu.test(field)) {
      gnu++;
      assert.equal(license.kind, 'expression', field);
    }
    if (license.kind !== 'expression') continue;
    // What is written reads back as the same expression.
    const written = renderLicenseExpression(license.node);
    assert.deepEqual(parseLicenseExpression(written), license.node, `${field} → ${written}`);
  }
  assert.ok(gnu > 0, 'some packages here are under GNU licences');
});
