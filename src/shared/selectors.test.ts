import { test } from 'node:test';
import assert from 'node:assert/strict';
import { globMatches, selectorProblem, selects, tagDecorations } from './selectors.js';

// Harbor's doublestar patterns, as its rules use them on repository names and tags.

test('doublestar: * stays within a path segment, ** crosses them, ? and classes match one character', () => {
  assert.ok(globMatches('v*', 'v1.2.3'));
  assert.ok(!globMatches('v*', 'latest'));
  assert.ok(globMatches('**', 'team/app/api'));
  assert.ok(globMatches('team/*', 'team/app'));
  assert.ok(!globMatches('team/*', 'team/app/api'), '* does not cross a slash');
  assert.ok(globMatches('team/**', 'team/app/api'));
  assert.ok(globMatches('v?.0', 'v1.0'));
  assert.ok(!globMatches('v?.0', 'v10.0'));
  assert.ok(globMatches('[0-9]*', '2024.1'));
  assert.ok(globMatches('.hidden*', '.hidden-tag'), 'a leading dot is matched like any character');
});

test('alternatives: {a,b} and a bare comma list mean the same', () => {
  for (const pattern of ['{release-*,v*}', 'release-*,v*']) {
    assert.ok(globMatches(pattern, 'release-1'), pattern);
    assert.ok(globMatches(pattern, 'v2'), pattern);
    assert.ok(!globMatches(pattern, 'dev'), pattern);
  }
  assert.ok(globMatches('app{,-*}', 'app'));
  assert.ok(globMatches('app{,-*}', 'app-web'));
  assert.ok(!globMatches('app{,-*}', 'apple'));
  assert.ok(!globMatches('!v*', 'latest'), 'a leading ! is a literal, not a negation');
});

test('decorations: matches and repoMatches select what matches; excludes and repoExcludes what does not', () => {
  assert.ok(selects({ kind: 'doublestar', decoration: 'matches', pattern: 'v*' }, 'v1'));
  assert.ok(!selects({ kind: 'doublestar', decoration: 'excludes', pattern: 'v*' }, 'v1'));
  assert.ok(selects({ kind: 'doublestar', decoration: 'excludes', pattern: 'v*' }, 'dev'));
  assert.ok(selects({ kind: 'doublestar', decoration: 'repoMatches', pattern: 'app' }, 'app'));
  assert.ok(selects({ kind: 'doublestar', decoration: 'repoExcludes', pattern: 'app' }, 'web'));
});

test('selectorProblem names what is wrong, and nothing for a good selector', () => {
  assert.equal(
    selectorProblem({ kind: 'doublestar', decoration: 'matches', pattern: 'v*' }, tagDecorations, 'tag'),
    undefined,
  );
  assert.match(selectorProblem(null, tagDecorations, 'tag') ?? '', /object/);
  assert.match(
    selectorProblem({ kind: 'regex', decoration: 'matches', pattern: 'v' }, tagDecorations, 'tag') ?? '',
    /kind/,
  );
  assert.match(
    selectorProblem({ kind: 'doublestar', decoration: 'repoMatches', pattern: 'v' }, tagDecorations, 'tag') ?? '',
    /decoration must be one of matches, excludes/,
  );
  assert.match(
    selectorProblem({ kind: 'doublestar', decoration: 'matches', pattern: ' ' }, tagDecorations, 'tag') ?? '',
    /empty/,
  );
  assert.match(
    selectorProblem({ kind: 'doublestar', decoration: 'matches', pattern: 'x'.repeat(600) }, tagDecorations, 'tag') ??
      '',
    /longer than 512/,
  );
});
