import { ActionIcon, Anchor, Badge, Button, Stack, Table, Title } from '@mantine/core';
import { IconChevronDown, IconChevronRight } from '@tabler/icons-react';
import { Fragment, useState } from 'react';
import {
  retentionTaskLogUrl,
  useRetentionExecutions,
  useRetentionTasks,
  useRetentionWrites,
} from '../../api/retention';
import type { RetentionExecution } from '../../api/types';
import { known, useI18n } from '../../i18n/context';
import { formatTime } from '../../lib/format';
import { isRunFinished } from '../../lib/retention';
import { ErrorAlert } from '../ErrorAlert';
import { EmptyRow, ListFooter, useListState } from '../List';

const statusColor: Record<string, string> = { Success: 'green', Error: 'red', Stopped: 'gray', Running: 'blue' };

function StatusBadge({ status }: { status: string }) {
  const { t } = useI18n();
  return (
    <Badge variant="light" color={statusColor[status] ?? 'yellow'}>
      {known(t, 'gc.status.', status)}
    </Badge>
  );
}

/** A run's repositories: how many artifacts each task looked at and kept, and its log. */
function RunTasks({ policyId, run }: { policyId: number; run: RetentionExecution }) {
  const { t, language } = useI18n();
  const tasks = useRetentionTasks(policyId, run);
  const rows = tasks.data?.items ?? [];
  return (
    <Stack gap="xs" p="xs">
      <ErrorAlert error={tasks.error} />
      <Table withTableBorder verticalSpacing={4} data-testid="retention-tasks">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>{t('retention.repository')}</Table.Th>
            <Table.Th>{t('gc.status')}</Table.Th>
            <Table.Th>{t('retention.total')}</Table.Th>
            <Table.Th>{t('retention.retained')}</Table.Th>
            <Table.Th>{t('gc.startTime')}</Table.Th>
            <Table.Th>{t('retention.endTime')}</Table.Th>
            <Table.Th aria-label={t('gc.log')} />
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {rows.map((task) => (
            <Table.Tr key={task.id} data-testid="retention-task" data-repository={task.repository}>
              <Table.Td>{task.repository}</Table.Td>
              <Table.Td>
                <StatusBadge status={task.status} />
              </Table.Td>
              <Table.Td data-testid="task-total">{task.total}</Table.Td>
              <Table.Td data-testid="task-retained">{task.retained}</Table.Td>
              <Table.Td>{formatTime(task.start_time, language)}</Table.Td>
              <Table.Td>{formatTime(task.end_time || undefined, language)}</Table.Td>
              <Table.Td>
                <Anchor
                  href={retentionTaskLogUrl(policyId, run.id, task.id)}
                  target="_blank"
                  rel="noreferrer"
                  aria-label={t('retention.logOf', { repository: task.repository })}
                >
                  {t('gc.log')}
                </Anchor>
              </Table.Td>
            </Table.Tr>
          ))}
          {tasks.isSuccess && rows.length === 0 && <EmptyRow columns={7}>{t('retention.noTasks')}</EmptyRow>}
        </Table.Tbody>
      </Table>
    </Stack>
  );
}

function RunRow({
  policyId,
  run,
  open,
  onToggle,
  mayStop,
}: {
  policyId: number;
  run: RetentionExecution;
  open: boolean;
  onToggle(): void;
  mayStop: boolean;
}) {
  const { t, language } = useI18n();
  const { stop } = useRetentionWrites(policyId);
  return (
    <Fragment>
      <Table.Tr data-testid="retention-run" data-id={run.id} data-status={run.status}>
        <Table.Td>
          <ActionIcon
            variant="subtle"
            onClick={onToggle}
            aria-expanded={open}
            aria-label={t(open ? 'retention.hideTasks' : 'retention.showTasks', { id: run.id })}
          >
            {open ? <IconChevronDown size={16} /> : <IconChevronRight size={16} />}
          </ActionIcon>
        </Table.Td>
        <Table.Td>{run.id}</Table.Td>
        <Table.Td>
          <StatusBadge status={run.status} />
        </Table.Td>
        <Table.Td>{known(t, 'gc.trigger.', run.trigger)}</Table.Td>
        <Table.Td>{run.dry_run ? t('gc.yes') : t('gc.no')}</Table.Td>
        <Table.Td>{formatTime(run.start_time, language)}</Table.Td>
        <Table.Td>{formatTime(run.end_time || undefined, language)}</Table.Td>
        <Table.Td>
          {mayStop && !isRunFinished(run.status) && (
            <Button
              size="compact-xs"
              variant="light"
              color="red"
              loading={stop.isPending}
              onClick={() => stop.mutate(run)}
            >
              {t('gc.stop')}
            </Button>
          )}
          <ErrorAlert error={stop.error} />
        </Table.Td>
      </Table.Tr>
      {open && (
        <Table.Tr>
          <Table.Td colSpan={8}>
            <RunTasks policyId={policyId} run={run} />
          </Table.Td>
        </Table.Tr>
      )}
    </Fragment>
  );
}

/** GET /retentions/{id}/executions, newest first, polled every 2 s while a run is pending or running. */
export function RetentionRuns({ policyId, mayStop }: { policyId: number; mayStop: boolean }) {
  const { t } = useI18n();
  const list = useListState();
  const runs = useRetentionExecutions(policyId, list.page, list.pageSize);
  const [open, setOpen] = useState<number | null>(null);
  const rows = runs.data?.items ?? [];
  return (
    <Stack gap="xs">
      <Title order={5}>{t('retention.history')}</Title>
      <ErrorAlert error={runs.error} />
      <Table striped verticalSpacing="xs" data-testid="retention-runs">
        <Table.Thead>
          <Table.Tr>
            <Table.Th aria-label={t('retention.tasks')} />
            <Table.Th>{t('gc.id')}</Table.Th>
            <Table.Th>{t('gc.status')}</Table.Th>
            <Table.Th>{t('gc.trigger')}</Table.Th>
            <Table.Th>{t('gc.dryRun')}</Table.Th>
            <Table.Th>{t('gc.startTime')}</Table.Th>
            <Table.Th>{t('retention.endTime')}</Table.Th>
            <Table.Th aria-label={t('action.actions')} />
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {rows.map((run) => (
            <RunRow
              key={run.id}
              policyId={policyId}
              run={run}
              open={open === run.id}
              onToggle={() => setOpen(open === run.id ? null : run.id)}
              mayStop={mayStop}
            />
          ))}
          {runs.isSuccess && rows.length === 0 && <EmptyRow columns={8}>{t('retention.noRuns')}</EmptyRow>}
        </Table.Tbody>
      </Table>
      {(runs.data?.total ?? 0) > 10 && <ListFooter list={list} total={runs.data?.total ?? 0} />}
    </Stack>
  );
}
