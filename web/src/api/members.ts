import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useApi } from './context';
import type { Query } from './client';
import type { Member } from './types';

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
    add: useMutation({
      mutationFn: ({ username, roleId }: { username: string; roleId: number }) =>
        api.write('POST', base, { role_id: roleId, member_user: { username } }),
      onSuccess,
    }),
    setRole: useMutation({
      mutationFn: ({ id, roleId }: { id: number; roleId: number }) =>
        api.write('PUT', `${base}/${id}`, { role_id: roleId }),
      onSuccess,
    }),
    remove: useMutation({ mutationFn: (id: number) => api.write('DELETE', `${base}/${id}`), onSuccess }),
  };
}
