import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { openDatabase, type Db } from '../db/index.js';
import { systemClock } from '../shared/clock.js';
import { createLogger } from '../shared/logger.js';
import { createLocalQueue } from './local-queue.js';
import { queueSuite, suiteRetryBaseMs } from './queue-suite.js';

// The local queue on a SQLite file: each open() is a new connection, as after a restart.
const dir = mkdtempSync(join(tmpdir(), 'berth-jobs-'));
const dbs: Db[] = [];

queueSuite('local (SQLite)', {
  async open(catalogue) {
    const db = openDatabase(`sqlite://${join(dir, 'berth.db')}`);
    await db.migrate();
    dbs.push(db);
    const queue = createLocalQueue({
      db: db.kysely,
      catalogue,
      clock: systemClock,
      logger: createLogger('silent'),
      pollMs: 50,
      staleMs: 2000,
      retryBaseMs: suiteRetryBaseMs,
    });
    return {
      ...queue,
      async close(graceMs) {
        await queue.close(graceMs);
      },
    };
  },
  async cleanup() {
    for (const db of dbs) await db.close();
    rmSync(dir, { recursive: true, force: true });
  },
});
