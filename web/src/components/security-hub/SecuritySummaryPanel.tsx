import { Anchor, Card, Group, SimpleGrid, Stack, Table, Text, Title } from '@mantine/core';
import { IconSearch } from '@tabler/icons-react';
import type { ReactNode } from 'react';
import { Link } from 'react-router';
import type { DangerousArtifact, DangerousCve, SecuritySummary } from '../../api/security-hub';
import { useT } from '../../i18n/context';
import { shortDigest } from '../../lib/format';
import { artifactLink } from './links';
import { SeverityBadge } from './SeverityBadge';

const severityCounts = [
  ['Critical', 'critical_cnt'],
  ['High', 'high_cnt'],
  ['Medium', 'medium_cnt'],
  ['Low', 'low_cnt'],
  ['Unknown', 'unknown_cnt'],
  ['None', 'none_cnt'],
] as const;

function SummaryCard({ title, children, testId }: { title: string; children: ReactNode; testId: string }) {
  return (
    <Card withBorder data-testid={testId}>
      <Stack gap="xs">
        <Title order={5}>{title}</Title>
        {children}
      </Stack>
    </Card>
  );
}

/** Harbor's first card: the total and fixable vulnerabilities, then the count of each severity. */
function TotalsCard({ summary }: { summary: SecuritySummary }) {
  const t = useT();
  return (
    <SummaryCard title={t('hub.totalVulnerabilities')} testId="hub-totals">
      <Group gap="lg">
        <Text size="sm">
          {t('hub.total')} <b data-testid="hub-total-vuls">{summary.total_vuls ?? 0}</b>
        </Text>
        <Text size="sm">
          {t('hub.fixable')} <b data-testid="hub-fixable">{summary.fixable_cnt ?? 0}</b>
        </Text>
      </Group>
      <Table verticalSpacing={4}>
        <Table.Tbody>
          {severityCounts.map(([severity, field]) => (
            <Table.Tr key={severity}>
              <Table.Td>
                <SeverityBadge severity={severity} />
              </Table.Td>
              <Table.Td data-testid="hub-severity-count" data-severity={severity}>
                {summary[field] ?? 0}
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </SummaryCard>
  );
}

function DangerousArtifacts({
  artifacts,
  onSelect,
}: {
  artifacts: DangerousArtifact[];
  onSelect(artifact: DangerousArtifact): void;
}) {
  const t = useT();
  return (
    <SummaryCard title={t('hub.topArtifacts')} testId="hub-top-artifacts">
      <Table verticalSpacing={4}>
        <Table.Thead>
          <Table.Tr>
            <Table.Th>{t('hub.repository')}</Table.Th>
            <Table.Th>{t('hub.digest')}</Table.Th>
            <Table.Th>{t('hub.counts')}</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {artifacts.map((artifact) => (
            <Table.Tr key={`${artifact.repository_name}@${artifact.digest}`} data-testid="hub-dangerous-artifact">
              <Table.Td>
                <Anchor
                  component="button"
                  size="sm"
                  onClick={() => onSelect(artifact)}
                  aria-label={t('hub.searchArtifact', { name: artifact.repository_name ?? '' })}
                >
                  <Group gap={4} wrap="nowrap">
                    <IconSearch size={14} aria-hidden />
                    {artifact.repository_name}
                  </Group>
                </Anchor>
              </Table.Td>
              <Table.Td>
                <Anchor
                  component={Link}
                  size="sm"
                  to={artifactLink(artifact.project_id, artifact.repository_name, artifact.digest)}
                >
                  {shortDigest(artifact.digest ?? '')}
                </Anchor>
              </Table.Td>
              <Table.Td>
                <Text size="xs">
                  {t('hub.artifactCounts', {
                    critical: artifact.critical_cnt ?? 0,
                    high: artifact.high_cnt ?? 0,
                    medium: artifact.medium_cnt ?? 0,
                  })}
                </Text>
              </Table.Td>
            </Table.Tr>
          ))}
          {artifacts.length === 0 && (
            <Table.Tr>
              <Table.Td colSpan={3}>
                <Text size="sm" c="dimmed">
                  {t('hub.noneYet')}
                </Text>
              </Table.Td>
            </Table.Tr>
          )}
        </Table.Tbody>
      </Table>
    </SummaryCard>
  );
}

function DangerousCves({ cves, onSelect }: { cves: DangerousCve[]; onSelect(cveId: string): void }) {
  const t = useT();
  return (
    <SummaryCard title={t('hub.topCves')} testId="hub-top-cves">
      <Table verticalSpacing={4}>
        <Table.Thead>
          <Table.Tr>
            <Table.Th>{t('hub.cveId')}</Table.Th>
            <Table.Th>{t('scan.severity')}</Table.Th>
            <Table.Th>{t('scan.cvss')}</Table.Th>
            <Table.Th>{t('scan.package')}</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {cves.map((cve) => (
            <Table.Tr key={`${cve.cve_id}/${cve.package}@${cve.version}`} data-testid="hub-dangerous-cve">
              <Table.Td>
                <Anchor
                  component="button"
                  size="sm"
                  onClick={() => onSelect(cve.cve_id ?? '')}
                  aria-label={t('hub.searchCve', { id: cve.cve_id ?? '' })}
                >
                  <Group gap={4} wrap="nowrap">
                    <IconSearch size={14} aria-hidden />
                    {cve.cve_id}
                  </Group>
                </Anchor>
              </Table.Td>
              <Table.Td>
                <SeverityBadge severity={cve.severity} />
              </Table.Td>
              <Table.Td>{cve.cvss_score_v3 ?? '-'}</Table.Td>
              <Table.Td>
                <Text size="sm">{`${cve.package ?? ''}@${cve.version ?? ''}`}</Text>
              </Table.Td>
            </Table.Tr>
          ))}
          {cves.length === 0 && (
            <Table.Tr>
              <Table.Td colSpan={4}>
                <Text size="sm" c="dimmed">
                  {t('hub.noneYet')}
                </Text>
              </Table.Td>
            </Table.Tr>
          )}
        </Table.Tbody>
      </Table>
    </SummaryCard>
  );
}

/** Harbor's summary: artifacts scanned and not, the vulnerabilities by severity, the 5 most dangerous artifacts and CVEs. */
export function SecuritySummaryPanel({
  summary,
  onArtifact,
  onCve,
}: {
  summary: SecuritySummary;
  onArtifact(artifact: DangerousArtifact): void;
  onCve(cveId: string): void;
}) {
  const t = useT();
  const total = summary.total_artifact ?? 0;
  const scanned = summary.scanned_cnt ?? 0;
  return (
    <Stack>
      <Title order={4} data-testid="hub-artifacts">
        {t('hub.artifactsLine', { total, scanned, notScanned: Math.max(0, total - scanned) })}
      </Title>
      <span hidden data-testid="hub-artifact-figures" data-total={total} data-scanned={scanned} />
      <SimpleGrid cols={{ base: 1, md: 3 }}>
        <TotalsCard summary={summary} />
        <DangerousArtifacts artifacts={summary.dangerous_artifacts ?? []} onSelect={onArtifact} />
        <DangerousCves cves={summary.dangerous_cves ?? []} onSelect={onCve} />
      </SimpleGrid>
    </Stack>
  );
}
