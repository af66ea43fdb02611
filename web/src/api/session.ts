import { useQuery } from '@tanstack/react-query';
import { useApi } from './context';
import type { SystemInfo, User } from './types';

export const currentUserKey = ['users', 'current'] as const;

/** The signed-in user; an ApiError with status 401 when there is no session. */
export function useCurrentUser() {
  const api = useApi();
  return useQuery({
    queryKey: currentUserKey,
    queryFn: () => api.get<User>('/users/current'),
    retry: false,
    staleTime: 60_000,
  });
}

export function useSystemInfo() {
  const api = useApi();
  return useQuery({
    queryKey: ['systeminfo'],
    queryFn: () => api.get<SystemInfo>('/systeminfo'),
    staleTime: 5 * 60_000,
  });
}

/** The registry host for pull commands: the configured external URL's, else this page's. */
export function useRegistryHost(): string {
  const info = useSystemInfo().data;
  return info?.registry_url || window.location.host;
}
