import { Badge, Button, Card, Group, NativeSelect, Stack, Text, Title } from '@mantine/core';
import { useState } from 'react';
import { useProjectScanner, useScannerCandidates, useSetProjectScanner, type Scanner } from '../../api/scanning';
import { useT } from '../../i18n/context';
import { ErrorAlert } from '../ErrorAlert';

/** Project admins pick among the enabled registrations; the current one stays listed even if since disabled. */
function ScannerPicker({ projectId, current }: { projectId: number; current: Scanner | undefined }) {
  const t = useT();
  const candidates = useScannerCandidates(projectId, true);
  const save = useSetProjectScanner(projectId);
  const [chosen, setChosen] = useState(current?.uuid ?? '');
  const options = (candidates.data?.items ?? []).filter((s) => !s.disabled || s.uuid === current?.uuid);
  return (
    <Stack gap="xs">
      <Group align="flex-end">
        <NativeSelect
          label={t('projectScanner.choose')}
          value={chosen}
          data={[
            ...(chosen ? [] : [{ value: '', label: '-' }]),
            ...options.map((s) => ({
              value: s.uuid,
              label: s.is_default ? `${s.name} (${t('scanners.default')})` : s.name,
            })),
          ]}
          onChange={(e) => {
            save.reset();
            setChosen(e.currentTarget.value);
          }}
          w={360}
        />
        <Button
          variant="light"
          disabled={!chosen || chosen === current?.uuid}
          loading={save.isPending}
          onClick={() => save.mutate(chosen)}
        >
          {t('action.save')}
        </Button>
      </Group>
      <ErrorAlert error={candidates.error ?? save.error} />
      {save.isSuccess && <Text c="green">{t('projectScanner.saved')}</Text>}
    </Stack>
  );
}

/** The scanner that scans this project's artifacts (Harbor's project Scanner tab, here in Configuration). */
export function ProjectScannerSection({ projectId, editable }: { projectId: number; editable: boolean }) {
  const t = useT();
  const scanner = useProjectScanner(projectId);
  const current = scanner.data;
  return (
    <Card withBorder data-testid="project-scanner">
      <Stack>
        <Title order={4}>{t('projectScanner.title')}</Title>
        <ErrorAlert error={scanner.error} />
        {current && (
          <Group gap="xs" data-testid="project-scanner-current" data-name={current.name}>
            <Text fw={500}>{current.name}</Text>
            {current.is_default && <Badge variant="light">{t('scanners.default')}</Badge>}
            {current.disabled && (
              <Badge color="gray" variant="light">
                {t('scanners.disabled')}
              </Badge>
            )}
            <Text size="sm" c="dimmed">
              {[current.vendor, current.adapter, current.version].filter(Boolean).join(' · ')}
            </Text>
          </Group>
        )}
        {/* Waits for the current one, so the picker starts from it. */}
        {editable && !scanner.isPending && <ScannerPicker projectId={projectId} current={current} />}
      </Stack>
    </Card>
  );
}
