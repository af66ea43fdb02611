import {
  Alert,
  Anchor,
  Badge,
  Card,
  FileButton,
  Group,
  Button,
  Progress,
  SimpleGrid,
  Stack,
  Text,
  Title,
} from '@mantine/core';
import { IconUpload } from '@tabler/icons-react';
import { useState, type ReactNode } from 'react';
import {
  importLogUrl,
  isImportFinished,
  useUploadVulnDb,
  useVulnDb,
  useVulnDbImport,
  type VulnDbStatus,
} from '../../api/scanning';
import { known, useI18n } from '../../i18n/context';
import { formatTime } from '../../lib/format';
import { ErrorAlert } from '../ErrorAlert';

/** A database whose newest advisory is older than this is called stale: osv.dev publishes daily. */
const staleAfterMs = 7 * 24 * 3600 * 1000;

export function isStale(status: VulnDbStatus, now: number = Date.now()): boolean {
  if (!status.updated_at) return false;
  const updated = Date.parse(status.updated_at);
  return Number.isFinite(updated) && now - updated > staleAfterMs;
}

const importColor: Record<string, string> = { success: 'green', error: 'red', stopped: 'gray' };

/** The import under way (or just finished): a live bar polled every 2 s, then its outcome and log. */
function ImportProgress({ id }: { id: string }) {
  const { t } = useI18n();
  const job = useVulnDbImport(id);
  const data = job.data;
  const total = data?.progress.total ?? 0;
  const done = data?.progress.done ?? 0;
  const percent = total > 0 ? Math.round((done / total) * 100) : 0;
  const finished = isImportFinished(data);
  return (
    <Stack gap={4} data-testid="vulndb-import" data-status={data?.status ?? 'pending'}>
      <ErrorAlert error={job.error} />
      <Group gap="xs">
        <Badge color={importColor[data?.status ?? ''] ?? 'blue'} variant="light">
          {known(t, 'vulndb.status.', data?.status ?? 'pending')}
        </Badge>
        <Text size="sm">{data?.source}</Text>
        <Anchor href={importLogUrl(id)} target="_blank" rel="noreferrer" size="sm">
          {t('vulndb.log')}
        </Anchor>
      </Group>
      {!finished && <Progress value={percent} animated aria-label={t('vulndb.progressLabel')} />}
      <Text size="xs">{t('vulndb.progress', { done, total })}</Text>
      {data?.error && (
        <Text size="sm" c="red">
          {data.error}
        </Text>
      )}
    </Stack>
  );
}

function Figure({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div>
      <Text size="xs" c="dimmed">
        {label}
      </Text>
      <Text size="sm" component="div">
        {children}
      </Text>
    </div>
  );
}

/** The built-in scanner's OSV database: what it holds, how old it is, and an upload that imports an archive. */
export function VulnDbPanel() {
  const { t, language } = useI18n();
  const status = useVulnDb();
  const upload = useUploadVulnDb();
  const [importId, setImportId] = useState<string>();
  const data = status.data;
  const last = data?.last_import;
  return (
    <Card withBorder data-testid="vulndb">
      <Stack>
        <Group justify="space-between">
          <Title order={4}>{t('vulndb.title')}</Title>
          <FileButton
            accept=".zip,application/zip"
            onChange={(file) => file && upload.mutate(file, { onSuccess: (id) => setImportId(id) })}
          >
            {(props) => (
              <Button {...props} leftSection={<IconUpload size={16} />} loading={upload.isPending}>
                {t('vulndb.import')}
              </Button>
            )}
          </FileButton>
        </Group>
        <Text size="sm" c="dimmed">
          {t('vulndb.intro')}
        </Text>
        <ErrorAlert error={status.error ?? upload.error} />
        {data && data.advisories === 0 && (
          <Alert color="yellow" data-testid="vulndb-empty">
            {t('vulndb.empty')}
          </Alert>
        )}
        {data && isStale(data) && (
          <Alert color="orange" data-testid="vulndb-stale">
            {t('vulndb.stale', { time: formatTime(data.updated_at, language) })}
          </Alert>
        )}
        {data && (
          <SimpleGrid cols={{ base: 1, sm: 2, md: 4 }}>
            <Figure label={t('vulndb.advisories')}>
              <span data-testid="vulndb-advisories">{data.advisories}</span>
            </Figure>
            <Figure label={t('vulndb.ecosystems')}>
              <span data-testid="vulndb-ecosystems">{data.ecosystems.join(', ') || '-'}</span>
            </Figure>
            <Figure label={t('vulndb.importedAt')}>{formatTime(data.imported_at, language) || '-'}</Figure>
            <Figure label={t('vulndb.updatedAt')}>{formatTime(data.updated_at, language) || '-'}</Figure>
          </SimpleGrid>
        )}
        {last && (
          <Text size="sm" data-testid="vulndb-last-import">
            {t('vulndb.lastImport', { ...last })}
          </Text>
        )}
        {importId && <ImportProgress id={importId} />}
      </Stack>
    </Card>
  );
}
