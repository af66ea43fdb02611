import { Anchor, Badge, Button, Checkbox, Group, Modal, Stack, Table, TextInput, Title } from '@mantine/core';
import { IconSearch } from '@tabler/icons-react';
import { useState, type FormEvent } from 'react';
import { Link } from 'react-router';
import { useConfigurations } from '../api/admin';
import { useCanCreateProject, useCanDeleteProject } from '../api/permissions';
import { useCreateProject, useDeleteProject, useProjects } from '../api/projects';
import type { Project } from '../api/types';
import { ConfirmMutation, DialogButtons } from '../components/ConfirmDialog';
import { CveExportDrawer, CveExportsButton } from '../components/cve-export/CveExportList';
import { ExportCveDialog } from '../components/cve-export/ExportCveDialog';
import { ErrorAlert } from '../components/ErrorAlert';
import { QuotaInput } from '../components/quota/QuotaInput';
import { EmptyRow, ListFooter, SortableTh, useListState } from '../components/List';
import { DeleteButton } from '../components/RowActions';
import { useCurrentUser } from '../api/session';
import { useI18n } from '../i18n/context';
import { fuzzyQuery, formatTime } from '../lib/format';
import { configuredNumber, quotaBytes, quotaDraft, type QuotaDraft } from '../lib/quota';
import { RoleName } from './roles';
import { StatisticsPanel } from './StatisticsPanel';

/**
 * Harbor's storage quota field of the new-project dialog, for system administrators (others get the
 * default): it starts at storage_per_project, and the draft is null until the user changes it.
 */
function ProjectQuotaField({ draft, onChange }: { draft: QuotaDraft | null; onChange(draft: QuotaDraft): void }) {
  const { t } = useI18n();
  const configurations = useConfigurations();
  const fallback = quotaDraft(configuredNumber(configurations.data?.storage_per_project));
  return <QuotaInput label={t('quota.storage')} draft={draft ?? fallback} onChange={onChange} />;
}

function CreateProjectDialog({ opened, onClose }: { opened: boolean; onClose(): void }) {
  const { t } = useI18n();
  const create = useCreateProject();
  const admin = useCurrentUser().data?.sysadmin_flag === true;
  const [name, setName] = useState('');
  const [isPublic, setPublic] = useState(false);
  const [quota, setQuota] = useState<QuotaDraft | null>(null);
  const storageLimit = quota ? quotaBytes(quota) : undefined;
  function close() {
    create.reset();
    setName('');
    setPublic(false);
    setQuota(null);
    onClose();
  }
  function submit(event: FormEvent) {
    event.preventDefault();
    create.mutate({ name: name.trim(), public: isPublic, storageLimit }, { onSuccess: close });
  }
  return (
    <Modal opened={opened} onClose={close} title={t('projects.new')} centered>
      <form onSubmit={submit}>
        <Stack>
          <TextInput
            label={t('projects.name')}
            description={t('projects.nameHint')}
            required
            value={name}
            onChange={(e) => setName(e.currentTarget.value)}
            data-autofocus
          />
          <Checkbox
            label={t('projects.public')}
            description={t('projects.publicHint')}
            checked={isPublic}
            onChange={(e) => setPublic(e.currentTarget.checked)}
          />
          {admin && opened && <ProjectQuotaField draft={quota} onChange={setQuota} />}
          <ErrorAlert error={create.error} />
          <DialogButtons
            onCancel={close}
            submitLabel={t('action.create')}
            pending={create.isPending}
            disabled={quota !== null && storageLimit === undefined}
          />
        </Stack>
      </form>
    </Modal>
  );
}

export function ProjectsPage() {
  const { t, language } = useI18n();
  const list = useListState({ column: 'name', desc: false });
  const projects = useProjects({ ...list.params, q: fuzzyQuery({ name: list.debouncedSearch }) });
  const remove = useDeleteProject();
  const canCreate = useCanCreateProject();
  const canDelete = useCanDeleteProject();
  const [creating, setCreating] = useState(false);
  const [deleting, setDeleting] = useState<Project | null>(null);
  const [selected, setSelected] = useState<Project[]>([]);
  const [exporting, setExporting] = useState(false);
  const [showExports, setShowExports] = useState(false);
  const rows = projects.data?.items ?? [];
  const isSelected = (project: Project) => selected.some((p) => p.project_id === project.project_id);
  const toggle = (project: Project) =>
    setSelected((current) =>
      isSelected(project) ? current.filter((p) => p.project_id !== project.project_id) : [...current, project],
    );

  return (
    <Stack>
      <Group justify="space-between">
        <Title order={2}>{t('nav.projects')}</Title>
        <Group>
          <TextInput
            aria-label={t('projects.search')}
            placeholder={t('projects.search')}
            leftSection={<IconSearch size={16} />}
            value={list.search}
            onChange={(e) => list.setSearch(e.currentTarget.value)}
          />
          <Button variant="default" disabled={selected.length === 0} onClick={() => setExporting(true)}>
            {t('cveExport.exportCves')}
          </Button>
          <CveExportsButton onClick={() => setShowExports(true)} />
          {canCreate && <Button onClick={() => setCreating(true)}>{t('projects.new')}</Button>}
        </Group>
      </Group>
      <StatisticsPanel />
      <ErrorAlert error={projects.error} />
      <Table striped highlightOnHover verticalSpacing="xs" data-testid="projects">
        <Table.Thead>
          <Table.Tr>
            <Table.Th w={40} aria-label={t('cveExport.select')} />
            <SortableTh column="name" list={list}>
              {t('projects.name')}
            </SortableTh>
            <Table.Th>{t('projects.access')}</Table.Th>
            <Table.Th>{t('projects.role')}</Table.Th>
            <Table.Th>{t('projects.repositories')}</Table.Th>
            <SortableTh column="creation_time" list={list}>
              {t('projects.created')}
            </SortableTh>
            <Table.Th aria-label={t('action.actions')} />
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {rows.map((project) => (
            <Table.Tr key={project.project_id}>
              <Table.Td>
                <Checkbox
                  aria-label={t('cveExport.selectNamed', { name: project.name })}
                  checked={isSelected(project)}
                  onChange={() => toggle(project)}
                />
              </Table.Td>
              <Table.Td>
                <Anchor component={Link} to={`/projects/${project.project_id}`}>
                  {project.name}
                </Anchor>
              </Table.Td>
              <Table.Td>
                <Badge variant="light" color={project.metadata?.public === 'true' ? 'green' : 'gray'}>
                  {project.metadata?.public === 'true' ? t('projects.publicBadge') : t('projects.privateBadge')}
                </Badge>
              </Table.Td>
              <Table.Td>
                <RoleName roleId={project.current_user_role_id} />
              </Table.Td>
              <Table.Td>{project.repo_count}</Table.Td>
              <Table.Td>{formatTime(project.creation_time, language)}</Table.Td>
              <Table.Td>
                <DeleteButton
                  label={t('projects.deleteNamed', { name: project.name })}
                  denied={canDelete(project) ? undefined : t('denied.projectDelete')}
                  onClick={() => setDeleting(project)}
                />
              </Table.Td>
            </Table.Tr>
          ))}
          {projects.isSuccess && rows.length === 0 && (
            <EmptyRow columns={7}>{list.debouncedSearch ? t('projects.noMatch') : t('projects.empty')}</EmptyRow>
          )}
        </Table.Tbody>
      </Table>
      <ListFooter list={list} total={projects.data?.total ?? 0} />
      <CreateProjectDialog opened={creating} onClose={() => setCreating(false)} />
      {exporting && (
        <ExportCveDialog
          projects={selected}
          onClose={() => setExporting(false)}
          onStarted={() => {
            setExporting(false);
            setSelected([]);
            setShowExports(true);
          }}
        />
      )}
      <CveExportDrawer opened={showExports} onClose={() => setShowExports(false)} />
      <ConfirmMutation
        target={deleting}
        mutation={remove}
        onDone={() => setDeleting(null)}
        title={t('projects.deleteTitle')}
        message={t('projects.deleteConfirm', { name: deleting?.name ?? '' })}
      />
    </Stack>
  );
}
