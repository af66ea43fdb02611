import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useApi } from './context';
import type { Query } from './client';
import type { AuditLogEntry, Configurations, UserEntry } from './types';

// What system administrators manage: users, the audit log, the configuration.

export function useUsers(query: Query) {
  const api = useApi();
  return useQuery({
    queryKey: ['users', 'list', query],
    queryFn: () => api.list<UserEntry>('/users', query),
    placeholderData: (previous) => previous,
  });
}

/** Harbor's first administrator (user 1), whom GET /users leaves out: the users page pins it on top. */
export const builtInAdminId = 1;

export function useBuiltInAdmin() {
  const api = useApi();
  return useQuery({
    queryKey: ['users', 'list', 'built-in'],
    queryFn: () => api.get<UserEntry>(`/users/${builtInAdminId}`),
  });
}

export interface UserDraft {
  username: string;
  email: string;
  realname: string;
  password: string;
  comment: string;
}

export function useUserWrites() {
  const api = useApi();
  const queryClient = useQueryClient();
  const onSuccess = () => queryClient.invalidateQueries({ queryKey: ['users', 'list'] });
  return {
    create: useMutation({ mutationFn: (draft: UserDraft) => api.write('POST', '/users', draft), onSuccess }),
    setAdmin: useMutation({
      mutationFn: ({ user, admin }: { user: UserEntry; admin: boolean }) =>
        api.write('PUT', `/users/${user.user_id}/sysadmin`, { sysadmin_flag: admin }),
      onSuccess,
    }),
    // An administrator sets another user's password without the old one (Harbor's rule).
    setPassword: useMutation({
      mutationFn: ({ user, password }: { user: UserEntry; password: string }) =>
        api.write('PUT', `/users/${user.user_id}/password`, { new_password: password }),
    }),
    remove: useMutation({ mutationFn: (user: UserEntry) => api.write('DELETE', `/users/${user.user_id}`), onSuccess }),
  };
}

/** The whole audit log (admins), or one project's (`/projects/{name}/logs`). */
export function useAuditLogs(projectName: string | undefined, query: Query, enabled = true) {
  const api = useApi();
  const path = projectName === undefined ? '/audit-logs' : `/projects/${encodeURIComponent(projectName)}/logs`;
  return useQuery({
    queryKey: ['audit-logs', projectName ?? '/system', query],
    queryFn: () => api.list<AuditLogEntry>(path, query),
    enabled,
    placeholderData: (previous) => previous,
  });
}

export function useConfigurations() {
  const api = useApi();
  return useQuery({ queryKey: ['configurations'], queryFn: () => api.get<Configurations>('/configurations') });
}

/** PUT /configurations with only the changed keys. */
export function useUpdateConfigurations() {
  const api = useApi();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (changes: Record<string, string | number | boolean>) => api.write('PUT', '/configurations', changes),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ['configurations'] }),
  });
}
