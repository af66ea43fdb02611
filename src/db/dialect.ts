import { sql, type ColumnDataType, type ColumnDefinitionBuilder, type Expression } from 'kysely';

/** What migrations need to know about the SQL dialect they run on. */
export interface Dialect {
  readonly name: 'sqlite' | 'postgres';
  readonly idType: ColumnDataType;
  idColumn(column: ColumnDefinitionBuilder): ColumnDefinitionBuilder;
  readonly binaryType: ColumnDataType;
  /**
   * A string column that compares and sorts by bytes on every dialect (SQLite's
   * BINARY; COLLATE "C" on PostgreSQL, whatever the database's locale). Use it for
   * every string column so ORDER BY, `>` paging and lower() agree across dialects.
   */
  varchar(length: number): ColumnDataType | Expression<unknown>;
  readonly text: ColumnDataType | Expression<unknown>;
}

export const sqliteDialect: Dialect = {
  name: 'sqlite',
  idType: 'integer',
  idColumn: (c) => c.primaryKey().autoIncrement(),
  binaryType: 'blob',
  varchar: (length) => `varchar(${length})`,
  text: 'text',
};

export const postgresDialect: Dialect = {
  name: 'postgres',
  idType: 'serial',
  idColumn: (c) => c.primaryKey(),
  binaryType: 'bytea',
  varchar: (length) => sql`varchar(${sql.raw(String(length))}) collate "C"`,
  text: sql`text collate "C"`,
};
