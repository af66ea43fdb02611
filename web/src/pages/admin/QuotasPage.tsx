import { Anchor, Button, Card, Group, Modal, Stack, Table, Text, Title } from '@mantine/core';
import { useState, type FormEvent } from 'react';
import { Link } from 'react-router';
import { useConfigurations, useUpdateConfigurations } from '../../api/admin';
import { useQuotas, useUpdateQuota, type ProjectQuota } from '../../api/quotas';
import { DialogButtons } from '../../components/ConfirmDialog';
import { ErrorAlert } from '../../components/ErrorAlert';
import { EmptyRow, ListFooter, SortableTh, useListState } from '../../components/List';
import { QuotaBar } from '../../components/quota/QuotaBar';
import { QuotaInput } from '../../components/quota/QuotaInput';
import { useT } from '../../i18n/context';
import { configuredNumber, formatSize, quotaBytes, quotaDraft, unlimited } from '../../lib/quota';

/** A dialog that edits one storage limit (bytes, -1 unlimited), Harbor's number + unit. */
function QuotaDialog({
  title,
  bytes,
  pending,
  error,
  onSave,
  onClose,
}: {
  title: string;
  bytes: number | undefined;
  pending: boolean;
  error: unknown;
  onSave(bytes: number): void;
  onClose(): void;
}) {
  const t = useT();
  const [draft, setDraft] = useState(() => quotaDraft(bytes));
  const value = quotaBytes(draft);
  function submit(event: FormEvent) {
    event.preventDefault();
    if (value !== undefined) onSave(value);
  }
  return (
    <Modal opened onClose={onClose} title={title} centered>
      <form onSubmit={submit}>
        <Stack>
          <QuotaInput label={t('quota.storage')} draft={draft} onChange={setDraft} />
          <ErrorAlert error={error} />
          <DialogButtons
            onCancel={onClose}
            submitLabel={t('action.save')}
            pending={pending}
            disabled={value === undefined}
          />
        </Stack>
      </form>
    </Modal>
  );
}

/** storage_per_project: the quota a new project gets (PUT /configurations). */
function DefaultQuota() {
  const t = useT();
  const configurations = useConfigurations();
  const update = useUpdateConfigurations();
  const [editing, setEditing] = useState(false);
  const current = configuredNumber(configurations.data?.storage_per_project) ?? unlimited;
  const close = () => {
    update.reset();
    setEditing(false);
  };
  return (
    <Card withBorder data-testid="default-quota">
      <Group justify="space-between">
        <div>
          <Text size="sm" c="dimmed">
            {t('quota.defaultTitle')}
          </Text>
          <Text fw={600} data-testid="default-quota-value">
            {current < 0 ? t('quota.unlimited') : formatSize(current)}
          </Text>
        </div>
        <Button variant="light" onClick={() => setEditing(true)} disabled={!configurations.isSuccess}>
          {t('quota.editDefault')}
        </Button>
      </Group>
      <ErrorAlert error={configurations.error} />
      {editing && (
        <QuotaDialog
          title={t('quota.editDefault')}
          bytes={current}
          pending={update.isPending}
          error={update.error}
          onSave={(bytes) => update.mutate({ storage_per_project: bytes }, { onSuccess: close })}
          onClose={close}
        />
      )}
    </Card>
  );
}

/** Harbor's "Project Quotas": the default per project and each project's storage, used of hard, editable. */
export function QuotasPage() {
  const t = useT();
  const list = useListState();
  const quotas = useQuotas(list.params);
  const update = useUpdateQuota();
  const [editing, setEditing] = useState<ProjectQuota | null>(null);
  const rows = quotas.data?.items ?? [];
  const close = () => {
    update.reset();
    setEditing(null);
  };
  return (
    <Stack>
      <DefaultQuota />
      <Title order={4}>{t('admin.quotas')}</Title>
      <ErrorAlert error={quotas.error} />
      <Table striped verticalSpacing="xs" data-testid="quotas">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>{t('quota.project')}</Table.Th>
            <Table.Th>{t('quota.owner')}</Table.Th>
            <SortableTh column="used.storage" list={list}>
              {t('quota.usage')}
            </SortableTh>
            <Table.Th aria-label={t('action.actions')} />
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {rows.map((quota) => (
            <Table.Tr key={quota.id} data-testid="quota-row" data-quota={quota.id} data-project={quota.ref?.name}>
              <Table.Td>
                {quota.ref ? (
                  <Anchor component={Link} to={`/projects/${quota.ref.id}`}>
                    {quota.ref.name}
                  </Anchor>
                ) : null}
              </Table.Td>
              <Table.Td>{quota.ref?.owner_name}</Table.Td>
              <Table.Td miw={240}>
                <QuotaBar used={quota.used?.storage ?? 0} hard={quota.hard?.storage ?? unlimited} />
              </Table.Td>
              <Table.Td>
                <Button
                  size="compact-sm"
                  variant="subtle"
                  aria-label={t('quota.editOf', { name: quota.ref?.name ?? String(quota.id) })}
                  onClick={() => setEditing(quota)}
                >
                  {t('quota.edit')}
                </Button>
              </Table.Td>
            </Table.Tr>
          ))}
          {quotas.isSuccess && rows.length === 0 && <EmptyRow columns={4}>{t('quota.empty')}</EmptyRow>}
        </Table.Tbody>
      </Table>
      <ListFooter list={list} total={quotas.data?.total ?? 0} />
      {editing && (
        <QuotaDialog
          title={t('quota.editOf', { name: editing.ref?.name ?? String(editing.id) })}
          bytes={editing.hard?.storage}
          pending={update.isPending}
          error={update.error}
          onSave={(storage) => update.mutate({ quota: editing, storage }, { onSuccess: close })}
          onClose={close}
        />
      )}
    </Stack>
  );
}
