import type { Kysely } from 'kysely';
import type { Database } from '../db/index.js';
import type { Logger } from '../shared/logger.js';
import { isoNow, type Clock } from '../shared/clock.js';
import { generatePassword, hashSecret, passwordProblem } from '../auth/index.js';
import { roles } from './rbac.js';

// First start: the `admin` system administrator and the public project `library`.
// Runs on every start but acts once; a deleted `library` does not come back.

export interface BootstrapOptions {
  db: Kysely<Database>;
  clock: Clock;
  logger: Logger;
  adminPassword?: string;
}

export async function bootstrap({ db, clock, logger, adminPassword }: BootstrapOptions): Promise<void> {
  const done = await db.selectFrom('properties').select('v').where('k', '=', 'bootstrap.done').executeTakeFirst();
  if (done) return;
  const now = isoNow(clock);
  const password = adminPassword ?? generatePassword();
  const problem = passwordProblem(password);
  if (problem) throw new Error(`adminPassword: ${problem}`);
  const passwordHash = await hashSecret(password);

  const created = await db.transaction().execute(async (trx) => {
    const claimed = await trx
      .insertInto('properties')
      .values({ k: 'bootstrap.done', v: now })
      .onConflict((oc) => oc.column('k').doNothing())
      .executeTakeFirst();
    // Another replica got here first.
    if (Number(claimed.numInsertedOrUpdatedRows ?? 0) === 0) return false;
    const admin = await trx
      .insertInto('users')
      .values({
        username: 'admin',
        email: 'admin@example.com',
        realname: 'system admin',
        comment: 'admin user',
        password_hash: passwordHash,
        sysadmin: 1,
        creation_time: now,
        update_time: now,
      })
      .onConflict((oc) => oc.column('username').doNothing())
      .returning('id')
      .executeTakeFirst();
    const adminId =
      admin?.id ??
      (await trx.selectFrom('users').select('id').where('username', '=', 'admin').executeTakeFirstOrThrow()).id;
    const existing = await trx.selectFrom('projects').select('id').where('name', '=', 'library').executeTakeFirst();
    if (!existing) {
      const project = await trx
        .insertInto('projects')
        .values({ name: 'library', owner_id: adminId, registry_id: null, creation_time: now, update_time: now })
        .returning('id')
        .executeTakeFirstOrThrow();
      await trx
        .insertInto('project_metadata')
        .values({ project_id: project.id, name: 'public', value: 'true' })
        .execute();
      await trx
        .insertInto('project_members')
        .values({
          project_id: project.id,
          entity_id: adminId,
          entity_type: 'u',
          role: roles.projectAdmin,
          creation_time: now,
          update_time: now,
        })
        .execute();
    }
    return admin !== undefined;
  });
  if (created && adminPassword === undefined) {
    logger.warn(
      { username: 'admin', password },
      `first start: generated the password of 'admin': ${password} (shown once; set adminPassword or BERTH_ADMIN_PASSWORD to choose it)`,
    );
  }
}
