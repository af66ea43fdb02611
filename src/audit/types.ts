// What an audit entry holds (Harbor's audit log fields).

export type AuditOperation =
  'create' | 'delete' | 'update' | 'pull' | 'push' | 'login' | 'login_failed' | 'quota_exceeded' | 'quota_warning';

export interface AuditRecord {
  operation: AuditOperation;
  /** Harbor's resource types: project, repository, artifact, tag, member, robot, user, ... */
  resourceType: string;
  /** e.g. "library/hello:v1", "library/hello@sha256:…", a project or user name. */
  resource: string;
  username: string;
  projectId?: number;
  clientIp?: string;
  success?: boolean;
}
