import { PostgresAdapter, sql, type Expression, type SqlBool } from 'kysely';

// SQL that must mean the same on SQLite and PostgreSQL.

/** `%`, `_` and `\` are LIKE wildcards and the escape; a search for them means the characters. */
export function escapeLike(value: string): string {
  return value.replace(/[\\%_]/g, (c) => `\\${c}`);
}

/**
 * Harbor's fuzzy match (`q=name=~x`, beego's `__icontains`): `column` contains
 * `value`, ASCII letters compared without case. lower() folds only ASCII on both
 * SQLite and PostgreSQL's "C" collation, so both dialects answer alike.
 */
export function containsIgnoringCase(column: Expression<unknown>, value: string): Expression<SqlBool> {
  const pattern = `%${escapeLike(asciiLower(value))}%`;
  return sql<SqlBool>`lower(${column}) LIKE ${pattern} ESCAPE '\\'`;
}

function asciiLower(value: string): string {
  return value.replace(/[A-Z]/g, (c) => c.toLowerCase());
}

/** `column LIKE pattern` (pattern with its own wildcards), ASCII letters compared without case on both dialects. */
export function likeIgnoringCase(column: Expression<unknown>, pattern: string): Expression<SqlBool> {
  return sql<SqlBool>`lower(${column}) LIKE ${asciiLower(pattern)} ESCAPE '\\'`;
}

/**
 * Whether the database takes row locks (`SELECT … FOR UPDATE`): PostgreSQL does; SQLite
 * runs one writing transaction at a time, which serialises the same work without them.
 */
export function hasRowLocks(db: { getExecutor(): { adapter: unknown } }): boolean {
  return db.getExecutor().adapter instanceof PostgresAdapter;
}
