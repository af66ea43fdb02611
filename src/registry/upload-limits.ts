import { BerthError } from '../shared/errors.js';
import type { RegistryRepo } from './repo.js';

// Bounds on upload sessions: open sessions and scratch bytes per user (principal name) and
// per repository, counted from the database at session creation and before each chunk.
// Concurrent requests may overshoot by what is in flight: the bound is for runaway clients.

export interface UploadLimitSettings {
  /** 0 = unlimited, for each. */
  maxSessionsPerUser: number;
  maxSessionsPerRepository: number;
  maxScratchBytesPerUser: number;
  maxScratchBytesPerRepository: number;
}

export const unlimitedUploads: UploadLimitSettings = {
  maxSessionsPerUser: 0,
  maxSessionsPerRepository: 0,
  maxScratchBytesPerUser: 0,
  maxScratchBytesPerRepository: 0,
};

/** 429 rather than 403: docker, containerd and skopeo treat it as "retry later", and a slot frees when a push ends. */
function refuse(message: string, detail: Record<string, unknown>): BerthError {
  return new BerthError('TOOMANYREQUESTS', message, { detail });
}

export function createUploadLimits(
  repo: Pick<RegistryRepo, 'uploadUsageOfOwner' | 'uploadUsageOfRepository'>,
  limits: UploadLimitSettings,
) {
  const usageOf = async (repository: string, owner: string | undefined) => ({
    user: owner === undefined ? undefined : await repo.uploadUsageOfOwner(owner),
    repository: await repo.uploadUsageOfRepository(repository),
  });

  return {
    /** Throws TOOMANYREQUESTS when a new session would pass a session or scratch limit. */
    async checkNewSession(repository: string, owner: string | undefined): Promise<void> {
      const usage = await usageOf(repository, owner);
      const { maxSessionsPerUser: perUser, maxSessionsPerRepository: perRepository } = limits;
      if (usage.user && perUser > 0 && usage.user.sessions >= perUser)
        throw refuse(`${owner} has ${usage.user.sessions} open upload sessions, the limit (maxSessionsPerUser)`, {
          limit: 'maxSessionsPerUser',
          max: perUser,
        });
      if (perRepository > 0 && usage.repository.sessions >= perRepository)
        throw refuse(
          `repository ${repository} has ${usage.repository.sessions} open upload sessions, the limit (maxSessionsPerRepository)`,
          { limit: 'maxSessionsPerRepository', max: perRepository },
        );
      await this.scratchAllowance(repository, owner, usage);
    },

    /**
     * Bytes the session may still receive before a scratch limit; throws TOOMANYREQUESTS
     * when none are left. Infinity when no limit applies.
     */
    async scratchAllowance(
      repository: string,
      owner: string | undefined,
      known?: Awaited<ReturnType<typeof usageOf>>,
    ): Promise<number> {
      const { maxScratchBytesPerUser: perUser, maxScratchBytesPerRepository: perRepository } = limits;
      if (perUser === 0 && perRepository === 0) return Infinity;
      const usage = known ?? (await usageOf(repository, owner));
      const userLeft = usage.user && perUser > 0 ? perUser - usage.user.bytes : Infinity;
      const repositoryLeft = perRepository > 0 ? perRepository - usage.repository.bytes : Infinity;
      if (userLeft <= 0)
        throw refuse(
          `${owner}'s uploads in progress hold ${usage.user?.bytes} bytes, the limit (maxScratchBytesPerUser)`,
          {
            limit: 'maxScratchBytesPerUser',
            max: perUser,
          },
        );
      if (repositoryLeft <= 0)
        throw refuse(
          `uploads in progress to ${repository} hold ${usage.repository.bytes} bytes, the limit (maxScratchBytesPerRepository)`,
          { limit: 'maxScratchBytesPerRepository', max: perRepository },
        );
      return Math.min(userLeft, repositoryLeft);
    },

    /** The error for a chunk that would pass the scratch allowance. */
    overAllowance(allowance: number): BerthError {
      return refuse(
        `this chunk would take the uploads in progress past their scratch limit (maxScratchBytesPerUser or maxScratchBytesPerRepository); ${allowance} bytes were left`,
        { limit: 'scratchBytes', left: allowance },
      );
    },
  };
}

export type UploadLimits = ReturnType<typeof createUploadLimits>;
