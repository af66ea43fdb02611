import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useApi } from './context';
import type { Query } from './client';
import type { Member, Robot, RobotCreated, RobotPermission } from './types';

export function useMembers(projectId: string, query: Query) {
  const api = useApi();
  return useQuery({
    queryKey: ['members', projectId, query],
    queryFn: () => api.list<Member>(`/projects/${encodeURIComponent(projectId)}/members`, query),
    placeholderData: (previous) => previous,
  });
}

export function useMemberWrites(projectId: string) {
  const api = useApi();
  const queryClient = useQueryClient();
  const base = `/projects/${encodeURIComponent(projectId)}/members`;
  const onSuccess = () => queryClient.invalidateQueries({ queryKey: ['members', projectId] });
  return {
    add: useMutation({ mutationFn: ({ username, roleId }: { username: string; roleId: number }) => api.write('POST', base, { role_id: roleId, member_user: { username } }), onSuccess }),
    setRole: useMutation({ mutationFn: ({ id, roleId }: { id: number; roleId: number }) => api.write('PUT', `${base}/${id}`, { role_id: roleId }), onSuccess }),
    remove: useMutation({ mutationFn: (id: number) => api.write('DELETE', `${base}/${id}`), onSuccess }),
  };
}

/** A project's robots; Harbor's robot query names the project by its numeric id. */
export function useRobots(projectId: string, numericId: number | undefined, query: Query) {
  const api = useApi();
  return useQuery({
    queryKey: ['robots', projectId, query],
    queryFn: () => api.list<Robot>('/robots', { ...query, q: `Level=project,ProjectID=${numericId ?? ''}` }),
    enabled: numericId !== undefined,
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

export function useRobotWrites(projectId: string) {
  const api = useApi();
  const queryClient = useQueryClient();
  const onSuccess = () => queryClient.invalidateQueries({ queryKey: ['robots', projectId] });
  return {
    create: useMutation({ mutationFn: (draft: RobotDraft) => api.write<RobotCreated>('POST', '/robots', { ...draft, level: 'project', disable: false }), onSuccess }),
    refresh: useMutation({ mutationFn: (robot: Robot) => api.write<{ secret: string }>('PATCH', `/robots/${robot.id}`, {}), onSuccess }),
    setDisabled: useMutation({
      mutationFn: ({ robot, disable }: { robot: Robot; disable: boolean }) =>
        api.write('PUT', `/robots/${robot.id}`, { name: robot.name, description: robot.description, level: robot.level, duration: robot.duration, disable, permissions: robot.permissions }),
      onSuccess,
    }),
    remove: useMutation({ mutationFn: (robot: Robot) => api.write('DELETE', `/robots/${robot.id}`), onSuccess }),
  };
}
