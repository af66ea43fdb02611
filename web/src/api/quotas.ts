import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { Query } from './client';
import { useApi } from './context';
import type * as harbor from './harbor.gen';

// Project quotas: GET /quotas, PUT /quotas/{id} (hard limits in bytes, -1 unlimited).

/** Harbor's QuotaRefObject for a project quota (the swagger leaves it an open object). */
export interface ProjectQuotaRef {
  id: number;
  name: string;
  owner_name?: string;
}

/** Harbor's Quota as Berth sends it for a project: the id, its project and the storage figures. */
export type ProjectQuota = Omit<harbor.Quota, 'ref'> & {
  id: number;
  ref?: ProjectQuotaRef;
};

export function useQuotas(query: Query) {
  const api = useApi();
  return useQuery({
    queryKey: ['quotas', query],
    queryFn: () => api.list<ProjectQuota>('/quotas', { reference: 'project', ...query }),
    placeholderData: (previous) => previous,
  });
}

export function useUpdateQuota() {
  const api = useApi();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({ quota, storage }: { quota: ProjectQuota; storage: number }) =>
      api.write('PUT', `/quotas/${quota.id}`, { hard: { storage } } satisfies harbor.QuotaUpdateReq),
    // A project's summary shows its quota too.
    onSuccess: () =>
      Promise.all([
        queryClient.invalidateQueries({ queryKey: ['quotas'] }),
        queryClient.invalidateQueries({ queryKey: ['project'] }),
      ]),
  });
}
