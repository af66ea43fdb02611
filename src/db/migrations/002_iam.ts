import { sql, type Kysely } from 'kysely';
import type { Dialect } from '../dialect.js';

// Identity and access: users, projects with metadata, members, robot accounts, the
// audit log, portal sessions and system properties (the token signing key). Existing
// repositories are attached to a project named after their first path segment.
export function identityAndAccess(dialect: Dialect) {
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .createTable('properties')
        .addColumn('k', dialect.varchar(255), (c) => c.primaryKey())
        .addColumn('v', dialect.text, (c) => c.notNull())
        .execute();

      await db.schema
        .createTable('users')
        .addColumn('id', dialect.idType, (c) => dialect.idColumn(c))
        .addColumn('username', dialect.varchar(255), (c) => c.notNull().unique())
        .addColumn('email', dialect.varchar(255))
        .addColumn('realname', dialect.varchar(255), (c) => c.notNull().defaultTo(''))
        .addColumn('comment', dialect.varchar(255), (c) => c.notNull().defaultTo(''))
        .addColumn('password_hash', dialect.text, (c) => c.notNull())
        .addColumn('sysadmin', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('password_version', 'integer', (c) => c.notNull().defaultTo(1))
        .addColumn('creation_time', dialect.varchar(32), (c) => c.notNull())
        .addColumn('update_time', dialect.varchar(32), (c) => c.notNull())
        .execute();
      await db.schema.createIndex('users_email').on('users').column('email').unique().execute();

      await db.schema
        .createTable('projects')
        .addColumn('id', dialect.idType, (c) => dialect.idColumn(c))
        .addColumn('name', dialect.varchar(255), (c) => c.notNull().unique())
        .addColumn('owner_id', 'integer')
        .addColumn('registry_id', 'integer')
        .addColumn('creation_time', dialect.varchar(32), (c) => c.notNull())
        .addColumn('update_time', dialect.varchar(32), (c) => c.notNull())
        .execute();

      await db.schema
        .createTable('project_metadata')
        .addColumn('project_id', 'integer', (c) => c.notNull().references('projects.id').onDelete('cascade'))
        .addColumn('name', dialect.varchar(255), (c) => c.notNull())
        .addColumn('value', dialect.varchar(255), (c) => c.notNull())
        .addPrimaryKeyConstraint('project_metadata_pk', ['project_id', 'name'])
        .execute();

      await db.schema
        .createTable('project_members')
        .addColumn('id', dialect.idType, (c) => dialect.idColumn(c))
        .addColumn('project_id', 'integer', (c) => c.notNull().references('projects.id').onDelete('cascade'))
        .addColumn('entity_id', 'integer', (c) => c.notNull())
        .addColumn('entity_type', dialect.varchar(1), (c) => c.notNull())
        .addColumn('role', 'integer', (c) => c.notNull())
        .addColumn('creation_time', dialect.varchar(32), (c) => c.notNull())
        .addColumn('update_time', dialect.varchar(32), (c) => c.notNull())
        .addUniqueConstraint('project_members_entity', ['project_id', 'entity_id', 'entity_type'])
        .execute();
      await db.schema
        .createIndex('project_members_entity_idx')
        .on('project_members')
        .columns(['entity_type', 'entity_id'])
        .execute();

      await db.schema
        .createTable('robots')
        .addColumn('id', dialect.idType, (c) => dialect.idColumn(c))
        .addColumn('name', dialect.varchar(255), (c) => c.notNull())
        .addColumn('description', dialect.varchar(1024), (c) => c.notNull().defaultTo(''))
        .addColumn('level', dialect.varchar(16), (c) => c.notNull())
        .addColumn('project_id', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('secret_hash', dialect.text, (c) => c.notNull())
        .addColumn('disabled', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('duration', 'integer', (c) => c.notNull())
        .addColumn('expires_at', 'bigint', (c) => c.notNull())
        .addColumn('permissions', dialect.text, (c) => c.notNull())
        .addColumn('creator_ref', 'integer')
        .addColumn('creation_time', dialect.varchar(32), (c) => c.notNull())
        .addColumn('update_time', dialect.varchar(32), (c) => c.notNull())
        .addUniqueConstraint('robots_name_project', ['name', 'project_id'])
        .execute();

      await db.schema
        .createTable('audit_logs')
        .addColumn('id', dialect.idType, (c) => dialect.idColumn(c))
        .addColumn('project_id', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('operation', dialect.varchar(32), (c) => c.notNull())
        .addColumn('resource_type', dialect.varchar(255), (c) => c.notNull())
        .addColumn('resource', dialect.varchar(1024), (c) => c.notNull())
        .addColumn('username', dialect.varchar(255), (c) => c.notNull())
        .addColumn('op_time', dialect.varchar(32), (c) => c.notNull())
        .addColumn('client_ip', dialect.varchar(64))
        .addColumn('success', 'integer', (c) => c.notNull().defaultTo(1))
        .execute();
      await db.schema
        .createIndex('audit_logs_project_time')
        .on('audit_logs')
        .columns(['project_id', 'op_time'])
        .execute();
      await db.schema.createIndex('audit_logs_time').on('audit_logs').column('op_time').execute();

      await db.schema
        .createTable('sessions')
        .addColumn('id_hash', dialect.varchar(64), (c) => c.primaryKey())
        .addColumn('user_id', 'integer', (c) => c.notNull().references('users.id').onDelete('cascade'))
        .addColumn('csrf_token', dialect.varchar(64), (c) => c.notNull())
        .addColumn('expires_at', 'bigint', (c) => c.notNull())
        .addColumn('creation_time', dialect.varchar(32), (c) => c.notNull())
        .execute();

      await db.schema.alterTable('repositories').addColumn('project_id', 'integer').execute();
      await db.schema
        .alterTable('repositories')
        .addColumn('description', dialect.text, (c) => c.notNull().defaultTo(''))
        .execute();
      await db.schema
        .alterTable('repositories')
        .addColumn('pull_count', 'bigint', (c) => c.notNull().defaultTo(0))
        .execute();
      await db.schema.createIndex('repositories_project').on('repositories').column('project_id').execute();

      // Repositories pushed before projects existed join a project named after their first segment.
      const now = new Date().toISOString();
      const firstSegment =
        dialect.name === 'sqlite'
          ? sql<string>`CASE WHEN instr(name, '/') > 0 THEN substr(name, 1, instr(name, '/') - 1) ELSE name END`
          : sql<string>`split_part(name, '/', 1)`;
      await sql`INSERT INTO projects (name, creation_time, update_time)
        SELECT DISTINCT ${firstSegment}, ${now}, ${now} FROM repositories`.execute(db);
      await sql`UPDATE repositories SET project_id = (SELECT p.id FROM projects p WHERE p.name = ${firstSegment})`.execute(
        db,
      );
    },
  };
}
