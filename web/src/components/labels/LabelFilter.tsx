import { Select } from '@mantine/core';
import { useUsableLabels } from '../../api/labels';
import { useT } from '../../i18n/context';
import { LabelChip } from './LabelChip';

/** Harbor's filter by label over an artifact list: one label, global or the project's, or none. */
export function LabelFilter({
  projectId,
  value,
  onChange,
}: {
  projectId: number | undefined;
  value: number | undefined;
  onChange(labelId: number | undefined): void;
}) {
  const t = useT();
  const usable = useUsableLabels(projectId);
  const byId = new Map(usable.labels.map((label) => [String(label.id), label]));
  return (
    <Select
      aria-label={t('labels.filter')}
      placeholder={t('labels.filter')}
      data-testid="label-filter"
      w={200}
      clearable
      searchable
      nothingFoundMessage={t('labels.none')}
      data={usable.labels.map((label) => ({ value: String(label.id), label: label.name }))}
      value={value === undefined ? null : String(value)}
      onChange={(id) => onChange(id ? Number(id) : undefined)}
      renderOption={({ option }) => {
        const label = byId.get(option.value);
        return label ? <LabelChip label={label} /> : option.label;
      }}
    />
  );
}
