import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { apiBase, type Query } from './client';
import { useApi } from './context';
import type * as harbor from './harbor.gen';

// Garbage collection (Harbor's "Clean Up"): runs, their history and logs, and the schedule, under /system/gc.

/** Berth's addition to Harbor's GCHistory: how far a run got, counted as it goes. */
export interface GcProgress {
  blobs_marked: number;
  blobs_swept: number;
  manifests_deleted: number;
  freed_bytes: number;
}

/** Harbor's GCHistory (one run, or the schedule), with Berth's progress; Berth always sends the id. */
export type GcRun = harbor.GCHistory & { id: number; progress?: GcProgress };

export type GcScheduleType = NonNullable<harbor.ScheduleObj['type']>;

/** What GC runs with: Harbor's parameters (the time window in hours keeps recent uploads safe). */
export interface GcParameters {
  delete_untagged: boolean;
  dry_run: boolean;
  time_window: number;
  workers: number;
}

const finished = new Set(['success', 'error', 'stopped']);

/** Pending and Running runs are not finished: the history polls while there is one. */
export function isFinished(run: GcRun): boolean {
  return finished.has((run.job_status ?? '').toLowerCase());
}

/** job_parameters is a JSON string in Harbor's GCHistory. */
export function gcParameters(run: harbor.GCHistory): Partial<GcParameters> {
  try {
    const parsed: unknown = JSON.parse(run.job_parameters ?? '{}');
    return typeof parsed === 'object' && parsed !== null ? (parsed as Partial<GcParameters>) : {};
  } catch {
    return {};
  }
}

/** The run's log, text/plain, opened by the browser with the session cookie. */
export function gcLogUrl(id: number): string {
  return `${apiBase}/system/gc/${id}/log`;
}

const historyKey = ['gc', 'history'];
const pollMs = 2000;

export function useGcHistory(query: Query) {
  const api = useApi();
  return useQuery({
    queryKey: [...historyKey, query],
    queryFn: () => api.list<GcRun>('/system/gc', query),
    placeholderData: (previous) => previous,
    refetchInterval: (current) => (current.state.data?.items.some((run) => !isFinished(run)) ? pollMs : false),
  });
}

export function useGcSchedule() {
  const api = useApi();
  return useQuery({ queryKey: ['gc', 'schedule'], queryFn: () => api.get<GcRun | null>('/system/gc/schedule') });
}

/** A schedule Harbor knows of: GET /system/gc/schedule answers an empty object while there is none. */
export function hasSchedule(schedule: GcRun | null | undefined): boolean {
  return Boolean(schedule?.schedule?.type);
}

export function useGcWrites() {
  const api = useApi();
  const queryClient = useQueryClient();
  const refresh = () => queryClient.invalidateQueries({ queryKey: ['gc'] });
  return {
    /** Runs GC now: Harbor's "Manual" schedule. */
    run: useMutation({
      mutationFn: (parameters: GcParameters) =>
        api.write('POST', '/system/gc/schedule', { schedule: { type: 'Manual' }, parameters }),
      onSuccess: refresh,
    }),
    /** Sets the schedule: POST the first time, PUT once one exists (None cancels it). */
    schedule: useMutation({
      mutationFn: ({
        exists,
        schedule,
        parameters,
      }: {
        exists: boolean;
        schedule: harbor.ScheduleObj;
        parameters: Omit<GcParameters, 'dry_run'>;
      }) => api.write(exists ? 'PUT' : 'POST', '/system/gc/schedule', { schedule, parameters }),
      onSuccess: refresh,
    }),
    stop: useMutation({
      mutationFn: (run: GcRun) => api.write('PUT', `/system/gc/${run.id}`, { status: 'stop' }),
      onSuccess: refresh,
    }),
  };
}
