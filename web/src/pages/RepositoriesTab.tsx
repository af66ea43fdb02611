import { Anchor, Group, Stack, Table, TextInput } from '@mantine/core';
import { IconSearch } from '@tabler/icons-react';
import { useState } from 'react';
import { Link } from 'react-router';
import { useProjectPermissions } from '../api/permissions';
import { useDeleteRepository, useRepositories } from '../api/repositories';
import type { Repository } from '../api/types';
import { ConfirmMutation } from '../components/ConfirmDialog';
import { ErrorAlert } from '../components/ErrorAlert';
import { EmptyRow, ListFooter, SortableTh, useListState } from '../components/List';
import { DeleteButton } from '../components/RowActions';
import { useI18n } from '../i18n/context';
import { formatTime, fuzzyQuery } from '../lib/format';
import { useRouteProject } from './ProjectPage';

export function RepositoriesTab() {
  const { t, language } = useI18n();
  const { projectId, project } = useRouteProject();
  const list = useListState({ column: 'name', desc: false });
  const repositories = useRepositories(project?.name, {
    ...list.params,
    q: fuzzyQuery({ name: list.debouncedSearch }),
  });
  const remove = useDeleteRepository(project?.name ?? '');
  const { can } = useProjectPermissions(project?.project_id);
  const [deleting, setDeleting] = useState<Repository | null>(null);
  const rows = repositories.data?.items ?? [];
  return (
    <Stack>
      <Group justify="flex-end">
        <TextInput
          aria-label={t('repositories.search')}
          placeholder={t('repositories.search')}
          leftSection={<IconSearch size={16} />}
          value={list.search}
          onChange={(e) => list.setSearch(e.currentTarget.value)}
        />
      </Group>
      <ErrorAlert error={repositories.error} />
      <Table striped highlightOnHover data-testid="repositories">
        <Table.Thead>
          <Table.Tr>
            <SortableTh column="name" list={list}>
              {t('repositories.name')}
            </SortableTh>
            <Table.Th>{t('repositories.description')}</Table.Th>
            <Table.Th>{t('repositories.artifacts')}</Table.Th>
            <Table.Th>{t('repositories.pulls')}</Table.Th>
            <SortableTh column="update_time" list={list}>
              {t('repositories.updated')}
            </SortableTh>
            <Table.Th aria-label={t('action.actions')} />
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {rows.map((repository) => (
            <Table.Tr key={repository.id}>
              <Table.Td>
                <Anchor
                  component={Link}
                  to={`/projects/${projectId}/repositories/${encodeURIComponent(repository.name)}`}
                >
                  {repository.name}
                </Anchor>
              </Table.Td>
              <Table.Td>{repository.description}</Table.Td>
              <Table.Td>{repository.artifact_count}</Table.Td>
              <Table.Td>{repository.pull_count}</Table.Td>
              <Table.Td>{formatTime(repository.update_time, language)}</Table.Td>
              <Table.Td>
                <DeleteButton
                  label={t('repositories.deleteNamed', { name: repository.name })}
                  denied={can('repository', 'delete') ? undefined : t('denied.repositoryDelete')}
                  onClick={() => setDeleting(repository)}
                />
              </Table.Td>
            </Table.Tr>
          ))}
          {repositories.isSuccess && rows.length === 0 && (
            <EmptyRow columns={6}>
              {list.debouncedSearch ? t('repositories.noMatch') : t('repositories.empty')}
            </EmptyRow>
          )}
        </Table.Tbody>
      </Table>
      <ListFooter list={list} total={repositories.data?.total ?? 0} />
      <ConfirmMutation
        target={deleting}
        mutation={remove}
        onDone={() => setDeleting(null)}
        title={t('repositories.deleteTitle')}
        message={t('repositories.deleteConfirm', { name: deleting?.name ?? '' })}
      />
    </Stack>
  );
}
