import { test } from 'node:test';
import assert from 'node:assert/strict';
import { type BerthError } from '../shared/errors.js';
import { evaluate, parsePolicy, tagSelects, type Candidate, type RetentionRule } from './rules.js';

// Harbor's retention rules evaluated on candidates: each template, the selectors (with the
// untagged extra), and the "or" between rules.

const now = new Date('2026-06-30T12:00:00Z');
const daysAgo = (days: number) => new Date(now.getTime() - days * 86_400_000).toISOString();

function artifact(digest: string, tags: string[], pushedDaysAgo: number, pulledDaysAgo?: number): Candidate {
  return {
    digest,
    tags,
    pushTime: daysAgo(pushedDaysAgo),
    ...(pulledDaysAgo === undefined ? {} : { pullTime: daysAgo(pulledDaysAgo) }),
  };
}

function rule(
  template: RetentionRule['template'],
  n: number | undefined,
  tags = '**',
  repos = '**',
  extras?: string,
): RetentionRule {
  return {
    disabled: false,
    action: 'retain',
    template,
    params: n === undefined ? {} : { [template]: n },
    tag_selectors: [{ kind: 'doublestar', decoration: 'matches', pattern: tags, ...(extras ? { extras } : {}) }],
    scope_selectors: { repository: [{ kind: 'doublestar', decoration: 'repoMatches', pattern: repos }] },
  };
}

const candidates = [
  artifact('a', ['v1'], 10, 1),
  artifact('b', ['v2'], 5, 20),
  artifact('c', ['release-1'], 40),
  artifact('d', [], 2),
  artifact('e', ['dev-1', 'v3'], 1, 3),
];

const kept = (rules: RetentionRule[], repository = 'app') =>
  evaluate(rules, repository, candidates, now)
    .filter((d) => d.retained)
    .map((d) => d.candidate.digest)
    .sort();

test('latestPushedK keeps the K most recently pushed of the artifacts its tags select', () => {
  assert.deepEqual(kept([rule('latestPushedK', 2)]), ['d', 'e']);
  assert.deepEqual(
    kept([rule('latestPushedK', 2, 'v*')]),
    ['d', 'e'],
    'a matches selector takes untagged artifacts by default',
  );
  assert.deepEqual(kept([rule('latestPushedK', 2, 'v*', '**', '{"untagged":false}')]), ['b', 'e']);
});

test('latestPulledN keeps the N most recently pulled; never-pulled artifacts are not among them', () => {
  assert.deepEqual(kept([rule('latestPulledN', 2)]), ['a', 'e']);
  assert.deepEqual(kept([rule('latestPulledN', 10)]), ['a', 'b', 'e']);
});

test('nDaysSinceLastPush and nDaysSinceLastPull keep what was pushed or pulled within N days', () => {
  assert.deepEqual(kept([rule('nDaysSinceLastPush', 7)]), ['b', 'd', 'e']);
  assert.deepEqual(kept([rule('nDaysSinceLastPull', 5)]), ['a', 'e']);
});

test('always keeps what its selectors choose; rules combine with "or"', () => {
  const noUntagged = '{"untagged":false}';
  assert.deepEqual(kept([rule('always', undefined, 'release-*', '**', noUntagged)]), ['c']);
  assert.deepEqual(
    kept([rule('always', undefined, 'release-*', '**', noUntagged), rule('latestPushedK', 1, 'v*', '**', noUntagged)]),
    ['c', 'e'],
  );
  assert.deepEqual(kept([rule('always', undefined, 'release-*')]), ['c', 'd'], 'with the untagged artifact');
});

test('a rule covers only the repositories its scope selector selects; disabled rules retain nothing', () => {
  assert.deepEqual(kept([rule('always', undefined, '**', 'web')], 'app'), []);
  assert.deepEqual(kept([rule('always', undefined, '**', 'app{,-*}')], 'app'), ['a', 'b', 'c', 'd', 'e']);
  assert.deepEqual(kept([{ ...rule('always', undefined), disabled: true }]), []);
});

test("tag selectors follow Harbor's doublestar selector, untagged extra included", () => {
  const untagged = artifact('u', [], 1);
  const tagged = artifact('t', ['v1', 'dev'], 1);
  const sel = (decoration: string, pattern: string, extras?: string) => ({
    kind: 'doublestar',
    decoration,
    pattern,
    ...(extras ? { extras } : {}),
  });
  assert.equal(tagSelects(sel('matches', 'v*'), tagged), true, 'any tag matching');
  assert.equal(tagSelects(sel('matches', 'x*'), tagged), false);
  assert.equal(tagSelects(sel('excludes', 'v*'), tagged), true, 'any tag not matching');
  assert.equal(tagSelects(sel('excludes', '{v*,dev}'), tagged), false);
  assert.equal(tagSelects(sel('matches', '**'), untagged), true, 'matches takes untagged artifacts by default');
  assert.equal(tagSelects(sel('matches', '**', '{"untagged":false}'), untagged), false);
  assert.equal(
    tagSelects(sel('excludes', 'v*'), untagged),
    true,
    'excludes: untagged selected unless the extra says so',
  );
  assert.equal(tagSelects(sel('excludes', 'v*', '{"untagged":true}'), untagged), false);
});

test('decisions say why an artifact is retained', () => {
  const [first] = evaluate([rule('latestPushedK', 1)], 'app', [candidates[4]!], now);
  assert.match(first?.reason ?? '', /retained by rule 0 \(the 1 most recently pushed, tags matches \*\*\)/);
  const [second] = evaluate([], 'app', [candidates[0]!], now);
  assert.equal(second?.reason, 'no rule retains it');
});

test("parsePolicy checks Harbor's RetentionPolicy: templates, selectors, params, 15 rules, duplicates", () => {
  const good = {
    algorithm: 'or',
    rules: [rule('latestPushedK', 10, 'v*'), rule('always', undefined, 'release-*')],
    trigger: { kind: 'Schedule', settings: { cron: '0 0 0 * * *' } },
    scope: { level: 'project', ref: 3 },
  };
  const parsed = parsePolicy(good);
  assert.equal(parsed.rules.length, 2);
  assert.deepEqual(parsed.trigger, { kind: 'Schedule', settings: { cron: '0 0 0 * * *' } });
  assert.deepEqual(
    parsed.rules.map((r) => r.id),
    [0, 1],
  );
  const refused = (body: object, code: string, message: RegExp) =>
    assert.throws(
      () => parsePolicy(body),
      (err: BerthError) => err.code === code && message.test(err.message),
    );
  refused({ ...good, scope: { level: 'system', ref: 0 } }, 'BAD_REQUEST', /not support/);
  refused({ ...good, scope: { level: 'project', ref: 0 } }, 'BAD_REQUEST', /invalid Project id/);
  refused({ ...good, rules: [{ ...rule('latestPushedK', 1), template: 'nope' }] }, 'BAD_REQUEST', /template/);
  refused({ ...good, rules: [rule('latestPushedK', 100_000)] }, 'BAD_REQUEST', /latestPushedK is too large/);
  refused({ ...good, rules: [{ ...rule('latestPushedK', 1), params: {} }] }, 'BAD_REQUEST', /whole number/);
  refused(
    { ...good, rules: Array.from({ length: 16 }, (_, i) => rule('latestPushedK', i)) },
    'BAD_REQUEST',
    /only 15 rules/,
  );
  refused(
    { ...good, rules: [rule('always', undefined), rule('always', undefined)] },
    'CONFLICT',
    /rule 1 is conflict with rule 0/,
  );
});
