import { describe, expect, test } from 'vitest';
import type { ImmutableRule } from '../api/types';
import { cleanPattern, draftOf, isDraftComplete, newRuleDraft, ruleBody, withDisabled } from './immutable';

const stored: ImmutableRule = {
  id: 7,
  priority: 0,
  disabled: true,
  action: 'immutable',
  template: 'immutable_template',
  params: {},
  tag_selectors: [{ kind: 'doublestar', decoration: 'excludes', pattern: 'latest' }],
  scope_selectors: { repository: [{ kind: 'doublestar', decoration: 'repoMatches', pattern: 'team/**' }] },
};

describe('immutability rules', () => {
  test('a new rule is enabled, with one doublestar selector of each kind', () => {
    expect(ruleBody({ ...newRuleDraft, tagPattern: 'v*' })).toEqual({
      disabled: false,
      action: 'immutable',
      template: 'immutable_template',
      tag_selectors: [{ kind: 'doublestar', decoration: 'matches', pattern: 'v*' }],
      scope_selectors: { repository: [{ kind: 'doublestar', decoration: 'repoMatches', pattern: '**' }] },
    });
  });

  test('an edited rule keeps its id, switch and other fields: PUT takes the whole rule', () => {
    const draft = { ...draftOf(stored), repositoryDecoration: 'repoExcludes' as const };
    expect(ruleBody(draft, stored)).toEqual({
      ...stored,
      scope_selectors: { repository: [{ kind: 'doublestar', decoration: 'repoExcludes', pattern: 'team/**' }] },
    });
    expect(withDisabled(stored, false)).toEqual({ ...stored, disabled: false });
  });

  test('a stored rule opens in the dialog as it reads', () => {
    expect(draftOf(stored)).toEqual({
      repositoryDecoration: 'repoMatches',
      repositoryPattern: 'team/**',
      tagDecoration: 'excludes',
      tagPattern: 'latest',
    });
  });

  test('white space in a pattern goes (names and tags have none); an empty pattern is not a rule', () => {
    expect(cleanPattern(' v1, v2 ')).toBe('v1,v2');
    expect(isDraftComplete(newRuleDraft)).toBe(false);
    expect(isDraftComplete({ ...newRuleDraft, tagPattern: '  ' })).toBe(false);
    expect(isDraftComplete({ ...newRuleDraft, tagPattern: '**' })).toBe(true);
  });
});
