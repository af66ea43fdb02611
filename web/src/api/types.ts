import type * as harbor from './harbor.gen';

// Harbor's JSON as Berth serves it. The types come from Harbor's swagger (harbor.gen.ts, npm run gen:types);
// this file only names them for the portal and says which of their optional fields Berth always sends.

/**
 * T with the fields K required. Harbor's swagger marks almost every field optional; Berth's serializers
 * (src/artifacts/view.ts, src/api/v2/) always send these, and the portal builds links, keys and labels from them.
 */
type Sent<T, K extends keyof T> = T & Required<Pick<T, K>>;

/** Harbor's UserResp (GET /users/current, /users); Berth always sends the id, name and admin flag. */
export type User = Sent<harbor.UserResp, 'user_id' | 'username' | 'sysadmin_flag'>;
/** Harbor's UserResp as the admin's user list shows it. */
export type UserEntry = User;

/** Harbor's GeneralInfo (GET /systeminfo); every field optional, as in Harbor. */
export type SystemInfo = harbor.GeneralInfo;

/** Harbor's Project; Berth always sends the id, name and the caller's highest role (0 for none). */
export type Project = Sent<harbor.Project, 'project_id' | 'name' | 'current_user_role_id'>;

/** Harbor's ProjectSummary; Berth always sends repo_count, the member counts only to who may list members. */
export type ProjectSummary = Sent<harbor.ProjectSummary, 'repo_count'>;

/** Harbor's Repository; Berth always sends the id and the full name. */
export type Repository = Sent<harbor.Repository, 'id' | 'name'>;

/** Harbor's Tag; Berth always sends the id and name. */
export type Tag = Sent<harbor.Tag, 'id' | 'name'>;

/** Harbor's Reference (an index's child); Berth always sends the child's digest. */
export type Reference = Sent<harbor.Reference, 'parent_id' | 'child_digest'>;

/** Harbor's Artifact, with its tags and references as above; Berth always sends what identifies and sizes it. */
export type Artifact = Sent<
  Omit<harbor.Artifact, 'tags' | 'references' | 'labels'>,
  'id' | 'type' | 'media_type' | 'manifest_media_type' | 'artifact_type' | 'repository_name' | 'digest' | 'size'
> & { tags?: Tag[]; references?: Reference[]; labels?: Label[] };

/** Harbor's Label; Berth always sends every field (project_id 0 for a global label). */
export type Label = Sent<
  harbor.Label,
  'id' | 'name' | 'description' | 'color' | 'scope' | 'project_id' | 'creation_time' | 'update_time'
>;

/** Harbor's ProjectMemberEntity; Berth always sends the id, the user's name and the role. */
export type Member = Sent<harbor.ProjectMemberEntity, 'id' | 'entity_name' | 'role_id'>;

/** Harbor's Access (one resource and action of a robot's permission). */
export type RobotAccess = Sent<harbor.Access, 'resource' | 'action'>;

/** Harbor's RobotPermission; the portal both reads and writes all three fields. */
export type RobotPermission = Sent<Omit<harbor.RobotPermission, 'access'>, 'kind' | 'namespace'> & {
  access: RobotAccess[];
};

/** Harbor's Robot; Berth always sends the id, name, expiry and permissions (never the secret). */
export type Robot = Sent<Omit<harbor.Robot, 'permissions'>, 'id' | 'name' | 'expires_at'> & {
  permissions: RobotPermission[];
};

/** Harbor's RobotCreated: the one answer that carries the secret. */
export type RobotCreated = Sent<harbor.RobotCreated, 'id' | 'name' | 'secret'>;

/** Harbor's AuditLog (GET /audit-logs, /projects/{name}/logs); every field optional, as in Harbor. */
export type AuditLogEntry = harbor.AuditLog;

/** Harbor's ConfigurationsResponse (GET /configurations): mostly {value, editable} items by key. */
export type Configurations = harbor.ConfigurationsResponse;

/** Harbor's Permission (GET /users/current/permissions): one resource and action the caller may use. */
export type Permission = Sent<harbor.Permission, 'resource' | 'action'>;

/** Harbor's Accessory (a signature, SBOM or other artifact attached to a subject); Berth always sends these. */
export type Accessory = Sent<harbor.Accessory, 'id' | 'digest' | 'size' | 'type'>;

/** Harbor's ImmutableSelector (doublestar); Berth always sends all three. */
export type ImmutableSelector = Sent<harbor.ImmutableSelector, 'kind' | 'decoration' | 'pattern'>;

/** Harbor's ImmutableRule; Berth always sends the id, the switch and one selector of each kind. */
export type ImmutableRule = Sent<
  Omit<harbor.ImmutableRule, 'tag_selectors' | 'scope_selectors'>,
  'id' | 'disabled' | 'action' | 'template'
> & { tag_selectors: ImmutableSelector[]; scope_selectors: { repository: ImmutableSelector[] } };

/** Harbor's RetentionSelector (doublestar); `extras` is JSON such as {"untagged":true}. */
export type RetentionSelector = Sent<harbor.RetentionSelector, 'kind' | 'decoration' | 'pattern'>;

/** Harbor's RetentionRule; Berth always sends the id, switch, template and one selector of each kind. */
export type RetentionRule = Sent<
  Omit<harbor.RetentionRule, 'params' | 'tag_selectors' | 'scope_selectors'>,
  'id' | 'disabled' | 'action' | 'template'
> & {
  /** The template's number by the template's name ({"latestPushedK": 10}); the swagger types it loosely. */
  params?: Record<string, unknown>;
  tag_selectors: RetentionSelector[];
  scope_selectors: { repository: RetentionSelector[] };
};

/** Harbor's RetentionPolicy; Berth always sends the rules, the trigger (its cron) and the project. */
export type RetentionPolicy = Sent<Omit<harbor.RetentionPolicy, 'rules' | 'trigger' | 'scope'>, 'algorithm'> & {
  id?: number;
  rules: RetentionRule[];
  trigger: { kind: string; settings?: { cron?: string } };
  scope: { level: string; ref: number };
};

/** Harbor's RetentionMetadata (GET /retentions/metadatas): the templates with their parameter units. */
export type RetentionMetadata = harbor.RetentionMetadata;

/** Harbor's RetentionExecution; Berth always sends all of it (end_time empty while it runs). */
export type RetentionExecution = Required<harbor.RetentionExecution>;

/** Harbor's RetentionExecutionTask: one repository of a run, how many artifacts it looked at and kept. */
export type RetentionTask = Sent<harbor.RetentionExecutionTask, 'id' | 'repository' | 'status' | 'total' | 'retained'>;

/** Berth's (not in Harbor's swagger, where role ids are plain integers): Harbor's project roles in rank order. */
export const projectRoles = [1, 4, 2, 3, 5] as const;
export type ProjectRoleId = (typeof projectRoles)[number];

/** Berth's (not in Harbor's swagger): a never-pulled artifact's pull_time (Go's zero time, as Harbor sends it). */
export const neverPulled = '0001-01-01T00:00:00.000Z';

/**
 * Hand-written (not in Harbor's swagger, which types the addition as a plain string): one step of an image's
 * build history, the OCI image config's history entry that the additions/build_history body lists.
 */
export interface HistoryStep {
  created?: string;
  created_by?: string;
  comment?: string;
  empty_layer?: boolean;
}
