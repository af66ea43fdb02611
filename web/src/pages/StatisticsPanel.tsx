import { Group, Paper, SimpleGrid, Stack, Text } from '@mantine/core';
import type { ReactNode } from 'react';
import { useStatistics } from '../api/search';
import { useCurrentUser } from '../api/session';
import { useI18n } from '../i18n/context';
import { formatBytes } from '../lib/format';

function Count({ label, value, testId }: { label: string; value: ReactNode; testId: string }) {
  return (
    <Stack gap={0} align="center">
      <Text fw={700} size="xl" data-testid={testId}>
        {value}
      </Text>
      <Text size="xs" c="dimmed">
        {label}
      </Text>
    </Stack>
  );
}

/** Harbor's dashboard cards above the projects list: projects, repositories and, for administrators, storage. */
export function StatisticsPanel() {
  const { t } = useI18n();
  const sysadmin = useCurrentUser().data?.sysadmin_flag === true;
  const statistics = useStatistics();
  const s = statistics.data;
  if (!s) return null;
  const card = (kind: 'project' | 'repo', title: string) => (
    <Paper withBorder p="sm" data-testid={`statistics-${kind}`}>
      <Text size="sm" fw={500} mb="xs">
        {title}
      </Text>
      <Group justify="space-around">
        <Count label={t('statistics.private')} value={s[`private_${kind}_count`]} testId={`${kind}-private`} />
        <Count label={t('statistics.public')} value={s[`public_${kind}_count`]} testId={`${kind}-public`} />
        {sysadmin && <Count label={t('statistics.total')} value={s[`total_${kind}_count`]} testId={`${kind}-total`} />}
      </Group>
    </Paper>
  );
  return (
    <SimpleGrid cols={{ base: 1, sm: sysadmin ? 3 : 2 }} data-testid="statistics">
      {card('project', t('statistics.projects'))}
      {card('repo', t('statistics.repositories'))}
      {sysadmin && (
        <Paper withBorder p="sm" data-testid="statistics-storage">
          <Text size="sm" fw={500} mb="xs">
            {t('statistics.storage')}
          </Text>
          <Count
            label={t('statistics.storageHint')}
            value={formatBytes(s.total_storage_consumption)}
            testId="storage-total"
          />
        </Paper>
      )}
    </SimpleGrid>
  );
}
