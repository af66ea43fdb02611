import { CheckIcon, ColorSwatch, Group, Modal, SimpleGrid, Stack, Text, TextInput, Textarea } from '@mantine/core';
import { useState, type FormEvent } from 'react';
import { useLabelWrites } from '../../api/labels';
import type { Label } from '../../api/types';
import { useT } from '../../i18n/context';
import {
  cleanColor,
  draftOf,
  isDraftComplete,
  isHexColor,
  labelBody,
  labelPalette,
  textColorOn,
  type LabelDraft,
  type LabelOwner,
} from '../../lib/labels';
import { DialogButtons } from '../ConfirmDialog';
import { ErrorAlert } from '../ErrorAlert';
import { LabelChip } from './LabelChip';

/** Harbor's palette as swatches; the one picked carries a check mark. */
function Palette({ value, onChange }: { value: string; onChange(color: string): void }) {
  const t = useT();
  return (
    <SimpleGrid cols={8} spacing={6} verticalSpacing={6} role="radiogroup" aria-label={t('labels.palette')}>
      {labelPalette.map((color) => (
        <ColorSwatch
          key={color}
          component="button"
          type="button"
          role="radio"
          aria-checked={value === color}
          aria-label={color}
          color={color}
          size={26}
          style={{ cursor: 'pointer', color: textColorOn(color) }}
          onClick={() => onChange(color)}
        >
          {value === color && <CheckIcon size={12} />}
        </ColorSwatch>
      ))}
    </SimpleGrid>
  );
}

/**
 * Creates a label for `owner` (`label` "new") or edits one: name, description, and a color
 * from Harbor's palette or typed as #RRGGBB. The API's refusal (a taken name, 409) shows here.
 */
export function LabelDialog({ owner, label, onClose }: { owner: LabelOwner; label: Label | 'new'; onClose(): void }) {
  const t = useT();
  const { create, update } = useLabelWrites();
  const [draft, setDraft] = useState<LabelDraft>(() => draftOf(label === 'new' ? undefined : label));
  const [customColor, setCustomColor] = useState(draft.color);
  const mutation = label === 'new' ? create : update;
  const change = (patch: Partial<LabelDraft>) => {
    mutation.reset();
    setDraft((current) => ({ ...current, ...patch }));
  };
  function submit(event: FormEvent) {
    event.preventDefault();
    if (label === 'new') create.mutate(labelBody(draft, owner), { onSuccess: onClose });
    else update.mutate({ ...labelBody(draft), id: label.id }, { onSuccess: onClose });
  }
  const typed = cleanColor(customColor);
  const preview: Label = {
    id: 0,
    name: draft.name.trim() || t('labels.preview'),
    description: '',
    color: draft.color,
    scope: owner.scope,
    project_id: 0,
    creation_time: '',
    update_time: '',
  };
  return (
    <Modal opened onClose={onClose} title={t(label === 'new' ? 'labels.new' : 'labels.edit')} centered>
      <form onSubmit={submit} data-testid="label-form">
        <Stack>
          <TextInput
            label={t('labels.name')}
            required
            data-autofocus
            maxLength={128}
            value={draft.name}
            onChange={(e) => change({ name: e.currentTarget.value })}
          />
          <Textarea
            label={t('labels.description')}
            rows={2}
            maxLength={1024}
            value={draft.description}
            onChange={(e) => change({ description: e.currentTarget.value })}
          />
          <div>
            <Text size="sm" fw={500} mb={4}>
              {t('labels.color')}
            </Text>
            <Palette
              value={draft.color}
              onChange={(color) => {
                setCustomColor(color);
                change({ color });
              }}
            />
          </div>
          <Group align="flex-end">
            <TextInput
              label={t('labels.customColor')}
              placeholder="#C92100"
              w={160}
              value={customColor}
              error={customColor.trim() !== '' && !isHexColor(typed) ? t('labels.badColor') : undefined}
              leftSection={<ColorSwatch color={isHexColor(typed) ? typed : 'transparent'} size={16} />}
              onChange={(e) => {
                const value = e.currentTarget.value;
                setCustomColor(value);
                change({ color: cleanColor(value) });
              }}
            />
            <div data-testid="label-preview">
              <LabelChip label={preview} />
            </div>
          </Group>
          <ErrorAlert error={mutation.error} />
          <DialogButtons
            onCancel={onClose}
            submitLabel={t(label === 'new' ? 'action.create' : 'action.save')}
            pending={mutation.isPending}
            disabled={!isDraftComplete(draft)}
          />
        </Stack>
      </form>
    </Modal>
  );
}
