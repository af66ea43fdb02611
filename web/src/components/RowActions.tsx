import { ActionIcon, Tooltip } from '@mantine/core';
import { IconTrash } from '@tabler/icons-react';

/** A labelled delete button for a table row (the label is what screen readers announce). */
export function DeleteButton({ label, onClick, disabled }: { label: string; onClick(): void; disabled?: boolean }) {
  return (
    <Tooltip label={label}>
      <ActionIcon variant="subtle" color="red" aria-label={label} onClick={onClick} disabled={disabled}>
        <IconTrash size={16} />
      </ActionIcon>
    </Tooltip>
  );
}
