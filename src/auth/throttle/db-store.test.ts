import { rmSync } from 'node:fs';
import { openDatabase, type Db } from '../../db/index.js';
import { tempDir } from '../../../test/helpers/berth.js';
import { dropPostgresDatabase, testDatabaseFor } from '../../../test/helpers/database.js';
import { createDbThrottleStore } from './db-store.js';
import { throttleStoreSuite } from './suite.js';

// The database store on SQLite, or on PostgreSQL with BERTH_TEST_DATABASE=postgres; each open() is a new connection.
const dir = tempDir('berth-throttle-');
const postgres = await testDatabaseFor(dir);
const url = postgres?.url ?? `sqlite://${dir}/berth.db`;
const dbs: Db[] = [];

throttleStoreSuite(postgres ? 'database (PostgreSQL)' : 'database (SQLite)', {
  async open() {
    const db = openDatabase(url);
    await db.migrate();
    dbs.push(db);
    return createDbThrottleStore(db.kysely);
  },
  async cleanup() {
    for (const db of dbs) await db.close();
    if (postgres) await dropPostgresDatabase(postgres.name);
    rmSync(dir, { recursive: true, force: true });
  },
});
