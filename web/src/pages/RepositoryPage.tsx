import { Anchor, Badge, Code, Group, Stack, Table, TextInput, Title } from '@mantine/core';
import { IconSearch } from '@tabler/icons-react';
import { useState } from 'react';
import { Link, useParams } from 'react-router';
import { useProjectPermissions } from '../api/permissions';
import { useArtifactWrites, useArtifacts } from '../api/repositories';
import { isScanRunning, overviewOf, useRefreshWhileScanning } from '../api/scanning';
import { repositoryNames } from '../components/Breadcrumbs';
import { useRegistryHost } from '../api/session';
import type { Artifact } from '../api/types';
import { ConfirmDialog } from '../components/ConfirmDialog';
import { ErrorAlert } from '../components/ErrorAlert';
import { EmptyRow, ListFooter, SortableTh, useListState } from '../components/List';
import { PullCommandButton } from '../components/PullCommand';
import { DeleteButton } from '../components/RowActions';
import { ArtifactLabelMenu } from '../components/labels/ArtifactLabelMenu';
import { LabelChips } from '../components/labels/LabelChip';
import { LabelFilter } from '../components/labels/LabelFilter';
import { ScanButton } from '../components/scanning/ScanButton';
import { GenerateSbomButton, SbomStatus } from '../components/scanning/SbomStatus';
import { isSbomRunning } from '../api/sbom';
import { SeverityBar } from '../components/scanning/SeverityBar';
import { useI18n } from '../i18n/context';
import { artifactTypeKey, isChart } from '../lib/artifact';
import { formatBytes, formatTime, fuzzyQuery, shortDigest } from '../lib/format';
import { joinQuery, labelsQuery } from '../lib/labels';
import { useRouteProject } from './ProjectPage';

export function RepositoryPage() {
  const { t, language } = useI18n();
  const { repository: named = '' } = useParams();
  const { projectId, project } = useRouteProject();
  const repository = project ? repositoryNames(project.name, named).full : named;
  const { can } = useProjectPermissions(project?.project_id);
  const registry = useRegistryHost();
  const list = useListState({ column: 'push_time', desc: true });
  const [labelId, setLabelId] = useState<number | undefined>();
  const artifacts = useArtifacts(project?.name, repository, {
    ...list.params,
    with_scan_overview: true,
    with_sbom_overview: true,
    q: joinQuery(fuzzyQuery({ tags: list.debouncedSearch }), labelsQuery(labelId === undefined ? [] : [labelId])),
  });
  const writes = useArtifactWrites(project?.name ?? '', repository);
  const [deleting, setDeleting] = useState<Artifact | null>(null);
  const rows = artifacts.data?.items ?? [];
  useRefreshWhileScanning(
    project?.name ?? '',
    repository,
    rows.some((row) => isScanRunning(overviewOf(row)) || isSbomRunning(row.sbom_overview)),
  );
  const link = (artifact: Artifact) =>
    `/projects/${projectId}/repositories/${encodeURIComponent(repository)}/artifacts/${artifact.digest}`;
  return (
    <Stack>
      <Group justify="space-between">
        <Title order={3}>{repository}</Title>
        <Group gap="sm">
          <LabelFilter
            projectId={project?.project_id}
            value={labelId}
            onChange={(id) => {
              setLabelId(id);
              list.setPage(1);
            }}
          />
          <TextInput
            aria-label={t('artifacts.search')}
            placeholder={t('artifacts.search')}
            leftSection={<IconSearch size={16} />}
            value={list.search}
            onChange={(e) => list.setSearch(e.currentTarget.value)}
          />
        </Group>
      </Group>
      <ErrorAlert error={artifacts.error} />
      <Table striped highlightOnHover data-testid="artifacts">
        <Table.Thead>
          <Table.Tr>
            <SortableTh column="digest" list={list}>
              {t('artifacts.digest')}
            </SortableTh>
            <Table.Th>{t('artifacts.tags')}</Table.Th>
            <Table.Th>{t('artifacts.type')}</Table.Th>
            <Table.Th>{t('artifacts.labels')}</Table.Th>
            <Table.Th>{t('scan.vulnerabilities')}</Table.Th>
            <Table.Th>{t('sbom.sbom')}</Table.Th>
            <SortableTh column="size" list={list}>
              {t('artifacts.size')}
            </SortableTh>
            <SortableTh column="push_time" list={list}>
              {t('artifacts.pushed')}
            </SortableTh>
            <SortableTh column="pull_time" list={list}>
              {t('artifacts.pulled')}
            </SortableTh>
            <Table.Th aria-label={t('action.actions')} />
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {rows.map((artifact) => (
            <Table.Tr key={artifact.digest} data-digest={artifact.digest}>
              <Table.Td>
                <Anchor component={Link} to={link(artifact)}>
                  <Code>{shortDigest(artifact.digest)}</Code>
                </Anchor>
              </Table.Td>
              <Table.Td>
                <Group gap={4}>
                  {(artifact.tags ?? []).map((tag) => (
                    <Badge key={tag.id} variant="outline" tt="none">
                      {tag.name}
                    </Badge>
                  ))}
                </Group>
              </Table.Td>
              <Table.Td>{t(artifactTypeKey(artifact))}</Table.Td>
              <Table.Td>
                <LabelChips labels={artifact.labels} />
              </Table.Td>
              <Table.Td>
                <SeverityBar overview={overviewOf(artifact)} />
              </Table.Td>
              <Table.Td>
                {project && (
                  <SbomStatus
                    overview={artifact.sbom_overview}
                    projectName={project.name}
                    repository={repository}
                    digest={artifact.digest}
                    artifactLink={link(artifact)}
                  />
                )}
              </Table.Td>
              <Table.Td>{formatBytes(artifact.size)}</Table.Td>
              <Table.Td>{formatTime(artifact.push_time, language)}</Table.Td>
              <Table.Td>{formatTime(artifact.pull_time, language) || t('artifacts.neverPulled')}</Table.Td>
              <Table.Td>
                <Group gap={4} wrap="nowrap">
                  <PullCommandButton
                    registry={registry}
                    repository={repository}
                    digest={artifact.digest}
                    tag={artifact.tags?.[0]?.name}
                    isChart={isChart(artifact)}
                  />
                  {project && can('scan', 'create') && (
                    <ScanButton
                      projectName={project.name}
                      repository={repository}
                      digest={artifact.digest}
                      overview={overviewOf(artifact)}
                    />
                  )}
                  {project && can('scan', 'create') && (
                    <GenerateSbomButton
                      projectName={project.name}
                      repository={repository}
                      digest={artifact.digest}
                      overview={artifact.sbom_overview}
                    />
                  )}
                  {project && can('artifact-label', 'create') && (
                    <ArtifactLabelMenu artifact={artifact} projectId={project.project_id} projectName={project.name} />
                  )}
                  <DeleteButton
                    label={t('artifacts.deleteNamed', { digest: shortDigest(artifact.digest) })}
                    denied={can('artifact', 'delete') ? undefined : t('denied.artifactDelete')}
                    onClick={() => setDeleting(artifact)}
                  />
                </Group>
              </Table.Td>
            </Table.Tr>
          ))}
          {artifacts.isSuccess && rows.length === 0 && (
            <EmptyRow columns={10}>
              {labelId !== undefined
                ? t('labels.noArtifact')
                : list.debouncedSearch
                  ? t('artifacts.noMatch')
                  : t('artifacts.empty')}
            </EmptyRow>
          )}
        </Table.Tbody>
      </Table>
      <ListFooter list={list} total={artifacts.data?.total ?? 0} />
      <ConfirmDialog
        opened={deleting !== null}
        title={t('artifacts.deleteTitle')}
        message={t('artifacts.deleteConfirm', {
          digest: deleting?.digest ?? '',
          tags: (deleting?.tags ?? []).map((tag) => tag.name).join(', ') || '-',
        })}
        pending={writes.remove.isPending}
        error={writes.remove.error}
        onClose={() => {
          writes.remove.reset();
          setDeleting(null);
        }}
        onConfirm={() => deleting && writes.remove.mutate(deleting.digest, { onSuccess: () => setDeleting(null) })}
      />
    </Stack>
  );
}
