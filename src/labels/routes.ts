import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { RouteCaller, RouteKit } from '../feature.js';
import { BerthError } from '../shared/errors.js';
import type { LabelRow } from './repo.js';
import { labelBody, type LabelService } from './service.js';

// Harbor's label API (swagger tag "label", handler/label.go) and the two artifact label
// operations (handler/artifact.go AddLabel, RemoveLabel). A global label is the system's
// `label` resource; a project label is its project's.

export interface ArtifactLookup {
  /** The artifact a Harbor path names (NOT_FOUND when it does not exist). */
  artifactRef(
    projectName: string,
    repositoryName: string,
    reference: string,
  ): Promise<{ id: number; projectId: number }>;
}

function integer(raw: unknown, name: string): number {
  if (typeof raw !== 'string' || !/^\d{1,15}$/.test(raw))
    throw new BerthError('BAD_REQUEST', `${name} must be an integer`);
  return Number(raw);
}

function lastValue(value: unknown): string | undefined {
  const last = Array.isArray(value) ? value[value.length - 1] : value;
  return last === undefined || last === '' ? undefined : String(last);
}

export function labelRoutes(app: FastifyInstance, kit: RouteKit, labels: LabelService, artifacts: ArtifactLookup) {
  /** The caller may `action` on the label: the system's `label` for a global one, its project's for a project one. */
  async function requireLabel(request: FastifyRequest, label: Pick<LabelRow, 'scope' | 'project_id'>, action: string) {
    if (label.scope === 'g') {
      // Every signed-in caller reads global labels (Harbor lists them to anyone authenticated).
      if (action === 'read' || action === 'list') return kit.requireAuthenticated(request);
      return kit.requireSystem(request, 'label', action);
    }
    return (await kit.requireProject(request, label.project_id ?? 0, 'label', action)).caller;
  }

  const labelOf = async (request: FastifyRequest) =>
    labels.get(integer((request.params as { label_id: string }).label_id, 'label_id'));

  app.get('/labels', async (request, reply) => {
    const query = request.query as Record<string, unknown>;
    const scope = lastValue(query.scope);
    if (scope !== 'g' && scope !== 'p') throw new BerthError('BAD_REQUEST', `invalid scope: ${scope ?? ''}`);
    const rawProject = lastValue(query.project_id);
    const projectId = rawProject === undefined ? 0 : integer(rawProject, 'project_id');
    if (scope === 'p' && projectId === 0)
      throw new BerthError('BAD_REQUEST', 'must with project ID when to query project labels');
    await requireLabel(request, { scope, project_id: projectId }, 'list');
    const page = kit.page(query);
    const { rows, total } = await labels.list({
      scope,
      projectId,
      name: lastValue(query.name),
      limit: page.pageSize,
      offset: page.offset,
    });
    kit.setPageHeaders(request, reply, page, total);
    return rows.map(labelBody);
  });

  app.post('/labels', async (request, reply) => {
    const label = labels.parseNew(request.body);
    await requireLabel(request, { scope: label.scope, project_id: label.projectId }, 'create');
    const id = await labels.create(label);
    const path = request.url.split('?')[0]!.replace(/\/$/, '');
    return reply
      .code(201)
      .header('location', `${path}/${String(id)}`)
      .send();
  });

  app.get('/labels/:label_id', async (request) => {
    const label = await labelOf(request);
    await requireLabel(request, label, 'read');
    return labelBody(label);
  });

  app.put('/labels/:label_id', async (request, reply) => {
    const label = await labelOf(request);
    await requireLabel(request, label, 'update');
    await labels.update(label, request.body);
    return reply.code(200).send();
  });

  app.delete('/labels/:label_id', async (request, reply) => {
    const label = await labelOf(request);
    await requireLabel(request, label, 'delete');
    await labels.delete(label.id);
    return reply.code(200).send();
  });

  const artifactLabels = '/projects/:project_name/repositories/:repository_name/artifacts/:reference/labels';

  async function artifactOf(
    request: FastifyRequest,
    action: string,
  ): Promise<{ id: number; projectId: number; caller: RouteCaller }> {
    const { project_name: projectName, reference } = request.params as { project_name: string; reference: string };
    const { caller } = await kit.requireProject(request, projectName, 'artifact-label', action);
    return { ...(await artifacts.artifactRef(projectName, kit.repositoryParam(request), reference)), caller };
  }

  app.post(artifactLabels, async (request, reply) => {
    const artifact = await artifactOf(request, 'create');
    const id = (request.body as { id?: unknown } | null)?.id;
    if (typeof id !== 'number' || !Number.isSafeInteger(id) || id <= 0)
      throw new BerthError('BAD_REQUEST', 'the body must name the label: {"id": <label id>}');
    await labels.attach(artifact, id);
    return reply.code(200).send();
  });

  app.delete(`${artifactLabels}/:label_id`, async (request, reply) => {
    const artifact = await artifactOf(request, 'delete');
    await labels.detach(artifact.id, integer((request.params as { label_id: string }).label_id, 'label_id'));
    return reply.code(200).send();
  });
}
