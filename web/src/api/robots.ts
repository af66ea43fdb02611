import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useApi } from './context';
import type { Query } from './client';
import type { Robot, RobotCreated, RobotPermission } from './types';

// Robot accounts, system or project level: one set of hooks for both lists (Harbor's /robots).

/** Which robots a list shows: the system's, or one project's (named in the URL, queried by numeric id). */
export type RobotScope = { level: 'system' } | { level: 'project'; projectId: string; numericId: number | undefined };

function scopeKey(scope: RobotScope): string[] {
  return ['robots', scope.level === 'system' ? '/system' : scope.projectId];
}

/** Harbor's robot query: Level=system, or Level=project with the project's numeric id. */
export function robotScopeQuery(scope: RobotScope): string {
  return scope.level === 'system' ? 'Level=system' : `Level=project,ProjectID=${scope.numericId ?? ''}`;
}

export function useRobots(scope: RobotScope, query: Query) {
  const api = useApi();
  return useQuery({
    queryKey: [...scopeKey(scope), query],
    queryFn: () => api.list<Robot>('/robots', { ...query, q: robotScopeQuery(scope) }),
    enabled: scope.level === 'system' || scope.numericId !== undefined,
    placeholderData: (previous) => previous,
  });
}

export interface RobotDraft {
  name: string;
  description: string;
  /** Days; -1 never expires. */
  duration: number;
  permissions: RobotPermission[];
}

export function useRobotWrites(scope: RobotScope) {
  const api = useApi();
  const queryClient = useQueryClient();
  const onSuccess = () => queryClient.invalidateQueries({ queryKey: scopeKey(scope) });
  return {
    create: useMutation({
      mutationFn: (draft: RobotDraft) =>
        api.write<RobotCreated>('POST', '/robots', { ...draft, level: scope.level, disable: false }),
      onSuccess,
    }),
    refresh: useMutation({
      mutationFn: (robot: Robot) => api.write<{ secret: string }>('PATCH', `/robots/${robot.id}`, {}),
      onSuccess,
    }),
    setDisabled: useMutation({
      mutationFn: ({ robot, disable }: { robot: Robot; disable: boolean }) =>
        api.write('PUT', `/robots/${robot.id}`, {
          name: robot.name,
          description: robot.description,
          level: robot.level,
          duration: robot.duration,
          disable,
          permissions: robot.permissions,
        }),
      onSuccess,
    }),
    remove: useMutation({ mutationFn: (robot: Robot) => api.write('DELETE', `/robots/${robot.id}`), onSuccess }),
  };
}
