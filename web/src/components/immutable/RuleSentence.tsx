import { Code } from '@mantine/core';
import { Fragment, type ReactNode } from 'react';
import type { ImmutableRule } from '../../api/types';
import { useT } from '../../i18n/context';
import { draftOf } from '../../lib/immutable';

/** A catalogue message with elements in its {placeholders}: the words stay in the language's order. */
export function fill(template: string, parts: Record<string, ReactNode>): ReactNode[] {
  return template.split(/(\{\w+\})/).map((piece, i) => {
    const name = /^\{(\w+)\}$/.exec(piece)?.[1];
    return <Fragment key={i}>{name !== undefined && name in parts ? parts[name] : piece}</Fragment>;
  });
}

/** Harbor's reading of a rule: "For the repositories matching **, tags matching v*". */
export function RuleSentence({ rule }: { rule: ImmutableRule }) {
  const t = useT();
  const draft = draftOf(rule);
  const repositories = fill(t(`immutable.selector.${draft.repositoryDecoration}`), {
    pattern: <Code>{draft.repositoryPattern}</Code>,
  });
  const tags = fill(t(`immutable.selector.${draft.tagDecoration}`), { pattern: <Code>{draft.tagPattern}</Code> });
  return <>{fill(t('immutable.rule'), { repositories, tags })}</>;
}
