import type { Kysely } from 'kysely';
import type { Database } from '../../db/index.js';
import { isoNow, type Clock } from '../../shared/clock.js';
import { BerthError } from '../../shared/errors.js';

// CVE allowlists (Harbor's pkg/allowlist): the system's, and each project's, which a project
// uses instead of the system's unless its metadata says reuse_sys_cve_allowlist. An allowlist
// past its expires_at allows nothing. Vulnerabilities it names do not count against the
// project's prevent_vul policy.

/** Harbor's CVEAllowlist. */
export interface HarborAllowlist {
  id?: number;
  project_id: number;
  expires_at?: number | null;
  items: { cve_id: string }[];
  creation_time?: string;
  update_time?: string;
}

const maxItems = 10_000;
const cvePattern = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/;

/** A CVEAllowlist body checked as Harbor's allowlist.Validator does (ids present, no duplicates). */
export function parseAllowlist(body: unknown): { items: string[]; expiresAt: number | null } {
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    throw new BerthError('BAD_REQUEST', 'the CVE allowlist must be a JSON object with items');
  const { items = [], expires_at: expires } = body as { items?: unknown; expires_at?: unknown };
  if (!Array.isArray(items)) throw new BerthError('BAD_REQUEST', 'items must be a list of {"cve_id": "..."}');
  if (items.length > maxItems)
    throw new BerthError('BAD_REQUEST', `a CVE allowlist holds at most ${String(maxItems)} items`);
  const ids: string[] = [];
  for (const item of items) {
    const id = typeof item === 'object' && item !== null ? (item as { cve_id?: unknown }).cve_id : undefined;
    if (typeof id !== 'string' || !cvePattern.test(id.trim()))
      throw new BerthError(
        'BAD_REQUEST',
        `invalid CVE id in the allowlist: ${JSON.stringify(id)?.slice(0, 80) ?? 'none'}`,
      );
    const trimmed = id.trim();
    if (ids.includes(trimmed)) throw new BerthError('BAD_REQUEST', `duplicate CVE id in the allowlist: ${trimmed}`);
    ids.push(trimmed);
  }
  if (expires !== undefined && expires !== null && (!Number.isSafeInteger(expires) || (expires as number) < 0))
    throw new BerthError('BAD_REQUEST', 'expires_at must be seconds since the epoch, or null for never');
  return { items: ids, expiresAt: (expires as number | null | undefined) ?? null };
}

export function createAllowlists(db: Kysely<Database>, clock: Clock) {
  async function row(projectId: number) {
    return db.selectFrom('cve_allowlists').selectAll().where('project_id', '=', projectId).executeTakeFirst();
  }

  return {
    /** The allowlist as the API shows it (an empty one when none was set). */
    async get(projectId: number): Promise<HarborAllowlist> {
      const found = await row(projectId);
      if (!found) return { project_id: projectId, items: [] };
      return {
        id: found.id,
        project_id: projectId,
        expires_at: found.expires_at === null ? null : Number(found.expires_at),
        items: (JSON.parse(found.items) as string[]).map((cve_id) => ({ cve_id })),
        creation_time: found.creation_time,
        update_time: found.update_time,
      };
    },

    async set(projectId: number, body: unknown): Promise<void> {
      const { items, expiresAt } = parseAllowlist(body);
      const now = isoNow(clock);
      await db
        .insertInto('cve_allowlists')
        .values({
          project_id: projectId,
          items: JSON.stringify(items),
          expires_at: expiresAt,
          creation_time: now,
          update_time: now,
        })
        .onConflict((oc) =>
          oc
            .column('project_id')
            .doUpdateSet({ items: JSON.stringify(items), expires_at: expiresAt, update_time: now }),
        )
        .execute();
    },

    /** The CVE ids a project's pulls may ignore now: its own list, or the system's when it reuses that; nothing once expired. */
    async effective(projectId: number, reuseSystem: boolean): Promise<Set<string>> {
      const found = await row(reuseSystem ? 0 : projectId);
      if (!found) return new Set();
      if (found.expires_at !== null && Number(found.expires_at) * 1000 <= clock.now().getTime()) return new Set();
      return new Set(JSON.parse(found.items) as string[]);
    },
  };
}

export type Allowlists = ReturnType<typeof createAllowlists>;
