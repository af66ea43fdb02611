import type { JobTables } from './job-tables.js';
import type { ColumnType, Generated, Insertable, Selectable } from 'kysely';

// Table types for kysely. Timestamps are ISO-8601 UTC strings on every dialect;
// sizes are integers; manifests are the raw bytes exactly as pushed.

type Timestamp = string;

export interface RepositoriesTable {
  id: Generated<number>;
  name: string;
  project_id: number | null;
  description: Generated<string>;
  pull_count: Generated<number>;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface BlobsTable {
  digest: string;
  size: number;
  media_type: string | null;
  created_at: Timestamp;
  /** 'ok', or 'deleting' while garbage collection removes the bytes. */
  status: Generated<BlobStatus>;
  /** Last uploaded, mounted or referenced by a manifest: the GC grace window counts from here. */
  updated_at: Timestamp | null;
}

export type BlobStatus = 'ok' | 'deleting';

/** The distinct blobs (and manifests) a project's artifacts reference, with the count of references. */
export interface ProjectBlobsTable {
  project_id: number;
  digest: string;
  size: number;
  refs: number;
}

/** A project's stored bytes: the sum of its project_blobs sizes (Harbor's quota usage). */
export interface ProjectStorageTable {
  project_id: number;
  used: number;
}

/** A project's quota: its hard storage limit in bytes, -1 for unlimited. */
export interface QuotasTable {
  id: Generated<number>;
  project_id: number;
  hard_storage: number;
  creation_time: Timestamp;
  update_time: Timestamp;
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
  /** The principal that opened the session (null: anonymous); upload limits count by it. */
  owner: string | null;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface PropertiesTable {
  k: string;
  v: string;
}

export interface UsersTable {
  id: Generated<number>;
  username: string;
  email: string | null;
  realname: Generated<string>;
  comment: Generated<string>;
  password_hash: string;
  sysadmin: Generated<number>;
  password_version: Generated<number>;
  creation_time: Timestamp;
  update_time: Timestamp;
}

export interface ProjectsTable {
  id: Generated<number>;
  name: string;
  owner_id: number | null;
  registry_id: number | null;
  creation_time: Timestamp;
  update_time: Timestamp;
}

export interface ProjectMetadataTable {
  project_id: number;
  name: string;
  value: string;
}

export interface ProjectMembersTable {
  id: Generated<number>;
  project_id: number;
  entity_id: number;
  /** 'u' user, 'g' group (Harbor's entity types). */
  entity_type: string;
  role: number;
  creation_time: Timestamp;
  update_time: Timestamp;
}

export interface RobotsTable {
  id: Generated<number>;
  /** The bare name; the login name adds `robot$` and, for project robots, `<project>+`. */
  name: string;
  description: Generated<string>;
  level: 'system' | 'project';
  project_id: Generated<number>;
  secret_hash: string;
  disabled: Generated<number>;
  /** Days; -1 never expires. */
  duration: number;
  /** Unix seconds; -1 never. */
  expires_at: number;
  /** JSON: Harbor's RobotPermission[]. */
  permissions: string;
  creator_ref: number | null;
  creation_time: Timestamp;
  update_time: Timestamp;
}

export interface AuditLogsTable {
  id: Generated<number>;
  project_id: Generated<number>;
  operation: string;
  resource_type: string;
  resource: string;
  username: string;
  op_time: Timestamp;
  client_ip: string | null;
  success: Generated<number>;
}

export interface SessionsTable {
  id_hash: string;
  user_id: number;
  csrf_token: string;
  expires_at: number;
  creation_time: Timestamp;
}

export interface LoginThrottleTable {
  throttle_key: string;
  failures: number;
  /** Unix milliseconds; 0 = not locked. */
  locked_until: number;
  /** Unix milliseconds after which the row counts for nothing. */
  expires_at: number;
}

/** One garbage collection run (Harbor's GC execution), with its counters. */
export interface GcRunsTable {
  id: Generated<number>;
  /** The job service's execution; null for a `berth gc` run. */
  execution_id: string | null;
  /** Harbor's job_kind: MANUAL or SCHEDULE. */
  kind: string;
  /** JSON: delete_untagged, dry_run, time_window, workers. */
  parameters: string;
  /** Harbor's job_status: Pending, Running, Success, Error, Stopped. */
  status: string;
  stop_requested: Generated<number>;
  blobs_marked: Generated<number>;
  blobs_total: Generated<number>;
  blobs_swept: Generated<number>;
  manifests_deleted: Generated<number>;
  freed_bytes: Generated<number>;
  /** The log of a `berth gc` run. */
  log: string | null;
  creation_time: Timestamp;
  update_time: Timestamp;
}

/** The one-run-at-a-time lease: holder '' when free. */
export interface GcLeaseTable {
  name: string;
  holder: string;
  expires_at: Timestamp;
}

export interface Database extends JobTables {
  properties: PropertiesTable;
  users: UsersTable;
  gc_runs: GcRunsTable;
  gc_lease: GcLeaseTable;
  projects: ProjectsTable;
  project_metadata: ProjectMetadataTable;
  project_members: ProjectMembersTable;
  robots: RobotsTable;
  audit_logs: AuditLogsTable;
  sessions: SessionsTable;
  login_throttle: LoginThrottleTable;
  repositories: RepositoriesTable;
  blobs: BlobsTable;
  repository_blobs: RepositoryBlobsTable;
  artifacts: ArtifactsTable;
  artifact_blobs: ArtifactBlobsTable;
  artifact_references: ArtifactReferencesTable;
  tags: TagsTable;
  uploads: UploadsTable;
  project_blobs: ProjectBlobsTable;
  project_storage: ProjectStorageTable;
  quotas: QuotasTable;
}

export type ArtifactRow = Selectable<ArtifactsTable>;
export type NewArtifact = Insertable<ArtifactsTable>;
export type TagRow = Selectable<TagsTable>;
export type UploadRow = Selectable<UploadsTable>;
export type GcRunRow = Selectable<GcRunsTable>;
