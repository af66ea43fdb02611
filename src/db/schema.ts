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

/** A tag immutability rule; `tag_filter` is Harbor's rule JSON without id and disabled. */
export interface ImmutableRulesTable {
  id: Generated<number>;
  project_id: number;
  priority: number;
  disabled: number;
  tag_filter: string;
  creation_time: Timestamp;
  update_time: Timestamp;
}

/** A label: global (scope 'g', no project) or of a project (scope 'p'). */
export interface LabelsTable {
  id: Generated<number>;
  name: string;
  description: string;
  color: string;
  scope: 'g' | 'p';
  project_id: number | null;
  creation_time: Timestamp;
  update_time: Timestamp;
}

/** Which artifacts carry which labels. */
export interface ArtifactLabelsTable {
  artifact_id: number;
  label_id: number;
  creation_time: Timestamp;
}

/** A project's tag retention policy: Harbor's RetentionPolicy as JSON. */
export interface RetentionPoliciesTable {
  id: Generated<number>;
  project_id: number;
  policy: string;
  creation_time: Timestamp;
  update_time: Timestamp;
}

/** One run of a retention policy. */
export interface RetentionExecutionsTable {
  id: Generated<number>;
  policy_id: number;
  job_id: string | null;
  status: string;
  trigger: string;
  dry_run: number;
  start_time: Timestamp;
  end_time: Timestamp | null;
}

/** What one run did in one repository, with its log. */
export interface RetentionTasksTable {
  id: Generated<number>;
  execution_id: number;
  repository: string;
  status: string;
  total: Generated<number>;
  retained: Generated<number>;
  start_time: Timestamp;
  end_time: Timestamp | null;
  log: Generated<string>;
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

/** A scanner registration (Harbor's scanner_registration); flags are 0/1. */
export interface ScannerRegistrationsTable {
  id: Generated<number>;
  uuid: string;
  name: string;
  description: string;
  url: string;
  auth: string;
  access_credential: string;
  skip_cert_verify: number;
  use_internal_addr: number;
  disabled: number;
  is_default: number;
  immutable: number;
  create_time: Timestamp;
  update_time: Timestamp;
}

/** A scan report (Harbor's scan_report): JSON summary and report, set when the scan is done. */
export interface ScanReportsTable {
  id: Generated<number>;
  uuid: string;
  digest: string;
  registration_uuid: string;
  mime_type: string;
  /** Harbor's job statuses: Pending, Running, Stopped, Error, Success. */
  status: string;
  job_id: string | null;
  start_time: Timestamp;
  end_time: Timestamp | null;
  summary: string | null;
  report: string | null;
  log: string | null;
}

/** One vulnerability of a successful vulnerability report (Harbor's vulnerability_record). */
export interface ScanVulnerabilitiesTable {
  id: Generated<number>;
  report_id: number;
  cve_id: string;
  package: string;
  version: string;
  fix_version: string;
  severity: string;
  /** The severity's rank: None 0, Unknown 1, Low 2, Medium 3, High 4, Critical 5. */
  severity_rank: number;
  cvss_score_v3: number | null;
  cvss_score_v2: number | null;
  cvss_vector_v3: string;
  cvss_vector_v2: string;
  /** Comma-separated, as Harbor's report gives them. */
  cwe_ids: string;
  description: string;
  /** JSON string[]. */
  links: string;
}

/** A CVE allowlist (Harbor's cve_allowlist): the system's has project_id 0; items is JSON string[]. */
export interface CveAllowlistsTable {
  id: Generated<number>;
  project_id: number;
  items: string;
  /** Seconds since the epoch; null: never expires. */
  expires_at: number | null;
  creation_time: Timestamp;
  update_time: Timestamp;
}

/** A scan-all run (Harbor's SCAN_ALL execution); trigger is MANUAL or SCHEDULE. */
export interface ScanAllExecutionsTable {
  id: Generated<number>;
  job_id: string | null;
  trigger: string;
  /** The walk's status: Pending, Running, Success, Error, Stopped. */
  status: string;
  stop_requested: Generated<number>;
  /** The last artifact id walked. */
  last_artifact_id: Generated<number>;
  artifacts: Generated<number>;
  skipped: Generated<number>;
  failed: Generated<number>;
  creation_time: Timestamp;
  update_time: Timestamp;
  end_time: Timestamp | null;
}

/** A scan report a scan-all run started, with its last known status. */
export interface ScanAllReportsTable {
  execution_id: number;
  report_uuid: string;
  job_id: string | null;
  status: string;
}

/** A CVE export (Harbor's SCAN_DATA_EXPORT execution); project_ids and criteria are JSON. */
export interface CveExportExecutionsTable {
  id: Generated<number>;
  user_id: number;
  user_name: string;
  job_name: string;
  project_ids: string;
  criteria: string;
  /** MANUAL, as Harbor's. */
  trigger: string;
  /** Pending, Running, Success, Error, Stopped. */
  status: string;
  status_text: string;
  job_id: string | null;
  file_path: string | null;
  file_digest: string | null;
  file_size: number | null;
  rows: Generated<number>;
  start_time: Timestamp;
  update_time: Timestamp;
  end_time: Timestamp | null;
}

/** The scanner a project picked instead of the system default. */
export interface ProjectScannersTable {
  project_id: number;
  registration_id: number;
}

/** An OSV advisory (the built-in scanner's database); lists are JSON text. */
export interface VulnAdvisoriesTable {
  /** OSV id ('DSA-5532-1', 'CVE-2023-5363', 'GHSA-…'). */
  id: string;
  /** OSV `modified`, as ISO 8601 UTC (a newer one replaces the row on import). */
  modified: Timestamp;
  published: Timestamp | null;
  /** Set when OSV withdrew it: kept, but never matched. */
  withdrawn: Timestamp | null;
  /** JSON string[]. */
  aliases: string;
  summary: string;
  details: string;
  /** Harbor's severity (model.ts Severity). */
  severity: string;
  cvss_v3_score: number | null;
  cvss_v3_vector: string | null;
  cvss_v2_score: number | null;
  cvss_v2_vector: string | null;
  /** JSON string[] ('CWE-79'). */
  cwe_ids: string;
  /** JSON string[] of reference URLs. */
  reference_urls: string;
}

/** One affected package of an advisory. */
export interface VulnAffectedTable {
  id: Generated<number>;
  advisory_id: string;
  /** OSV's ecosystem with its release as OSV gives it ('Debian:12', 'Alpine:v3.20', 'npm'). */
  ecosystem: string;
  package_name: string;
  /** JSON: OSV ranges ({ type, events }[]). */
  ranges: string;
  /** JSON string[]: the explicitly affected versions. */
  versions: string;
  /** JSON string[]: every `fixed` event's version. */
  fixed_versions: string;
}

/** One import of the vulnerability database. */
export interface VulnDbMetaTable {
  id: Generated<number>;
  imported_at: Timestamp;
  /** What was imported (the file or directory). */
  source: string;
  imported: number;
  updated: number;
  unchanged: number;
  skipped: number;
  withdrawn: number;
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
  immutable_rules: ImmutableRulesTable;
  labels: LabelsTable;
  artifact_labels: ArtifactLabelsTable;
  retention_policies: RetentionPoliciesTable;
  retention_executions: RetentionExecutionsTable;
  retention_tasks: RetentionTasksTable;
  scanner_registrations: ScannerRegistrationsTable;
  project_scanners: ProjectScannersTable;
  scan_reports: ScanReportsTable;
  scan_vulnerabilities: ScanVulnerabilitiesTable;
  scan_all_executions: ScanAllExecutionsTable;
  scan_all_reports: ScanAllReportsTable;
  cve_export_executions: CveExportExecutionsTable;
  cve_allowlists: CveAllowlistsTable;
  vuln_advisories: VulnAdvisoriesTable;
  vuln_affected: VulnAffectedTable;
  vuln_db_meta: VulnDbMetaTable;
}

export type ArtifactRow = Selectable<ArtifactsTable>;
export type NewArtifact = Insertable<ArtifactsTable>;
export type TagRow = Selectable<TagsTable>;
export type UploadRow = Selectable<UploadsTable>;
export type GcRunRow = Selectable<GcRunsTable>;
