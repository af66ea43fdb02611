import { Checkbox, Group, Modal, NumberInput, Stack, Text, TextInput } from '@mantine/core';
import { useState, type FormEvent, type ReactNode } from 'react';
import { useRobotWrites, type RobotScope } from '../../api/robots';
import type { RobotPermission } from '../../api/types';
import { useT } from '../../i18n/context';
import { robotNameProblem } from '../../lib/robots';
import { DialogButtons } from '../ConfirmDialog';
import { ErrorAlert } from '../ErrorAlert';
import type { RobotSecret } from './SecretDialog';

export interface CreateRobotDialogProps {
  scope: RobotScope;
  opened: boolean;
  onClose(): void;
  onCreated(secret: RobotSecret): void;
  /** The permissions the editor below describes; undefined while they cannot be sent yet. */
  permissions: RobotPermission[] | undefined;
  /** Called on close, so the editor can start afresh next time. */
  onReset?(): void;
  /** The permission editor: project or system. */
  children: ReactNode;
}

/** Name, description and expiry of a new robot; the caller supplies the permission editor. */
export function CreateRobotDialog({
  scope,
  opened,
  onClose,
  onCreated,
  permissions,
  onReset,
  children,
}: CreateRobotDialogProps) {
  const t = useT();
  const { create } = useRobotWrites(scope);
  const [name, setName] = useState('');
  const [description, setDescription] = useState('');
  const [days, setDays] = useState<number | string>(30);
  const [never, setNever] = useState(false);
  const problem = name ? robotNameProblem(name) : undefined;
  function close() {
    create.reset();
    setName('');
    setDescription('');
    onReset?.();
    onClose();
  }
  function submit(event: FormEvent) {
    event.preventDefault();
    if (!permissions || robotNameProblem(name)) return;
    create.mutate(
      { name, description, duration: never ? -1 : Number(days), permissions },
      {
        onSuccess: (created) => {
          close();
          onCreated({ name: created.name, secret: created.secret });
        },
      },
    );
  }
  return (
    <Modal opened={opened} onClose={close} title={t('robots.new')} centered size="xl">
      <form onSubmit={submit}>
        <Stack>
          <TextInput
            label={t('robots.name')}
            required
            value={name}
            onChange={(e) => setName(e.currentTarget.value)}
            error={problem && t('robots.nameInvalid')}
            data-autofocus
          />
          <TextInput
            label={t('robots.description')}
            value={description}
            onChange={(e) => setDescription(e.currentTarget.value)}
          />
          <Group align="flex-end">
            <NumberInput
              label={t('robots.expiresInDays')}
              min={1}
              value={days}
              onChange={setDays}
              disabled={never}
              w={180}
            />
            <Checkbox
              label={t('robots.neverExpires')}
              checked={never}
              onChange={(e) => setNever(e.currentTarget.checked)}
              mb={8}
            />
          </Group>
          <Text fw={500} size="sm">
            {t('robots.permissions')}
          </Text>
          {children}
          <ErrorAlert error={create.error} />
          <DialogButtons
            onCancel={close}
            submitLabel={t('action.create')}
            pending={create.isPending}
            disabled={!name || Boolean(problem) || !permissions}
          />
        </Stack>
      </form>
    </Modal>
  );
}
