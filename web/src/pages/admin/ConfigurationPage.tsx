import { Badge, Code, Table } from '@mantine/core';
import { useConfigurations } from '../../api/admin';
import { ErrorAlert } from '../../components/ErrorAlert';
import { EmptyRow } from '../../components/List';
import { useT } from '../../i18n/context';

function shown(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/** A {value, editable} item; a key without one (Harbor's scan_all_policy) shows its whole object, read-only. */
function configItem(item: unknown): { value: unknown; editable: boolean } {
  if (typeof item !== 'object' || item === null || !('value' in item)) return { value: item, editable: false };
  return { value: item.value, editable: 'editable' in item && item.editable === true };
}

/** GET /configurations, read-only: each key, its value and whether it may be changed. */
export function ConfigurationPage() {
  const t = useT();
  const configurations = useConfigurations();
  const rows = Object.entries(configurations.data ?? {})
    .map(([key, item]: [string, unknown]) => [key, configItem(item)] as const)
    .sort(([a], [b]) => a.localeCompare(b));
  return (
    <>
      <ErrorAlert error={configurations.error} />
      <Table striped data-testid="configurations">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>{t('config.key')}</Table.Th>
            <Table.Th>{t('config.value')}</Table.Th>
            <Table.Th>{t('config.editable')}</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {rows.map(([key, item]) => (
            <Table.Tr key={key} data-key={key}>
              <Table.Td>
                <Code>{key}</Code>
              </Table.Td>
              <Table.Td style={{ wordBreak: 'break-all' }}>{shown(item.value)}</Table.Td>
              <Table.Td>
                <Badge variant="light" color={item.editable ? 'blue' : 'gray'}>
                  {item.editable ? t('config.yes') : t('config.no')}
                </Badge>
              </Table.Td>
            </Table.Tr>
          ))}
          {configurations.isSuccess && rows.length === 0 && <EmptyRow columns={3}>{t('config.empty')}</EmptyRow>}
        </Table.Tbody>
      </Table>
    </>
  );
}
