import type { ColumnDataType, ColumnDefinitionBuilder } from 'kysely';

/** What migrations need to know about the SQL dialect they run on. */
export interface Dialect {
  readonly name: 'sqlite' | 'postgres';
  readonly idType: ColumnDataType;
  idColumn(column: ColumnDefinitionBuilder): ColumnDefinitionBuilder;
  readonly binaryType: ColumnDataType;
}

export const sqliteDialect: Dialect = {
  name: 'sqlite',
  idType: 'integer',
  idColumn: (c) => c.primaryKey().autoIncrement(),
  binaryType: 'blob',
};

export const postgresDialect: Dialect = {
  name: 'postgres',
  idType: 'serial',
  idColumn: (c) => c.primaryKey(),
  binaryType: 'bytea',
};
