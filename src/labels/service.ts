import type { Kysely } from 'kysely';
import type { Database } from '../db/index.js';
import { isoNow, type Clock } from '../shared/clock.js';
import { BerthError } from '../shared/errors.js';
import { createLabelsRepo, type LabelFields, type LabelRow } from './repo.js';

// Harbor's labels (pkg/label): global labels that a system administrator manages and every
// project may use, and project labels for one project's artifacts. An artifact carries a
// global label or one of its own project's.

export interface HarborLabel {
  id: number;
  name: string;
  description: string;
  color: string;
  scope: 'g' | 'p';
  project_id: number;
  creation_time: string;
  update_time: string;
}

export function labelBody(row: LabelRow): HarborLabel {
  return {
    id: row.id,
    name: row.name,
    description: row.description,
    color: row.color,
    scope: row.scope,
    project_id: row.project_id ?? 0,
    creation_time: row.creation_time,
    update_time: row.update_time,
  };
}

const maxNameLength = 128;
const maxDescriptionLength = 1024;

function text(raw: Record<string, unknown>, key: string, max: number): string {
  const value = raw[key] ?? '';
  if (typeof value !== 'string') throw new BerthError('BAD_REQUEST', `${key} must be a string`);
  if (value.length > max) throw new BerthError('BAD_REQUEST', `${key} is longer than ${String(max)} characters`);
  return value;
}

/** name, description and color of a Label body, checked as Harbor's Label.Valid does. */
function fields(body: unknown): LabelFields & { raw: Record<string, unknown> } {
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    throw new BerthError('BAD_REQUEST', 'the body must be a Label object');
  const raw = body as Record<string, unknown>;
  const name = text(raw, 'name', maxNameLength).trim();
  if (name === '') throw new BerthError('BAD_REQUEST', 'label name is required');
  const color = text(raw, 'color', 32);
  if (color !== '' && !/^#[0-9a-fA-F]{3,8}$/.test(color))
    throw new BerthError('BAD_REQUEST', `color "${color}" is not a hex color such as #C92100`);
  return { name, description: text(raw, 'description', maxDescriptionLength), color, raw };
}

export function createLabelService({ db, clock }: { db: Kysely<Database>; clock: Clock }) {
  const repo = createLabelsRepo(db);

  async function get(id: number): Promise<LabelRow> {
    const row = await repo.get(id);
    if (!row) throw new BerthError('NOT_FOUND', `label ${String(id)} not found`);
    return row;
  }

  function duplicate(name: string): BerthError {
    return new BerthError('CONFLICT', `label ${name} already exists`);
  }

  return {
    get,
    list: repo.list,

    /** The label a POST body describes: scope 'g' (project_id ignored) or 'p' with a project id. */
    parseNew(body: unknown): LabelFields & { scope: 'g' | 'p'; projectId: number | null } {
      const { raw, ...label } = fields(body);
      const scope = raw.scope;
      if (scope !== 'g' && scope !== 'p') throw new BerthError('BAD_REQUEST', `unrecognized scope: ${String(scope)}`);
      if (scope === 'g') return { ...label, scope, projectId: null };
      const projectId = raw.project_id;
      if (typeof projectId !== 'number' || !Number.isSafeInteger(projectId) || projectId <= 0)
        throw new BerthError('BAD_REQUEST', 'a project label needs the project_id of its project');
      return { ...label, scope, projectId };
    },

    async create(label: LabelFields & { scope: 'g' | 'p'; projectId: number | null }): Promise<number> {
      const id = await repo.create(label, isoNow(clock));
      if (id === undefined) throw duplicate(label.name);
      return id;
    },

    async update(row: LabelRow, body: unknown): Promise<void> {
      const { raw: _raw, ...changes } = fields(body);
      if (!(await repo.update(row, changes, isoNow(clock)))) throw duplicate(changes.name);
    },

    async delete(id: number): Promise<void> {
      if (!(await repo.delete(id))) throw new BerthError('NOT_FOUND', `label ${String(id)} not found`);
    },

    /** Adds a label to an artifact of the project `projectId`: a global label or one of that project's. */
    async attach(artifact: { id: number; projectId: number }, labelId: number): Promise<void> {
      const label = await get(labelId);
      if (label.scope === 'p' && label.project_id !== artifact.projectId)
        throw new BerthError('BAD_REQUEST', `label ${String(labelId)} belongs to another project`);
      const outcome = await repo.attach(artifact.id, labelId, isoNow(clock));
      if (outcome === 'exists')
        throw new BerthError('CONFLICT', `label ${String(labelId)} is already added to the artifact`);
      if (outcome === 'gone') throw new BerthError('NOT_FOUND', 'the artifact or the label no longer exists');
    },

    async detach(artifactId: number, labelId: number): Promise<void> {
      if (!(await repo.detach(artifactId, labelId)))
        throw new BerthError('NOT_FOUND', `label ${String(labelId)} is not on the artifact`);
    },

    /** Harbor Label objects per artifact: what artifact listings show with `with_label`. */
    async labelsOf(artifactIds: number[]): Promise<Map<number, unknown[]>> {
      const rows = await repo.labelsOf(artifactIds);
      return new Map([...rows].map(([id, labels]) => [id, labels.map(labelBody)]));
    },
  };
}

export type LabelService = ReturnType<typeof createLabelService>;
