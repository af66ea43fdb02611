import assert from 'node:assert/strict';
import { test } from 'node:test';
import { allOf, parseLicenseExpression, renderLicenseExpression, type LicenseNode } from './license-expression.js';
import { LicenseRefs, declaredExpression, declaredLicenses, idPart } from './licenses.js';

const render = (text: string) => {
  const node = parseLicenseExpression(text);
  return node && renderLicenseExpression(node);
};

test('the expressions SPDX 2.3 Annex D gives as examples parse and render back', () => {
  for (const text of [
    'LGPL-2.1-only OR MIT',
    'LGPL-2.1-only OR MIT OR BSD-3-Clause',
    'LGPL-2.1-only AND MIT',
    'LGPL-2.1-only AND MIT AND BSD-2-Clause',
    'GPL-2.0-or-later WITH Bison-exception-2.2',
    'MIT AND (LGPL-2.1-or-later OR BSD-3-Clause)',
    'LicenseRef-23',
    'LicenseRef-MIT-Style-1',
    'DocumentRef-spdx-tool-1.2:LicenseRef-MIT-Style-2',
    'GPL-2.0+',
  ])
    assert.equal(render(text), text, text);
});

test('AND binds tighter than OR, WITH tighter than AND (Annex D.4)', () => {
  const node = parseLicenseExpression('LGPL-2.1-only OR BSD-3-Clause AND MIT');
  assert.deepEqual(node, {
    kind: 'or',
    left: { kind: 'license', id: 'LGPL-2.1-only', orLater: false },
    right: {
      kind: 'and',
      left: { kind: 'license', id: 'BSD-3-Clause', orLater: false },
      right: { kind: 'license', id: 'MIT', orLater: false },
    },
  });
  assert.equal(
    parseLicenseExpression('GPL-2.0-only WITH Classpath-exception-2.0 AND MIT')?.kind,
    'and',
    'the exception belongs to GPL-2.0-only, and MIT applies besides',
  );
  // Parentheses are kept only where they change the meaning.
  assert.equal(render('(MIT OR Apache-2.0)'), 'MIT OR Apache-2.0');
  assert.equal(render('(MIT AND Apache-2.0) OR BSD-2-Clause'), 'MIT AND Apache-2.0 OR BSD-2-Clause');
  assert.equal(render('(MIT OR Apache-2.0) AND BSD-2-Clause'), '(MIT OR Apache-2.0) AND BSD-2-Clause');
  assert.equal(render('((MIT))'), 'MIT');
});

test('identifiers match case-insensitively and are written as the licence list spells them', () => {
  assert.equal(render('mit OR apache-2.0'), 'MIT OR Apache-2.0');
  assert.equal(render('bsd-3-clause'), 'BSD-3-Clause');
});

test('what is not an expression is refused', () => {
  for (const text of [
    '',
    '   ',
    'Apache License, Version 2.0',
    'MIT and Apache-2.0', // operators are upper case (Annex D.2)
    'GPL-2', // a DEP-5 short name, not a listed licence
    'Not-A-Licence-1.0',
    '(MIT',
    'MIT)',
    'MIT OR',
    'OR MIT',
    'MIT Apache-2.0',
    'MIT WITH',
    'MIT WITH Not-An-Exception',
    '(MIT OR Apache-2.0) WITH Classpath-exception-2.0',
    'LicenseRef-',
    'LicenseRef-a_b',
    'MIT++',
  ])
    assert.equal(parseLicenseExpression(text), undefined, JSON.stringify(text));
});

test('hostile input is refused quickly, without exhausting the stack', () => {
  assert.equal(parseLicenseExpression(`${'('.repeat(30)}MIT${')'.repeat(30)}`)?.kind, 'license');
  assert.equal(parseLicenseExpression(`${'('.repeat(40)}MIT${')'.repeat(40)}`), undefined, 'nested too deep');
  assert.equal(parseLicenseExpression(`${'('.repeat(5000)}MIT${')'.repeat(5000)}`), undefined);
  assert.equal(parseLicenseExpression(Array(1000).fill('MIT').join(' AND ')), undefined, 'longer than any licence');
  const long = Array(200).fill('MIT').join(' AND ');
  assert.equal(render(long), long);
});

test('allOf joins expressions with AND, keeping each OR whole', () => {
  const parts = ['MIT OR Apache-2.0', 'BSD-2-Clause'].map((text) => parseLicenseExpression(text) as LicenseNode);
  assert.equal(renderLicenseExpression(allOf(parts) as LicenseNode), '(MIT OR Apache-2.0) AND BSD-2-Clause');
  assert.equal(allOf([]), undefined);
});

test('licence names get LicenseRef identifiers, one per name and never shared', () => {
  const refs = new LicenseRefs();
  assert.equal(refs.refFor('Apache License, Version 2.0'), 'LicenseRef-Apache-License-Version-2.0');
  assert.equal(refs.refFor('Apache License, Version 2.0'), 'LicenseRef-Apache-License-Version-2.0');
  assert.equal(refs.refFor('Apache License Version 2.0'), 'LicenseRef-Apache-License-Version-2.0-2');
  assert.equal(refs.refFor('© 版权'), 'LicenseRef-unnamed');
  assert.match(refs.refFor('x'.repeat(10_000)), /^LicenseRef-x{64}$/);
  assert.deepEqual(
    refs.entries().map((entry) => entry.ref),
    [
      'LicenseRef-Apache-License-Version-2.0',
      'LicenseRef-Apache-License-Version-2.0-2',
      'LicenseRef-unnamed',
      `LicenseRef-${'x'.repeat(64)}`,
    ],
  );
  const declared = declaredExpression(
    declaredLicenses({ ecosystem: 'Maven', licenses: ['The MIT License', 'Apache-2.0 OR MIT'] }),
    new LicenseRefs(),
  );
  assert.equal(declared && renderLicenseExpression(declared), 'LicenseRef-The-MIT-License AND (Apache-2.0 OR MIT)');
  assert.equal(idPart('--a  b--', 10), 'a-b');
});
