import { rmSync } from 'node:fs';
import { openDatabase, type Db } from '../../db/index.js';
import { systemClock, isoNow } from '../../shared/clock.js';
import { tempDir } from '../../../test/helpers/berth.js';
import { dropPostgresDatabase, testDatabaseFor } from '../../../test/helpers/database.js';
import { hashSecret } from '../passwords.js';
import { createDbProvider } from './db.js';
import { providerSuite } from './suite.js';

// The database provider on SQLite, or on PostgreSQL with BERTH_TEST_DATABASE=postgres.
const dir = tempDir('berth-provider-');
const postgres = await testDatabaseFor(dir);
let db: Db | undefined;

providerSuite(postgres ? 'database (PostgreSQL)' : 'database (SQLite)', {
  async open(users) {
    db = openDatabase(postgres?.url ?? `sqlite://${dir}/berth.db`);
    await db.migrate();
    for (const user of users) {
      await db.kysely
        .insertInto('users')
        .values({
          username: user.username,
          email: user.email,
          realname: user.realname,
          password_hash: await hashSecret(user.password),
          creation_time: isoNow(systemClock),
          update_time: isoNow(systemClock),
        })
        .execute();
    }
    return createDbProvider({ db: db.kysely, dummyHash: await hashSecret('dummy') });
  },
  async breakBackend() {
    await db?.close();
    db = undefined;
  },
  async cleanup() {
    await db?.close();
    if (postgres) await dropPostgresDatabase(postgres.name);
    rmSync(dir, { recursive: true, force: true });
  },
});
