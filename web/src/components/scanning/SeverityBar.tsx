import { Badge, Group, Progress, Stack, Text, Tooltip } from '@mantine/core';
import { isScanRunning, type ScanOverview } from '../../api/scanning';
import { useT } from '../../i18n/context';
import { severities, severityColor, severityKey } from './severity';

/** The counts by severity as one stacked bar, each part as wide as its share, as Harbor's list shows them. */
function CountsBar({ counts, total }: { counts: Record<string, number>; total: number }) {
  const t = useT();
  const parts = severities.filter((severity) => (counts[severity] ?? 0) > 0);
  return (
    <Stack gap={2} miw={160}>
      <Progress.Root size="lg" aria-hidden>
        {parts.map((severity) => (
          <Tooltip key={severity} label={`${t(severityKey(severity))}: ${counts[severity] ?? 0}`}>
            <Progress.Section value={((counts[severity] ?? 0) / total) * 100} color={severityColor[severity]} />
          </Tooltip>
        ))}
      </Progress.Root>
      <Group gap={6}>
        {parts.map((severity) => (
          <Text key={severity} size="xs" data-severity={severity} data-count={counts[severity]}>
            {t(severityKey(severity))} {counts[severity]}
          </Text>
        ))}
      </Group>
    </Stack>
  );
}

/** An artifact's vulnerability column: not scanned, scanning n%, error, or the counts by severity. */
export function SeverityBar({ overview }: { overview: ScanOverview | undefined }) {
  const t = useT();
  const status = overview?.scan_status ?? '';
  const content = (() => {
    if (!overview)
      return (
        <Text size="sm" c="dimmed">
          {t('scan.notScanned')}
        </Text>
      );
    if (isScanRunning(overview)) {
      const percent = overview.complete_percent ?? 0;
      return (
        <Stack gap={2} miw={160}>
          <Progress value={percent} animated size="sm" aria-label={t('scan.scanning', { percent })} />
          <Text size="xs">{t('scan.scanning', { percent })}</Text>
        </Stack>
      );
    }
    if (status.toLowerCase() === 'error')
      return (
        <Badge color="red" variant="light">
          {t('scan.error')}
        </Badge>
      );
    if (status.toLowerCase() === 'stopped')
      return (
        <Badge color="gray" variant="light">
          {t('scan.stopped')}
        </Badge>
      );
    const total = overview.summary?.total ?? 0;
    if (total === 0)
      return (
        <Badge color="green" variant="light">
          {t('scan.noVulnerabilities')}
        </Badge>
      );
    return <CountsBar counts={overview.summary?.summary ?? {}} total={total} />;
  })();
  return (
    <div data-testid="scan-overview" data-status={status || 'NotScanned'} data-total={overview?.summary?.total}>
      {content}
    </div>
  );
}
