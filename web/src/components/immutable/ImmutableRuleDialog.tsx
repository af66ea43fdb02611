import { Modal, Stack, Text } from '@mantine/core';
import { useState, type FormEvent } from 'react';
import { useImmutableRuleWrites } from '../../api/immutable';
import type { ImmutableRule } from '../../api/types';
import { useT } from '../../i18n/context';
import { draftOf, isDraftComplete, newRuleDraft, ruleBody, type RuleDraft } from '../../lib/immutable';
import { DialogButtons } from '../ConfirmDialog';
import { ErrorAlert } from '../ErrorAlert';
import { RepositorySelectorFields, TagSelectorFields } from './SelectorFields';

/**
 * Adds a rule (`rule` "new") or edits one: repositories matching or excluding a pattern, tags
 * matching or excluding a pattern. The API's refusal (a bad pattern, the same rule twice, the
 * 15th rule) shows in the dialog.
 */
export function ImmutableRuleDialog({
  projectId,
  rule,
  onClose,
}: {
  projectId: number;
  rule: ImmutableRule | 'new';
  onClose(): void;
}) {
  const t = useT();
  const { create, update } = useImmutableRuleWrites(projectId);
  const [draft, setDraft] = useState<RuleDraft>(() => (rule === 'new' ? newRuleDraft : draftOf(rule)));
  const mutation = rule === 'new' ? create : update;
  const change = (patch: Partial<RuleDraft>) => {
    mutation.reset();
    setDraft((current) => ({ ...current, ...patch }));
  };
  function submit(event: FormEvent) {
    event.preventDefault();
    if (rule === 'new') create.mutate(ruleBody(draft), { onSuccess: onClose });
    else update.mutate({ ...ruleBody(draft, rule), id: rule.id }, { onSuccess: onClose });
  }
  return (
    <Modal opened onClose={onClose} title={t(rule === 'new' ? 'immutable.addRule' : 'immutable.editRule')} centered>
      <form onSubmit={submit} data-testid="immutable-rule-form">
        <Stack>
          <RepositorySelectorFields draft={draft} change={change} />
          <TagSelectorFields draft={draft} change={change} autoFocus />
          <Text size="sm" c="dimmed" data-testid="pattern-hint">
            {t('immutable.patternHint')}
          </Text>
          <ErrorAlert error={mutation.error} />
          <DialogButtons
            onCancel={onClose}
            submitLabel={t(rule === 'new' ? 'action.add' : 'action.save')}
            pending={mutation.isPending}
            disabled={!isDraftComplete(draft)}
          />
        </Stack>
      </form>
    </Modal>
  );
}
