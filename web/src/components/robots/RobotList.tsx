import { Badge, Button, Group, Menu, Stack, Table } from '@mantine/core';
import { useState, type ReactNode } from 'react';
import { useRobotWrites, useRobots, type RobotScope } from '../../api/robots';
import type { Robot } from '../../api/types';
import { useI18n } from '../../i18n/context';
import { formatTime, robotExpiry } from '../../lib/format';
import { ConfirmMutation } from '../ConfirmDialog';
import { ErrorAlert } from '../ErrorAlert';
import { RowMenu } from '../RowActions';
import { EmptyRow, ListFooter, SortableTh, useListState } from '../List';
import { SecretDialog, type RobotSecret } from './SecretDialog';

export interface CreateSlot {
  opened: boolean;
  onClose(): void;
  onCreated(secret: RobotSecret): void;
}

/** The projects a system robot reaches: "*" is every project. */
function projectsOf(robot: Robot, allLabel: string): string {
  const names = robot.permissions
    .filter((p) => p.kind === 'project')
    .map((p) => (p.namespace === '*' ? allLabel : p.namespace));
  return names.join(', ') || '-';
}

/**
 * A paged, sorted list of robot accounts (a project's or the system's) with their
 * actions: refresh the secret (shown once), disable or enable, delete after confirming.
 * `create` renders the dialog that makes a new one, with its permission editor.
 */
/** What the user may do with robots here; the system list is the administrators' alone, so all. */
export interface RobotRights {
  create: boolean;
  update: boolean;
  delete: boolean;
}

const allRights: RobotRights = { create: true, update: true, delete: true };

export function RobotList({
  scope,
  create,
  rights = allRights,
}: {
  scope: RobotScope;
  create(slot: CreateSlot): ReactNode;
  rights?: RobotRights;
}) {
  const { t, plural, language } = useI18n();
  const list = useListState({ column: 'name', desc: false });
  const robots = useRobots(scope, list.params);
  const writes = useRobotWrites(scope);
  const [creating, setCreating] = useState(false);
  const [secret, setSecret] = useState<RobotSecret | null>(null);
  const [deleting, setDeleting] = useState<Robot | null>(null);
  const rows = robots.data?.items ?? [];
  const rowError = writes.refresh.error ?? writes.setDisabled.error;
  const system = scope.level === 'system';
  const columns = system ? 7 : 6;
  return (
    <Stack>
      {rights.create && (
        <Group justify="flex-end">
          <Button onClick={() => setCreating(true)}>{t('robots.new')}</Button>
        </Group>
      )}
      <ErrorAlert error={robots.error ?? rowError} />
      <Table striped data-testid="robots">
        <Table.Thead>
          <Table.Tr>
            <SortableTh column="name" list={list}>
              {t('robots.name')}
            </SortableTh>
            <Table.Th>{t('robots.status')}</Table.Th>
            <Table.Th>{t('robots.permissions')}</Table.Th>
            {system && <Table.Th>{t('robots.projects')}</Table.Th>}
            <SortableTh column="expires_at" list={list}>
              {t('robots.expires')}
            </SortableTh>
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
                <Table.Td>
                  {plural(
                    'robots.permissionCount',
                    robot.permissions.reduce((n, p) => n + p.access.length, 0),
                  )}
                </Table.Td>
                {system && <Table.Td>{projectsOf(robot, t('robots.allProjects'))}</Table.Td>}
                <Table.Td>{expiry ? formatTime(expiry.toISOString(), language) : t('robots.never')}</Table.Td>
                <Table.Td>{robot.description}</Table.Td>
                <Table.Td>
                  {(rights.update || rights.delete) && (
                    <RowMenu label={t('robots.actionsFor', { name: robot.name })}>
                      <Menu.Item
                        disabled={!rights.update}
                        title={rights.update ? undefined : t('denied.robotUpdate')}
                        onClick={() =>
                          writes.refresh.mutate(robot, {
                            onSuccess: (result) => setSecret({ name: robot.name, secret: result.secret }),
                          })
                        }
                      >
                        {t('robots.refresh')}
                      </Menu.Item>
                      <Menu.Item
                        disabled={!rights.update}
                        title={rights.update ? undefined : t('denied.robotUpdate')}
                        onClick={() => writes.setDisabled.mutate({ robot, disable: !robot.disable })}
                      >
                        {robot.disable ? t('robots.enable') : t('robots.disable')}
                      </Menu.Item>
                      <Menu.Item
                        color="red"
                        disabled={!rights.delete}
                        title={rights.delete ? undefined : t('denied.robotDelete')}
                        onClick={() => setDeleting(robot)}
                      >
                        {t('action.delete')}
                      </Menu.Item>
                    </RowMenu>
                  )}
                </Table.Td>
              </Table.Tr>
            );
          })}
          {robots.isSuccess && rows.length === 0 && <EmptyRow columns={columns}>{t('robots.empty')}</EmptyRow>}
        </Table.Tbody>
      </Table>
      <ListFooter list={list} total={robots.data?.total ?? 0} />
      {create({ opened: creating, onClose: () => setCreating(false), onCreated: setSecret })}
      <SecretDialog secret={secret} onClose={() => setSecret(null)} />
      <ConfirmMutation
        target={deleting}
        mutation={writes.remove}
        onDone={() => setDeleting(null)}
        title={t('robots.deleteTitle')}
        message={t('robots.deleteConfirm', { name: deleting?.name ?? '' })}
      />
    </Stack>
  );
}
