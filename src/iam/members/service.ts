import type { Kysely } from 'kysely';
import type { Database } from '../../db/index.js';
import { BerthError } from '../../shared/errors.js';
import { isoNow, type Clock } from '../../shared/clock.js';
import { principalName, type Authenticator } from '../../auth/index.js';
import type { AuditLog } from '../../audit/index.js';
import type { AccessControl } from '../access.js';
import { isRoleId, roleDisplayNames, type RoleId } from '../rbac.js';
import type { Actor } from '../projects/index.js';
import { createMemberRepo, type MemberRow } from './repo.js';

// Project members: who holds which of Harbor's five roles in a project (Harbor's
// src/controller/member/controller.go). Every change drops cached grants at once.

export interface Member {
  id: number;
  project_id: number;
  entity_id: number;
  entity_type: string;
  entity_name: string;
  role_id: number;
  role_name: string;
}

export interface ProjectOfMember {
  id: number;
  name: string;
}

function toMember(row: MemberRow): Member {
  return {
    id: row.id,
    project_id: row.project_id,
    entity_id: row.entity_id,
    entity_type: row.entity_type,
    entity_name: row.entity_name,
    role_id: row.role,
    role_name: isRoleId(row.role) ? roleDisplayNames[row.role] : '',
  };
}

/** Harbor's message for a role outside 1-5. */
function checkRole(role: unknown): RoleId {
  if (!isRoleId(role)) throw new BerthError('BAD_REQUEST', 'invalid role: must be a built-in project role (1-5)');
  return role;
}

export interface MemberServiceDeps {
  db: Kysely<Database>;
  clock: Clock;
  access: AccessControl;
  authenticator: Pick<Authenticator, 'forget'>;
  audit: AuditLog;
}

export function createMemberService({ db, clock, access, authenticator, audit }: MemberServiceDeps) {
  const repo = createMemberRepo(db);

  function changed(username: string): void {
    access.invalidate();
    authenticator.forget(username);
  }

  function record(
    actor: Actor,
    operation: 'create' | 'update' | 'delete',
    project: ProjectOfMember,
    member: string,
  ): Promise<void> {
    return audit.record({
      operation,
      resourceType: 'member',
      resource: `${project.name}:${member}`,
      username: principalName(actor.principal),
      projectId: project.id,
      clientIp: actor.clientIp,
    });
  }

  async function get(project: ProjectOfMember, id: number): Promise<Member> {
    const row = await repo.get(project.id, id);
    if (!row) throw new BerthError('NOT_FOUND', `member ${id} not found in project ${project.name}`);
    return toMember(row);
  }

  /** The user a ProjectMember body names by user_id or username; 400 when missing or unknown, as Harbor answers. */
  async function memberUser(body: Record<string, unknown>): Promise<{ id: number; username: string }> {
    const user = body.member_user;
    const group = body.member_group;
    if (typeof user !== 'object' || user === null) {
      if (group !== undefined && group !== null)
        throw new BerthError(
          'BAD_REQUEST',
          'user group members are not supported by this version of Berth; use member_user',
        );
      throw new BerthError('BAD_REQUEST', 'at least one of member_user or member_group must be provided');
    }
    const { user_id: userId, username } = user as Record<string, unknown>;
    if (typeof userId === 'number' && userId > 0) {
      const found = await repo.userById(userId);
      if (!found) throw new BerthError('BAD_REQUEST', `User ${userId} not found`);
      return found;
    }
    if (typeof username === 'string' && username !== '') {
      const found = await repo.userByName(username);
      if (!found) throw new BerthError('BAD_REQUEST', `User ${username.slice(0, 255)} not found`);
      return found;
    }
    throw new BerthError('BAD_REQUEST', 'member_user needs a user_id or a username');
  }

  return {
    get,

    async list(
      project: ProjectOfMember,
      entityName: string | undefined,
      page: { limit: number; offset: number },
    ): Promise<{ total: number; members: Member[] }> {
      const total = await repo.count(project.id, entityName);
      if (total === 0) return { total, members: [] };
      const rows = await repo.list(project.id, entityName, page.limit, page.offset);
      return { total, members: rows.map(toMember) };
    },

    /** Adds a user to the project with a role; 409 when the user is already a member. */
    async create(actor: Actor, project: ProjectOfMember, body: unknown): Promise<number> {
      if (typeof body !== 'object' || body === null || Array.isArray(body))
        throw new BerthError('BAD_REQUEST', 'the project member should be provided');
      const request = body as Record<string, unknown>;
      const user = await memberUser(request);
      const role = checkRole(request.role_id);
      const id = await repo.insert({ projectId: project.id, userId: user.id, role, now: isoNow(clock) });
      if (id === undefined) throw new BerthError('CONFLICT', 'The project member specified already exist');
      changed(user.username);
      await record(actor, 'create', project, user.username);
      return id;
    },

    async updateRole(actor: Actor, project: ProjectOfMember, id: number, body: unknown): Promise<void> {
      if (typeof body !== 'object' || body === null || Array.isArray(body))
        throw new BerthError('BAD_REQUEST', 'role can not be empty');
      const role = checkRole((body as Record<string, unknown>).role_id);
      const member = await get(project, id);
      await repo.updateRole(project.id, id, role, isoNow(clock));
      changed(member.entity_name);
      await record(actor, 'update', project, member.entity_name);
    },

    async remove(actor: Actor, project: ProjectOfMember, id: number): Promise<void> {
      const member = await get(project, id);
      await repo.remove(project.id, id);
      changed(member.entity_name);
      await record(actor, 'delete', project, member.entity_name);
    },
  };
}

export type MemberService = ReturnType<typeof createMemberService>;
