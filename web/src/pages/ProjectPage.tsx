import { Anchor, Badge, Breadcrumbs, Group, Stack, Tabs, Text, Title } from '@mantine/core';
import { Link, Outlet, useLocation, useNavigate, useParams } from 'react-router';
import { useProject } from '../api/projects';
import type { Project } from '../api/types';
import { ErrorAlert } from '../components/ErrorAlert';
import { useT } from '../i18n/context';

const tabs = ['repositories', 'members', 'robots', 'logs'] as const;

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
  const active = tabs.find((tab) => location.pathname.split('/')[3] === tab) ?? 'repositories';
  const showTabs = location.pathname.split('/').length <= 4;
  return (
    <Stack>
      <Breadcrumbs>
        <Anchor component={Link} to="/projects">
          {t('nav.projects')}
        </Anchor>
        <Text>{project.data?.name ?? projectId}</Text>
      </Breadcrumbs>
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
                <Tabs.Tab value="repositories">{t('project.repositories')}</Tabs.Tab>
                <Tabs.Tab value="members">{t('project.members')}</Tabs.Tab>
                <Tabs.Tab value="robots">{t('project.robots')}</Tabs.Tab>
                <Tabs.Tab value="logs">{t('project.logs')}</Tabs.Tab>
              </Tabs.List>
            </Tabs>
          )}
          <Outlet />
        </>
      )}
    </Stack>
  );
}
