import { Anchor, Badge, Button, Checkbox, Group, Modal, Stack, Table, TextInput, Title } from '@mantine/core';
import { IconSearch } from '@tabler/icons-react';
import { useState, type FormEvent } from 'react';
import { Link } from 'react-router';
import { useCanCreateProject, useCanDeleteProject } from '../api/permissions';
import { useCreateProject, useDeleteProject, useProjects } from '../api/projects';
import type { Project } from '../api/types';
import { ConfirmMutation, DialogButtons } from '../components/ConfirmDialog';
import { ErrorAlert } from '../components/ErrorAlert';
import { EmptyRow, ListFooter, SortableTh, useListState } from '../components/List';
import { DeleteButton } from '../components/RowActions';
import { useI18n } from '../i18n/context';
import { fuzzyQuery, formatTime } from '../lib/format';
import { RoleName } from './roles';
import { StatisticsPanel } from './StatisticsPanel';

function CreateProjectDialog({ opened, onClose }: { opened: boolean; onClose(): void }) {
  const { t } = useI18n();
  const create = useCreateProject();
  const [name, setName] = useState('');
  const [isPublic, setPublic] = useState(false);
  function close() {
    create.reset();
    setName('');
    setPublic(false);
    onClose();
  }
  function submit(event: FormEvent) {
    event.preventDefault();
    create.mutate({ name: name.trim(), public: isPublic }, { onSuccess: close });
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
          <ErrorAlert error={create.error} />
          <DialogButtons onCancel={close} submitLabel={t('action.create')} pending={create.isPending} />
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
  const rows = projects.data?.items ?? [];

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
          {canCreate && <Button onClick={() => setCreating(true)}>{t('projects.new')}</Button>}
        </Group>
      </Group>
      <StatisticsPanel />
      <ErrorAlert error={projects.error} />
      <Table striped highlightOnHover verticalSpacing="xs" data-testid="projects">
        <Table.Thead>
          <Table.Tr>
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
            <EmptyRow columns={6}>{list.debouncedSearch ? t('projects.noMatch') : t('projects.empty')}</EmptyRow>
          )}
        </Table.Tbody>
      </Table>
      <ListFooter list={list} total={projects.data?.total ?? 0} />
      <CreateProjectDialog opened={creating} onClose={() => setCreating(false)} />
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
