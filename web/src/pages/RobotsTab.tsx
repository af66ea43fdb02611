import { Alert, Badge, Button, Checkbox, Code, Group, Menu, Modal, NumberInput, Stack, Table, Text, TextInput, ActionIcon } from '@mantine/core';
import { IconDots } from '@tabler/icons-react';
import { useState, type FormEvent } from 'react';
import { useRobotWrites, useRobots } from '../api/members';
import type { Robot } from '../api/types';
import { ConfirmDialog } from '../components/ConfirmDialog';
import { ErrorAlert } from '../components/ErrorAlert';
import { EmptyRow, ListFooter, SortableTh, useListState } from '../components/List';
import { CopyValueButton } from '../components/PullCommand';
import { useI18n, useT } from '../i18n/context';
import { formatTime, robotExpiry } from '../lib/format';
import { accessKey, defaultRobotAccess, robotNameProblem, robotPermissions, robotResources } from '../lib/robots';
import { useRouteProject } from './ProjectPage';

/** The name and secret of a robot, shown once: Berth keeps only the secret's hash. */
function SecretDialog({ secret, onClose }: { secret: { name: string; secret: string } | null; onClose(): void }) {
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

function CreateRobotDialog({ opened, onClose, onCreated }: { opened: boolean; onClose(): void; onCreated(secret: { name: string; secret: string }): void }) {
  const t = useT();
  const { projectId, project } = useRouteProject();
  const { create } = useRobotWrites(projectId);
  const [name, setName] = useState('');
  const [description, setDescription] = useState('');
  const [days, setDays] = useState<number | string>(30);
  const [never, setNever] = useState(false);
  const [chosen, setChosen] = useState<Set<string>>(() => new Set(defaultRobotAccess.map(accessKey)));
  const problem = name ? robotNameProblem(name) : undefined;
  function close() {
    create.reset();
    setName('');
    setDescription('');
    onClose();
  }
  function toggle(key: string) {
    setChosen((current) => {
      const next = new Set(current);
      if (next.has(key)) next.delete(key);
      else next.add(key);
      return next;
    });
  }
  function submit(event: FormEvent) {
    event.preventDefault();
    if (!project || robotNameProblem(name)) return;
    create.mutate(
      { name, description, duration: never ? -1 : Number(days), permissions: robotPermissions(project.name, chosen) },
      {
        onSuccess: (created) => {
          close();
          onCreated({ name: created.name, secret: created.secret });
        },
      },
    );
  }
  return (
    <Modal opened={opened} onClose={close} title={t('robots.new')} centered size="lg">
      <form onSubmit={submit}>
        <Stack>
          <TextInput label={t('robots.name')} required value={name} onChange={(e) => setName(e.currentTarget.value)} error={problem && t('robots.nameInvalid')} data-autofocus />
          <TextInput label={t('robots.description')} value={description} onChange={(e) => setDescription(e.currentTarget.value)} />
          <Group align="flex-end">
            <NumberInput label={t('robots.expiresInDays')} min={1} value={days} onChange={setDays} disabled={never} w={180} />
            <Checkbox label={t('robots.neverExpires')} checked={never} onChange={(e) => setNever(e.currentTarget.checked)} mb={8} />
          </Group>
          <Text fw={500} size="sm">
            {t('robots.permissions')}
          </Text>
          <Table withTableBorder data-testid="robot-permissions">
            <Table.Tbody>
              {Object.entries(robotResources).map(([resource, actions]) => (
                <Table.Tr key={resource}>
                  <Table.Td w={140}>{resource}</Table.Td>
                  <Table.Td>
                    <Group gap="md">
                      {actions.map((action) => (
                        <Checkbox key={action} size="xs" label={action} aria-label={`${resource} ${action}`} checked={chosen.has(`${resource}:${action}`)} onChange={() => toggle(`${resource}:${action}`)} />
                      ))}
                    </Group>
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
          <ErrorAlert error={create.error} />
          <Group justify="flex-end">
            <Button variant="default" onClick={close}>
              {t('action.cancel')}
            </Button>
            <Button type="submit" loading={create.isPending} disabled={!name || Boolean(problem)}>
              {t('action.create')}
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}

export function RobotsTab() {
  const { t, language } = useI18n();
  const { projectId, project } = useRouteProject();
  const list = useListState({ column: 'name', desc: false });
  const robots = useRobots(projectId, project?.project_id, list.params);
  const writes = useRobotWrites(projectId);
  const [creating, setCreating] = useState(false);
  const [secret, setSecret] = useState<{ name: string; secret: string } | null>(null);
  const [deleting, setDeleting] = useState<Robot | null>(null);
  const rows = robots.data?.items ?? [];
  const rowError = writes.refresh.error ?? writes.setDisabled.error;
  return (
    <Stack>
      <Group justify="flex-end">
        <Button onClick={() => setCreating(true)}>{t('robots.new')}</Button>
      </Group>
      <ErrorAlert error={robots.error ?? rowError} />
      <Table striped data-testid="robots">
        <Table.Thead>
          <Table.Tr>
            <SortableTh column="name" list={list}>
              {t('robots.name')}
            </SortableTh>
            <Table.Th>{t('robots.status')}</Table.Th>
            <Table.Th>{t('robots.permissions')}</Table.Th>
            <Table.Th>{t('robots.expires')}</Table.Th>
            <Table.Th>{t('robots.description')}</Table.Th>
            <Table.Th aria-label={t('action.actions')} />
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {rows.map((robot) => {
            const expiry = robotExpiry(robot.expires_at);
            const expired = expiry !== undefined && expiry.getTime() < Date.now();
            return (
              <Table.Tr key={robot.id} data-robot={robot.name}>
                <Table.Td>{robot.name}</Table.Td>
                <Table.Td>
                  <Badge variant="light" color={robot.disable || expired ? 'gray' : 'green'}>
                    {robot.disable ? t('robots.disabled') : expired ? t('robots.expired') : t('robots.enabled')}
                  </Badge>
                </Table.Td>
                <Table.Td>{t('robots.permissionCount', { count: robot.permissions.reduce((n, p) => n + p.access.length, 0) })}</Table.Td>
                <Table.Td>{expiry ? formatTime(expiry.toISOString(), language) : t('robots.never')}</Table.Td>
                <Table.Td>{robot.description}</Table.Td>
                <Table.Td>
                  <Menu position="bottom-end">
                    <Menu.Target>
                      <ActionIcon variant="subtle" aria-label={t('robots.actionsFor', { name: robot.name })}>
                        <IconDots size={16} />
                      </ActionIcon>
                    </Menu.Target>
                    <Menu.Dropdown>
                      <Menu.Item onClick={() => writes.refresh.mutate(robot, { onSuccess: (result) => setSecret({ name: robot.name, secret: result.secret }) })}>{t('robots.refresh')}</Menu.Item>
                      <Menu.Item onClick={() => writes.setDisabled.mutate({ robot, disable: !robot.disable })}>{robot.disable ? t('robots.enable') : t('robots.disable')}</Menu.Item>
                      <Menu.Item color="red" onClick={() => setDeleting(robot)}>
                        {t('action.delete')}
                      </Menu.Item>
                    </Menu.Dropdown>
                  </Menu>
                </Table.Td>
              </Table.Tr>
            );
          })}
          {robots.isSuccess && rows.length === 0 && <EmptyRow columns={6}>{t('robots.empty')}</EmptyRow>}
        </Table.Tbody>
      </Table>
      <ListFooter list={list} total={robots.data?.total ?? 0} />
      <CreateRobotDialog opened={creating} onClose={() => setCreating(false)} onCreated={setSecret} />
      <SecretDialog secret={secret} onClose={() => setSecret(null)} />
      <ConfirmDialog
        opened={deleting !== null}
        title={t('robots.deleteTitle')}
        message={t('robots.deleteConfirm', { name: deleting?.name ?? '' })}
        pending={writes.remove.isPending}
        error={writes.remove.error}
        onClose={() => {
          writes.remove.reset();
          setDeleting(null);
        }}
        onConfirm={() => deleting && writes.remove.mutate(deleting, { onSuccess: () => setDeleting(null) })}
      />
    </Stack>
  );
}
