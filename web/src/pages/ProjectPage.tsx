import { Badge, Group, Stack, Tabs, Title } from '@mantine/core';
import { Outlet, useLocation, useNavigate, useParams } from 'react-router';
import { useProjectPermissions } from '../api/permissions';
import { useProject } from '../api/projects';
import type { Project } from '../api/types';
import { ProjectBreadcrumbs } from '../components/Breadcrumbs';
import { ErrorAlert } from '../components/ErrorAlert';
import { useT } from '../i18n/context';

const tabs = ['summary', 'repositories', 'members', 'labels', 'policy', 'robots', 'logs', 'configuration'] as const;

/** The project named in the URL, for the pages inside it. */
export function useRouteProject(): { projectId: string; project: Project | undefined } {
  const { projectId = '' } = useParams();
  return { projectId, project: useProject(projectId).data };
}

export function ProjectPage() {
  const t = useT();
  const { projectId = '' } = useParams();
  const project = useProject(projectId);
  const navigate = useNavigate();
  const location = useLocation();
  const active = tabs.find((tab) => location.pathname.split('/')[3] === tab) ?? 'summary';
  const showTabs = location.pathname.split('/').length <= 4;
  const { can } = useProjectPermissions(project.data?.project_id);
  return (
    <Stack>
      <ProjectBreadcrumbs projectId={projectId} projectName={project.data?.name} />
      <ErrorAlert error={project.error} />
      {project.data && (
        <>
          <Group>
            <Title order={2}>{project.data.name}</Title>
            <Badge variant="light" color={project.data.metadata?.public === 'true' ? 'green' : 'gray'}>
              {project.data.metadata?.public === 'true' ? t('projects.publicBadge') : t('projects.privateBadge')}
            </Badge>
          </Group>
          {showTabs && (
            <Tabs value={active} onChange={(tab) => tab && void navigate(`/projects/${projectId}/${tab}`)}>
              <Tabs.List>
                <Tabs.Tab value="summary">{t('project.summary')}</Tabs.Tab>
                <Tabs.Tab value="repositories">{t('project.repositories')}</Tabs.Tab>
                {/* As Harbor's portal: a tab shows when the user may list what it lists. */}
                {can('member', 'list') && <Tabs.Tab value="members">{t('project.members')}</Tabs.Tab>}
                {can('label', 'list') && <Tabs.Tab value="labels">{t('project.labels')}</Tabs.Tab>}
                {(can('immutable-tag', 'list') || can('tag-retention', 'list')) && (
                  <Tabs.Tab value="policy">{t('project.policy')}</Tabs.Tab>
                )}
                {can('robot', 'list') && <Tabs.Tab value="robots">{t('project.robots')}</Tabs.Tab>}
                {can('log', 'list') && <Tabs.Tab value="logs">{t('project.logs')}</Tabs.Tab>}
                {can('configuration', 'read') && (
                  <Tabs.Tab value="configuration">{t('project.configuration')}</Tabs.Tab>
                )}
              </Tabs.List>
            </Tabs>
          )}
          <Outlet />
        </>
      )}
    </Stack>
  );
}
