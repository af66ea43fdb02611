import { LRUCache } from 'lru-cache';
import type { Kysely } from 'kysely';
import type { Database } from '../db/index.js';
import type { TagProtection } from '../registry/index.js';
import { isoNow, type Clock } from '../shared/clock.js';
import { BerthError } from '../shared/errors.js';
import type { InvalidationBus } from '../shared/invalidation.js';
import { createImmutableRepo } from './repo.js';
import { isProtected, maxRulesPerProject, parseRule, type ImmutableRule } from './rules.js';

// Tag immutability: the rules of each project, and the registry's TagProtection hook.
// A push asks for its project's rules on every tag it moves, so they are cached per
// project in every replica; a change to a project's rules is announced on the
// invalidation bus and the API answers once every replica has dropped them.

export interface ImmutableServiceDeps {
  db: Kysely<Database>;
  clock: Clock;
  bus: Pick<InvalidationBus, 'publish' | 'subscribe' | 'flush'>;
}

interface Cached {
  projectId: number;
  rules: ImmutableRule[];
}

export function createImmutableService({ db, clock, bus }: ImmutableServiceDeps) {
  const repo = createImmutableRepo(db);
  /** By project name; `null` for a name no project has. */
  const cache = new LRUCache<string, Cached | { projectId: null }>({ max: 10_000 });

  bus.subscribe((message) => {
    if (message.kind === 'project-rules') cache.delete(message.project);
  });

  async function rulesOf(project: string): Promise<ImmutableRule[]> {
    let entry = cache.get(project);
    if (!entry) {
      entry = (await repo.ofProjectName(project)) ?? { projectId: null };
      cache.set(project, entry);
    }
    return 'rules' in entry ? entry.rules : [];
  }

  async function changed(project: string): Promise<void> {
    cache.delete(project);
    bus.publish({ kind: 'project-rules', project });
    await bus.flush();
  }

  const protection: TagProtection = {
    async protectedTags(repository) {
      const slash = repository.indexOf('/');
      if (slash < 0) return () => false;
      const rules = await rulesOf(repository.slice(0, slash));
      if (rules.every((rule) => rule.disabled)) return () => false;
      const name = repository.slice(slash + 1);
      return (tag) => isProtected(rules, name, tag);
    },
  };

  return {
    protection,

    /** A deleted project's rules went with it (cascade): a project of the same name starts with none. */
    forgetProject(project: string): void {
      cache.delete(project);
    },

    /** Whether `tag` of `repository` (project/name) is immutable now. */
    async isImmutable(repository: string, tag: string): Promise<boolean> {
      return (await protection.protectedTags(repository))(tag);
    },

    async list(projectId: number, page: { limit: number; offset: number }) {
      const [rules, total] = await Promise.all([repo.list(projectId, page), repo.count(projectId)]);
      return { rules, total };
    },

    async create(project: { id: number; name: string }, body: unknown): Promise<number> {
      const { filter, disabled } = parseRule(body);
      const id = await repo.create(project.id, filter, disabled, isoNow(clock), maxRulesPerProject);
      if (id === 'full')
        throw new BerthError(
          'BAD_REQUEST',
          `project ${project.name} already has ${String(maxRulesPerProject)} immutability rules, the most allowed`,
        );
      if (id === 'duplicate') throw new BerthError('CONFLICT', 'the project already has the same immutability rule');
      await changed(project.name);
      return id;
    },

    async update(project: { id: number; name: string }, id: number, body: unknown): Promise<void> {
      const parsed = parseRule(body);
      if (parsed.id !== undefined && parsed.id !== id)
        throw new BerthError(
          'BAD_REQUEST',
          "the immutable_rule_id doesn't match the id in the payload body of ImmutableRule",
        );
      const outcome = await repo.update(project.id, id, parsed.filter, parsed.disabled, isoNow(clock));
      if (outcome === 'missing') throw ruleNotFound(id);
      if (outcome === 'duplicate')
        throw new BerthError('CONFLICT', 'the project already has the same immutability rule');
      await changed(project.name);
    },

    async delete(project: { id: number; name: string }, id: number): Promise<void> {
      if (!(await repo.delete(project.id, id))) throw ruleNotFound(id);
      await changed(project.name);
    },
  };
}

function ruleNotFound(id: number): BerthError {
  return new BerthError('NOT_FOUND', `immutability rule ${String(id)} not found in this project`);
}

export type ImmutableService = ReturnType<typeof createImmutableService>;
