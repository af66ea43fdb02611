import type { AccessoryRowView, ArtifactRowView, ReferenceRowView, RepositoryRow, TagRowView } from './repo.js';
import { harborArtifactType, indexMediaTypes } from './types.js';

// Harbor's JSON for repositories, artifacts, tags and accessories (harbor-swagger.yaml
// definitions Repository, Artifact, Tag, Reference, Accessory).

/** Go's zero time, which Harbor sends for "never pulled". */
export const neverPulled = '0001-01-01T00:00:00.000Z';

export interface HarborRepository {
  id: number;
  project_id: number;
  name: string;
  description: string;
  artifact_count: number;
  pull_count: number;
  creation_time: string;
  update_time: string;
}

export interface HarborTag {
  id: number;
  repository_id: number;
  artifact_id: number;
  name: string;
  push_time: string;
  pull_time: string;
  immutable: boolean;
  signed: boolean;
}

export interface HarborReference {
  parent_id: number;
  child_id?: number;
  child_digest: string;
  platform?: Record<string, unknown>;
  annotations?: Record<string, string>;
}

export interface HarborAccessory {
  id: number;
  artifact_id: number;
  subject_artifact_id: number;
  subject_artifact_digest: string;
  subject_artifact_repo: string;
  size: number;
  digest: string;
  type: string;
  icon: string;
  creation_time: string;
}

export interface HarborArtifact {
  id: number;
  type: string;
  media_type: string;
  manifest_media_type: string;
  artifact_type: string;
  project_id: number;
  repository_id: number;
  repository_name: string;
  digest: string;
  size: number;
  icon: string;
  push_time: string;
  pull_time: string;
  extra_attrs: Record<string, unknown>;
  annotations: Record<string, string>;
  references: HarborReference[];
  tags?: HarborTag[];
  labels?: unknown[];
  accessories?: HarborAccessory[];
  /** Harbor's ScanOverview, keyed by report type (with_scan_overview, when scanned). */
  scan_overview?: unknown;
  /** Harbor's SBOMOverview (with_sbom_overview, when an SBOM was generated). */
  sbom_overview?: unknown;
  addition_links: Record<string, { href: string; absolute: boolean }>;
}

export function repositoryView(row: RepositoryRow): HarborRepository {
  return {
    id: row.id,
    project_id: row.project_id,
    name: row.name,
    description: row.description,
    artifact_count: row.artifact_count,
    pull_count: row.pull_count,
    creation_time: row.created_at,
    update_time: row.updated_at,
  };
}

/** Harbor's Tag; `immutable` when an immutability rule protects it (asked with with_immutable_status). */
export function tagView(row: TagRowView, immutable = false): HarborTag {
  return {
    id: row.id,
    repository_id: row.repository_id,
    artifact_id: row.artifact_id,
    name: row.name,
    push_time: row.push_time,
    pull_time: row.pull_time ?? neverPulled,
    immutable,
    signed: false,
  };
}

export function referenceView(row: ReferenceRowView): HarborReference {
  return {
    parent_id: row.parent_id,
    ...(row.child_id === null ? {} : { child_id: row.child_id }),
    child_digest: row.child_digest,
    ...(row.platform ? { platform: JSON.parse(row.platform) as Record<string, unknown> } : {}),
    ...(row.annotations ? { annotations: JSON.parse(row.annotations) as Record<string, string> } : {}),
  };
}

// Harbor's accessory types (src/pkg/accessory/model): cosign and notation signatures, SBOMs, anything else with a subject.
const accessoryTypes: Record<string, string> = {
  'application/vnd.dev.cosign.artifact.sig.v1+json': 'signature.cosign',
  'application/vnd.cncf.notary.signature': 'signature.notation',
  'application/vnd.goharbor.harbor.sbom.v1': 'harbor.sbom',
  'application/vnd.dev.cosign.artifact.sbom.v1+json': 'sbom.cosign',
};

export function accessoryView(row: AccessoryRowView, subject: { id: number; repository: string }): HarborAccessory {
  return {
    id: row.id,
    artifact_id: row.id,
    subject_artifact_id: subject.id,
    subject_artifact_digest: row.subject_digest,
    subject_artifact_repo: subject.repository,
    size: row.size,
    digest: row.digest,
    type: (row.artifact_type && accessoryTypes[row.artifact_type]) || 'subject.accessory',
    icon: '',
    creation_time: row.push_time,
  };
}

export interface ArtifactViewParts {
  row: ArtifactRowView;
  projectId: number;
  projectName: string;
  repositoryName: string;
  /** The config's (or artifactType's) media type; the manifest's own for an index. */
  mediaType: string;
  extraAttrs: Record<string, unknown>;
  references: HarborReference[];
  tags?: HarborTag[];
  labels?: unknown[];
  accessories?: HarborAccessory[];
}

export function artifactView(parts: ArtifactViewParts): HarborArtifact {
  const { row } = parts;
  const annotations = row.annotations ? (JSON.parse(row.annotations) as Record<string, string>) : {};
  const type = harborArtifactType(row.media_type, row.artifact_type, annotations);
  return {
    id: row.id,
    type,
    media_type: parts.mediaType,
    manifest_media_type: row.media_type,
    artifact_type: row.artifact_type ?? parts.mediaType,
    project_id: parts.projectId,
    repository_id: row.repository_id,
    repository_name: parts.repositoryName,
    digest: row.digest,
    size: row.size,
    icon: '',
    push_time: row.push_time,
    pull_time: row.pull_time ?? neverPulled,
    extra_attrs: parts.extraAttrs,
    annotations,
    references: parts.references,
    ...(parts.tags ? { tags: parts.tags } : {}),
    ...(parts.labels ? { labels: parts.labels } : {}),
    ...(parts.accessories ? { accessories: parts.accessories } : {}),
    addition_links: additionLinks(
      indexMediaTypes.includes(row.media_type) ? 'INDEX' : type,
      parts.projectName,
      parts.repositoryName,
      row.digest,
    ),
  };
}

/** Harbor's addition links; the repository path segment is encoded twice, as in its API paths. */
function additionLinks(
  type: string,
  projectName: string,
  repositoryName: string,
  digest: string,
): Record<string, { href: string; absolute: boolean }> {
  const inProject = repositoryName.slice(projectName.length + 1);
  const base = `/api/v2.0/projects/${projectName}/repositories/${encodeURIComponent(encodeURIComponent(inProject))}/artifacts/${digest}/additions`;
  // An index's vulnerabilities are its images': Harbor links them as it does an image's.
  const names =
    type === 'IMAGE'
      ? ['build_history', 'vulnerabilities']
      : type === 'INDEX'
        ? ['vulnerabilities']
        : type === 'CHART'
          ? ['values.yaml', 'readme.md', 'dependencies']
          : [];
  return Object.fromEntries(names.map((name) => [name, { href: `${base}/${name}`, absolute: false }]));
}
