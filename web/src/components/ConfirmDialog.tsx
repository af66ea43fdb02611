import { Button, Group, Modal, Stack, Text } from '@mantine/core';
import type { ReactNode } from 'react';
import { useT } from '../i18n/context';
import { ErrorAlert } from './ErrorAlert';

export interface ConfirmDialogProps {
  opened: boolean;
  title: string;
  message: ReactNode;
  confirmLabel?: string;
  pending?: boolean;
  error?: unknown;
  onConfirm(): void;
  onClose(): void;
}

/** Asks before a destructive action; Escape or Cancel closes it, focus stays inside while open. */
export function ConfirmDialog({
  opened,
  title,
  message,
  confirmLabel,
  pending,
  error,
  onConfirm,
  onClose,
}: ConfirmDialogProps) {
  const t = useT();
  return (
    <Modal opened={opened} onClose={onClose} title={title} centered>
      <Stack>
        <Text>{message}</Text>
        <ErrorAlert error={error} />
        <Group justify="flex-end">
          <Button variant="default" onClick={onClose} data-autofocus>
            {t('action.cancel')}
          </Button>
          <Button color="red" loading={pending} onClick={onConfirm}>
            {confirmLabel ?? t('action.delete')}
          </Button>
        </Group>
      </Stack>
    </Modal>
  );
}

/** The mutation a ConfirmMutation runs: TanStack Query's, narrowed to what the dialog uses. */
interface TargetMutation<T> {
  mutate(target: T, options: { onSuccess(): void }): void;
  reset(): void;
  isPending: boolean;
  error: unknown;
}

/**
 * Asks before running `mutation` on `target` (a row picked for deletion); open while a
 * target is set, `onDone` clears it after success or cancel.
 */
export function ConfirmMutation<T>({
  target,
  mutation,
  onDone,
  title,
  message,
  confirmLabel,
}: {
  target: T | null;
  mutation: TargetMutation<T>;
  onDone(): void;
  title: string;
  message: ReactNode;
  confirmLabel?: string;
}) {
  return (
    <ConfirmDialog
      opened={target !== null}
      title={title}
      message={message}
      confirmLabel={confirmLabel}
      pending={mutation.isPending}
      error={mutation.error}
      onClose={() => {
        mutation.reset();
        onDone();
      }}
      onConfirm={() => target !== null && mutation.mutate(target, { onSuccess: onDone })}
    />
  );
}

/** A form dialog's Cancel and submit buttons. */
export function DialogButtons({
  onCancel,
  submitLabel,
  pending,
  disabled,
}: {
  onCancel(): void;
  submitLabel: string;
  pending: boolean;
  disabled?: boolean;
}) {
  const t = useT();
  return (
    <Group justify="flex-end">
      <Button variant="default" onClick={onCancel}>
        {t('action.cancel')}
      </Button>
      <Button type="submit" loading={pending} disabled={disabled}>
        {submitLabel}
      </Button>
    </Group>
  );
}
