import {
  Anchor,
  Badge,
  Button,
  Card,
  Code,
  CloseButton,
  Group,
  ScrollArea,
  SimpleGrid,
  Stack,
  Table,
  Tabs,
  Text,
  TextInput,
  Title,
} from '@mantine/core';
import { useState, type FormEvent, type ReactNode } from 'react';
import { Link, useNavigate, useParams, useSearchParams } from 'react-router';
import { useManifest } from '../api/manifest';
import { useProjectPermissions, type Permissions } from '../api/permissions';
import { useAccessories, useArtifact, useArtifactWrites, useBuildHistory } from '../api/repositories';
import { useRegistryHost } from '../api/session';
import type { Artifact, Project } from '../api/types';
import { repositoryNames } from '../components/Breadcrumbs';
import { ConfirmDialog } from '../components/ConfirmDialog';
import { ErrorAlert } from '../components/ErrorAlert';
import { EmptyRow, ListFooter, useListState } from '../components/List';
import { PullCommandButton } from '../components/PullCommand';
import { ArtifactLabelMenu } from '../components/labels/ArtifactLabelMenu';
import { LabelChips } from '../components/labels/LabelChip';
import { SbomTab } from '../components/scanning/SbomTab';
import { VulnerabilitiesTab } from '../components/scanning/VulnerabilitiesTab';
import { useI18n, useT } from '../i18n/context';
import { artifactTypeKey, isChart, isIndex } from '../lib/artifact';
import { formatBytes, formatTime, shortDigest } from '../lib/format';
import { useRouteProject } from './ProjectPage';

function Field({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div>
      <Text size="xs" c="dimmed">
        {label}
      </Text>
      <Text size="sm" component="div" style={{ wordBreak: 'break-all' }}>
        {children || '-'}
      </Text>
    </div>
  );
}

function TagsCard({
  artifact,
  projectName,
  can,
}: {
  artifact: Artifact;
  projectName: string;
  can: Permissions['can'];
}) {
  const t = useT();
  const writes = useArtifactWrites(projectName, artifact.repository_name);
  const [tag, setTag] = useState('');
  const [removing, setRemoving] = useState<string | null>(null);
  function add(event: FormEvent) {
    event.preventDefault();
    writes.addTag.mutate({ digest: artifact.digest, tag: tag.trim() }, { onSuccess: () => setTag('') });
  }
  const tags = artifact.tags ?? [];
  return (
    <Card withBorder>
      <Stack>
        <Title order={4}>{t('artifacts.tags')}</Title>
        <Group gap="xs" data-testid="tags">
          {tags.length === 0 && <Text c="dimmed">{t('artifact.noTags')}</Text>}
          {tags.map((item) => (
            <Badge
              key={item.id}
              variant="outline"
              tt="none"
              rightSection={
                can('tag', 'delete') && (
                  <CloseButton
                    size="xs"
                    aria-label={t('artifact.removeTag', { tag: item.name })}
                    onClick={() => setRemoving(item.name)}
                  />
                )
              }
            >
              {item.name}
            </Badge>
          ))}
        </Group>
        {can('tag', 'create') && (
          <form onSubmit={add}>
            <Group align="flex-end">
              <TextInput
                label={t('artifact.newTag')}
                value={tag}
                onChange={(e) => setTag(e.currentTarget.value)}
                required
              />
              <Button type="submit" loading={writes.addTag.isPending}>
                {t('artifact.addTag')}
              </Button>
            </Group>
          </form>
        )}
        <ErrorAlert error={writes.addTag.error} />
      </Stack>
      <ConfirmDialog
        opened={removing !== null}
        title={t('artifact.removeTagTitle')}
        message={t('artifact.removeTagConfirm', { tag: removing ?? '' })}
        confirmLabel={t('action.remove')}
        pending={writes.removeTag.isPending}
        error={writes.removeTag.error}
        onClose={() => {
          writes.removeTag.reset();
          setRemoving(null);
        }}
        onConfirm={() =>
          removing &&
          writes.removeTag.mutate({ digest: artifact.digest, tag: removing }, { onSuccess: () => setRemoving(null) })
        }
      />
    </Card>
  );
}

/** The artifact's labels as chips, and Harbor's Add labels menu for who may put labels on it. */
function LabelsCard({ artifact, project, can }: { artifact: Artifact; project: Project; can: Permissions['can'] }) {
  const t = useT();
  const labels = artifact.labels ?? [];
  return (
    <Card withBorder data-testid="artifact-labels">
      <Stack>
        <Group justify="space-between">
          <Title order={4}>{t('artifacts.labels')}</Title>
          {can('artifact-label', 'create') && (
            <ArtifactLabelMenu
              artifact={artifact}
              projectId={project.project_id}
              projectName={project.name}
              variant="button"
            />
          )}
        </Group>
        {labels.length === 0 ? <Text c="dimmed">{t('labels.noneOnArtifact')}</Text> : <LabelChips labels={labels} />}
      </Stack>
    </Card>
  );
}

/** An image's run configuration from extra_attrs (Harbor reads it from the config blob). */
function ConfigCard({ artifact }: { artifact: Artifact }) {
  const t = useT();
  // The swagger types each value as an object; Harbor and Berth send strings too (architecture, os, created).
  const attrs: Record<string, unknown> = artifact.extra_attrs ?? {};
  const entries = Object.entries(attrs).filter(([key]) => key !== 'config');
  const config = (attrs.config ?? {}) as Record<string, unknown>;
  const rows = [...entries, ...Object.entries(config)].filter(
    ([, value]) => value !== undefined && value !== null && value !== '',
  );
  if (rows.length === 0) return null;
  return (
    <Card withBorder>
      <Title order={4} mb="sm">
        {t('artifact.config')}
      </Title>
      <Table data-testid="config">
        <Table.Tbody>
          {rows.map(([key, value]) => (
            <Table.Tr key={key}>
              <Table.Td w={200}>
                <Text fw={500} size="sm">
                  {key}
                </Text>
              </Table.Td>
              <Table.Td>
                <Code block={typeof value === 'object'}>
                  {typeof value === 'object' ? JSON.stringify(value, null, 2) : String(value)}
                </Code>
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Card>
  );
}

function PlatformsCard({ artifact, projectId }: { artifact: Artifact; projectId: string }) {
  const t = useT();
  const references = artifact.references ?? [];
  if (!isIndex(artifact)) return null;
  return (
    <Card withBorder>
      <Title order={4} mb="sm">
        {t('artifact.platforms')}
      </Title>
      <Table data-testid="platforms">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>{t('artifact.platform')}</Table.Th>
            <Table.Th>{t('artifacts.digest')}</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {references.map((ref) => (
            <Table.Tr key={ref.child_digest}>
              <Table.Td>
                {[ref.platform?.os, ref.platform?.architecture, ref.platform?.variant].filter(Boolean).join('/') || '-'}
              </Table.Td>
              <Table.Td>
                <Anchor
                  component={Link}
                  to={`/projects/${projectId}/repositories/${encodeURIComponent(artifact.repository_name)}/artifacts/${ref.child_digest}`}
                >
                  <Code>{shortDigest(ref.child_digest)}</Code>
                </Anchor>
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Card>
  );
}

/** Signatures, SBOMs and other accessories whose subject is this artifact (Harbor's /accessories). */
function AccessoriesCard({
  artifact,
  projectId,
  projectName,
}: {
  artifact: Artifact;
  projectId: string;
  projectName: string;
}) {
  const { t, language } = useI18n();
  const list = useListState();
  const accessories = useAccessories(projectName, artifact.repository_name, artifact.digest, list.params);
  const rows = accessories.data?.items ?? [];
  const link = (digest: string) =>
    `/projects/${projectId}/repositories/${encodeURIComponent(artifact.repository_name)}/artifacts/${digest}`;
  return (
    <Card withBorder>
      <Title order={4} mb="sm">
        {t('artifact.accessories')}
      </Title>
      <ErrorAlert error={accessories.error} />
      <Table data-testid="accessories">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>{t('artifacts.digest')}</Table.Th>
            <Table.Th>{t('artifact.accessoryType')}</Table.Th>
            <Table.Th>{t('artifacts.size')}</Table.Th>
            <Table.Th>{t('artifact.created')}</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {rows.map((accessory) => (
            <Table.Tr key={accessory.id} data-accessory={accessory.digest}>
              <Table.Td>
                <Anchor component={Link} to={link(accessory.digest)}>
                  <Code>{shortDigest(accessory.digest)}</Code>
                </Anchor>
              </Table.Td>
              <Table.Td>{accessory.type}</Table.Td>
              <Table.Td>{formatBytes(accessory.size)}</Table.Td>
              <Table.Td>{formatTime(accessory.creation_time, language)}</Table.Td>
            </Table.Tr>
          ))}
          {accessories.isSuccess && rows.length === 0 && <EmptyRow columns={4}>{t('artifact.noAccessories')}</EmptyRow>}
        </Table.Tbody>
      </Table>
      {(accessories.data?.total ?? 0) > list.pageSize && (
        <ListFooter list={list} total={accessories.data?.total ?? 0} />
      )}
    </Card>
  );
}

function ManifestCard({
  artifact,
  projectName,
  can,
}: {
  artifact: Artifact;
  projectName: string;
  can: Permissions['can'];
}) {
  const { t, language } = useI18n();
  const manifest = useManifest(projectName, artifact.repository_name, artifact.digest);
  const layers = manifest.data?.layers ?? [];
  // Only what the artifact advertises: an index (type IMAGE too) has no build history, and asking is a 404.
  const hasHistory = Boolean(artifact.addition_links?.build_history);
  const buildHistory = useBuildHistory(projectName, artifact.repository_name, artifact.digest, hasHistory);
  const history = (buildHistory.data ?? []).filter((step) => step.created_by);
  const [searchParams] = useSearchParams();
  return (
    <Card withBorder>
      <Tabs defaultValue={searchParams.get('tab') ?? 'layers'}>
        <Tabs.List>
          <Tabs.Tab value="layers">{t('artifact.layers')}</Tabs.Tab>
          {hasHistory && <Tabs.Tab value="history">{t('artifact.history')}</Tabs.Tab>}
          {artifact.addition_links?.vulnerabilities && (
            <Tabs.Tab value="vulnerabilities">{t('scan.vulnerabilities')}</Tabs.Tab>
          )}
          {artifact.addition_links?.vulnerabilities && <Tabs.Tab value="sbom">{t('sbom.sbom')}</Tabs.Tab>}
          <Tabs.Tab value="manifest">{t('artifact.manifest')}</Tabs.Tab>
        </Tabs.List>
        <ErrorAlert error={manifest.error} />
        <Tabs.Panel value="layers" pt="sm">
          <Table data-testid="layers">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>#</Table.Th>
                <Table.Th>{t('artifacts.digest')}</Table.Th>
                <Table.Th>{t('artifact.mediaType')}</Table.Th>
                <Table.Th>{t('artifacts.size')}</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {layers.map((layer, i) => (
                <Table.Tr key={`${layer.digest}-${i}`}>
                  <Table.Td>{i + 1}</Table.Td>
                  <Table.Td>
                    <Code>{shortDigest(layer.digest)}</Code>
                  </Table.Td>
                  <Table.Td>{layer.mediaType}</Table.Td>
                  <Table.Td data-size={layer.size}>{formatBytes(layer.size)}</Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
          {manifest.isSuccess && layers.length === 0 && <Text c="dimmed">{t('artifact.noLayers')}</Text>}
        </Tabs.Panel>
        <Tabs.Panel value="history" pt="sm">
          <ErrorAlert error={buildHistory.error} />
          {history.length === 0 ? (
            <Text c="dimmed">{t('artifact.noHistory')}</Text>
          ) : (
            <Table data-testid="history">
              <Table.Tbody>
                {history.map((step, i) => (
                  <Table.Tr key={i}>
                    <Table.Td w={220}>{formatTime(step.created, language)}</Table.Td>
                    <Table.Td>
                      <Code>{step.created_by}</Code>
                    </Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          )}
        </Tabs.Panel>
        <Tabs.Panel value="vulnerabilities" pt="sm" keepMounted={false}>
          <VulnerabilitiesTab
            projectName={projectName}
            repository={artifact.repository_name}
            digest={artifact.digest}
            canScan={can('scan', 'create')}
            canStop={can('scan', 'stop')}
          />
        </Tabs.Panel>
        <Tabs.Panel value="sbom" pt="sm" keepMounted={false}>
          <SbomTab
            projectName={projectName}
            repository={artifact.repository_name}
            digest={artifact.digest}
            canGenerate={can('scan', 'create')}
            canStop={can('scan', 'stop')}
          />
        </Tabs.Panel>
        <Tabs.Panel value="manifest" pt="sm">
          <ScrollArea.Autosize mah={480}>
            <Code block data-testid="manifest">
              {manifest.data ? JSON.stringify(manifest.data, null, 2) : ''}
            </Code>
          </ScrollArea.Autosize>
        </Tabs.Panel>
      </Tabs>
    </Card>
  );
}

export function ArtifactPage() {
  const { t, language } = useI18n();
  const { repository: named = '', digest = '' } = useParams();
  const { projectId, project } = useRouteProject();
  const repository = project ? repositoryNames(project.name, named).full : named;
  const { can } = useProjectPermissions(project?.project_id);
  const registry = useRegistryHost();
  const navigate = useNavigate();
  const artifact = useArtifact(project?.name, repository, digest);
  const writes = useArtifactWrites(project?.name ?? '', repository);
  const [deleting, setDeleting] = useState(false);
  const data = artifact.data;
  const repositoryLink = `/projects/${projectId}/repositories/${encodeURIComponent(repository)}`;
  return (
    <Stack>
      <ErrorAlert error={artifact.error} />
      {data && project && (
        <>
          <Group justify="space-between">
            <Title order={3}>
              {repository}@{shortDigest(data.digest)}
            </Title>
            <Group>
              <PullCommandButton
                registry={registry}
                repository={repository}
                digest={data.digest}
                tag={data.tags?.[0]?.name}
                isChart={isChart(data)}
              />
              {can('artifact', 'delete') && (
                <Button color="red" variant="light" onClick={() => setDeleting(true)}>
                  {t('action.delete')}
                </Button>
              )}
            </Group>
          </Group>
          <Card withBorder>
            <SimpleGrid cols={{ base: 1, sm: 2, md: 3 }} data-testid="summary">
              <Field label={t('artifacts.digest')}>
                <Code>{data.digest}</Code>
              </Field>
              <Field label={t('artifacts.type')}>{t(artifactTypeKey(data))}</Field>
              <Field label={t('artifact.mediaType')}>{data.manifest_media_type}</Field>
              <Field label={t('artifacts.size')}>{formatBytes(data.size)}</Field>
              <Field label={t('artifacts.pushed')}>{formatTime(data.push_time, language)}</Field>
              <Field label={t('artifacts.pulled')}>
                {formatTime(data.pull_time, language) || t('artifacts.neverPulled')}
              </Field>
            </SimpleGrid>
          </Card>
          <TagsCard artifact={data} projectName={project.name} can={can} />
          <LabelsCard artifact={data} project={project} can={can} />
          <PlatformsCard artifact={data} projectId={projectId} />
          <ConfigCard artifact={data} />
          <AccessoriesCard artifact={data} projectId={projectId} projectName={project.name} />
          <ManifestCard artifact={data} projectName={project.name} can={can} />
          <ConfirmDialog
            opened={deleting}
            title={t('artifacts.deleteTitle')}
            message={t('artifacts.deleteConfirm', {
              digest: data.digest,
              tags: (data.tags ?? []).map((tag) => tag.name).join(', ') || '-',
            })}
            pending={writes.remove.isPending}
            error={writes.remove.error}
            onClose={() => {
              writes.remove.reset();
              setDeleting(false);
            }}
            onConfirm={() => writes.remove.mutate(data.digest, { onSuccess: () => void navigate(repositoryLink) })}
          />
        </>
      )}
    </Stack>
  );
}
