import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../db/index.js';
import type { SettingsStore } from '../iam/index.js';
import { isoNow, type Clock } from '../shared/clock.js';
import { BerthError } from '../shared/errors.js';
import type { EventBus } from '../shared/events.js';
import { createQuotaGuard } from './guard.js';
import { createQuotaRepo, type QuotaRow, type QuotaSortKey } from './repo.js';

// Project quotas (Harbor's src/controller/quota with its "project" driver): every project has
// one, given at creation (storage_limit, else storage_per_project) or on first use; system
// administrators list and change them; the guard enforces them on pushes.

export interface QuotaServiceDeps {
  db: Kysely<Database>;
  clock: Clock;
  events: Pick<EventBus, 'publish'>;
  settings: Pick<SettingsStore, 'get'>;
}

/** GET /quotas's filters and order (Harbor's listQuotas parameters), paged. */
export interface QuotaListRequest {
  reference?: string;
  referenceId?: string;
  sort?: string;
  limit: number;
  offset: number;
}

const sortKeys: readonly QuotaSortKey[] = ['creation_time', 'update_time', 'hard.storage', 'used.storage'];

/** Harbor's quota order: one key, `-` for descending; an unknown key keeps the default (newest first). */
function parseQuotaSort(sort: string | undefined): { key: QuotaSortKey; desc: boolean } {
  const text = (sort ?? '').trim();
  const desc = text.startsWith('-');
  const key = text.replace(/^[-+]/, '');
  if ((sortKeys as readonly string[]).includes(key)) return { key: key as QuotaSortKey, desc };
  return { key: 'creation_time', desc: true };
}

const badRequest = (message: string) => new BerthError('BAD_REQUEST', message);

/** The `hard` object of a QuotaUpdateReq; Harbor refuses a missing or empty one before anything else. */
function hardOf(body: unknown): Record<string, unknown> {
  const hard =
    typeof body === 'object' && body !== null && !Array.isArray(body)
      ? (body as Record<string, unknown>).hard
      : undefined;
  if (typeof hard !== 'object' || hard === null || Array.isArray(hard) || Object.keys(hard).length === 0)
    throw badRequest('hard required in body');
  return hard as Record<string, unknown>;
}

/** The new storage limit, checked as Harbor's project quota driver does (src/controller/quota/driver/project). */
function storageLimitOf(hard: Record<string, unknown>): number {
  for (const [resource, value] of Object.entries(hard)) {
    if (resource !== 'storage') throw badRequest(`resource ${resource.slice(0, 100)} not support`);
    if (typeof value !== 'number' || !Number.isSafeInteger(value))
      throw badRequest(`hard.${resource} must be an integer number of bytes`);
    if (value <= 0 && value !== -1) throw badRequest(`invalid value for resource ${resource}`);
  }
  return hard.storage as number;
}

export function createQuotaService({ db, clock, events, settings }: QuotaServiceDeps) {
  const repo = createQuotaRepo(db);

  async function quotaSettings(executor?: Kysely<Database>): Promise<{ enabled: boolean; defaultHard: number }> {
    const current = await settings.get(executor);
    return { enabled: current.quota_per_project_enable, defaultHard: current.storage_per_project };
  }

  /** Projects created before quotas, or whose creation event is still on its way, get the default now. */
  async function ensureAll(): Promise<void> {
    await repo.ensureAll((await quotaSettings()).defaultHard, isoNow(clock));
  }

  return {
    /** The registry's storage guard (main.ts passes it to createRegistry). */
    guard: createQuotaGuard({ repo, events, clock, quotaSettings }),
    quotaSettings,

    async list(request: QuotaListRequest): Promise<{ total: number; quotas: QuotaRow[] }> {
      if (request.reference && request.reference !== 'project') return { total: 0, quotas: [] };
      let projectId: number | undefined;
      if (request.referenceId) {
        projectId = /^[0-9]{1,15}$/.test(request.referenceId) ? Number(request.referenceId) : -1;
      }
      await ensureAll();
      const total = await repo.count(projectId);
      if (total === 0) return { total, quotas: [] };
      const sort = parseQuotaSort(request.sort);
      return { total, quotas: await repo.list({ projectId, sort, limit: request.limit, offset: request.offset }) };
    },

    async get(id: number): Promise<QuotaRow> {
      const row = await repo.byId(id);
      if (!row) throw new BerthError('NOT_FOUND', `quota ${id} not found`);
      return row;
    },

    /** Sets a quota's hard storage limit from a QuotaUpdateReq body. */
    async update(id: number, body: unknown): Promise<void> {
      const hard = hardOf(body);
      await this.get(id);
      const storage = storageLimitOf(hard);
      if (!(await repo.updateHard(id, storage, isoNow(clock))))
        throw new BerthError('NOT_FOUND', `quota ${id} not found`);
    },

    /** The project's quota (given the default one on first use); undefined while quotas are off. */
    async ofProject(projectId: number): Promise<QuotaRow | undefined> {
      const { enabled, defaultHard } = await quotaSettings();
      if (!enabled) return undefined;
      const quota = await repo.byProject(projectId);
      if (quota) return quota;
      await repo.ensure(db, projectId, defaultHard, isoNow(clock));
      return repo.byProject(projectId);
    },

    /**
     * A new project's quota, written in the transaction that creates the project (the project
     * service's onCreate): the storage_limit its creator gave, else the default.
     */
    async projectCreated(trx: Transaction<Database>, project: { id: number; storageLimit?: number }): Promise<void> {
      // Harbor: a storage_limit of 0 (or none) means the default.
      const hard = project.storageLimit ? project.storageLimit : (await quotaSettings(trx)).defaultHard;
      await repo.ensure(trx, project.id, hard, isoNow(clock));
    },
  };
}

export type QuotaService = ReturnType<typeof createQuotaService>;
