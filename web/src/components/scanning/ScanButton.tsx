import { ActionIcon, Tooltip } from '@mantine/core';
import { IconShieldSearch } from '@tabler/icons-react';
import type { ReactNode } from 'react';
import { isScanRunning, useScanWrites, type ScanOverview } from '../../api/scanning';
import { useT } from '../../i18n/context';
import { shortDigest } from '../../lib/format';

/** A row's icon action that starts a job: its label as tooltip, the API's refusal in red instead. */
export function RowJobButton({
  label,
  icon,
  pending,
  error,
  disabled,
  onClick,
}: {
  label: string;
  icon: ReactNode;
  pending: boolean;
  error: unknown;
  disabled: boolean;
  onClick(): void;
}) {
  const message = error instanceof Error ? error.message : undefined;
  return (
    <Tooltip label={message ?? label} color={message ? 'red' : undefined}>
      <ActionIcon variant="subtle" aria-label={label} loading={pending} disabled={disabled} onClick={onClick}>
        {icon}
      </ActionIcon>
    </Tooltip>
  );
}

/** A row's Scan action: starts a vulnerability scan of the artifact; idle while one runs. */
export function ScanButton({
  projectName,
  repository,
  digest,
  overview,
}: {
  projectName: string;
  repository: string;
  digest: string;
  overview: ScanOverview | undefined;
}) {
  const t = useT();
  const { scan } = useScanWrites(projectName, repository);
  return (
    <RowJobButton
      label={t('scan.scanNamed', { digest: shortDigest(digest) })}
      icon={<IconShieldSearch size={16} />}
      pending={scan.isPending}
      error={scan.error}
      disabled={isScanRunning(overview)}
      onClick={() => scan.mutate(digest)}
    />
  );
}
