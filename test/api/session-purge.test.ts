import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { openDatabase } from '../../src/db/index.js';
import { adminPassword, api, startApiBerth } from '../helpers/api.js';

// SESSION_PURGE: expired portal sessions were refused but kept for ever; the job that
// the sessions feature declares (with its hourly schedule) deletes them and only them.

test('SESSION_PURGE deletes expired portal sessions and keeps live ones', async (t) => {
  const server = await startApiBerth();
  const db = openDatabase(server.berth.config.database.url!);
  t.after(async () => {
    await db.close();
    await server.close();
  });

  const login = await fetch(`${server.url}/c/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ principal: 'admin', password: adminPassword }).toString(),
  });
  assert.equal(login.status, 200);
  const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0];
  const admin = await db.kysely
    .selectFrom('users')
    .select('id')
    .where('username', '=', 'admin')
    .executeTakeFirstOrThrow();
  const expired = Array.from({ length: 3 }, (_, i) => ({
    id_hash: createHash('sha256').update(`expired-${i}`).digest('hex'),
    user_id: admin.id,
    csrf_token: `csrf-${i}`,
    expires_at: Date.now() - 60_000,
    creation_time: new Date(Date.now() - 7_200_000).toISOString(),
  }));
  await db.kysely.insertInto('sessions').values(expired).execute();
  const count = async () =>
    Number(
      (
        await db.kysely
          .selectFrom('sessions')
          .select((eb) => eb.fn.countAll().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    );
  assert.equal(await count(), 4);

  const schedules = await api<{ vendor_type: string; cron: string }[]>(server, 'GET', '/schedules');
  assert.ok(
    schedules.body.some((s) => s.vendor_type === 'SESSION_PURGE'),
    JSON.stringify(schedules.body),
  );

  const execution = await server.berth.jobs.queue.enqueue('SESSION_PURGE', {});
  const deadline = Date.now() + 10_000;
  let status = execution.status;
  while (status !== 'success' && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 50));
    status = (await server.berth.jobs.queue.get(execution.id))?.status ?? 'pending';
  }
  assert.equal(status, 'success');
  assert.match((await server.berth.jobs.queue.log(execution.id)) ?? '', /purged 3 expired portal session/);
  assert.equal(await count(), 1);
  const me = await api(server, 'GET', '/users/current', { auth: null, headers: { cookie } });
  assert.equal(me.status, 200, 'the live session still works');
});
