import type { Kysely } from 'kysely';
import type { Database } from '../db/index.js';
import type { Clock } from '../shared/clock.js';
import type { EventOf } from '../shared/events.js';
import type { Logger } from '../shared/logger.js';

// Pull times and pull counts, off the hot path: a manifest GET only publishes an event;
// this subscriber batches pulls in memory and writes them at most once per interval
// (and on close), so a burst of pulls costs one transaction, not one write each.

export interface PullRecorderOptions {
  db: Kysely<Database>;
  clock: Clock;
  logger: Logger;
  flushIntervalMs?: number;
}

export function createPullRecorder({ db, clock, logger, flushIntervalMs = 1000 }: PullRecorderOptions) {
  // Times are kept as milliseconds and formatted when written: a pull costs no toISOString.
  let artifacts = new Map<string, { repository: string; digest: string; time: number }>();
  let tags = new Map<string, { repository: string; tag: string; time: number }>();
  let counts = new Map<string, number>();
  let timer: NodeJS.Timeout | undefined;
  let flushing: Promise<void> = Promise.resolve();

  function schedule(): void {
    if (timer) return;
    timer = setTimeout(() => {
      timer = undefined;
      void flush();
    }, flushIntervalMs);
    timer.unref();
  }

  async function write(batch: {
    artifacts: typeof artifacts;
    tags: typeof tags;
    counts: typeof counts;
  }): Promise<void> {
    const repositoryId = (name: string) => db.selectFrom('repositories').select('id').where('name', '=', name);
    await db.transaction().execute(async (trx) => {
      for (const { repository, digest, time } of batch.artifacts.values()) {
        await trx
          .updateTable('artifacts')
          .set({ pull_time: new Date(time).toISOString() })
          .where('repository_id', '=', repositoryId(repository))
          .where('digest', '=', digest)
          .execute();
      }
      for (const { repository, tag, time } of batch.tags.values()) {
        await trx
          .updateTable('tags')
          .set({ pull_time: new Date(time).toISOString() })
          .where('repository_id', '=', repositoryId(repository))
          .where('name', '=', tag)
          .execute();
      }
      for (const [repository, n] of batch.counts) {
        await trx
          .updateTable('repositories')
          .set((eb) => ({ pull_count: eb('pull_count', '+', n) }))
          .where('name', '=', repository)
          .execute();
      }
    });
  }

  /** Writes what has been gathered so far; flushes run one after another. */
  function flush(): Promise<void> {
    const batch = { artifacts, tags, counts };
    artifacts = new Map();
    tags = new Map();
    counts = new Map();
    if (batch.artifacts.size === 0) return flushing;
    flushing = flushing
      .then(() => write(batch))
      .catch((err: unknown) => logger.error({ err }, 'could not record pull times'));
    return flushing;
  }

  return {
    /** The event subscriber. */
    onEvent(event: EventOf<'artifact.pulled'>): void {
      const time = clock.now().getTime();
      artifacts.set(`${event.repository}@${event.digest}`, {
        repository: event.repository,
        digest: event.digest,
        time,
      });
      if (event.tag !== undefined)
        tags.set(`${event.repository}:${event.tag}`, { repository: event.repository, tag: event.tag, time });
      counts.set(event.repository, (counts.get(event.repository) ?? 0) + 1);
      schedule();
    },
    flush,
    async close(): Promise<void> {
      if (timer) clearTimeout(timer);
      timer = undefined;
      await flush();
    },
  };
}

export type PullRecorder = ReturnType<typeof createPullRecorder>;
