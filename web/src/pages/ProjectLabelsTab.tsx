import { Text } from '@mantine/core';
import { useProjectPermissions } from '../api/permissions';
import { LabelsSection } from '../components/labels/LabelsSection';
import { useT } from '../i18n/context';
import { useRouteProject } from './ProjectPage';

/**
 * Harbor's project Labels tab: the labels only this project's artifacts carry. Members list
 * them; project admins and maintainers create, edit and delete them.
 */
export function ProjectLabelsTab() {
  const t = useT();
  const { project } = useRouteProject();
  const { can } = useProjectPermissions(project?.project_id);
  if (!project) return null;
  return (
    <>
      <Text size="sm" c="dimmed">
        {t('labels.projectIntro')}
      </Text>
      <LabelsSection
        key={project.project_id}
        owner={{ scope: 'p', projectId: project.project_id }}
        rights={{ create: can('label', 'create'), update: can('label', 'update'), delete: can('label', 'delete') }}
      />
    </>
  );
}
