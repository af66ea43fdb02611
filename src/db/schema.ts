import type { ColumnType, Generated, Insertable, Selectable } from 'kysely';

// Table types for kysely. Timestamps are ISO-8601 UTC strings on every dialect;
// sizes are integers; manifests are the raw bytes exactly as pushed.

type Timestamp = string;

export interface RepositoriesTable {
  id: Generated<number>;
  name: string;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface BlobsTable {
  digest: string;
  size: number;
  media_type: string | null;
  created_at: Timestamp;
}

export interface RepositoryBlobsTable {
  repository_id: number;
  digest: string;
  created_at: Timestamp;
}

export interface ArtifactsTable {
  id: Generated<number>;
  repository_id: number;
  digest: string;
  media_type: string;
  /** The artifact's type: `artifactType`, else the config's media type (OCI 1.1 referrers). */
  artifact_type: string | null;
  /** Manifest size plus the sizes of the blobs it references. */
  size: number;
  manifest: ColumnType<Buffer, Buffer | Uint8Array, never>;
  manifest_size: number;
  subject_digest: string | null;
  annotations: string | null;
  push_time: Timestamp;
  pull_time: Timestamp | null;
}

export interface ArtifactBlobsTable {
  artifact_id: number;
  digest: string;
}

export interface ArtifactReferencesTable {
  parent_id: number;
  child_digest: string;
  platform: string | null;
  annotations: string | null;
}

export interface TagsTable {
  id: Generated<number>;
  repository_id: number;
  artifact_id: number;
  name: string;
  push_time: Timestamp;
  pull_time: Timestamp | null;
}

export interface UploadsTable {
  uuid: string;
  repository: string;
  /** Bytes received and committed to the blob store so far. */
  size: number;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface Database {
  repositories: RepositoriesTable;
  blobs: BlobsTable;
  repository_blobs: RepositoryBlobsTable;
  artifacts: ArtifactsTable;
  artifact_blobs: ArtifactBlobsTable;
  artifact_references: ArtifactReferencesTable;
  tags: TagsTable;
  uploads: UploadsTable;
}

export type ArtifactRow = Selectable<ArtifactsTable>;
export type NewArtifact = Insertable<ArtifactsTable>;
export type TagRow = Selectable<TagsTable>;
export type UploadRow = Selectable<UploadsTable>;
