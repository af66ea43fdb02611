import { Worker } from 'node:worker_threads';
import type { StorageSettings } from '../storage/index.js';
import type { GcBackend } from './gc-backend.js';

// A collection's blob work in a worker thread, for SQLite: better-sqlite3 runs statements on
// the calling thread, so on the server's connection every page of a collection (find, mark,
// remove rows) and every delete's callback would hold up the pulls being served. The worker
// has its own connection (WAL: its statements never block the server's reads; transactions
// begin IMMEDIATE on both, so writers take turns) and its own blob store. The collector
// drives it page by page over messages, and keeps on this thread what must be here: the
// untagged artifacts' deletes (events, audit, quotas), the cache and the replicas' invalidation.

export interface GcThreadSettings {
  /** The database file (database.url sqlite://<path>). */
  sqlitePath: string;
  storage: StorageSettings;
}

export interface GcWorkerData extends GcThreadSettings {
  pageSize: number;
}

type Method = Exclude<keyof GcBackend, 'pageSize'>;

export interface GcThreadRequest {
  id: number;
  method: Method;
  args: unknown[];
}

export type GcThreadResponse =
  { id: number; result: unknown; error?: undefined } | { id: number; error: { name: string; message: string } };

/**
 * Blobs per page off the server's thread. A page's mark holds SQLite's write lock (a push's
 * commit waits for it), about 0.03 ms a blob: 200 keep that under 10 ms.
 */
const threadPageSize = 200;

// Loaded as CommonJS with `eval`, so the entry loads the same way from dist/ (.js) and from
// src/ under tsx (whose loader a worker thread does not inherit: it registers it first).
const boot = `
const { workerData } = require('node:worker_threads');
(async () => {
  if (workerData.tsx) (await import(workerData.tsx)).register();
  await import(workerData.entry);
})().catch((err) => { throw err; });
`;

export class GcThreadError extends Error {
  override name = 'GcThreadError';
}

/** Starts the worker; resolves once its connection and store are open. */
export async function startGcThread(settings: GcThreadSettings): Promise<GcBackend> {
  const fromSource = import.meta.url.endsWith('.ts');
  const entry = new URL(fromSource ? './gc-worker.ts' : './gc-worker.js', import.meta.url).href;
  const workerData: GcWorkerData & { entry: string; tsx?: string } = {
    ...settings,
    pageSize: threadPageSize,
    entry,
    ...(fromSource ? { tsx: import.meta.resolve('tsx/esm/api') } : {}),
  };
  const worker = new Worker(boot, { eval: true, workerData });
  const pending = new Map<number, { resolve(value: unknown): void; reject(err: Error): void }>();
  let failure: Error | undefined;
  let nextId = 1;

  const fail = (err: Error) => {
    failure ??= err;
    for (const waiter of pending.values()) waiter.reject(failure);
    pending.clear();
  };
  const ready = new Promise<void>((resolve, reject) => {
    pending.set(0, { resolve: () => resolve(), reject });
  });
  worker.on('message', (response: GcThreadResponse) => {
    const waiter = pending.get(response.id);
    if (!waiter) return;
    pending.delete(response.id);
    if (response.error) {
      const err = new GcThreadError(response.error.message);
      err.name = response.error.name;
      waiter.reject(err);
    } else waiter.resolve(response.result);
  });
  worker.on('error', (err: unknown) =>
    fail(
      err instanceof Error
        ? err
        : new GcThreadError(`garbage collection's worker thread failed: ${JSON.stringify(err)}`),
    ),
  );
  worker.on('exit', (code) => fail(new GcThreadError(`garbage collection's worker thread exited (code ${code})`)));

  const call = <T>(method: Method, ...args: unknown[]): Promise<T> => {
    if (failure) return Promise.reject(failure);
    const id = nextId++;
    return new Promise<T>((resolve, reject) => {
      pending.set(id, { resolve: resolve as (value: unknown) => void, reject });
      worker.postMessage({ id, method, args } satisfies GcThreadRequest);
    });
  };

  try {
    await ready;
  } catch (err) {
    await worker.terminate();
    throw err;
  }
  return {
    pageSize: threadPageSize,
    blobCount: () => call('blobCount'),
    deletingBlobs: (limit) => call('deletingBlobs', limit),
    unreferencedBlobs: (cutoff, after, limit) => call('unreferencedBlobs', cutoff, after, limit),
    markDeleting: (digests, cutoff, now) => call('markDeleting', digests, cutoff, now),
    blobsOnlyReferencedBy: (ids, cutoff) => call('blobsOnlyReferencedBy', ids, cutoff),
    sweep: (blobs, workers) => call('sweep', blobs, workers),
    async close() {
      // The worker's connection closes before the thread goes (S3 clients keep sockets open).
      await call('close').catch(() => undefined);
      await worker.terminate();
    },
  };
}
