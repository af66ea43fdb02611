import {
  Badge,
  Button,
  Code,
  Group,
  NativeSelect,
  NumberInput,
  Stack,
  Switch,
  Table,
  Tabs,
  Text,
  TextInput,
} from '@mantine/core';
import { useState, type FormEvent } from 'react';
import { useConfigurations, useUpdateConfigurations } from '../../api/admin';
import { ApiError } from '../../api/client';
import { ErrorAlert } from '../../components/ErrorAlert';
import { EmptyRow } from '../../components/List';
import { SystemAllowlistPanel } from '../../components/scanning/SystemAllowlistPanel';
import { useT } from '../../i18n/context';

type Value = string | number | boolean;

function shown(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/** A {value, editable} item; a key without one (Harbor's scan_all_policy) shows its whole object, read-only. */
function configItem(item: unknown): { value: unknown; editable: boolean } {
  if (typeof item !== 'object' || item === null || !('value' in item)) return { value: item, editable: false };
  return { value: item.value, editable: 'editable' in item && item.editable === true };
}

/** The input for one editable value, by its type; project_creation_restriction is Harbor's two-value choice. */
function ValueInput({
  name,
  value,
  error,
  onChange,
}: {
  name: string;
  value: Value;
  error?: string;
  onChange(value: Value): void;
}) {
  const t = useT();
  if (name === 'project_creation_restriction')
    return (
      <NativeSelect
        aria-label={name}
        value={String(value)}
        error={error}
        data={[
          { value: 'everyone', label: t('config.everyone') },
          { value: 'adminonly', label: t('config.adminOnly') },
        ]}
        onChange={(e) => onChange(e.currentTarget.value)}
      />
    );
  if (typeof value === 'boolean')
    return (
      <Switch aria-label={name} checked={value} error={error} onChange={(e) => onChange(e.currentTarget.checked)} />
    );
  if (typeof value === 'number')
    return (
      <NumberInput
        aria-label={name}
        value={value}
        error={error}
        allowDecimal={false}
        onChange={(next) => onChange(typeof next === 'number' ? next : Number(next))}
      />
    );
  return <TextInput aria-label={name} value={value} error={error} onChange={(e) => onChange(e.currentTarget.value)} />;
}

/** The key a refusal names ("robot_token_duration must be …"), to show the message beside its input. */
function keyOf(error: unknown, keys: string[]): string | undefined {
  return error instanceof ApiError ? keys.find((key) => error.message.includes(key)) : undefined;
}

/** Harbor's configuration tabs that Berth has: the system settings and Security (the system CVE allowlist). */
export function ConfigurationPage() {
  const t = useT();
  return (
    <Tabs defaultValue="settings" keepMounted={false}>
      <Tabs.List mb="md">
        <Tabs.Tab value="settings">{t('config.systemSettings')}</Tabs.Tab>
        <Tabs.Tab value="security">{t('config.security')}</Tabs.Tab>
      </Tabs.List>
      <Tabs.Panel value="settings">
        <SettingsTable />
      </Tabs.Panel>
      <Tabs.Panel value="security">
        <SystemAllowlistPanel />
      </Tabs.Panel>
    </Tabs>
  );
}

/**
 * GET /configurations: every key with its value; the editable ones have an input, and Save
 * sends only the changed keys (PUT /configurations), as Harbor's configuration page does.
 */
function SettingsTable() {
  const t = useT();
  const configurations = useConfigurations();
  const update = useUpdateConfigurations();
  const [draft, setDraft] = useState<Record<string, Value>>({});
  const rows = Object.entries(configurations.data ?? {})
    .map(([key, item]: [string, unknown]) => [key, configItem(item)] as const)
    .sort(([a], [b]) => a.localeCompare(b));
  const changed = Object.fromEntries(
    Object.entries(draft).filter(([key, value]) => rows.find(([k]) => k === key)?.[1].value !== value),
  );
  const changedKeys = Object.keys(changed);
  const errorKey = keyOf(update.error, changedKeys);
  function submit(event: FormEvent) {
    event.preventDefault();
    if (changedKeys.length > 0) update.mutate(changed, { onSuccess: () => setDraft({}) });
  }
  return (
    <form onSubmit={submit}>
      <Stack>
        <ErrorAlert error={configurations.error ?? (errorKey ? null : update.error)} />
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
              <Table.Tr key={key} data-key={key} data-changed={key in changed || undefined}>
                <Table.Td>
                  <Code>{key}</Code>
                </Table.Td>
                <Table.Td style={{ wordBreak: 'break-all' }}>
                  {item.editable && ['string', 'number', 'boolean'].includes(typeof item.value) ? (
                    <ValueInput
                      name={key}
                      value={draft[key] ?? (item.value as Value)}
                      error={errorKey === key ? (update.error as ApiError).message : undefined}
                      onChange={(value) => {
                        update.reset();
                        setDraft({ ...draft, [key]: value });
                      }}
                    />
                  ) : (
                    shown(item.value)
                  )}
                </Table.Td>
                <Table.Td>
                  <Group gap="xs">
                    <Badge variant="light" color={item.editable ? 'blue' : 'gray'}>
                      {item.editable ? t('config.yes') : t('config.no')}
                    </Badge>
                    {key in changed && (
                      <Badge variant="outline" color="orange">
                        {t('config.changed')}
                      </Badge>
                    )}
                  </Group>
                </Table.Td>
              </Table.Tr>
            ))}
            {configurations.isSuccess && rows.length === 0 && <EmptyRow columns={3}>{t('config.empty')}</EmptyRow>}
          </Table.Tbody>
        </Table>
        <Group>
          <Button type="submit" loading={update.isPending} disabled={changedKeys.length === 0}>
            {t('action.save')}
          </Button>
          {update.isSuccess && changedKeys.length === 0 && <Text c="green">{t('config.saved')}</Text>}
        </Group>
      </Stack>
    </form>
  );
}
