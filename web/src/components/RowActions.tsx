import { ActionIcon, Menu, Tooltip } from '@mantine/core';
import { IconDots, IconTrash } from '@tabler/icons-react';
import type { ReactNode } from 'react';

/**
 * A labelled delete button for a table row (the label is what screen readers announce).
 * `denied` says why the user may not: the button stays in place, disabled, with that reason as its tooltip.
 */
export function DeleteButton({
  label,
  onClick,
  disabled,
  denied,
}: {
  label: string;
  onClick(): void;
  disabled?: boolean;
  denied?: string;
}) {
  return (
    <Tooltip label={denied ?? label}>
      {/* data-disabled, not disabled: a disabled button gets no hover, so its tooltip could not say why. */}
      <ActionIcon
        variant="subtle"
        color="red"
        aria-label={label}
        aria-disabled={denied ? true : undefined}
        data-disabled={denied ? true : undefined}
        data-denied={denied}
        onClick={denied ? undefined : onClick}
        disabled={disabled}
      >
        <IconTrash size={16} />
      </ActionIcon>
    </Tooltip>
  );
}

/** A row's "…" menu; `children` are its Menu.Item entries. */
export function RowMenu({ label, children }: { label: string; children: ReactNode }) {
  return (
    <Menu position="bottom-end">
      <Menu.Target>
        <ActionIcon variant="subtle" aria-label={label}>
          <IconDots size={16} />
        </ActionIcon>
      </Menu.Target>
      <Menu.Dropdown>{children}</Menu.Dropdown>
    </Menu>
  );
}
