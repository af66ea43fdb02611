import { Anchor, Badge, Button, Group, Menu, Stack, Table, Text, Title } from '@mantine/core';
import { IconPlus } from '@tabler/icons-react';
import { useState } from 'react';
import { isBuiltInScanner, useScanners, useScannerWrites, type Scanner } from '../../api/scanning';
import { known, useT } from '../../i18n/context';
import { ConfirmMutation } from '../ConfirmDialog';
import { ErrorAlert } from '../ErrorAlert';
import { EmptyRow, ListFooter, SortableTh, useListState } from '../List';
import { RowMenu } from '../RowActions';
import { ScannerDialog } from './ScannerDialog';

const columns = 7;

function HealthBadge({ health }: { health: string | undefined }) {
  const t = useT();
  const healthy = health === 'healthy';
  return (
    <Badge color={healthy ? 'green' : 'red'} variant="light" data-health={health ?? ''}>
      {known(t, 'scanners.health.', health || 'unhealthy')}
    </Badge>
  );
}

/** Set default, enable/disable, edit, delete; the built-in scanner may only become the default. */
function ScannerMenu({ scanner, onEdit, onDelete }: { scanner: Scanner; onEdit(): void; onDelete(): void }) {
  const t = useT();
  const { setDefault, setDisabled } = useScannerWrites();
  const builtIn = isBuiltInScanner(scanner);
  return (
    <RowMenu label={t('scanners.actionsFor', { name: scanner.name })}>
      <Menu.Item disabled={scanner.is_default || scanner.disabled} onClick={() => setDefault.mutate(scanner)}>
        {t('scanners.setDefault')}
      </Menu.Item>
      <Menu.Item
        disabled={builtIn || scanner.is_default}
        onClick={() => setDisabled.mutate({ scanner, disabled: !scanner.disabled })}
      >
        {scanner.disabled ? t('scanners.enable') : t('scanners.disable')}
      </Menu.Item>
      <Menu.Item disabled={builtIn} onClick={onEdit}>
        {t('scanners.editItem')}
      </Menu.Item>
      <Menu.Item color="red" disabled={builtIn || scanner.is_default} onClick={onDelete}>
        {t('action.delete')}
      </Menu.Item>
    </RowMenu>
  );
}

function ScannerRow({ scanner, onEdit, onDelete }: { scanner: Scanner; onEdit(): void; onDelete(): void }) {
  const t = useT();
  const builtIn = isBuiltInScanner(scanner);
  return (
    <Table.Tr data-testid="scanner" data-name={scanner.name} data-default={scanner.is_default ? 'true' : 'false'}>
      <Table.Td>
        <Group gap={6}>
          <Text fw={500}>{scanner.name}</Text>
          {scanner.is_default && <Badge variant="filled">{t('scanners.default')}</Badge>}
          {builtIn && <Badge variant="outline">{t('scanners.builtIn')}</Badge>}
        </Group>
        {scanner.description && (
          <Text size="xs" c="dimmed" data-testid="scanner-description">
            {scanner.description}
          </Text>
        )}
      </Table.Td>
      <Table.Td>{builtIn ? t('scanners.builtInUrl') : <Anchor href={scanner.url}>{scanner.url}</Anchor>}</Table.Td>
      <Table.Td>
        <HealthBadge health={scanner.health} />
      </Table.Td>
      <Table.Td data-testid="scanner-enabled">
        {scanner.disabled ? (
          <Badge color="gray" variant="light">
            {t('scanners.disabled')}
          </Badge>
        ) : (
          <Badge color="green" variant="light">
            {t('scanners.enabled')}
          </Badge>
        )}
      </Table.Td>
      <Table.Td>{scanner.vendor || '-'}</Table.Td>
      <Table.Td>{[scanner.adapter, scanner.version].filter(Boolean).join(' ') || '-'}</Table.Td>
      <Table.Td>
        <ScannerMenu scanner={scanner} onEdit={onEdit} onDelete={onDelete} />
      </Table.Td>
    </Table.Tr>
  );
}

/** Harbor's Interrogation Services list: every scanner registration, the default marked, with its actions. */
export function ScannersTable() {
  const t = useT();
  const list = useListState({ column: 'name', desc: false });
  const scanners = useScanners(list.params);
  const writes = useScannerWrites();
  const [editing, setEditing] = useState<Scanner | 'new' | null>(null);
  const [deleting, setDeleting] = useState<Scanner | null>(null);
  const rows = scanners.data?.items ?? [];
  return (
    <Stack gap="xs">
      <Group justify="space-between">
        <Title order={4}>{t('scanners.title')}</Title>
        <Button leftSection={<IconPlus size={16} />} onClick={() => setEditing('new')}>
          {t('scanners.new')}
        </Button>
      </Group>
      <ErrorAlert error={scanners.error ?? writes.setDefault.error ?? writes.setDisabled.error} />
      <Table striped verticalSpacing="xs" data-testid="scanners">
        <Table.Thead>
          <Table.Tr>
            <SortableTh column="name" list={list}>
              {t('scanners.name')}
            </SortableTh>
            <SortableTh column="url" list={list}>
              {t('scanners.endpoint')}
            </SortableTh>
            <Table.Th>{t('scanners.health')}</Table.Th>
            <Table.Th>{t('scanners.status')}</Table.Th>
            <Table.Th>{t('scanners.vendor')}</Table.Th>
            <Table.Th>{t('scanners.adapterVersion')}</Table.Th>
            <Table.Th aria-label={t('action.actions')} />
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {rows.map((scanner) => (
            <ScannerRow
              key={scanner.uuid}
              scanner={scanner}
              onEdit={() => setEditing(scanner)}
              onDelete={() => setDeleting(scanner)}
            />
          ))}
          {scanners.isSuccess && rows.length === 0 && <EmptyRow columns={columns}>{t('scanners.empty')}</EmptyRow>}
        </Table.Tbody>
      </Table>
      <ListFooter list={list} total={scanners.data?.total ?? 0} />
      {editing !== null && <ScannerDialog scanner={editing} onClose={() => setEditing(null)} />}
      <ConfirmMutation
        target={deleting}
        mutation={writes.remove}
        onDone={() => setDeleting(null)}
        title={t('scanners.deleteTitle')}
        message={t('scanners.deleteConfirm', { name: deleting?.name ?? '' })}
      />
    </Stack>
  );
}
