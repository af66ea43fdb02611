import { Code, Group, Select, Stack, Table, TextInput } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { useState } from 'react';
import { useAuditLogs } from '../api/admin';
import { known, useI18n } from '../i18n/context';
import { auditOperations, auditQuery } from '../lib/audit';
import { formatTime } from '../lib/format';
import { ErrorAlert } from './ErrorAlert';
import { EmptyRow, ListFooter, SortableTh, useListState } from './List';

/**
 * Audit entries, newest first, paged and sorted by the server and filtered with q by
 * operation, resource and user: the whole log, or one project's when `projectName` is set.
 */
export function AuditLogTable({ projectName, enabled = true }: { projectName?: string; enabled?: boolean }) {
  const { t, language } = useI18n();
  const list = useListState({ column: 'op_time', desc: true });
  const [operation, setOperation] = useState<string | null>(null);
  const [resource, setResource] = useState('');
  const [username, setUsername] = useState('');
  const [filter] = useDebouncedValue({ resource, username }, 250);
  const logs = useAuditLogs(
    projectName,
    { ...list.params, q: auditQuery({ operation: operation ?? undefined, ...filter }) },
    enabled,
  );
  const rows = logs.data?.items ?? [];
  const textFilters = [
    { key: 'resource', value: resource, set: setResource },
    { key: 'username', value: username, set: setUsername },
  ] as const;
  const filtered = Boolean(operation || filter.resource || filter.username);
  return (
    <Stack>
      <Group>
        <Select
          aria-label={t('audit.operation')}
          placeholder={t('audit.anyOperation')}
          data={auditOperations.map((value) => ({ value, label: t(`audit.op.${value}`) }))}
          value={operation}
          onChange={(value) => {
            setOperation(value);
            list.setPage(1);
          }}
          clearable
          w={180}
        />
        {textFilters.map(({ key, value, set }) => (
          <TextInput
            key={key}
            aria-label={t(`audit.${key}`)}
            placeholder={t(`audit.${key}`)}
            value={value}
            onChange={(e) => {
              set(e.currentTarget.value);
              list.setPage(1);
            }}
          />
        ))}
      </Group>
      <ErrorAlert error={logs.error} />
      <Table striped data-testid="audit-logs">
        <Table.Thead>
          <Table.Tr>
            <SortableTh column="username" list={list}>
              {t('audit.username')}
            </SortableTh>
            <SortableTh column="resource" list={list}>
              {t('audit.resource')}
            </SortableTh>
            <SortableTh column="resource_type" list={list}>
              {t('audit.resourceType')}
            </SortableTh>
            <SortableTh column="operation" list={list}>
              {t('audit.operation')}
            </SortableTh>
            <SortableTh column="op_time" list={list}>
              {t('audit.time')}
            </SortableTh>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {rows.map((entry) => (
            <Table.Tr key={entry.id} data-operation={entry.operation}>
              <Table.Td>{entry.username}</Table.Td>
              <Table.Td>
                <Code>{entry.resource}</Code>
              </Table.Td>
              <Table.Td>{known(t, 'audit.type.', entry.resource_type)}</Table.Td>
              <Table.Td>{known(t, 'audit.op.', entry.operation)}</Table.Td>
              <Table.Td>{formatTime(entry.op_time, language)}</Table.Td>
            </Table.Tr>
          ))}
          {logs.isSuccess && rows.length === 0 && (
            <EmptyRow columns={5}>{filtered ? t('audit.noMatch') : t('audit.empty')}</EmptyRow>
          )}
        </Table.Tbody>
      </Table>
      <ListFooter list={list} total={logs.data?.total ?? 0} />
    </Stack>
  );
}
