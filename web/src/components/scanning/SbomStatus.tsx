import { Anchor, Badge, Loader, Group } from '@mantine/core';
import { IconFileDescription } from '@tabler/icons-react';
import { Link } from 'react-router';
import { isSbomRunning, useSbomWrites, type SbomOverview } from '../../api/sbom';
import { scanLogUrl } from '../../api/scanning';
import { useT } from '../../i18n/context';
import { shortDigest } from '../../lib/format';
import { RowJobButton } from './ScanButton';

/**
 * An artifact's SBOM column, as Harbor's list shows it: no SBOM, queued, generating, the SBOM
 * (a link to the artifact's SBOM tab), or the failed generation's log.
 */
export function SbomStatus({
  overview,
  projectName,
  repository,
  digest,
  artifactLink,
}: {
  overview: SbomOverview | undefined;
  projectName: string;
  repository: string;
  digest: string;
  /** The artifact's page, whose SBOM tab (?tab=sbom) a generated SBOM links to; none on that tab itself. */
  artifactLink?: string;
}) {
  const t = useT();
  const status = overview?.scan_status ?? '';
  const content = (() => {
    if (!overview)
      return (
        <Badge variant="light" color="gray">
          {t('sbom.none')}
        </Badge>
      );
    switch (status.toLowerCase()) {
      case 'pending':
        return <Badge variant="light">{t('sbom.queued')}</Badge>;
      case 'running':
        return (
          <Group gap={4}>
            <Loader size="xs" />
            <Badge variant="light">{t('sbom.generating')}</Badge>
          </Group>
        );
      case 'success':
        if (overview.sbom_digest && !artifactLink)
          return (
            <Badge variant="light" color="green">
              {t('sbom.sbom')}
            </Badge>
          );
        return overview.sbom_digest ? (
          <Anchor component={Link} to={`${artifactLink}?tab=sbom`} size="sm">
            <Badge variant="light" color="green" style={{ cursor: 'pointer' }}>
              {t('sbom.sbom')}
            </Badge>
          </Anchor>
        ) : (
          <Badge variant="light" color="gray">
            {t('sbom.none')}
          </Badge>
        );
      case 'stopped':
        return (
          <Badge variant="light" color="gray">
            {t('sbom.stopped')}
          </Badge>
        );
      default:
        return (
          <Anchor
            href={overview.report_id ? scanLogUrl(projectName, repository, digest, overview.report_id) : undefined}
            target="_blank"
            rel="noreferrer"
          >
            <Badge variant="light" color="red" style={{ cursor: 'pointer' }}>
              {t('sbom.error')}
            </Badge>
          </Anchor>
        );
    }
  })();
  return (
    <div data-testid="sbom-overview" data-status={status || 'NotGenerated'} data-sbom-digest={overview?.sbom_digest}>
      {content}
    </div>
  );
}

/** A row's Generate SBOM action (Harbor's scan of type sbom); idle while a generation runs. */
export function GenerateSbomButton({
  projectName,
  repository,
  digest,
  overview,
}: {
  projectName: string;
  repository: string;
  digest: string;
  overview: SbomOverview | undefined;
}) {
  const t = useT();
  const { generate } = useSbomWrites(projectName, repository);
  return (
    <RowJobButton
      label={t('sbom.generateNamed', { digest: shortDigest(digest) })}
      icon={<IconFileDescription size={16} />}
      pending={generate.isPending}
      error={generate.error}
      disabled={isSbomRunning(overview)}
      onClick={() => generate.mutate(digest)}
    />
  );
}
