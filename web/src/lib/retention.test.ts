import { describe, expect, test } from 'vitest';
import type { RetentionRule } from '../api/types';
import {
  emptyPolicy,
  includesUntagged,
  isRetentionDraftComplete,
  newRetentionDraft,
  retentionDraftOf,
  retentionRuleOf,
  scheduleChoiceOf,
  withCron,
  withoutRule,
  withRule,
} from './retention';

const stored: RetentionRule = {
  id: 0,
  priority: 0,
  disabled: true,
  action: 'retain',
  template: 'nDaysSinceLastPull',
  params: { nDaysSinceLastPull: 7 },
  tag_selectors: [{ kind: 'doublestar', decoration: 'excludes', pattern: 'dev-*' }],
  scope_selectors: { repository: [{ kind: 'doublestar', decoration: 'repoMatches', pattern: 'team/**' }] },
};

describe('retention rules', () => {
  test("a new rule is Harbor's: enabled, the 10 most recently pushed of every repository and tag, untagged included", () => {
    expect(retentionRuleOf(newRetentionDraft, 'COUNT')).toEqual({
      disabled: false,
      action: 'retain',
      template: 'latestPushedK',
      params: { latestPushedK: 10 },
      tag_selectors: [{ kind: 'doublestar', decoration: 'matches', pattern: '**', extras: '{"untagged":true}' }],
      scope_selectors: { repository: [{ kind: 'doublestar', decoration: 'repoMatches', pattern: '**' }] },
    });
  });

  test('a stored rule opens as it reads; without extras, untagged follows the decoration', () => {
    expect(retentionDraftOf(stored)).toEqual({
      repositoryDecoration: 'repoMatches',
      repositoryPattern: 'team/**',
      template: 'nDaysSinceLastPull',
      count: 7,
      tagDecoration: 'excludes',
      tagPattern: 'dev-*',
      untagged: false,
    });
    expect(includesUntagged({ kind: 'doublestar', decoration: 'matches', pattern: '**' })).toBe(true);
    expect(
      includesUntagged({ kind: 'doublestar', decoration: 'matches', pattern: '**', extras: '{"untagged":false}' }),
    ).toBe(false);
  });

  test('an edited rule keeps its id and switch; always has no number', () => {
    const draft = { ...retentionDraftOf(stored), template: 'always' };
    expect(retentionRuleOf(draft, undefined, stored)).toMatchObject({
      id: 0,
      disabled: true,
      template: 'always',
      params: {},
    });
    expect(isRetentionDraftComplete({ ...newRetentionDraft, tagPattern: ' ' }, 'COUNT')).toBe(false);
    expect(isRetentionDraftComplete({ ...newRetentionDraft, count: 1.5 }, 'COUNT')).toBe(false);
    expect(isRetentionDraftComplete(newRetentionDraft, 'COUNT')).toBe(true);
  });

  test('the policy is written whole: a rule added, replaced or taken out, the cron set', () => {
    const empty = emptyPolicy(3);
    expect(empty).toEqual({
      algorithm: 'or',
      rules: [],
      trigger: { kind: 'Schedule', settings: { cron: '' } },
      scope: { level: 'project', ref: 3 },
    });
    const one = withRule(empty, 0, stored);
    const two = withRule(one, 1, retentionRuleOf(newRetentionDraft, 'COUNT'));
    expect(two.rules.map((rule) => rule.template)).toEqual(['nDaysSinceLastPull', 'latestPushedK']);
    expect(withRule(two, 0, { ...stored, disabled: false }).rules[0]?.disabled).toBe(false);
    expect(withoutRule(two, 0).rules.map((rule) => rule.template)).toEqual(['latestPushedK']);
    expect(withCron(two, '0 0 0 * * *').trigger).toEqual({ kind: 'Schedule', settings: { cron: '0 0 0 * * *' } });
  });

  test('a saved cron reads as the preset that sends it, else as Custom', () => {
    expect(scheduleChoiceOf('')).toBe('None');
    expect(scheduleChoiceOf('0 0 * * * *')).toBe('Hourly');
    expect(scheduleChoiceOf('0 0 0 * * 0')).toBe('Weekly');
    expect(scheduleChoiceOf('0 30 2 * * *')).toBe('Custom');
  });
});
