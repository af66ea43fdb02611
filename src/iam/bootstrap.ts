import type { Kysely } from 'kysely';
import type { Database } from '../db/index.js';
import type { Logger } from '../shared/logger.js';
import { isoNow, type Clock } from '../shared/clock.js';
import { generatePassword, hashSecret, passwordProblem, verifySecret } from '../auth/index.js';
import { BerthError } from '../shared/errors.js';
import { roles } from './rbac.js';

// First start: the `admin` system administrator and the public project `library`.
// Runs on every start but acts once; a deleted `library` does not come back.
// A generated admin password is kept (plain, in `properties`) until admin changes it or logs in to
// the portal, and printed on every start that listens until then: a failed first start cannot lose it.

const generatedPasswordKey = 'admin.generatedPassword';

export interface BootstrapOptions {
  db: Kysely<Database>;
  clock: Clock;
  logger: Logger;
  adminPassword?: string;
}

export async function bootstrap({ db, clock, logger, adminPassword }: BootstrapOptions): Promise<void> {
  const done = await db.selectFrom('properties').select('v').where('k', '=', 'bootstrap.done').executeTakeFirst();
  if (done) {
    if (adminPassword !== undefined) await warnIfIgnored(db, logger, adminPassword);
    return;
  }
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
    if (admin && adminPassword === undefined)
      await trx.insertInto('properties').values({ k: generatedPasswordKey, v: password }).execute();
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
  if (created && adminPassword === undefined)
    logger.info(
      { username: 'admin' },
      "first start: generated the password of 'admin'; it is printed once Berth listens",
    );
}

/** adminPassword only creates the admin: once admin exists, a different value changes nothing. */
async function warnIfIgnored(db: Kysely<Database>, logger: Logger, adminPassword: string): Promise<void> {
  const admin = await db.selectFrom('users').select('password_hash').where('username', '=', 'admin').executeTakeFirst();
  if (!admin || (await verifySecret(admin.password_hash, adminPassword))) return;
  logger.warn(
    { username: 'admin' },
    "adminPassword (BERTH_ADMIN_PASSWORD) is ignored: 'admin' already exists with another password; change it with `berth admin reset-password` or PUT /api/v2.0/users/{user_id}/password",
  );
}

/**
 * The generated admin password while admin still has it and has not logged in to the portal;
 * undefined (and forgotten) once admin changed it or logged in.
 */
export async function pendingAdminPassword(db: Kysely<Database>): Promise<string | undefined> {
  const row = await db.selectFrom('properties').select('v').where('k', '=', generatedPasswordKey).executeTakeFirst();
  if (!row) return undefined;
  const admin = await db
    .selectFrom('users')
    .select(['id', 'password_hash'])
    .where('username', '=', 'admin')
    .executeTakeFirst();
  const loggedIn =
    admin !== undefined &&
    (await db.selectFrom('sessions').select('user_id').where('user_id', '=', admin.id).executeTakeFirst()) !==
      undefined;
  if (admin && !loggedIn && (await verifySecret(admin.password_hash, row.v))) return row.v;
  await db.deleteFrom('properties').where('k', '=', generatedPasswordKey).execute();
  return undefined;
}

/** Sets admin's password (generated when not given), ends admin's portal sessions; returns the password set. */
export async function resetAdminPassword(
  db: Kysely<Database>,
  clock: Clock,
  password: string = generatePassword(),
): Promise<string> {
  const problem = passwordProblem(password);
  if (problem) throw new BerthError('BAD_REQUEST', `the new password: ${problem}`);
  const passwordHash = await hashSecret(password);
  await db.transaction().execute(async (trx) => {
    const admin = await trx.selectFrom('users').select('id').where('username', '=', 'admin').executeTakeFirst();
    if (!admin) throw new BerthError('NOT_FOUND', "there is no user 'admin' yet: start Berth once to create it");
    await trx
      .updateTable('users')
      .set((eb) => ({
        password_hash: passwordHash,
        password_version: eb('password_version', '+', 1),
        update_time: isoNow(clock),
      }))
      .where('id', '=', admin.id)
      .execute();
    await trx.deleteFrom('sessions').where('user_id', '=', admin.id).execute();
    await trx.deleteFrom('properties').where('k', '=', generatedPasswordKey).execute();
  });
  return password;
}
