import { Button, Group, NativeSelect, Stack, Text, TextInput } from '@mantine/core';
import { useState, type FormEvent } from 'react';
import { useRetentionWrites } from '../../api/retention';
import type { RetentionPolicy } from '../../api/types';
import { useT } from '../../i18n/context';
import {
  isScheduleChoice,
  isSixFieldCron,
  policyCron,
  presetCron,
  scheduleChoiceOf,
  scheduleChoices,
  withCron,
  type ScheduleChoice,
} from '../../lib/retention';
import { ErrorAlert } from '../ErrorAlert';

/** The policy's schedule as the GC page offers one: None, Hourly, Daily, Weekly or a custom cron. */
export function RetentionSchedule({
  policyId,
  policy,
  editable,
}: {
  policyId: number | undefined;
  policy: RetentionPolicy;
  editable: boolean;
}) {
  const t = useT();
  const { save } = useRetentionWrites(policyId);
  const saved = policyCron(policy);
  const [choice, setChoice] = useState<ScheduleChoice>(scheduleChoiceOf(saved));
  const [cron, setCron] = useState(scheduleChoiceOf(saved) === 'Custom' ? saved : '');
  const cronError = choice === 'Custom' && cron !== '' && !isSixFieldCron(cron) ? t('gc.cronInvalid') : undefined;
  function submit(event: FormEvent) {
    event.preventDefault();
    if (choice === 'Custom' && !isSixFieldCron(cron)) return;
    save.mutate(withCron(policy, choice === 'Custom' ? cron.trim().replace(/\s+/g, ' ') : presetCron[choice]));
  }
  return (
    <form onSubmit={submit} data-testid="retention-schedule">
      <Stack gap="xs">
        <Group align="flex-end">
          <NativeSelect
            label={t('retention.schedule')}
            value={choice}
            disabled={!editable}
            data={scheduleChoices.map((value) => ({ value, label: t(`gc.type.${value}`) }))}
            onChange={(e) => {
              save.reset();
              if (isScheduleChoice(e.currentTarget.value)) setChoice(e.currentTarget.value);
            }}
          />
          {choice === 'Custom' && (
            <TextInput
              label={t('gc.cron')}
              placeholder="0 0 * * * *"
              required
              disabled={!editable}
              value={cron}
              error={cronError}
              onChange={(e) => {
                save.reset();
                setCron(e.currentTarget.value);
              }}
              w={220}
            />
          )}
          {editable && (
            <Button type="submit" variant="light" loading={save.isPending}>
              {t('retention.saveSchedule')}
            </Button>
          )}
        </Group>
        {choice === 'Custom' && (
          <Text size="xs" c="dimmed">
            {t('gc.cronHint')}
          </Text>
        )}
        {save.isSuccess && <Text c="green">{t('gc.scheduleSaved')}</Text>}
        <ErrorAlert error={save.error} />
      </Stack>
    </form>
  );
}
