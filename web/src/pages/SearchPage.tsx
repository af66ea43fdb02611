import { Anchor, Badge, Stack, Table, Text, Title } from '@mantine/core';
import { Link, useSearchParams } from 'react-router';
import { useSearch } from '../api/search';
import { ErrorAlert } from '../components/ErrorAlert';
import { EmptyRow } from '../components/List';
import { useI18n } from '../i18n/context';
import { RoleName } from './roles';

function AccessBadge({ isPublic }: { isPublic: boolean }) {
  const { t } = useI18n();
  return (
    <Badge variant="light" color={isPublic ? 'green' : 'gray'}>
      {isPublic ? t('projects.publicBadge') : t('projects.privateBadge')}
    </Badge>
  );
}

/** The header search's results (Harbor's GET /search): matching projects and repositories, each a link. */
export function SearchPage() {
  const { t } = useI18n();
  const [params] = useSearchParams();
  const keyword = (params.get('q') ?? '').trim();
  const search = useSearch(keyword);
  const projects = search.data?.project ?? [];
  const repositories = search.data?.repository ?? [];
  return (
    <Stack>
      <Title order={2}>{t('search.title', { keyword })}</Title>
      {keyword === '' && <Text c="dimmed">{t('search.prompt')}</Text>}
      <ErrorAlert error={search.error} />
      {keyword !== '' && (
        <>
          <Title order={4}>{t('search.projects', { count: projects.length })}</Title>
          <Table striped verticalSpacing="xs" data-testid="search-projects">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>{t('projects.name')}</Table.Th>
                <Table.Th>{t('projects.access')}</Table.Th>
                <Table.Th>{t('projects.role')}</Table.Th>
                <Table.Th>{t('projects.repositories')}</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {projects.map((project) => (
                <Table.Tr key={project.project_id}>
                  <Table.Td>
                    <Anchor component={Link} to={`/projects/${project.project_id}`}>
                      {project.name}
                    </Anchor>
                  </Table.Td>
                  <Table.Td>
                    <AccessBadge isPublic={project.metadata?.public === 'true'} />
                  </Table.Td>
                  <Table.Td>
                    <RoleName roleId={project.current_user_role_id} />
                  </Table.Td>
                  <Table.Td>{project.repo_count}</Table.Td>
                </Table.Tr>
              ))}
              {search.isSuccess && projects.length === 0 && <EmptyRow columns={4}>{t('search.noProject')}</EmptyRow>}
            </Table.Tbody>
          </Table>
          <Title order={4}>{t('search.repositories', { count: repositories.length })}</Title>
          <Table striped verticalSpacing="xs" data-testid="search-repositories">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>{t('repositories.name')}</Table.Th>
                <Table.Th>{t('search.project')}</Table.Th>
                <Table.Th>{t('projects.access')}</Table.Th>
                <Table.Th>{t('repositories.artifacts')}</Table.Th>
                <Table.Th>{t('repositories.pulls')}</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {repositories.map((repository) => (
                <Table.Tr key={repository.repository_name}>
                  <Table.Td>
                    <Anchor
                      component={Link}
                      to={`/projects/${repository.project_id}/repositories/${encodeURIComponent(repository.repository_name)}`}
                    >
                      {repository.repository_name}
                    </Anchor>
                  </Table.Td>
                  <Table.Td>
                    <Anchor component={Link} to={`/projects/${repository.project_id}`}>
                      {repository.project_name}
                    </Anchor>
                  </Table.Td>
                  <Table.Td>
                    <AccessBadge isPublic={repository.project_public} />
                  </Table.Td>
                  <Table.Td>{repository.artifact_count}</Table.Td>
                  <Table.Td>{repository.pull_count}</Table.Td>
                </Table.Tr>
              ))}
              {search.isSuccess && repositories.length === 0 && (
                <EmptyRow columns={5}>{t('search.noRepository')}</EmptyRow>
              )}
            </Table.Tbody>
          </Table>
        </>
      )}
    </Stack>
  );
}
