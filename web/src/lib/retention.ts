import type { RetentionPolicy, RetentionRule, RetentionSelector } from '../api/types';
import { cleanPattern, repositoryDecorations, tagDecorations } from './immutable';
import type { RepositoryDecoration, TagDecoration } from './immutable';

// Tag retention policies as the portal edits them (Harbor's RetentionPolicy): rules of one
// repository selector, one tag selector with its untagged switch and one template with its
// number; the policy is written whole, so every change builds the next policy from the last.

/** Harbor's limit per policy (the API answers 400 past it). */
export const maxRetentionRules = 15;

/** A rule's template keeps a number of artifacts (COUNT) or those of the last days (DAYS); `always` has none. */
export type ParamUnit = 'COUNT' | 'DAYS';

/** What the rule dialog holds. */
export interface RetentionDraft {
  repositoryDecoration: RepositoryDecoration;
  repositoryPattern: string;
  template: string;
  /** The template's number; ignored by a template without one. */
  count: number;
  tagDecoration: TagDecoration;
  tagPattern: string;
  untagged: boolean;
}

/** Harbor's new rule: every repository, the 10 most recently pushed, every tag, untagged included. */
export const newRetentionDraft: RetentionDraft = {
  repositoryDecoration: 'repoMatches',
  repositoryPattern: '**',
  template: 'latestPushedK',
  count: 10,
  tagDecoration: 'matches',
  tagPattern: '**',
  untagged: true,
};

function isOneOf<T extends string>(values: readonly T[], value: string | undefined): value is T {
  return (values as readonly (string | undefined)[]).includes(value);
}

/** The selector's `extras` say whether untagged artifacts count; without them Harbor's default (see docs/operations.md). */
export function includesUntagged(selector: RetentionSelector | undefined): boolean {
  try {
    const extras: unknown = JSON.parse(selector?.extras ?? '{}');
    if (typeof extras === 'object' && extras !== null && 'untagged' in extras && typeof extras.untagged === 'boolean')
      return extras.untagged;
  } catch {
    // Not JSON: the default below.
  }
  return selector?.decoration !== 'excludes';
}

/** The template's number (params.{template}), 0 when it has none. */
export function ruleCount(rule: RetentionRule): number {
  const value: unknown = rule.params?.[rule.template];
  return typeof value === 'number' ? value : 0;
}

export function retentionDraftOf(rule: RetentionRule): RetentionDraft {
  const repository = rule.scope_selectors.repository[0];
  const tag = rule.tag_selectors[0];
  return {
    repositoryDecoration: isOneOf(repositoryDecorations, repository?.decoration)
      ? repository.decoration
      : 'repoMatches',
    repositoryPattern: repository?.pattern ?? '',
    template: rule.template,
    count: ruleCount(rule),
    tagDecoration: isOneOf(tagDecorations, tag?.decoration) ? tag.decoration : 'matches',
    tagPattern: tag?.pattern ?? '',
    untagged: includesUntagged(tag),
  };
}

export function isRetentionDraftComplete(draft: RetentionDraft, unit: ParamUnit | undefined): boolean {
  const countOk = unit === undefined || (Number.isInteger(draft.count) && draft.count >= 0);
  return countOk && cleanPattern(draft.repositoryPattern) !== '' && cleanPattern(draft.tagPattern) !== '';
}

/** A rule as written: a new one has no id yet. */
export type RetentionRuleBody = Omit<RetentionRule, 'id'> & { id?: number };

/** A policy as written (PUT takes it whole). */
export type RetentionPolicyBody = Omit<RetentionPolicy, 'rules'> & { rules: RetentionRuleBody[] };

/** The rule to store: a new one (enabled), or `stored` with the draft's choices and its own switch. */
export function retentionRuleOf(
  draft: RetentionDraft,
  unit: ParamUnit | undefined,
  stored?: RetentionRule,
): RetentionRuleBody {
  return {
    ...(stored ?? { disabled: false }),
    action: 'retain',
    template: draft.template,
    params: unit === undefined ? {} : { [draft.template]: draft.count },
    tag_selectors: [
      {
        kind: 'doublestar',
        decoration: draft.tagDecoration,
        pattern: cleanPattern(draft.tagPattern),
        extras: JSON.stringify({ untagged: draft.untagged }),
      },
    ],
    scope_selectors: {
      repository: [
        { kind: 'doublestar', decoration: draft.repositoryDecoration, pattern: cleanPattern(draft.repositoryPattern) },
      ],
    },
  };
}

/** The project's policy with no rules and no schedule: what the first change starts from. */
export function emptyPolicy(projectId: number): RetentionPolicy {
  return {
    algorithm: 'or',
    rules: [],
    trigger: { kind: 'Schedule', settings: { cron: '' } },
    scope: { level: 'project', ref: projectId },
  };
}

/** `policy` with rule `index` replaced by `rule` (or `rule` added when index is the rule count). */
export function withRule(policy: RetentionPolicyBody, index: number, rule: RetentionRuleBody): RetentionPolicyBody {
  const rules = [...policy.rules];
  rules.splice(index, 1, rule);
  return { ...policy, rules };
}

export function withoutRule(policy: RetentionPolicyBody, index: number): RetentionPolicyBody {
  return { ...policy, rules: policy.rules.filter((_, i) => i !== index) };
}

export function withCron(policy: RetentionPolicyBody, cron: string): RetentionPolicyBody {
  return { ...policy, trigger: { kind: 'Schedule', settings: { cron } } };
}

export function policyCron(policy: RetentionPolicyBody | undefined): string {
  const cron: unknown = policy?.trigger.settings?.cron;
  return typeof cron === 'string' ? cron : '';
}

/** The schedules Harbor's retention section offers, with the 6-field crons (seconds first) it sends. */
export const scheduleChoices = ['None', 'Hourly', 'Daily', 'Weekly', 'Custom'] as const;
export type ScheduleChoice = (typeof scheduleChoices)[number];
export const presetCron: Record<Exclude<ScheduleChoice, 'Custom'>, string> = {
  None: '',
  Hourly: '0 0 * * * *',
  Daily: '0 0 0 * * *',
  Weekly: '0 0 0 * * 0',
};

export function isScheduleChoice(value: string | undefined): value is ScheduleChoice {
  return (scheduleChoices as readonly (string | undefined)[]).includes(value);
}

/** The choice a saved cron reads as: a preset's own cron, else Custom. */
export function scheduleChoiceOf(cron: string): ScheduleChoice {
  const preset = (Object.keys(presetCron) as (keyof typeof presetCron)[]).find((key) => presetCron[key] === cron);
  return preset ?? 'Custom';
}

/** Harbor's retention cron: six fields, seconds first. */
export function isSixFieldCron(cron: string): boolean {
  return cron.trim().split(/\s+/).length === 6;
}

const finished = new Set(['Success', 'Error', 'Stopped']);

/** Pending and Running are not finished: the history polls while a run is one of them. */
export function isRunFinished(status: string | undefined): boolean {
  return finished.has(status ?? '');
}
