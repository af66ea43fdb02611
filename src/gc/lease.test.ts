import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase, type Db } from '../db/index.js';
import type { Clock } from '../shared/clock.js';
import {
  createPostgresDatabase,
  dropPostgresDatabase,
  postgresUnavailable,
  postgresUrl,
} from '../../test/helpers/database.js';
import { createLease, leaseMs } from './lease.js';

// The one-run-at-a-time lease on SQLite and PostgreSQL: one holder at a time, renewed by its
// holder only, taken over once expired (a holder that died), free again once released.

const skipPostgres = await postgresUnavailable();

for (const kind of ['sqlite', 'postgres'] as const) {
  describe(`garbage collection lease (${kind})`, { skip: kind === 'postgres' && skipPostgres }, () => {
    let db: Db;
    let dir: string;
    let pgName: string | undefined;
    let now = new Date('2026-01-01T00:00:00Z');
    const clock: Clock = { now: () => now };

    before(async () => {
      dir = mkdtempSync(join(tmpdir(), 'berth-gc-lease-'));
      pgName = kind === 'postgres' ? await createPostgresDatabase() : undefined;
      db = openDatabase(pgName ? postgresUrl(pgName) : `sqlite://${dir}/berth.db`);
      await db.migrate();
    });
    after(async () => {
      await db.close();
      if (pgName) await dropPostgresDatabase(pgName);
      rmSync(dir, { recursive: true, force: true });
    });

    test('one holder at a time; renewal, expiry and release', async () => {
      const lease = createLease(db.kysely, clock);
      assert.equal(await lease.current(), undefined);
      // Two runs racing for a free lease: exactly one gets it.
      const [a, b] = await Promise.all([lease.claim('gc-run-1'), lease.claim('gc-run-2')]);
      assert.equal(Number(a) + Number(b), 1);
      const [holder, other] = a ? ['gc-run-1', 'gc-run-2'] : ['gc-run-2', 'gc-run-1'];
      assert.equal((await lease.current())?.holder, holder);
      assert.equal(await lease.claim(holder), true, 'a retry of the same run takes its own lease again');
      assert.equal(await lease.renew(other), false);

      now = new Date(now.getTime() + leaseMs / 2);
      assert.equal(await lease.renew(holder), true);
      now = new Date(now.getTime() + leaseMs - 1000);
      assert.equal(await lease.claim(other), false, 'renewed: not expired yet');

      now = new Date(now.getTime() + 2000);
      assert.equal(await lease.current(), undefined, 'expired');
      assert.equal(await lease.claim(other), true, 'an expired lease is taken over');
      assert.equal(await lease.renew(holder), false, 'the old holder lost it');
      await lease.release(holder);
      assert.equal((await lease.current())?.holder, other, 'only the holder releases');
      await lease.release(other);
      assert.equal(await lease.current(), undefined);
      assert.equal(await lease.claim(holder), true);
    });
  });
}
