import { BerthError } from '../shared/errors.js';

// The registry's hook for tag immutability: before a tag moves to another artifact or goes
// (manifest PUT, tag or artifact DELETE, artifact copy, repository DELETE, retention), the
// registry asks which tags of the repository are protected, and refuses as Harbor does
// (src/server/middleware/immutable: 412 PRECONDITION, the repository named without its project).

export interface TagProtection {
  /** A test for the tags of `repository` that may not move or go; loaded once per operation. */
  protectedTags(repository: string): Promise<(tag: string) => boolean>;
}

export const noTagProtection: TagProtection = { protectedTags: async () => () => false };

export function immutableTagError(repository: string, tag: string): BerthError {
  const name = repository.slice(repository.indexOf('/') + 1);
  return new BerthError('PRECONDITION', `Failed to process request due to '${name}:${tag}' configured as immutable.`, {
    detail: { repository, tag },
  });
}
