import { randomUUID } from 'node:crypto';
import { LRUCache } from 'lru-cache';
import { analyzeImage } from '../analyze.js';
import { languageAnalyzers } from '../analyzers/lang/index.js';
import { osAnalyzers } from '../analyzers/os/index.js';
import type { VulnDb } from '../model.js';
import type { ScanRequest } from './client.js';
import { buildReport, type HarborScanner, type VulnerabilityReport } from '../scans/reports.js';
import { registryImageSource } from './registry-source.js';

// The scans `berth scanner serve` runs for its clients: each ScanRequest gets an id at once and
// waits its turn (a few scans at a time, each reading a whole image); its image is pulled from
// the client's registry, analysed and matched as the built-in scanner does, and its report kept
// in memory for the client to fetch: at most `maxScans`, each for an hour. A scan evicted or
// left over at shutdown is aborted.

export type ScanState =
  | { status: 'queued' | 'running' }
  | { status: 'done'; report: VulnerabilityReport & { artifact: ScanRequest['artifact'] } }
  | { status: 'failed'; error: string };

export interface ScanQueueOptions {
  vulnDb: VulnDb;
  scanner: HarborScanner;
  /** Scans running at once (default 2). */
  concurrency?: number;
  /** Scans remembered (default 1,000). */
  maxScans?: number;
  /** How long a scan and its report are kept (default an hour). */
  ttlMs?: number;
  onError?: (id: string, err: unknown) => void;
}

interface Entry {
  state: ScanState;
  controller: AbortController;
}

export function createScanQueue(options: ScanQueueOptions) {
  const concurrency = options.concurrency ?? 2;
  const scans = new LRUCache<string, Entry>({
    max: options.maxScans ?? 1_000,
    ttl: options.ttlMs ?? 3_600_000,
    dispose: (entry) => entry.controller.abort(new Error('the scan was evicted')),
  });
  const waiting: { id: string; request: ScanRequest }[] = [];
  let running = 0;

  async function scan(request: ScanRequest, signal: AbortSignal): Promise<ScanState> {
    const { registry, artifact } = request;
    const source = await registryImageSource(
      { registryUrl: registry.url, authorization: registry.authorization, ...artifact },
      signal,
    );
    const analysis = await analyzeImage(source, [...osAnalyzers(), ...languageAnalyzers()], { signal });
    const [findings, db] = await Promise.all([options.vulnDb.match(analysis), options.vulnDb.status()]);
    const report = buildReport({
      findings,
      analysis,
      db,
      scanner: options.scanner,
      artifactDigest: artifact.digest,
      now: new Date(),
    });
    return { status: 'done', report: { ...report, artifact } };
  }

  function next(): void {
    while (running < concurrency && waiting.length > 0) {
      const { id, request } = waiting.shift()!;
      const entry = scans.peek(id);
      if (!entry || entry.controller.signal.aborted) continue;
      running++;
      entry.state = { status: 'running' };
      scan(request, entry.controller.signal)
        .then(
          (state) => (entry.state = state),
          (err: unknown) => {
            options.onError?.(id, err);
            entry.state = { status: 'failed', error: err instanceof Error ? err.message : String(err) };
          },
        )
        .finally(() => {
          running--;
          next();
        });
    }
  }

  return {
    /** Queues a scan; its id. */
    submit(request: ScanRequest): string {
      const id = randomUUID();
      scans.set(id, { state: { status: 'queued' }, controller: new AbortController() });
      waiting.push({ id, request });
      next();
      return id;
    },

    state(id: string): ScanState | undefined {
      return scans.get(id)?.state;
    },

    /** Aborts every scan (the server is closing). */
    close(): void {
      waiting.length = 0;
      scans.clear();
    },
  };
}

export type ScanQueue = ReturnType<typeof createScanQueue>;
