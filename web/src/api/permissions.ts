import { useQuery } from '@tanstack/react-query';
import { useApi } from './context';
import { useCurrentUser, useSystemInfo } from './session';
import type { Permission, Project } from './types';

// What the signed-in user may do, as Harbor's portal decides it: the project's permissions from
// GET /users/current/permissions?scope=/project/{id}&relative=true, and system settings for the rest.

export interface Permissions {
  /** False until the answer is in; `can` is false meanwhile, so nothing is offered that may be refused. */
  ready: boolean;
  /** `resource` as Harbor's RBAC names it ("repository", "robot"…); "project" is the project itself. */
  can(resource: string, action: string): boolean;
}

export function useProjectPermissions(projectId: number | undefined): Permissions {
  const api = useApi();
  const granted = useQuery({
    queryKey: ['permissions', projectId],
    queryFn: () =>
      api.get<Permission[]>('/users/current/permissions', { scope: `/project/${projectId}`, relative: 'true' }),
    enabled: projectId !== undefined,
    staleTime: 60_000,
  });
  const set = new Set((granted.data ?? []).map((p) => `${p.resource}:${p.action}`));
  return {
    ready: granted.isSuccess,
    // Harbor's relative answer names the project itself ".".
    can: (resource, action) => set.has(`${resource === 'project' ? '.' : resource}:${action}`),
  };
}

/** Harbor's portal: project admins and system administrators may delete a project. */
export function useCanDeleteProject(): (project: Project) => boolean {
  const admin = useCurrentUser().data?.sysadmin_flag === true;
  return (project) => admin || project.current_user_role_id === 1;
}

/** False while unknown, and when project_creation_restriction is "adminonly" for anyone but an administrator. */
export function useCanCreateProject(): boolean {
  const user = useCurrentUser().data;
  const info = useSystemInfo();
  if (!user || !info.data) return false;
  return user.sysadmin_flag || info.data.project_creation_restriction !== 'adminonly';
}
