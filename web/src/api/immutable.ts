import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useApi } from './context';
import type { ImmutableRule } from './types';
import { maxImmutableRules } from '../lib/immutable';

// A project's tag immutability rules (Harbor's /projects/{id}/immutabletagrules): a project
// holds at most 15, so the list is one page of 15 with X-Total-Count beside it.

const rulesKey = (projectId: number | undefined) => ['immutable-rules', projectId];

export function useImmutableRules(projectId: number | undefined) {
  const api = useApi();
  return useQuery({
    queryKey: rulesKey(projectId),
    queryFn: () =>
      api.list<ImmutableRule>(`/projects/${projectId}/immutabletagrules`, { page: 1, page_size: maxImmutableRules }),
    enabled: projectId !== undefined,
  });
}

/** A new rule (without id), or a stored one: PUT takes the whole rule, `disabled` included. */
export type RuleBody = Omit<ImmutableRule, 'id'> & { id?: number };

export function useImmutableRuleWrites(projectId: number | undefined) {
  const api = useApi();
  const queryClient = useQueryClient();
  const base = `/projects/${projectId}/immutabletagrules`;
  const onSuccess = () => queryClient.invalidateQueries({ queryKey: rulesKey(projectId) });
  return {
    create: useMutation({ mutationFn: (rule: RuleBody) => api.write('POST', base, rule), onSuccess }),
    update: useMutation({
      mutationFn: (rule: ImmutableRule) => api.write('PUT', `${base}/${rule.id}`, rule),
      onSuccess,
    }),
    remove: useMutation({
      mutationFn: (rule: ImmutableRule) => api.write('DELETE', `${base}/${rule.id}`),
      onSuccess,
    }),
  };
}
