import { Stack } from '@mantine/core';
import { useProjectPermissions } from '../api/permissions';
import { ImmutabilitySection } from '../components/immutable/ImmutabilitySection';
import { RetentionSection } from '../components/retention/RetentionSection';
import { useRouteProject } from './ProjectPage';

/**
 * Harbor's Policy tab: the project's rules for its tags, a section each, each shown to who may
 * list its rules. The tab shows to who may list immutability rules (project admins,
 * maintainers, system administrators).
 */
export function ProjectPolicyTab() {
  const { project } = useRouteProject();
  const { can } = useProjectPermissions(project?.project_id);
  if (!project) return null;
  return (
    <Stack key={project.project_id}>
      {can('tag-retention', 'list') && <RetentionSection project={project} />}
      {can('immutable-tag', 'list') && <ImmutabilitySection project={project} />}
    </Stack>
  );
}
