import { BerthError } from '../shared/errors.js';
import {
  globMatches,
  repositoryDecorations,
  selectorProblem,
  selects,
  tagDecorations,
  type Selector,
} from '../shared/selectors.js';

// Harbor's tag retention rules (src/pkg/retention): a policy of up to 15 rules, each choosing
// repositories (a doublestar repository selector), artifacts in them (a doublestar tag
// selector, with untagged artifacts in or out) and how many or which of those to keep (the
// rule template). An artifact is retained when any rule retains it; the others in the
// repositories the rules cover are deleted ("or" algorithm).

export const templates = [
  'latestPushedK',
  'latestPulledN',
  'nDaysSinceLastPush',
  'nDaysSinceLastPull',
  'always',
] as const;
export type Template = (typeof templates)[number];

export interface RetentionRule {
  id?: number;
  priority?: number;
  disabled: boolean;
  action: 'retain';
  template: Template;
  params: Record<string, unknown>;
  tag_selectors: Selector[];
  scope_selectors: { repository: Selector[] };
}

export interface RetentionPolicy {
  id?: number;
  algorithm: 'or';
  rules: RetentionRule[];
  trigger: { kind: 'Schedule'; settings: { cron?: string }; references?: Record<string, unknown> };
  scope: { level: 'project'; ref: number };
}

export const maxRules = 15;
/** Harbor's bounds on the templates' numbers ("Parameters … is too large"). */
const maxCount = 10_000;
const maxDays = 36_500;

/** Harbor's GET /retentions/metadatas. */
export const retentionMetadata = {
  templates: [
    {
      rule_template: 'latestPushedK',
      display_text: 'the most recently pushed # artifacts',
      action: 'retain',
      params: [{ type: 'int', unit: 'COUNT', required: true }],
    },
    {
      rule_template: 'latestPulledN',
      display_text: 'the most recently pulled # artifacts',
      action: 'retain',
      params: [{ type: 'int', unit: 'COUNT', required: true }],
    },
    {
      rule_template: 'nDaysSinceLastPush',
      display_text: 'pushed within the last # days',
      action: 'retain',
      params: [{ type: 'int', unit: 'DAYS', required: true }],
    },
    {
      rule_template: 'nDaysSinceLastPull',
      display_text: 'pulled within the last # days',
      action: 'retain',
      params: [{ type: 'int', unit: 'DAYS', required: true }],
    },
    { rule_template: 'always', display_text: 'always', action: 'retain', params: [] },
  ],
  scope_selectors: [{ display_text: 'Repositories', kind: 'doublestar', decorations: [...repositoryDecorations] }],
  tag_selectors: [{ display_text: 'Tags', kind: 'doublestar', decorations: [...tagDecorations] }],
};

function bad(message: string): BerthError {
  return new BerthError('BAD_REQUEST', message);
}

function parseParam(template: Template, params: Record<string, unknown>): Record<string, unknown> {
  if (template === 'always') return {};
  const raw = params[template];
  const value = typeof raw === 'string' && /^\d+$/.test(raw) ? Number(raw) : raw;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0)
    throw bad(`params.${template} must be a whole number`);
  const max = template.startsWith('nDays') ? maxDays : maxCount;
  if (value > max) throw bad(`Parameters ${template} is too large`);
  return { [template]: value };
}

function parseRule(raw: unknown, index: number): RetentionRule {
  if (typeof raw !== 'object' || raw === null) throw bad(`rule ${String(index)} must be an object`);
  const rule = raw as Record<string, unknown>;
  const template = rule.template;
  if (typeof template !== 'string' || !(templates as readonly string[]).includes(template))
    throw bad(`rule ${String(index)}: template must be one of ${templates.join(', ')}`);
  if (rule.action !== undefined && rule.action !== 'retain')
    throw bad(`rule ${String(index)}: action must be "retain"`);
  const tags = rule.tag_selectors;
  const repositories = (rule.scope_selectors as Record<string, unknown> | undefined)?.repository;
  if (!Array.isArray(tags) || tags.length !== 1)
    throw bad(`rule ${String(index)}: tag_selectors must hold one selector`);
  if (!Array.isArray(repositories) || repositories.length !== 1)
    throw bad(`rule ${String(index)}: scope_selectors.repository must hold one selector`);
  const problem =
    selectorProblem(tags[0], tagDecorations, 'tag') ??
    selectorProblem(repositories[0], repositoryDecorations, 'repository');
  if (problem) throw bad(`rule ${String(index)}: ${problem}`);
  const tag = tags[0] as Selector;
  if (tag.extras !== undefined && tag.extras !== '') {
    try {
      JSON.parse(tag.extras);
    } catch {
      throw bad(`rule ${String(index)}: tag selector extras must be JSON such as {"untagged":true}`);
    }
  }
  const params =
    typeof rule.params === 'object' && rule.params !== null ? (rule.params as Record<string, unknown>) : {};
  const repository = repositories[0] as Selector;
  return {
    ...(typeof rule.priority === 'number' ? { priority: rule.priority } : {}),
    disabled: rule.disabled === true,
    action: 'retain',
    template: template as Template,
    params: parseParam(template as Template, params),
    tag_selectors: [
      {
        kind: tag.kind,
        decoration: tag.decoration,
        pattern: tag.pattern,
        ...(tag.extras ? { extras: tag.extras } : {}),
      },
    ],
    scope_selectors: {
      repository: [{ kind: repository.kind, decoration: repository.decoration, pattern: repository.pattern }],
    },
  };
}

/** A RetentionPolicy body checked as Harbor checks it: 400 for what is wrong, 409 for two equal rules. */
export function parsePolicy(body: unknown): RetentionPolicy {
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    throw bad('the body must be a RetentionPolicy object');
  const raw = body as Record<string, unknown>;
  if (raw.algorithm !== undefined && raw.algorithm !== 'or') throw bad('algorithm must be "or"');
  const scope = raw.scope as Record<string, unknown> | undefined;
  if (scope?.level !== 'project') throw bad(`scope ${String(scope?.level)} is not support`);
  const ref = scope.ref;
  if (typeof ref !== 'number' || !Number.isSafeInteger(ref) || ref <= 0) throw bad(`invalid Project id ${String(ref)}`);
  const rawRules = raw.rules ?? [];
  if (!Array.isArray(rawRules)) throw bad('rules must be a list');
  if (rawRules.length > maxRules) throw bad(`only ${String(maxRules)} rules are allowed at most`);
  const rules = rawRules.map(parseRule);
  const seen = new Map<string, number>();
  rules.forEach((rule, n) => {
    const key = JSON.stringify({ ...rule, id: undefined });
    const old = seen.get(key);
    if (old !== undefined) throw new BerthError('CONFLICT', `rule ${String(n)} is conflict with rule ${String(old)}`);
    seen.set(key, n);
  });
  const trigger = (raw.trigger ?? {}) as Record<string, unknown>;
  if (trigger.kind !== undefined && trigger.kind !== 'Schedule') throw bad('trigger kind must be "Schedule"');
  const settings = (trigger.settings ?? {}) as Record<string, unknown>;
  const cron = typeof settings.cron === 'string' ? settings.cron.trim() : '';
  return {
    algorithm: 'or',
    rules: rules.map((rule, id) => ({ ...rule, id })),
    trigger: { kind: 'Schedule', settings: cron ? { cron } : {} },
    scope: { level: 'project', ref },
  };
}

/** What a rule sees of an artifact. */
export interface Candidate {
  digest: string;
  tags: string[];
  pushTime: string;
  /** When it was last pulled; undefined when never. */
  pullTime?: string;
}

export interface Decision {
  candidate: Candidate;
  retained: boolean;
  /** Why: the rules that retained it, or that none did. */
  reason: string;
}

function untaggedFlag(selector: Selector): boolean {
  let untagged = selector.decoration !== 'excludes';
  if (selector.extras) {
    try {
      const extras = JSON.parse(selector.extras) as { untagged?: unknown };
      if (typeof extras.untagged === 'boolean') untagged = extras.untagged;
    } catch {
      // Harbor keeps the default when the extras are not JSON.
    }
  }
  return untagged;
}

/** Harbor's doublestar tag selector: by any tag; untagged artifacts by the `untagged` extra. */
export function tagSelects(selector: Selector, candidate: Candidate): boolean {
  const untagged = untaggedFlag(selector);
  const excludes = selector.decoration === 'excludes';
  if (candidate.tags.length === 0) return excludes ? !untagged : untagged;
  const match = (tag: string) => selector.pattern === '' || globMatches(selector.pattern, tag);
  return excludes ? candidate.tags.some((tag) => !match(tag)) : candidate.tags.some(match);
}

/** Whether the rule covers the repository (its name inside the project). */
export function ruleCovers(rule: RetentionRule, repository: string): boolean {
  const selector = rule.scope_selectors.repository[0];
  return !rule.disabled && selector !== undefined && selects(selector, repository);
}

const newestFirst = (key: (c: Candidate) => string | undefined) => (a: Candidate, b: Candidate) =>
  (key(b) ?? '').localeCompare(key(a) ?? '') || a.digest.localeCompare(b.digest);

/** The candidates a rule's template keeps, of those its tag selector chose. */
function keep(rule: RetentionRule, chosen: Candidate[], now: Date): Candidate[] {
  const n = Number(rule.params[rule.template] ?? 0);
  const since = (days: number) => new Date(now.getTime() - days * 86_400_000).toISOString();
  switch (rule.template) {
    case 'always':
      return chosen;
    case 'latestPushedK':
      return [...chosen].sort(newestFirst((c) => c.pushTime)).slice(0, n);
    case 'latestPulledN':
      return [...chosen]
        .filter((c) => c.pullTime)
        .sort(newestFirst((c) => c.pullTime))
        .slice(0, n);
    case 'nDaysSinceLastPush':
      return chosen.filter((c) => c.pushTime >= since(n));
    case 'nDaysSinceLastPull':
      return chosen.filter((c) => c.pullTime !== undefined && c.pullTime >= since(n));
  }
}

function describe(rule: RetentionRule): string {
  const n = rule.params[rule.template];
  const what = {
    latestPushedK: `the ${String(n)} most recently pushed`,
    latestPulledN: `the ${String(n)} most recently pulled`,
    nDaysSinceLastPush: `pushed within ${String(n)} days`,
    nDaysSinceLastPull: `pulled within ${String(n)} days`,
    always: 'always',
  }[rule.template];
  const tag = rule.tag_selectors[0];
  return `rule ${String(rule.id ?? 0)} (${what}, tags ${tag?.decoration ?? ''} ${tag?.pattern ?? ''})`;
}

/** Each candidate of one repository retained or not, and why ("or" of the rules covering the repository). */
export function evaluate(rules: RetentionRule[], repository: string, candidates: Candidate[], now: Date): Decision[] {
  const reasons = new Map<string, string[]>();
  for (const rule of rules.filter((r) => ruleCovers(r, repository))) {
    const selector = rule.tag_selectors[0];
    if (!selector) continue;
    const chosen = candidates.filter((c) => tagSelects(selector, c));
    for (const kept of keep(rule, chosen, now))
      reasons.set(kept.digest, [...(reasons.get(kept.digest) ?? []), describe(rule)]);
  }
  return candidates.map((candidate) => {
    const by = reasons.get(candidate.digest);
    return {
      candidate,
      retained: by !== undefined,
      reason: by ? `retained by ${by.join(', ')}` : 'no rule retains it',
    };
  });
}
