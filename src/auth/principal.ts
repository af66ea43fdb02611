// Who is making a request. Authentication produces one; authorisation asks it questions.

export interface RobotAccess {
  resource: string;
  action: string;
  effect?: 'allow' | 'deny';
}

/** Harbor's robot permission: `kind` project (namespace = project name or "*") or system (namespace "/"). */
export interface RobotPermission {
  kind: 'project' | 'system';
  namespace: string;
  access: RobotAccess[];
}

export type Principal =
  | { kind: 'anonymous' }
  | { kind: 'user'; id: number; username: string; sysadmin: boolean }
  | {
      kind: 'robot';
      id: number;
      name: string;
      level: 'system' | 'project';
      projectId: number;
      permissions: RobotPermission[];
    };

export const anonymous: Principal = { kind: 'anonymous' };

/** The name a principal logs in with and appears under in tokens and audit logs. */
export function principalName(principal: Principal): string {
  if (principal.kind === 'anonymous') return 'anonymous';
  if (principal.kind === 'user') return principal.username;
  return principal.name;
}

export const robotPrefix = 'robot$';
