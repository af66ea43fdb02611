import { Anchor, Button, Code, Group, Stack, Table, Text, TextInput } from '@mantine/core';
import { IconDownload, IconFileDescription, IconSearch } from '@tabler/icons-react';
import { useState } from 'react';
import {
  isSbomRunning,
  sbomDocumentUrl,
  sbomFormats,
  spdxPackages,
  useSbomDocument,
  useSbomOverview,
  useSbomWrites,
} from '../../api/sbom';
import { scanLogUrl } from '../../api/scanning';
import { useI18n } from '../../i18n/context';
import { formatTime, shortDigest } from '../../lib/format';
import { ErrorAlert } from '../ErrorAlert';
import { EmptyRow } from '../List';
import { JobButtons } from './JobButtons';
import { SbomStatus } from './SbomStatus';

interface Props {
  projectName: string;
  repository: string;
  digest: string;
  /** May generate an SBOM (scan:create). */
  canGenerate: boolean;
  /** May stop a generation (scan:stop). */
  canStop: boolean;
}

/** A download file name: the repository's last part and the short digest, then the format's extension. */
function fileName(repository: string, digest: string, extension: string): string {
  return `${repository.split('/').pop() ?? 'sbom'}_${shortDigest(digest).replace(':', '-')}.${extension}`;
}

/**
 * The artifact's SBOM, as Harbor's SBOM tab shows it: the packages of its SPDX document (name,
 * version, licence, purl; filtered by a search), Generate / Stop, and a download of each document
 * (SPDX 2.3 and CycloneDX 1.5) of the SBOM accessory.
 */
export function SbomTab({ projectName, repository, digest, canGenerate, canStop }: Props) {
  const { t, language } = useI18n();
  const overview = useSbomOverview(projectName, repository, digest);
  const current = overview.data ?? undefined;
  const running = isSbomRunning(current);
  const sbomDigest = !running && current?.scan_status?.toLowerCase() === 'success' ? current.sbom_digest : undefined;
  const document = useSbomDocument(projectName, repository, sbomDigest);
  const { generate, stop } = useSbomWrites(projectName, repository);
  const [search, setSearch] = useState('');
  const packages = spdxPackages(document.data);
  const needle = search.trim().toLowerCase();
  const shown = needle
    ? packages.filter((p) => [p.name, p.version, p.license, p.purl].some((v) => v.toLowerCase().includes(needle)))
    : packages;
  const finishedAt = formatTime(current?.end_time, language);
  return (
    <Stack data-testid="sbom-tab">
      <Group justify="space-between" align="flex-start">
        <Stack gap={4}>
          <SbomStatus overview={current} projectName={projectName} repository={repository} digest={digest} />
          {current?.scanner?.name && (
            <Text size="xs" c="dimmed">
              {t('sbom.generatedBy', { scanner: current.scanner.name })}
              {finishedAt && !running ? ` · ${finishedAt}` : ''}
            </Text>
          )}
        </Stack>
        <Group gap="xs">
          {current?.report_id && (
            <Anchor
              href={scanLogUrl(projectName, repository, digest, current.report_id)}
              target="_blank"
              rel="noreferrer"
              size="sm"
            >
              {t('sbom.log')}
            </Anchor>
          )}
          {sbomDigest &&
            sbomFormats.map(({ format, addition, extension }) => (
              <Button
                key={format}
                component="a"
                variant="light"
                href={sbomDocumentUrl(projectName, repository, sbomDigest, addition)}
                download={fileName(repository, digest, extension)}
                leftSection={<IconDownload size={16} />}
                data-format={format}
              >
                {t(format === 'spdx' ? 'sbom.downloadSpdx' : 'sbom.downloadCycloneDx')}
              </Button>
            ))}
          <JobButtons
            digest={digest}
            running={running}
            start={{
              allowed: canGenerate,
              label: t('sbom.generate'),
              icon: <IconFileDescription size={16} />,
              mutation: generate,
            }}
            stop={{ allowed: canStop, label: t('sbom.stop'), mutation: stop }}
          />
        </Group>
      </Group>
      <ErrorAlert error={overview.error ?? document.error ?? generate.error ?? stop.error} />
      {sbomDigest ? (
        <>
          <Group justify="space-between">
            <Text size="sm" c="dimmed">
              {t('sbom.accessory')} <Code>{shortDigest(sbomDigest)}</Code>
            </Text>
            <TextInput
              aria-label={t('sbom.search')}
              placeholder={t('sbom.search')}
              leftSection={<IconSearch size={16} />}
              value={search}
              onChange={(e) => setSearch(e.currentTarget.value)}
            />
          </Group>
          <Table striped data-testid="sbom-packages">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>{t('sbom.package')}</Table.Th>
                <Table.Th>{t('sbom.version')}</Table.Th>
                <Table.Th>{t('sbom.license')}</Table.Th>
                <Table.Th>{t('sbom.purl')}</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {shown.map((p, i) => (
                <Table.Tr key={`${p.purl}-${p.name}-${i}`} data-testid="sbom-package" data-name={p.name}>
                  <Table.Td>{p.name}</Table.Td>
                  <Table.Td>
                    <Code>{p.version}</Code>
                  </Table.Td>
                  <Table.Td>
                    <Code>{p.license}</Code>
                  </Table.Td>
                  <Table.Td style={{ wordBreak: 'break-all' }}>
                    <Code>{p.purl}</Code>
                  </Table.Td>
                </Table.Tr>
              ))}
              {document.isSuccess && shown.length === 0 && (
                <EmptyRow columns={4}>{needle ? t('sbom.noMatch') : t('sbom.noPackages')}</EmptyRow>
              )}
            </Table.Tbody>
          </Table>
          <Text size="xs" c="dimmed">
            {t('sbom.count', { count: shown.length, total: packages.length })}
          </Text>
        </>
      ) : (
        overview.isSuccess && (
          <Text c="dimmed" data-testid="sbom-empty">
            {running ? t('sbom.inProgress') : t('sbom.notGenerated')}
          </Text>
        )
      )}
    </Stack>
  );
}
