import { Button, Group, Menu, Stack, Table, Text, TextInput } from '@mantine/core';
import { IconSearch } from '@tabler/icons-react';
import { useState } from 'react';
import { useLabelWrites, useLabels } from '../../api/labels';
import type { Label } from '../../api/types';
import { useI18n } from '../../i18n/context';
import { formatTime } from '../../lib/format';
import type { LabelOwner } from '../../lib/labels';
import { ConfirmMutation } from '../ConfirmDialog';
import { ErrorAlert } from '../ErrorAlert';
import { EmptyRow, ListFooter, useListState } from '../List';
import { RowMenu } from '../RowActions';
import { LabelChip } from './LabelChip';
import { LabelDialog } from './LabelDialog';

export interface LabelRights {
  create: boolean;
  update: boolean;
  delete: boolean;
}

/**
 * Harbor's label list (Administration › Labels for the global ones, a project's Labels tab
 * for its own): chips with their description and creation time, searched by name, with
 * New label, and Edit and Delete in each row's menu for who may.
 */
export function LabelsSection({ owner, rights }: { owner: LabelOwner; rights: LabelRights }) {
  const { t, language } = useI18n();
  const list = useListState();
  const labels = useLabels(owner, { ...list.params, name: list.debouncedSearch.trim() || undefined });
  const writes = useLabelWrites();
  const [editing, setEditing] = useState<Label | 'new' | null>(null);
  const [deleting, setDeleting] = useState<Label | null>(null);
  const rows = labels.data?.items ?? [];
  return (
    <Stack data-testid="label-list" data-scope={owner.scope}>
      <Group justify="space-between">
        {rights.create ? <Button onClick={() => setEditing('new')}>{t('labels.new')}</Button> : <span />}
        <TextInput
          aria-label={t('labels.search')}
          placeholder={t('labels.search')}
          leftSection={<IconSearch size={16} />}
          value={list.search}
          onChange={(e) => list.setSearch(e.currentTarget.value)}
        />
      </Group>
      <ErrorAlert error={labels.error} />
      <Table striped data-testid="labels-table">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>{t('labels.label')}</Table.Th>
            <Table.Th>{t('labels.description')}</Table.Th>
            <Table.Th>{t('labels.created')}</Table.Th>
            <Table.Th aria-label={t('action.actions')} />
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {rows.map((label) => (
            <Table.Tr key={label.id} data-testid="label-row" data-label={label.name}>
              <Table.Td>
                <LabelChip label={label} />
              </Table.Td>
              <Table.Td>
                <Text size="sm">{label.description}</Text>
              </Table.Td>
              <Table.Td>{formatTime(label.creation_time, language)}</Table.Td>
              <Table.Td>
                {(rights.update || rights.delete) && (
                  <RowMenu label={t('labels.actionsFor', { name: label.name })}>
                    {rights.update && <Menu.Item onClick={() => setEditing(label)}>{t('labels.editItem')}</Menu.Item>}
                    {rights.delete && (
                      <Menu.Item color="red" onClick={() => setDeleting(label)}>
                        {t('action.delete')}
                      </Menu.Item>
                    )}
                  </RowMenu>
                )}
              </Table.Td>
            </Table.Tr>
          ))}
          {labels.isSuccess && rows.length === 0 && (
            <EmptyRow columns={4}>{list.debouncedSearch ? t('labels.noMatch') : t('labels.empty')}</EmptyRow>
          )}
        </Table.Tbody>
      </Table>
      <ListFooter list={list} total={labels.data?.total ?? 0} />
      {editing && <LabelDialog owner={owner} label={editing} onClose={() => setEditing(null)} />}
      <ConfirmMutation
        target={deleting}
        mutation={writes.remove}
        onDone={() => setDeleting(null)}
        title={t('labels.deleteTitle')}
        message={t('labels.deleteConfirm', { name: deleting?.name ?? '' })}
      />
    </Stack>
  );
}
