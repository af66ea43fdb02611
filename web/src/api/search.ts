import { useQuery } from '@tanstack/react-query';
import { useApi } from './context';
import type * as harbor from './harbor.gen';
import type { Project } from './types';

// Harbor's GET /search and GET /statistics. Berth always sends every field of both.

export type SearchRepository = Required<harbor.SearchRepository>;
export interface SearchResult {
  project: Project[];
  repository: SearchRepository[];
}
export type Statistic = Required<harbor.Statistic>;

export function useSearch(keyword: string) {
  const api = useApi();
  return useQuery({
    queryKey: ['search', keyword],
    queryFn: () => api.get<SearchResult>('/search', { q: keyword }),
    enabled: keyword !== '',
  });
}

export function useStatistics() {
  const api = useApi();
  return useQuery({ queryKey: ['statistics'], queryFn: () => api.get<Statistic>('/statistics') });
}
