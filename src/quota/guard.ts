import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../db/index.js';
import type { StorageGuard, StorageGrowth, UploadAdmission } from '../registry/index.js';
import { isoNow, type Clock } from '../shared/clock.js';
import { BerthError } from '../shared/errors.js';
import type { EventBus } from '../shared/events.js';
import { overflowMessage, warningRatio } from './format.js';
import type { QuotaRepo } from './repo.js';

// Enforcement: the registry asks this guard inside a push's transaction when a project's
// usage grows (manifest PUT, artifact copy) and before it accepts a blob upload. It is never
// asked on pulls: quotas add no work to them.

export interface QuotaSettings {
  /** Whether quotas are enforced, and the limit of a project that has no quota row yet (read through `executor`). */
  quotaSettings(executor?: Kysely<Database>): Promise<{ enabled: boolean; defaultHard: number }>;
}

export interface QuotaGuardDeps extends QuotaSettings {
  repo: QuotaRepo;
  events: Pick<EventBus, 'publish'>;
  clock: Clock;
}

/** The project of a repository: its first path segment. */
function projectOf(repository: string): string {
  const slash = repository.indexOf('/');
  return slash < 0 ? repository : repository.slice(0, slash);
}

export function createQuotaGuard({ repo, events, clock, quotaSettings }: QuotaGuardDeps): StorageGuard {
  /** The project's limit, giving it the default quota row on first use. */
  async function hardLimit(trx: Transaction<Database>, projectId: number, defaultHard: number): Promise<number> {
    const hard = await repo.hardOf(projectId, trx);
    if (hard !== undefined) return hard;
    await repo.ensure(trx, projectId, defaultHard, isoNow(clock));
    return (await repo.hardOf(projectId, trx)) ?? defaultHard;
  }

  function refuse(project: string, repository: string, adding: number, used: number, hard: number): never {
    events.publish({ type: 'quota.exceeded', project, repository, used, limit: hard });
    throw new BerthError('DENIED', overflowMessage({ adding, used, hard }), {
      detail: { project, used, adding, limit: hard },
    });
  }

  return {
    async grow(trx: Transaction<Database>, growth: StorageGrowth) {
      // Every read goes through the push's transaction, which holds the project's usage row.
      const { enabled, defaultHard } = await quotaSettings(trx);
      if (!enabled) return;
      const hard = await hardLimit(trx, growth.projectId, defaultHard);
      if (hard < 0) return;
      const project = projectOf(growth.repository);
      if (growth.usedAfter > hard) refuse(project, growth.repository, growth.added, growth.usedBefore, hard);
      // Warned once, when this push crosses the threshold (not again for every push above it).
      const threshold = hard * warningRatio;
      if (growth.usedBefore >= threshold || growth.usedAfter < threshold) return;
      return () => events.publish({ type: 'quota.warning', project, used: growth.usedAfter, limit: hard });
    },

    async admit(upload: UploadAdmission) {
      const { enabled, defaultHard } = await quotaSettings();
      if (!enabled) return;
      const hard = (await repo.hardOf(upload.projectId)) ?? defaultHard;
      if (hard >= 0 && upload.used + upload.adding > hard)
        refuse(upload.project, upload.repository, upload.adding, upload.used, hard);
    },
  };
}
