import { Checkbox, Group, Modal, NativeSelect, NumberInput, Stack, Text } from '@mantine/core';
import { useState, type FormEvent } from 'react';
import { useRetentionWrites } from '../../api/retention';
import type { RetentionMetadata, RetentionPolicy } from '../../api/types';
import { useT } from '../../i18n/context';
import { RepositorySelectorFields, TagSelectorFields } from '../immutable/SelectorFields';
import {
  isRetentionDraftComplete,
  newRetentionDraft,
  retentionDraftOf,
  retentionRuleOf,
  withRule,
  type ParamUnit,
  type RetentionDraft,
} from '../../lib/retention';
import { DialogButtons } from '../ConfirmDialog';
import { ErrorAlert } from '../ErrorAlert';
import { templateText } from './RetentionRuleSentence';

/** The unit of the template's one parameter, as GET /retentions/metadatas gives it. */
export function templateUnit(metadata: RetentionMetadata | undefined, template: string): ParamUnit | undefined {
  const unit = metadata?.templates?.find((meta) => meta.rule_template === template)?.params?.[0]?.unit;
  return unit === 'COUNT' || unit === 'DAYS' ? unit : undefined;
}

/**
 * Adds rule `index` (the rule count) or edits it: repositories matching or excluding a pattern,
 * the template with its number, tags matching or excluding a pattern and untagged artifacts.
 * Saving writes the whole policy; the API's refusal (a bad pattern, the same rule twice) shows here.
 */
export function RetentionRuleDialog({
  policyId,
  policy,
  index,
  metadata,
  onClose,
}: {
  policyId: number | undefined;
  policy: RetentionPolicy;
  index: number;
  metadata: RetentionMetadata | undefined;
  onClose(): void;
}) {
  const t = useT();
  const { save } = useRetentionWrites(policyId);
  const stored = policy.rules[index];
  const [draft, setDraft] = useState<RetentionDraft>(() => (stored ? retentionDraftOf(stored) : newRetentionDraft));
  const unit = templateUnit(metadata, draft.template);
  const change = (patch: Partial<RetentionDraft>) => {
    save.reset();
    setDraft((current) => ({ ...current, ...patch }));
  };
  function submit(event: FormEvent) {
    event.preventDefault();
    save.mutate(withRule(policy, index, retentionRuleOf(draft, unit, stored)), { onSuccess: onClose });
  }
  const templates = (metadata?.templates ?? []).flatMap((meta) => (meta.rule_template ? [meta.rule_template] : []));
  return (
    <Modal opened onClose={onClose} title={t(stored ? 'immutable.editRule' : 'immutable.addRule')} centered size="lg">
      <form onSubmit={submit} data-testid="retention-rule-form">
        <Stack>
          <RepositorySelectorFields draft={draft} change={change} />
          <Group align="flex-start" grow>
            <NativeSelect
              label={t('retention.byTemplate')}
              data={templates.map((value) => ({ value, label: templateText(t, value, '#', metadata) }))}
              value={draft.template}
              onChange={(e) => change({ template: e.currentTarget.value })}
            />
            {unit && (
              <NumberInput
                label={t(unit === 'DAYS' ? 'retention.days' : 'retention.count')}
                min={0}
                allowDecimal={false}
                allowNegative={false}
                required
                value={draft.count}
                onChange={(value) => change({ count: typeof value === 'number' ? value : Number(value) || 0 })}
              />
            )}
          </Group>
          <TagSelectorFields draft={draft} change={change} />
          <Checkbox
            label={t('retention.untagged')}
            checked={draft.untagged}
            onChange={(e) => change({ untagged: e.currentTarget.checked })}
          />
          <Text size="sm" c="dimmed">
            {t('immutable.patternHint')}
          </Text>
          <ErrorAlert error={save.error} />
          <DialogButtons
            onCancel={onClose}
            submitLabel={t(stored ? 'action.save' : 'action.add')}
            pending={save.isPending}
            disabled={!isRetentionDraftComplete(draft, unit)}
          />
        </Stack>
      </form>
    </Modal>
  );
}
