import { useState } from 'react';
import { useProjectPermissions } from '../api/permissions';
import type { RobotScope } from '../api/robots';
import { CreateRobotDialog } from '../components/robots/CreateRobotDialog';
import { AccessGrid } from '../components/robots/AccessGrid';
import { RobotList, type CreateSlot } from '../components/robots/RobotList';
import { accessKey, defaultRobotAccess, robotPermissions, robotResources } from '../lib/robots';
import { useRouteProject } from './ProjectPage';

const defaultChosen = () => new Set(defaultRobotAccess.map(accessKey));

function CreateProjectRobot({
  scope,
  projectName,
  slot,
}: {
  scope: RobotScope;
  projectName: string | undefined;
  slot: CreateSlot;
}) {
  const [chosen, setChosen] = useState<Set<string>>(defaultChosen);
  return (
    <CreateRobotDialog
      scope={scope}
      {...slot}
      permissions={projectName ? robotPermissions(projectName, chosen) : undefined}
      onReset={() => setChosen(defaultChosen())}
    >
      <AccessGrid resources={robotResources} chosen={chosen} onChange={setChosen} testId="robot-permissions" />
    </CreateRobotDialog>
  );
}

export function RobotsTab() {
  const { projectId, project } = useRouteProject();
  const scope: RobotScope = { level: 'project', projectId, numericId: project?.project_id };
  const { can } = useProjectPermissions(project?.project_id);
  return (
    <RobotList
      scope={scope}
      rights={{ create: can('robot', 'create'), update: can('robot', 'update'), delete: can('robot', 'delete') }}
      create={(slot) => <CreateProjectRobot scope={scope} projectName={project?.name} slot={slot} />}
    />
  );
}
