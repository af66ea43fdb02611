import { ActionIcon, Tooltip } from '@mantine/core';
import { IconShieldSearch } from '@tabler/icons-react';
import { isScanRunning, useScanWrites, type ScanOverview } from '../../api/scanning';
import { useT } from '../../i18n/context';
import { shortDigest } from '../../lib/format';

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
  const label = t('scan.scanNamed', { digest: shortDigest(digest) });
  const error = scan.error instanceof Error ? scan.error.message : undefined;
  return (
    <Tooltip label={error ?? label} color={error ? 'red' : undefined}>
      <ActionIcon
        variant="subtle"
        aria-label={label}
        loading={scan.isPending}
        disabled={isScanRunning(overview)}
        onClick={() => scan.mutate(digest)}
      >
        <IconShieldSearch size={16} />
      </ActionIcon>
    </Tooltip>
  );
}
