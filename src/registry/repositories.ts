import { BerthError } from '../shared/errors.js';
import type { EventActor, EventBus } from '../shared/events.js';
import type { CachedContentReads } from './cache.js';
import type { RegistryRepo } from './repo.js';
import type { ManifestService } from './manifests.js';

// Whole repositories: deleting one goes artifact by artifact through the same cascade
// as a manifest DELETE, so subscribers hear of every artifact that went.

export function createRepositoryService({
  repo,
  reads,
  events,
  manifests,
}: {
  repo: RegistryRepo;
  reads: CachedContentReads;
  events: EventBus;
  manifests: Pick<ManifestService, 'refuseProtected'>;
}) {
  return {
    exists: (name: string) => repo.repositoryExists(name),

    /** Whether the project a repository name starts with exists (a push never creates one). */
    projectExists: (project: string) => repo.projectExists(project),

    async delete(name: string, by: EventActor = {}): Promise<void> {
      if (!(await repo.repositoryExists(name)))
        throw new BerthError('NAME_UNKNOWN', `repository ${name} not known to registry`, { detail: { name } });
      // All or nothing: a repository holding an immutable tag is refused before anything goes.
      await manifests.refuseProtected(name, await repo.tagNames(name));
      for (const digest of await repo.rootDigests(name)) {
        // A root is no index's child, so it is never 'referenced'; the repository row takes any rest.
        const deleted = await repo.deleteArtifact(name, digest);
        for (const artifact of deleted === 'referenced' ? [] : deleted) {
          events.publish({
            type: 'artifact.deleted',
            repository: name,
            digest: artifact.digest,
            tags: artifact.tags,
            ...by,
          });
        }
      }
      await repo.deleteRepository(name);
      reads.forgetRepository(name);
      events.publish({ type: 'repository.deleted', repository: name, ...by });
    },
  };
}

export type RepositoryService = ReturnType<typeof createRepositoryService>;
