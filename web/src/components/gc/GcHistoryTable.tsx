import { Anchor, Badge, Button, Group, Progress, Stack, Table, Text, Title } from '@mantine/core';
import { gcLogUrl, gcParameters, isFinished, useGcHistory, useGcWrites, type GcRun } from '../../api/gc';
import { known, useI18n } from '../../i18n/context';
import { formatTime } from '../../lib/format';
import { formatSize } from '../../lib/quota';
import { ErrorAlert } from '../ErrorAlert';
import { EmptyRow, ListFooter, useListState } from '../List';

const statusColor: Record<string, string> = { success: 'green', error: 'red', stopped: 'gray', running: 'blue' };

/** Counters while a run goes on (a bar of blobs swept of those marked), the totals once it is done. */
function RunResult({ run, dryRun }: { run: GcRun; dryRun: boolean }) {
  const { t } = useI18n();
  const progress = run.progress;
  if (!progress) return null;
  const figures = {
    blobs: dryRun ? progress.blobs_marked : progress.blobs_swept,
    manifests: progress.manifests_deleted,
    size: formatSize(progress.freed_bytes),
  };
  if (isFinished(run)) return <Text size="sm">{dryRun ? t('gc.wouldFree', figures) : t('gc.freed', figures)}</Text>;
  const swept = progress.blobs_marked > 0 ? (progress.blobs_swept / progress.blobs_marked) * 100 : 0;
  return (
    <Stack gap={4} data-testid="gc-live">
      <Progress value={swept} animated aria-label={t('gc.progressLabel')} />
      <Text size="xs">
        {t('gc.progress', {
          swept: progress.blobs_swept,
          marked: progress.blobs_marked,
          manifests: progress.manifests_deleted,
          size: figures.size,
        })}
      </Text>
    </Stack>
  );
}

function RunRow({ run, stopping, onStop }: { run: GcRun; stopping: boolean; onStop(run: GcRun): void }) {
  const { t, language } = useI18n();
  const dryRun = gcParameters(run).dry_run === true;
  const status = run.job_status ?? '';
  return (
    <Table.Tr data-testid="gc-run" data-id={run.id} data-status={status}>
      <Table.Td>{run.id}</Table.Td>
      <Table.Td>{known(t, 'gc.trigger.', run.job_kind)}</Table.Td>
      <Table.Td>{dryRun ? t('gc.yes') : t('gc.no')}</Table.Td>
      <Table.Td>
        <Badge variant="light" color={statusColor[status.toLowerCase()] ?? 'yellow'}>
          {known(t, 'gc.status.', status)}
        </Badge>
      </Table.Td>
      <Table.Td miw={220}>
        <RunResult run={run} dryRun={dryRun} />
      </Table.Td>
      <Table.Td>{formatTime(run.creation_time, language)}</Table.Td>
      <Table.Td>{formatTime(run.update_time, language)}</Table.Td>
      <Table.Td>
        <Group gap="xs" wrap="nowrap">
          <Anchor href={gcLogUrl(run.id)} target="_blank" rel="noreferrer" aria-label={t('gc.logOf', { id: run.id })}>
            {t('gc.log')}
          </Anchor>
          {!isFinished(run) && (
            <Button size="compact-xs" variant="light" color="red" loading={stopping} onClick={() => onStop(run)}>
              {t('gc.stop')}
            </Button>
          )}
        </Group>
      </Table.Td>
    </Table.Tr>
  );
}

/** GET /system/gc, newest first, polled every 2 s while a run is pending or running. */
export function GcHistoryTable() {
  const { t } = useI18n();
  const list = useListState();
  const history = useGcHistory(list.params);
  const { stop } = useGcWrites();
  const rows = history.data?.items ?? [];
  return (
    <Stack gap="xs">
      <Title order={4}>{t('gc.history')}</Title>
      <ErrorAlert error={history.error ?? stop.error} />
      <Table striped verticalSpacing="xs" data-testid="gc-history">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>{t('gc.id')}</Table.Th>
            <Table.Th>{t('gc.trigger')}</Table.Th>
            <Table.Th>{t('gc.dryRun')}</Table.Th>
            <Table.Th>{t('gc.status')}</Table.Th>
            <Table.Th>{t('gc.result')}</Table.Th>
            <Table.Th>{t('gc.startTime')}</Table.Th>
            <Table.Th>{t('gc.updateTime')}</Table.Th>
            <Table.Th aria-label={t('action.actions')} />
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {rows.map((run) => (
            <RunRow
              key={run.id}
              run={run}
              stopping={stop.isPending && stop.variables.id === run.id}
              onStop={(target) => stop.mutate(target)}
            />
          ))}
          {history.isSuccess && rows.length === 0 && <EmptyRow columns={8}>{t('gc.empty')}</EmptyRow>}
        </Table.Tbody>
      </Table>
      <ListFooter list={list} total={history.data?.total ?? 0} />
    </Stack>
  );
}
