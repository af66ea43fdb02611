import { Badge, CloseButton, Group } from '@mantine/core';
import type { Label } from '../../api/types';
import { textColorOn } from '../../lib/labels';

/** A label as Harbor shows it: its name on its color; the description is the chip's tooltip. */
export function LabelChip({ label, onRemove, removeLabel }: { label: Label; onRemove?(): void; removeLabel?: string }) {
  const text = textColorOn(label.color);
  return (
    <Badge
      tt="none"
      variant={text ? 'filled' : 'outline'}
      color={text ? label.color : 'gray'}
      title={label.description || undefined}
      data-testid="label-chip"
      data-label={label.name}
      data-scope={label.scope}
      // White and other light labels keep an edge on a light page.
      styles={{ root: text ? { color: text, border: '1px solid var(--mantine-color-default-border)' } : {} }}
      rightSection={
        onRemove && (
          <CloseButton size="xs" aria-label={removeLabel} onClick={onRemove} style={{ color: text ?? 'inherit' }} />
        )
      }
    >
      {label.name}
    </Badge>
  );
}

export function LabelChips({ labels }: { labels: Label[] | undefined }) {
  if (!labels?.length) return null;
  return (
    <Group gap={4} data-testid="labels">
      {labels.map((label) => (
        <LabelChip key={label.id} label={label} />
      ))}
    </Group>
  );
}
