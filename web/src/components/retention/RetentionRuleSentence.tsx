import { Code } from '@mantine/core';
import type { RetentionMetadata, RetentionRule } from '../../api/types';
import { isMessageKey, useT, type Translate } from '../../i18n/context';
import { retentionDraftOf } from '../../lib/retention';
import { fill } from '../immutable/RuleSentence';

/**
 * A template in words, with its number as `count` ("#" in the dialog's list): the catalogue's
 * when it knows the template, else the server's display text.
 */
export function templateText(
  t: Translate,
  template: string,
  count: number | string,
  metadata?: RetentionMetadata,
): string {
  const key = `retention.template.${template}`;
  if (isMessageKey(key)) return t(key, { count });
  const display = metadata?.templates?.find((meta) => meta.rule_template === template)?.display_text ?? template;
  return display.replace('#', String(count));
}

/** Harbor's reading of a rule: "For the repositories matching **, retain the most recently pushed 10 artifacts with tags matching ** with untagged". */
export function RetentionRuleSentence({ rule, metadata }: { rule: RetentionRule; metadata?: RetentionMetadata }) {
  const t = useT();
  const draft = retentionDraftOf(rule);
  const repositories = fill(t(`immutable.selector.${draft.repositoryDecoration}`), {
    pattern: <Code>{draft.repositoryPattern}</Code>,
  });
  const tags = fill(t(`immutable.selector.${draft.tagDecoration}`), { pattern: <Code>{draft.tagPattern}</Code> });
  return (
    <>
      {fill(t('retention.rule'), {
        repositories,
        template: templateText(t, draft.template, draft.count, metadata),
        tags,
        untagged: t(draft.untagged ? 'retention.withUntagged' : 'retention.withoutUntagged'),
      })}
    </>
  );
}
