import { byteLru } from '../cache/index.js';
import { BerthError } from '../shared/errors.js';
import type { EventActor } from '../shared/events.js';
import type { Logger } from '../shared/logger.js';
import { isValidTag, parseManifest, parseReference, type Registry, type TagProtection } from '../registry/index.js';
import type {
  ArtifactFacts,
  ArtifactFilter,
  ArtifactRowView,
  ArtifactsRepo,
  Paging,
  RepositoryFilter,
  RepositoryRow,
  Sort,
  TextMatch,
} from './repo.js';
import { configMediaTypes, imageConfigTypes } from './types.js';
import { createAdditionReader, manifestAddition, type Addition } from './additions.js';
import { blobStream } from './blob-stream.js';
import { pageAccessories, type AccessoryFilter } from './accessories.js';
import {
  accessoryView,
  artifactView,
  referenceView,
  repositoryView,
  tagView,
  type HarborAccessory,
  type HarborArtifact,
  type HarborRepository,
  type HarborTag,
} from './view.js';

/** Memory for the extra attributes read from image configs. */
const extraAttrsCacheBytes = 8 * 1024 * 1024;

// Harbor's repositories and artifacts over the registry's tables. Reads go straight to
// SQL; every change goes through the registry so its cascade, caches and events apply.

export interface ArtifactOptions {
  withTag: boolean;
  withLabel: boolean;
  withAccessory: boolean;
  /** Tags say whether an immutability rule protects them. */
  withImmutableStatus?: boolean;
  /** Harbor's `scan_overview` (with_scan_overview). */
  withScanOverview?: boolean;
  /** Harbor's `sbom_overview` (with_sbom_overview). */
  withSbomOverview?: boolean;
}

/** What carries labels on artifacts (the labels feature): their Harbor Label objects, per artifact id. */
export interface ArtifactLabelSource {
  labelsOf(artifactIds: number[]): Promise<Map<number, unknown[]>>;
}

/** What scans artifacts (the scanning feature): Harbor's scan_overview and sbom_overview of artifacts of one repository, by artifact id. */
export interface ArtifactScanSource {
  overviews(
    projectId: number,
    repository: string,
    artifacts: HarborArtifact[],
    wanted: { scan: boolean; sbom: boolean },
  ): Promise<Map<number, { scan_overview?: unknown; sbom_overview?: unknown }>>;
}

export interface ArtifactServiceDeps {
  repo: ArtifactsRepo;
  /** Labels in listings and details (`with_label`); none without it. */
  labels?: ArtifactLabelSource;
  /** Tag immutability, for `with_immutable_status`. */
  tagProtection?: TagProtection;
  /** Scan overviews, for `with_scan_overview`; none without it. */
  scans?: ArtifactScanSource;
  registry: Registry;
  logger: Logger;
  /** Largest config blob read for extra_attrs. */
  maxConfigBytes?: number;
}

export function createArtifactService({
  repo,
  registry,
  labels,
  tagProtection,
  scans,
  logger,
  maxConfigBytes = 4 * 1024 * 1024,
}: ArtifactServiceDeps) {
  // Config blobs are content-addressed: what one says never changes.
  // Bounded by bytes: one config may carry megabytes of labels and environment.
  const extraAttrsCache = byteLru<string, Record<string, unknown>>(
    extraAttrsCacheBytes,
    (attrs, digest) => digest.length + JSON.stringify(attrs).length * 2,
  );
  const additions = createAdditionReader({ registry });

  /** Which tags of the repository are immutable, when asked; otherwise none. */
  async function immutabilityOf(repository: string, asked: boolean): Promise<(tag: string) => boolean> {
    return asked && tagProtection ? tagProtection.protectedTags(repository) : () => false;
  }

  async function repositoryOf(projectName: string, repositoryName: string): Promise<RepositoryRow> {
    const name = `${projectName}/${repositoryName}`;
    const row = await repo.repository(name);
    if (!row) throw new BerthError('NOT_FOUND', `repository ${name} not found`);
    return row;
  }

  async function artifactOf(repository: RepositoryRow, reference: string): Promise<ArtifactRowView> {
    const ref = parseApiReference(reference);
    const row =
      ref.kind === 'digest'
        ? await repo.artifactByDigest(repository.id, ref.digest)
        : await repo.artifactByTag(repository.id, ref.tag);
    if (!row)
      throw new BerthError(
        'NOT_FOUND',
        `artifact ${repository.name}${ref.kind === 'digest' ? '@' : ':'}${reference} not found`,
      );
    return row;
  }

  async function readConfig(repository: string, digest: string): Promise<Record<string, unknown> | undefined> {
    // Through blobStream: on S3 with redirects, open() gives a URL rather than the bytes.
    const content = await blobStream(registry, repository, digest);
    if (content.size > maxConfigBytes) {
      content.stream.destroy();
      return undefined;
    }
    const chunks: Buffer[] = [];
    for await (const chunk of content.stream as AsyncIterable<Buffer>) chunks.push(chunk);
    const parsed: unknown = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)
      ? (parsed as Record<string, unknown>)
      : undefined;
  }

  /** Harbor's extra_attrs: an image's platform and run config, a chart's metadata (read from the config blob). */
  async function extraAttrs(
    repository: string,
    configType: string | undefined,
    configDigest: string | undefined,
  ): Promise<Record<string, unknown>> {
    if (!configType || !configDigest) return {};
    const isImage = imageConfigTypes.includes(configType);
    if (!isImage && configType !== configMediaTypes.helmChart) return {};
    const hit = extraAttrsCache.get(configDigest);
    if (hit) return hit;
    let config: Record<string, unknown> | undefined;
    try {
      config = await readConfig(repository, configDigest);
    } catch (err) {
      logger.debug({ err, repository, digest: configDigest }, 'could not read an artifact config for extra_attrs');
      return {};
    }
    if (!config) return {};
    const attrs = isImage
      ? Object.fromEntries(
          ['architecture', 'author', 'config', 'created', 'os', 'variant']
            .filter((k) => config[k] !== undefined)
            .map((k) => [k, config[k]]),
        )
      : config;
    extraAttrsCache.set(configDigest, attrs);
    return attrs;
  }

  async function views(
    repository: RepositoryRow,
    rows: ArtifactRowView[],
    options: ArtifactOptions,
  ): Promise<HarborArtifact[]> {
    const ids = rows.map((row) => row.id);
    const projectName = repository.name.slice(0, repository.name.indexOf('/'));
    const isImmutable = await immutabilityOf(repository.name, options.withImmutableStatus === true);
    const [tags, references, accessories, labelled] = await Promise.all([
      options.withTag ? repo.tagsOf(ids) : Promise.resolve([]),
      repo.referencesOf(repository.id, ids),
      options.withAccessory
        ? repo.accessoriesOf(
            repository.id,
            rows.map((row) => row.digest),
          )
        : Promise.resolve([]),
      options.withLabel && labels ? labels.labelsOf(ids) : Promise.resolve(new Map<number, unknown[]>()),
    ]);
    const shown = await Promise.all(
      rows.map(async (row) => {
        const manifest = safeParse(row);
        const configType = manifest?.config?.mediaType;
        return artifactView({
          row,
          projectId: repository.project_id,
          projectName,
          repositoryName: repository.name,
          mediaType: configType ?? row.media_type,
          extraAttrs: await extraAttrs(repository.name, configType, manifest?.config?.digest),
          references: references.filter((r) => r.parent_id === row.id).map(referenceView),
          ...(options.withTag
            ? { tags: tags.filter((t) => t.artifact_id === row.id).map((t) => tagView(t, isImmutable(t.name))) }
            : {}),
          ...(options.withLabel ? { labels: labelled.get(row.id) ?? [] } : {}),
          ...(options.withAccessory
            ? {
                accessories: accessories
                  .filter((a) => a.subject_digest === row.digest)
                  .map((a) => accessoryView(a, { id: row.id, repository: repository.name })),
              }
            : {}),
        });
      }),
    );
    const wanted = { scan: options.withScanOverview === true, sbom: options.withSbomOverview === true };
    if (!scans || (!wanted.scan && !wanted.sbom)) return shown;
    const overviews = await scans.overviews(repository.project_id, repository.name, shown, wanted);
    return shown.map((view) => ({ ...view, ...overviews.get(view.id) }));
  }

  function safeParse(row: ArtifactRowView) {
    try {
      return parseManifest(row.manifest, row.media_type);
    } catch {
      return undefined;
    }
  }

  return {
    async listRepositories(
      filter: RepositoryFilter,
      sort: Sort[],
      paging: Paging,
    ): Promise<{ items: HarborRepository[]; total: number }> {
      const { rows, total } = await repo.listRepositories(filter, sort, paging);
      return { items: rows.map(repositoryView), total };
    },

    visibleProjectIds: repo.visibleProjectIds,

    /** Repositories whose names contain `keyword`, in `projectIds` (undefined: all); Harbor's GET /search. */
    searchRepositories: repo.searchRepositories,

    /** The bytes of distinct blobs and manifests stored; Harbor's total_storage_consumption. */
    storageConsumption: repo.storageConsumption,

    async getRepository(projectName: string, repositoryName: string): Promise<HarborRepository> {
      return repositoryView(await repositoryOf(projectName, repositoryName));
    },

    async updateRepository(
      projectName: string,
      repositoryName: string,
      description: string,
      now: string,
    ): Promise<void> {
      const repository = await repositoryOf(projectName, repositoryName);
      await repo.updateDescription(repository.id, description, now);
    },

    async deleteRepository(projectName: string, repositoryName: string, by: EventActor): Promise<void> {
      const repository = await repositoryOf(projectName, repositoryName);
      await registry.repositories.delete(repository.name, by);
    },

    async listArtifacts(
      projectName: string,
      repositoryName: string,
      filter: ArtifactFilter,
      sort: Sort[],
      paging: Paging,
      options: ArtifactOptions,
    ) {
      const repository = await repositoryOf(projectName, repositoryName);
      const { rows, total } = await repo.listArtifacts(repository.id, filter, sort, paging);
      return { items: await views(repository, rows, options), total };
    },

    /** Every artifact of a repository (`project/name`) with its tags, times, subject and index membership; [] when there is no such repository. */
    async artifactFacts(repositoryName: string): Promise<ArtifactFacts[]> {
      const repository = await repo.repository(repositoryName);
      return repository ? repo.artifactFacts(repository.id) : [];
    },

    /** The artifact a Harbor path names (NOT_FOUND as GET would answer): its id, digest and repository. */
    async artifactRef(
      projectName: string,
      repositoryName: string,
      reference: string,
    ): Promise<{ id: number; digest: string; repository: string; projectId: number }> {
      const repository = await repositoryOf(projectName, repositoryName);
      const artifact = await artifactOf(repository, reference);
      return {
        id: artifact.id,
        digest: artifact.digest,
        repository: repository.name,
        projectId: repository.project_id,
      };
    },

    async getArtifact(
      projectName: string,
      repositoryName: string,
      reference: string,
      options: ArtifactOptions,
    ): Promise<HarborArtifact> {
      const repository = await repositoryOf(projectName, repositoryName);
      const [view] = await views(repository, [await artifactOf(repository, reference)], options);
      return view;
    },

    /** Harbor's GET …/additions/{addition}: build_history, or a chart's values.yaml, readme.md, dependencies. */
    async getAddition(projectName: string, repositoryName: string, reference: string, name: string): Promise<Addition> {
      const repository = await repositoryOf(projectName, repositoryName);
      const row = await artifactOf(repository, reference);
      // Berth's addition: the manifest as pushed, read from the database, so viewing it is no pull.
      if (name === manifestAddition) return { contentType: row.media_type, content: row.manifest.toString('utf8') };
      const manifest = safeParse(row);
      if (!manifest)
        throw new BerthError('NOT_FOUND', `the artifact ${row.digest} has no additions: its manifest cannot be read`);
      return additions.read(repository.name, row.digest, manifest, name);
    },

    /** Harbor's GET …/accessories: signatures, SBOMs and other artifacts whose subject is this one. */
    async listAccessories(
      projectName: string,
      repositoryName: string,
      reference: string,
      filter: AccessoryFilter,
      sort: Sort[],
      paging: Paging,
    ): Promise<{ items: HarborAccessory[]; total: number }> {
      const repository = await repositoryOf(projectName, repositoryName);
      const row = await artifactOf(repository, reference);
      const rows = await repo.accessoriesOf(repository.id, [row.digest]);
      return pageAccessories(
        rows.map((a) => accessoryView(a, { id: row.id, repository: repository.name })),
        filter,
        sort,
        paging,
      );
    },

    async deleteArtifact(
      projectName: string,
      repositoryName: string,
      reference: string,
      by: EventActor,
    ): Promise<void> {
      const repository = await repositoryOf(projectName, repositoryName);
      const artifact = await artifactOf(repository, reference);
      await registry.manifests.delete(repository.name, artifact.digest, by);
    },

    /** Copies `source` (`project/repo@digest` or `project/repo:tag`) into the repository; returns the digest. */
    async copyArtifact(
      source: { repository: string; reference: string },
      target: string,
      by: EventActor,
    ): Promise<string> {
      const { digest } = await registry.manifests.copy(source.repository, source.reference, target, by);
      return digest;
    },

    async listTags(
      projectName: string,
      repositoryName: string,
      reference: string,
      name: TextMatch | undefined,
      sort: Sort[],
      paging: Paging,
      options: { withImmutableStatus?: boolean } = {},
    ): Promise<{ items: HarborTag[]; total: number }> {
      const repository = await repositoryOf(projectName, repositoryName);
      const artifact = await artifactOf(repository, reference);
      const { rows, total } = await repo.listTags(artifact.id, name, sort, paging);
      const isImmutable = await immutabilityOf(repository.name, options.withImmutableStatus === true);
      return { items: rows.map((row) => tagView(row, isImmutable(row.name))), total };
    },

    async createTag(
      projectName: string,
      repositoryName: string,
      reference: string,
      tag: string,
      by: EventActor,
    ): Promise<void> {
      if (!isValidTag(tag)) throw new BerthError('BAD_REQUEST', `invalid tag name "${tag.slice(0, 150)}"`);
      const repository = await repositoryOf(projectName, repositoryName);
      const artifact = await artifactOf(repository, reference);
      await registry.manifests.tag(repository.name, artifact.digest, tag, by);
    },

    async deleteTag(
      projectName: string,
      repositoryName: string,
      reference: string,
      tag: string,
      by: EventActor,
    ): Promise<void> {
      const repository = await repositoryOf(projectName, repositoryName);
      const artifact = await artifactOf(repository, reference);
      const tags = await repo.tagsOf([artifact.id]);
      if (!tags.some((t) => t.name === tag))
        throw new BerthError('NOT_FOUND', `tag ${tag} not found on artifact ${repository.name}@${artifact.digest}`);
      await registry.manifests.delete(repository.name, tag, by);
    },
  };
}

export type ArtifactService = ReturnType<typeof createArtifactService>;

/** A REST API reference is a digest or a tag; the registry's codes become Harbor's 400. */
function parseApiReference(reference: string) {
  try {
    return parseReference(reference);
  } catch (err) {
    if (err instanceof BerthError) throw new BerthError('BAD_REQUEST', err.message);
    throw err;
  }
}

/** Harbor's copy source: `project/repo@sha256:…` or `project/repo:tag`. */
export function parseCopySource(from: string | undefined): { repository: string; reference: string } {
  if (!from)
    throw new BerthError(
      'BAD_REQUEST',
      'the "from" query parameter is required: <project>/<repository>@<digest> or :<tag>',
    );
  const at = from.indexOf('@');
  if (at > 0) return { repository: from.slice(0, at), reference: from.slice(at + 1) };
  const colon = from.lastIndexOf(':');
  if (colon > from.lastIndexOf('/') && colon > 0)
    return { repository: from.slice(0, colon), reference: from.slice(colon + 1) };
  throw new BerthError(
    'BAD_REQUEST',
    `invalid "from" ${from.slice(0, 200)}: expected <project>/<repository>@<digest> or <project>/<repository>:<tag>`,
  );
}
