import { Alert, Button, Code, Group, Modal, Stack, Text } from '@mantine/core';
import { useT } from '../../i18n/context';
import { CopyValueButton } from '../PullCommand';

export interface RobotSecret {
  name: string;
  secret: string;
}

/** The name and secret of a robot, shown once: Berth keeps only the secret's hash. */
export function SecretDialog({ secret, onClose }: { secret: RobotSecret | null; onClose(): void }) {
  const t = useT();
  return (
    <Modal opened={secret !== null} onClose={onClose} title={t('robots.secretTitle')} centered size="lg">
      {secret && (
        <Stack>
          <Alert color="yellow">{t('robots.secretOnce')}</Alert>
          <Group wrap="nowrap">
            <Text fw={500} w={80}>
              {t('robots.name')}
            </Text>
            <Code data-testid="robot-name">{secret.name}</Code>
            <CopyValueButton value={secret.name} label={t('robots.copyName')} />
          </Group>
          <Group wrap="nowrap">
            <Text fw={500} w={80}>
              {t('robots.secret')}
            </Text>
            <Code data-testid="robot-secret" style={{ wordBreak: 'break-all' }}>
              {secret.secret}
            </Code>
            <CopyValueButton value={secret.secret} label={t('robots.copySecret')} />
          </Group>
          <Group justify="flex-end">
            <Button onClick={onClose}>{t('action.close')}</Button>
          </Group>
        </Stack>
      )}
    </Modal>
  );
}
