import { Modal, PasswordInput, Stack } from '@mantine/core';
import { useState, type FormEvent } from 'react';
import { useChangePassword } from '../../api/account';
import { useT } from '../../i18n/context';
import { DialogButtons } from '../ConfirmDialog';
import { ErrorAlert } from '../ErrorAlert';

/** Harbor's rule (requireValidSecret), checked here so a typo costs no round trip; the server checks again. */
export function passwordWeak(password: string): boolean {
  return (
    password.length < 8 ||
    password.length > 128 ||
    !/[a-z]/.test(password) ||
    !/[A-Z]/.test(password) ||
    !/[0-9]/.test(password)
  );
}

/**
 * The user menu's "Change password": current, new and confirmation, as in Harbor. Berth ends
 * every session of the user on a change, so `onChanged` sends the user to the login.
 */
export function ChangePasswordDialog({
  userId,
  onClose,
  onChanged,
}: {
  userId: number;
  onClose(): void;
  onChanged(): void;
}) {
  const t = useT();
  const change = useChangePassword(userId);
  const [oldPassword, setOldPassword] = useState('');
  const [newPassword, setNewPassword] = useState('');
  const [confirm, setConfirm] = useState('');
  const weak = newPassword !== '' && passwordWeak(newPassword);
  const mismatch = confirm !== '' && confirm !== newPassword;
  function submit(event: FormEvent) {
    event.preventDefault();
    if (weak || mismatch) return;
    change.mutate({ oldPassword, newPassword }, { onSuccess: onChanged });
  }
  return (
    <Modal opened onClose={onClose} title={t('account.changePassword')} centered>
      <form onSubmit={submit} data-testid="change-password">
        <Stack>
          <PasswordInput
            label={t('account.currentPassword')}
            autoComplete="current-password"
            required
            value={oldPassword}
            onChange={(e) => setOldPassword(e.currentTarget.value)}
            data-autofocus
          />
          <PasswordInput
            label={t('account.newPassword')}
            description={t('users.passwordHint')}
            autoComplete="new-password"
            required
            value={newPassword}
            onChange={(e) => setNewPassword(e.currentTarget.value)}
            error={weak && t('users.passwordHint')}
          />
          <PasswordInput
            label={t('account.confirmPassword')}
            autoComplete="new-password"
            required
            value={confirm}
            onChange={(e) => setConfirm(e.currentTarget.value)}
            error={mismatch && t('users.passwordMismatch')}
          />
          <ErrorAlert error={change.error} />
          <DialogButtons
            onCancel={onClose}
            submitLabel={t('action.save')}
            pending={change.isPending}
            disabled={weak || mismatch}
          />
        </Stack>
      </form>
    </Modal>
  );
}
