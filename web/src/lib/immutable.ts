import type { ImmutableRule, ImmutableSelector } from '../api/types';
import type { RuleBody } from '../api/immutable';

// Tag immutability rules as the portal edits them: one repository selector and one tag
// selector (Harbor's doublestar kind), each matching or excluding a pattern.

/** Harbor's limit per project (the API answers 400 past it). */
export const maxImmutableRules = 15;

export const repositoryDecorations = ['repoMatches', 'repoExcludes'] as const;
export const tagDecorations = ['matches', 'excludes'] as const;
export type RepositoryDecoration = (typeof repositoryDecorations)[number];
export type TagDecoration = (typeof tagDecorations)[number];

/** What the rule dialog holds. */
export interface RuleDraft {
  repositoryDecoration: RepositoryDecoration;
  repositoryPattern: string;
  tagDecoration: TagDecoration;
  tagPattern: string;
}

/** A new rule starts on every repository, its tag pattern still to type. */
export const newRuleDraft: RuleDraft = {
  repositoryDecoration: 'repoMatches',
  repositoryPattern: '**',
  tagDecoration: 'matches',
  tagPattern: '',
};

function isOneOf<T extends string>(values: readonly T[], value: string | undefined): value is T {
  return (values as readonly (string | undefined)[]).includes(value);
}

/** The repository and tag selectors a rule applies (Harbor reads the first of each). */
export function ruleSelectors(rule: ImmutableRule): { repository?: ImmutableSelector; tag?: ImmutableSelector } {
  return { repository: rule.scope_selectors.repository[0], tag: rule.tag_selectors[0] };
}

export function draftOf(rule: ImmutableRule): RuleDraft {
  const { repository, tag } = ruleSelectors(rule);
  return {
    repositoryDecoration: isOneOf(repositoryDecorations, repository?.decoration)
      ? repository.decoration
      : 'repoMatches',
    repositoryPattern: repository?.pattern ?? '',
    tagDecoration: isOneOf(tagDecorations, tag?.decoration) ? tag.decoration : 'matches',
    tagPattern: tag?.pattern ?? '',
  };
}

/** Names and tags hold no white space, so none in a pattern is meant: "v1, v2" is the list v1,v2. */
export function cleanPattern(pattern: string): string {
  return pattern.replace(/\s+/g, '');
}

export function isDraftComplete(draft: RuleDraft): boolean {
  return cleanPattern(draft.repositoryPattern) !== '' && cleanPattern(draft.tagPattern) !== '';
}

/** The rule to send: a new one (enabled), or `stored` with the draft's selectors and its own id and switch. */
export function ruleBody(draft: RuleDraft, stored?: ImmutableRule): RuleBody {
  const selector = (decoration: string, pattern: string) => ({
    kind: 'doublestar',
    decoration,
    pattern: cleanPattern(pattern),
  });
  return {
    ...(stored ?? { disabled: false, action: 'immutable', template: 'immutable_template' }),
    tag_selectors: [selector(draft.tagDecoration, draft.tagPattern)],
    scope_selectors: { repository: [selector(draft.repositoryDecoration, draft.repositoryPattern)] },
  };
}

/** `rule` switched on or off, whole, as PUT takes it. */
export function withDisabled(rule: ImmutableRule, disabled: boolean): ImmutableRule {
  return { ...rule, disabled };
}
