import { Alert, Anchor, Group, List, Stack, Text } from '@mantine/core';
import { IconShieldSearch } from '@tabler/icons-react';
import { isScanRunning, scanLogUrl, useScanOverview, useScanWrites, useVulnerabilities } from '../../api/scanning';
import { useI18n } from '../../i18n/context';
import { formatTime } from '../../lib/format';
import { ErrorAlert } from '../ErrorAlert';
import { JobButtons } from './JobButtons';
import { SeverityBar } from './SeverityBar';
import { VulnerabilityTable } from './VulnerabilityTable';

interface Props {
  projectName: string;
  repository: string;
  digest: string;
  /** May start a scan (scan:create). */
  canScan: boolean;
  /** May stop one (scan:stop). */
  canStop: boolean;
}

/** The artifact's vulnerability report: its overview, Scan / Stop, the scan's log, its notes and findings. */
export function VulnerabilitiesTab({ projectName, repository, digest, canScan, canStop }: Props) {
  const { t, language } = useI18n();
  const overview = useScanOverview(projectName, repository, digest);
  const current = overview.data ?? undefined;
  const running = isScanRunning(current);
  // Asked again when a scan finishes (the report id changes, and is final once it is no longer running).
  const report = useVulnerabilities(projectName, repository, digest, running ? 'running' : current?.report_id);
  const { scan, stop } = useScanWrites(projectName, repository);
  const notes = report.data?.notes ?? [];
  const finishedAt = formatTime(current?.end_time, language);
  return (
    <Stack data-testid="vulnerabilities-tab">
      <Group justify="space-between" align="flex-start">
        <Stack gap={4}>
          <SeverityBar overview={current} />
          {current?.scanner?.name && (
            <Text size="xs" c="dimmed">
              {t('scan.scannedBy', { scanner: current.scanner.name })}
              {finishedAt && !running ? ` · ${finishedAt}` : ''}
            </Text>
          )}
        </Stack>
        <Group gap="xs">
          {current?.report_id && (
            <Anchor
              href={scanLogUrl(projectName, repository, digest, current.report_id)}
              target="_blank"
              rel="noreferrer"
              size="sm"
            >
              {t('scan.log')}
            </Anchor>
          )}
          <JobButtons
            digest={digest}
            running={running}
            start={{ allowed: canScan, label: t('scan.scan'), icon: <IconShieldSearch size={16} />, mutation: scan }}
            stop={{ allowed: canStop, label: t('scan.stop'), mutation: stop }}
          />
        </Group>
      </Group>
      <ErrorAlert error={overview.error ?? report.error ?? scan.error ?? stop.error} />
      {notes.length > 0 && (
        <Alert color="yellow" title={t('scan.notes')} data-testid="scan-notes">
          <List size="sm">
            {notes.map((note) => (
              <List.Item key={note}>{note}</List.Item>
            ))}
          </List>
        </Alert>
      )}
      {report.isSuccess &&
        (report.data ? (
          <VulnerabilityTable vulnerabilities={report.data.vulnerabilities ?? []} />
        ) : (
          <Text c="dimmed" data-testid="empty">
            {running ? t('scan.inProgress') : t('scan.notScannedYet')}
          </Text>
        ))}
    </Stack>
  );
}
