import { Button, Group, Stack, Text, Title } from '@mantine/core';
import { useState } from 'react';
import { draftOf, useSystemAllowlist, useUpdateSystemAllowlist, type AllowlistDraft } from '../../api/allowlists';
import { useT } from '../../i18n/context';
import { ErrorAlert } from '../ErrorAlert';
import { AllowlistEditor } from './AllowlistEditor';

function Editor({ stored }: { stored: AllowlistDraft }) {
  const t = useT();
  const update = useUpdateSystemAllowlist();
  const [draft, setDraft] = useState(stored);
  const changed = JSON.stringify(draft) !== JSON.stringify(stored);
  return (
    <Stack>
      <AllowlistEditor
        testId="system-allowlist"
        value={draft}
        onChange={(next) => {
          update.reset();
          setDraft(next);
        }}
      />
      <ErrorAlert error={update.error} />
      {update.isSuccess && !changed && <Text c="green">{t('allowlist.saved')}</Text>}
      <Group>
        <Button loading={update.isPending} disabled={!changed} onClick={() => update.mutate(draft)}>
          {t('action.save')}
        </Button>
        <Button variant="default" disabled={!changed} onClick={() => setDraft(stored)}>
          {t('action.cancel')}
        </Button>
      </Group>
    </Stack>
  );
}

/**
 * Harbor's Configuration → Security: the system CVE allowlist (GET/PUT /system/CVEAllowlist),
 * which projects use unless they keep their own. Vulnerabilities it names do not count against
 * a project's "Prevent vulnerable images from running".
 */
export function SystemAllowlistPanel() {
  const t = useT();
  const allowlist = useSystemAllowlist();
  return (
    <Stack data-testid="security-config">
      <Title order={4}>{t('allowlist.title')}</Title>
      <Text size="sm" c="dimmed">
        {t('allowlist.systemHint')}
      </Text>
      <ErrorAlert error={allowlist.error} />
      {allowlist.data && <Editor stored={draftOf(allowlist.data)} />}
    </Stack>
  );
}
