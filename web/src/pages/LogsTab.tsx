import { AuditLogTable } from '../components/AuditLogTable';
import { useRouteProject } from './ProjectPage';

/** A project's logs: Harbor's GET /projects/{project_name}/logs. */
export function LogsTab() {
  const { project } = useRouteProject();
  return <AuditLogTable projectName={project?.name ?? ''} enabled={Boolean(project)} />;
}
