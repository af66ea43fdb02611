import { Progress, Stack, Text } from '@mantine/core';
import { useT } from '../../i18n/context';
import { formatSize, usageLevel, usagePercent, type UsageLevel } from '../../lib/quota';

const levelColor: Record<UsageLevel, string> = { normal: 'blue', warning: 'orange', danger: 'red' };

/** "1.2 GiB of 10 GiB" over a bar, orange from 85% and red from 100% (Harbor's quota colours). */
export function QuotaBar({ used, hard, testId = 'quota-bar' }: { used: number; hard: number; testId?: string }) {
  const t = useT();
  const level = usageLevel(used, hard);
  const percent = usagePercent(used, hard);
  const limit = hard < 0 ? t('quota.unlimited') : formatSize(hard);
  const text = t('quota.usedOf', { used: formatSize(used), hard: limit });
  return (
    <Stack gap={4} data-testid={testId} data-level={level} data-hard={hard} data-used={used}>
      <Progress
        value={percent}
        color={levelColor[level]}
        aria-label={text}
        role="progressbar"
        aria-valuenow={Math.round(percent)}
        aria-valuemin={0}
        aria-valuemax={100}
      />
      <Text size="sm" c={level === 'normal' ? undefined : levelColor[level]}>
        {text}
      </Text>
    </Stack>
  );
}
