// Harbor's JSON as Berth serves it (reference/harbor-swagger.yaml definitions).

export interface User {
  user_id: number;
  username: string;
  email?: string;
  realname?: string;
  sysadmin_flag: boolean;
}

export interface SystemInfo {
  harbor_version: string;
  external_url?: string;
  registry_url?: string;
}

export interface Project {
  project_id: number;
  name: string;
  owner_name?: string;
  creation_time: string;
  update_time: string;
  repo_count: number;
  current_user_role_id: number;
  metadata?: { public?: string };
}

export interface Repository {
  id: number;
  project_id: number;
  name: string;
  description: string;
  artifact_count: number;
  pull_count: number;
  creation_time: string;
  update_time: string;
}

export interface Tag {
  id: number;
  name: string;
  push_time: string;
  pull_time: string;
}

export interface Reference {
  parent_id: number;
  child_id?: number;
  child_digest: string;
  platform?: { os?: string; architecture?: string; variant?: string; 'os.version'?: string };
  annotations?: Record<string, string>;
}

export interface Artifact {
  id: number;
  type: string;
  media_type: string;
  manifest_media_type: string;
  artifact_type: string;
  repository_name: string;
  digest: string;
  size: number;
  push_time: string;
  pull_time: string;
  extra_attrs: Record<string, unknown>;
  annotations: Record<string, string>;
  references: Reference[] | null;
  tags?: Tag[] | null;
}

export interface Member {
  id: number;
  project_id: number;
  entity_name: string;
  entity_type: string;
  entity_id: number;
  role_id: number;
  role_name: string;
}

export interface RobotAccess {
  resource: string;
  action: string;
}

export interface RobotPermission {
  kind: 'project' | 'system';
  namespace: string;
  access: RobotAccess[];
}

export interface Robot {
  id: number;
  name: string;
  description: string;
  level: 'project' | 'system';
  duration: number;
  disable: boolean;
  expires_at: number;
  permissions: RobotPermission[];
  creation_time: string;
}

export interface RobotCreated {
  id: number;
  name: string;
  secret: string;
  expires_at: number;
}

/** Harbor's project roles (role_id). */
export const projectRoles = [1, 4, 2, 3, 5] as const;
export type ProjectRoleId = (typeof projectRoles)[number];
/** A never-pulled artifact's pull_time (Go's zero time). */
export const neverPulled = '0001-01-01T00:00:00.000Z';

/** Harbor's UserResp as the admin's user list shows it. */
export interface UserEntry extends User {
  comment?: string;
  creation_time: string;
  update_time: string;
}

export interface AuditLogEntry {
  id: number;
  username: string;
  resource: string;
  resource_type: string;
  operation: string;
  op_time: string;
}

/** GET /configurations: each key's value and whether it may be changed. */
export type Configurations = Record<string, { value: unknown; editable: boolean }>;

/** Harbor's Accessory: a signature, SBOM or other artifact attached to a subject. */
export interface Accessory {
  id: number;
  artifact_id: number;
  subject_artifact_id?: number;
  subject_artifact_digest?: string;
  subject_artifact_repo?: string;
  size: number;
  digest: string;
  type: string;
  icon?: string;
  creation_time: string;
}

/** One step of an image's build history (the additions/build_history body). */
export interface HistoryStep {
  created?: string;
  created_by?: string;
  comment?: string;
  empty_layer?: boolean;
}
