import { BerthError } from '../shared/errors.js';
import { repositoryDecorations, selectorProblem, selects, tagDecorations, type Selector } from '../shared/selectors.js';

// Harbor's ImmutableRule: a repository selector and a tag selector (doublestar), applied to
// the repository's name inside its project. A tag is immutable when an enabled rule of its
// project selects both (Harbor's pkg/immutable/match/rule: the first selector of each kind).

export interface ImmutableRule {
  id: number;
  priority: number;
  disabled: boolean;
  action: 'immutable';
  template: 'immutable_template';
  params: Record<string, unknown>;
  tag_selectors: Selector[];
  scope_selectors: { repository: Selector[] };
}

/** What a rule is, without its id and switch: unique per project. */
export type RuleFilter = Omit<ImmutableRule, 'id' | 'disabled'>;

/** Harbor's limit (the portal and the docs): at most 15 rules per project. */
export const maxRulesPerProject = 15;

function selector(value: Selector): Selector {
  return {
    kind: value.kind,
    decoration: value.decoration,
    pattern: value.pattern,
    ...(value.extras ? { extras: value.extras } : {}),
  };
}

/** The rule a request body describes, or 400 naming what is wrong. */
export function parseRule(body: unknown): { filter: RuleFilter; disabled: boolean; id?: number } {
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    throw new BerthError('BAD_REQUEST', 'the body must be an ImmutableRule object');
  const raw = body as Record<string, unknown>;
  if (raw.action !== undefined && raw.action !== 'immutable')
    throw new BerthError('BAD_REQUEST', 'action must be "immutable"');
  if (raw.template !== undefined && raw.template !== 'immutable_template')
    throw new BerthError('BAD_REQUEST', 'template must be "immutable_template"');
  if (raw.disabled !== undefined && typeof raw.disabled !== 'boolean')
    throw new BerthError('BAD_REQUEST', 'disabled must be a boolean');
  if (raw.priority !== undefined && !Number.isInteger(raw.priority))
    throw new BerthError('BAD_REQUEST', 'priority must be an integer');
  const tags = raw.tag_selectors;
  if (!Array.isArray(tags) || tags.length !== 1)
    throw new BerthError('BAD_REQUEST', 'tag_selectors must hold one tag selector');
  const scope = raw.scope_selectors as Record<string, unknown> | undefined;
  const repositories = scope?.repository;
  if (!Array.isArray(repositories) || repositories.length !== 1)
    throw new BerthError('BAD_REQUEST', 'scope_selectors.repository must hold one repository selector');
  const problem =
    selectorProblem(tags[0], tagDecorations, 'tag') ??
    selectorProblem(repositories[0], repositoryDecorations, 'repository');
  if (problem) throw new BerthError('BAD_REQUEST', problem);
  const params = raw.params;
  if (params !== undefined && (typeof params !== 'object' || params === null || Array.isArray(params)))
    throw new BerthError('BAD_REQUEST', 'params must be an object');
  return {
    filter: {
      priority: (raw.priority as number | undefined) ?? 0,
      action: 'immutable',
      template: 'immutable_template',
      params: (params as Record<string, unknown> | undefined) ?? {},
      tag_selectors: [selector(tags[0] as Selector)],
      scope_selectors: { repository: [selector(repositories[0] as Selector)] },
    },
    disabled: (raw.disabled as boolean | undefined) ?? false,
    ...(raw.id !== undefined && raw.id !== 0 ? { id: Number(raw.id) } : {}),
  };
}

/** Whether an enabled rule protects `tag` in the repository `repository` (its name inside the project). */
export function isProtected(rules: readonly ImmutableRule[], repository: string, tag: string): boolean {
  return rules.some(
    (rule) =>
      !rule.disabled &&
      rule.scope_selectors.repository[0] !== undefined &&
      rule.tag_selectors[0] !== undefined &&
      selects(rule.scope_selectors.repository[0], repository) &&
      selects(rule.tag_selectors[0], tag),
  );
}
