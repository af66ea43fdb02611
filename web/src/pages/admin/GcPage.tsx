import { Button, Card, Checkbox, Group, NativeSelect, NumberInput, Stack, Text, TextInput, Title } from '@mantine/core';
import { useState, type FormEvent } from 'react';
import { gcParameters, hasSchedule, useGcSchedule, useGcWrites, type GcRun, type GcScheduleType } from '../../api/gc';
import { ErrorAlert } from '../../components/ErrorAlert';
import { GcHistoryTable } from '../../components/gc/GcHistoryTable';
import { useI18n } from '../../i18n/context';
import { formatTime } from '../../lib/format';

/** The schedules Harbor's Clean Up page offers, with the 6-field crons (seconds first) it sends for each. */
const scheduleTypes = ['None', 'Hourly', 'Daily', 'Weekly', 'Custom'] as const satisfies readonly GcScheduleType[];
type ScheduleChoice = (typeof scheduleTypes)[number];
const presetCron: Record<Exclude<ScheduleChoice, 'Custom'>, string> = {
  None: '',
  Hourly: '0 0 * * * *',
  Daily: '0 0 0 * * *',
  Weekly: '0 0 0 * * 0',
};

function isScheduleChoice(value: string | undefined): value is ScheduleChoice {
  return (scheduleTypes as readonly string[]).includes(value ?? '');
}

/** Harbor's GC cron: six fields, seconds first. */
export function isGcCron(cron: string): boolean {
  return cron.trim().split(/\s+/).length === 6;
}

interface GcOptions {
  deleteUntagged: boolean;
  timeWindow: number;
}

/** GC now and Dry run: Harbor's "Manual" schedule, with the options above them. */
function RunNow({ options }: { options: GcOptions }) {
  const { t } = useI18n();
  const { run } = useGcWrites();
  const start = (dryRun: boolean) =>
    run.mutate({
      delete_untagged: options.deleteUntagged,
      dry_run: dryRun,
      time_window: options.timeWindow,
      workers: 1,
    });
  return (
    <Stack gap="xs">
      <Group>
        <Button onClick={() => start(false)} loading={run.isPending && !run.variables.dry_run}>
          {t('gc.runNow')}
        </Button>
        <Button variant="default" onClick={() => start(true)} loading={run.isPending && run.variables.dry_run}>
          {t('gc.dryRun')}
        </Button>
      </Group>
      <ErrorAlert error={run.error} />
      {run.isSuccess && <Text c="green">{t('gc.runStarted')}</Text>}
    </Stack>
  );
}

/** The schedule: None, Hourly, Daily, Weekly or a custom cron; POST the first time, PUT after. */
function ScheduleForm({ current, options }: { current: GcRun | null | undefined; options: GcOptions }) {
  const { t, language } = useI18n();
  const { schedule } = useGcWrites();
  const saved = current?.schedule;
  const [type, setType] = useState<ScheduleChoice>(isScheduleChoice(saved?.type) ? saved.type : 'None');
  const [cron, setCron] = useState(saved?.type === 'Custom' ? (saved.cron ?? '') : '');
  const cronError = type === 'Custom' && cron !== '' && !isGcCron(cron) ? t('gc.cronInvalid') : undefined;
  const next = formatTime(saved?.next_scheduled_time, language);
  function submit(event: FormEvent) {
    event.preventDefault();
    if (type === 'Custom' && !isGcCron(cron)) return;
    schedule.mutate({
      exists: hasSchedule(current),
      schedule: { type, cron: type === 'Custom' ? cron.trim() : presetCron[type] },
      parameters: { delete_untagged: options.deleteUntagged, time_window: options.timeWindow, workers: 1 },
    });
  }
  return (
    <form onSubmit={submit} data-testid="gc-schedule">
      <Stack gap="xs">
        <Group align="flex-end">
          <NativeSelect
            label={t('gc.schedule')}
            value={type}
            data={scheduleTypes.map((value) => ({ value, label: t(`gc.type.${value}`) }))}
            onChange={(e) => {
              schedule.reset();
              if (isScheduleChoice(e.currentTarget.value)) setType(e.currentTarget.value);
            }}
          />
          {type === 'Custom' && (
            <TextInput
              label={t('gc.cron')}
              placeholder="0 0 * * * *"
              required
              value={cron}
              error={cronError}
              onChange={(e) => {
                schedule.reset();
                setCron(e.currentTarget.value);
              }}
              w={220}
            />
          )}
          <Button type="submit" variant="light" loading={schedule.isPending}>
            {t('action.save')}
          </Button>
        </Group>
        {type === 'Custom' && (
          <Text size="xs" c="dimmed">
            {t('gc.cronHint')}
          </Text>
        )}
        <Text size="sm" data-testid="gc-next-run">
          {next ? t('gc.nextRun', { time: next }) : t('gc.noNextRun')}
        </Text>
        <ErrorAlert error={schedule.error} />
        {schedule.isSuccess && <Text c="green">{t('gc.scheduleSaved')}</Text>}
      </Stack>
    </form>
  );
}

/** The options both a run and the schedule use, starting from the saved schedule's. */
function GcSettings({ current }: { current: GcRun | null | undefined }) {
  const { t } = useI18n();
  const [options, setOptions] = useState<GcOptions>(() => {
    const saved = current ? gcParameters(current) : {};
    return { deleteUntagged: saved.delete_untagged ?? false, timeWindow: saved.time_window ?? 2 };
  });
  return (
    <Card withBorder>
      <Stack>
        <Title order={4}>{t('admin.gc')}</Title>
        <Group align="flex-end">
          <NumberInput
            label={t('gc.timeWindow')}
            description={t('gc.timeWindowHint')}
            min={0}
            allowDecimal={false}
            value={options.timeWindow}
            onChange={(value) => setOptions({ ...options, timeWindow: Number(value) || 0 })}
            w={360}
          />
        </Group>
        <Checkbox
          label={t('gc.deleteUntagged')}
          description={t('gc.deleteUntaggedHint')}
          checked={options.deleteUntagged}
          onChange={(e) => setOptions({ ...options, deleteUntagged: e.currentTarget.checked })}
        />
        <RunNow options={options} />
        <ScheduleForm current={current} options={options} />
      </Stack>
    </Card>
  );
}

/** Harbor's "Clean Up": run garbage collection now or as a dry run, schedule it, and follow its history. */
export function GcPage() {
  const schedule = useGcSchedule();
  return (
    <Stack>
      <ErrorAlert error={schedule.error} />
      {/* The form starts from the saved schedule, so it waits for it (or for its failure). */}
      {!schedule.isPending && <GcSettings current={schedule.data} />}
      <GcHistoryTable />
    </Stack>
  );
}
