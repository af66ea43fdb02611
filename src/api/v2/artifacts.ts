import type { FastifyInstance, FastifyRequest } from 'fastify';
import { BerthError } from '../../shared/errors.js';
import { parseCopySource, type ArtifactFilter, type ArtifactOptions } from '../../artifacts/index.js';
import type { ApiDeps } from './deps.js';
import { pageRequest, setPageHeaders } from './paging.js';
import { parseQuery, parseSort, termsFor, type Term } from './query.js';
import { actorOf, repositoryNameParam, textMatch, type RepositoryParams } from './repositories.js';

// Harbor's artifact and tag operations (goharbor/harbor src/server/v2.0/handler/artifact.go).

type Query = Record<string, string | undefined>;
type ArtifactParams = RepositoryParams & { reference: string; tag_name?: string };

const artifactSortKeys = ['push_time', 'pull_time', 'name', 'size', 'digest', 'id'] as const;
const tagSortKeys = ['name', 'push_time', 'pull_time', 'id'] as const;

function flag(query: Query, name: string, fallback: boolean): boolean {
  const value = query[name];
  if (value === undefined || value === '') return fallback;
  if (value === 'true' || value === '1') return true;
  if (value === 'false' || value === '0') return false;
  throw new BerthError('BAD_REQUEST', `${name} must be true or false`);
}

// with_signature and with_inherited_accessory are accepted; nothing is signed yet, so they add nothing.
function artifactOptions(query: Query): ArtifactOptions {
  for (const name of ['with_signature', 'with_inherited_accessory']) flag(query, name, false);
  return {
    withSbomOverview: flag(query, 'with_sbom_overview', false),
    withScanOverview: flag(query, 'with_scan_overview', false),
    withTag: flag(query, 'with_tag', true),
    withLabel: flag(query, 'with_label', false),
    withAccessory: flag(query, 'with_accessory', false),
    withImmutableStatus: flag(query, 'with_immutable_status', false),
  };
}

function artifactFilter(q: string | undefined): ArtifactFilter {
  const terms = termsFor(parseQuery(q), ['tags', 'digest', 'media_type', 'type', 'labels']);
  const type = textMatch(terms.get('type'), 'type');
  const labels = labelFilter(terms.get('labels'));
  return {
    ...(labels ? { labels } : {}),
    tags: textMatch(terms.get('tags'), 'tags'),
    digest: textMatch(terms.get('digest'), 'digest'),
    mediaType: textMatch(terms.get('media_type'), 'media_type'),
    ...(type ? { type: type.value } : {}),
  };
}

/** Harbor's label filter: `labels=(1 2)` all of them, `labels={1 2}` any, `labels=1` that one. */
function labelFilter(term: Term | undefined): ArtifactFilter['labels'] {
  if (!term) return undefined;
  const values =
    term.kind === 'exact' ? [term.value] : term.kind === 'and' || term.kind === 'or' ? term.values : undefined;
  if (!values || values.some((v) => !/^\d{1,15}$/.test(v)))
    throw new BerthError('BAD_REQUEST', 'labels takes label ids: labels=(1 2) for all of them, labels={1 2} for any');
  return { ids: values.map(Number), all: term.kind !== 'or' };
}

const params = (request: FastifyRequest) => request.params as ArtifactParams;

/** What these routes use, and nothing else. */
export type ArtifactRouteDeps = Pick<ApiDeps, 'security' | 'artifacts'>;

export function artifactRoutes(app: FastifyInstance, { security, artifacts }: ArtifactRouteDeps): void {
  const list = '/projects/:project_name/repositories/:repository_name/artifacts';
  const one = `${list}/:reference`;

  app.get(list, async (request, reply) => {
    const query = request.query as Query;
    const { project } = await security.requireProject(request, params(request).project_name, 'artifact', 'list');
    const page = pageRequest(query);
    const { items, total } = await artifacts.listArtifacts(
      project.name,
      repositoryNameParam(request),
      artifactFilter(query.q),
      parseSort(query.sort, artifactSortKeys),
      { offset: page.offset, limit: page.pageSize },
      artifactOptions(query),
    );
    setPageHeaders(request, reply, page, total);
    return items;
  });

  // Copy: pull on the source, push on the target (Harbor's CopyArtifact).
  app.post(list, async (request, reply) => {
    const query = request.query as Query;
    const source = parseCopySource(query.from);
    const sourceProject = source.repository.split('/', 1)[0];
    if (!source.repository.includes('/'))
      throw new BerthError('BAD_REQUEST', `invalid "from" ${source.repository}: expected <project>/<repository>`);
    const { principal, project } = await security.requireProject(
      request,
      params(request).project_name,
      'repository',
      'push',
    );
    await security.requireProject(request, sourceProject, 'repository', 'pull');
    const target = `${project.name}/${repositoryNameParam(request)}`;
    const digest = await artifacts.copyArtifact(source, target, actorOf(principal, request));
    const path = request.url.split('?', 1)[0].replace(/\/$/, '');
    return reply.code(201).header('location', `${path}/${digest}`).send();
  });

  app.get(one, async (request) => {
    const { project } = await security.requireProject(request, params(request).project_name, 'artifact', 'read');
    return artifacts.getArtifact(
      project.name,
      repositoryNameParam(request),
      params(request).reference,
      artifactOptions(request.query as Query),
    );
  });

  app.delete(one, async (request, reply) => {
    const { principal, project } = await security.requireProject(
      request,
      params(request).project_name,
      'artifact',
      'delete',
      `${params(request).project_name}/${repositoryNameParam(request)}@${params(request).reference}`,
    );
    await artifacts.deleteArtifact(
      project.name,
      repositoryNameParam(request),
      params(request).reference,
      actorOf(principal, request),
    );
    return reply.code(200).send();
  });

  app.get(`${one}/tags`, async (request, reply) => {
    const query = request.query as Query;
    const { project } = await security.requireProject(request, params(request).project_name, 'tag', 'list');
    const withImmutableStatus = flag(query, 'with_immutable_status', false);
    const page = pageRequest(query);
    const name = textMatch(termsFor(parseQuery(query.q), ['name']).get('name'), 'name');
    const { items, total } = await artifacts.listTags(
      project.name,
      repositoryNameParam(request),
      params(request).reference,
      name,
      parseSort(query.sort, tagSortKeys),
      {
        offset: page.offset,
        limit: page.pageSize,
      },
      { withImmutableStatus },
    );
    setPageHeaders(request, reply, page, total);
    return items;
  });

  app.post(`${one}/tags`, async (request, reply) => {
    const { principal, project } = await security.requireProject(
      request,
      params(request).project_name,
      'tag',
      'create',
    );
    const body = request.body as { name?: unknown } | undefined;
    if (!body || typeof body !== 'object' || typeof body.name !== 'string' || body.name === '')
      throw new BerthError('BAD_REQUEST', 'the body must be {"name": "<tag>"}');
    await artifacts.createTag(
      project.name,
      repositoryNameParam(request),
      params(request).reference,
      body.name,
      actorOf(principal, request),
    );
    const path = request.url.split('?', 1)[0].replace(/\/$/, '');
    return reply
      .code(201)
      .header('location', `${path}/${encodeURIComponent(body.name)}`)
      .send();
  });

  app.delete(`${one}/tags/:tag_name`, async (request, reply) => {
    const { principal, project } = await security.requireProject(
      request,
      params(request).project_name,
      'tag',
      'delete',
      `${params(request).project_name}/${repositoryNameParam(request)}:${params(request).tag_name ?? ''}`,
    );
    await artifacts.deleteTag(
      project.name,
      repositoryNameParam(request),
      params(request).reference,
      params(request).tag_name ?? '',
      actorOf(principal, request),
    );
    return reply.code(200).send();
  });
}
