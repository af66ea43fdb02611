import { Group, Modal, NativeSelect, Stack, Text, TextInput } from '@mantine/core';
import { useState, type FormEvent } from 'react';
import { useImmutableRuleWrites } from '../../api/immutable';
import type { ImmutableRule } from '../../api/types';
import { useT } from '../../i18n/context';
import {
  draftOf,
  isDraftComplete,
  newRuleDraft,
  repositoryDecorations,
  ruleBody,
  tagDecorations,
  type RuleDraft,
} from '../../lib/immutable';
import { DialogButtons } from '../ConfirmDialog';
import { ErrorAlert } from '../ErrorAlert';

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
  const matching = t('immutable.matching');
  const excluding = t('immutable.excluding');
  return (
    <Modal opened onClose={onClose} title={t(rule === 'new' ? 'immutable.addRule' : 'immutable.editRule')} centered>
      <form onSubmit={submit} data-testid="immutable-rule-form">
        <Stack>
          <Group align="flex-start" grow>
            <NativeSelect
              label={t('immutable.repositories')}
              data={repositoryDecorations.map((value) => ({
                value,
                label: value === 'repoMatches' ? matching : excluding,
              }))}
              value={draft.repositoryDecoration}
              onChange={(e) => {
                const value = e.currentTarget.value;
                change({ repositoryDecoration: value === 'repoExcludes' ? value : 'repoMatches' });
              }}
            />
            <TextInput
              label={t('immutable.repositoryPattern')}
              description={t('immutable.repositoryHint')}
              placeholder="**"
              required
              value={draft.repositoryPattern}
              onChange={(e) => change({ repositoryPattern: e.currentTarget.value })}
            />
          </Group>
          <Group align="flex-start" grow>
            <NativeSelect
              label={t('immutable.tags')}
              data={tagDecorations.map((value) => ({ value, label: value === 'matches' ? matching : excluding }))}
              value={draft.tagDecoration}
              onChange={(e) => {
                const value = e.currentTarget.value;
                change({ tagDecoration: value === 'excludes' ? value : 'matches' });
              }}
            />
            <TextInput
              label={t('immutable.tagPattern')}
              placeholder="**"
              required
              data-autofocus
              value={draft.tagPattern}
              onChange={(e) => change({ tagPattern: e.currentTarget.value })}
            />
          </Group>
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
