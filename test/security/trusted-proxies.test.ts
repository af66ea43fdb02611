import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { startTestBerth, type TestBerth } from '../helpers/berth.js';
import { api } from '../helpers/api.js';
import { uniqueName } from '../helpers/oci.js';
import { openDatabase } from '../../src/db/index.js';

// X-Forwarded-For decides the client address the login limiter and the audit log see:
// it is believed only from the proxies listed in http.trustedProxies.

async function failLogin(server: TestBerth, username: string, forwardedFor: string): Promise<number> {
  const res = await fetch(`${server.url}/c/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-forwarded-for': forwardedFor },
    body: new URLSearchParams({ principal: username, password: 'not-the-password' }).toString(),
  });
  await res.arrayBuffer();
  return res.status;
}

/** The client address of the user's login_failed entry, once the audit log has it. */
async function failedLoginAddress(server: TestBerth, username: string): Promise<string | null> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const listed = await api<{ operation: string; username: string }[]>(
      server,
      'GET',
      `/audit-logs?q=${encodeURIComponent(`operation=login_failed,username=${username}`)}`,
    );
    assert.equal(listed.status, 200);
    if (listed.body.length > 0) {
      // Harbor's audit entry has no client address field: read the stored row.
      const db = openDatabase(server.berth.config.database.url);
      try {
        const row = await db.kysely
          .selectFrom('audit_logs')
          .select('client_ip')
          .where('operation', '=', 'login_failed')
          .where('username', '=', username)
          .executeTakeFirstOrThrow();
        return row.client_ip;
      } finally {
        await db.close();
      }
    }
    await sleep(100);
  }
  throw new Error(`no login_failed entry for ${username}`);
}

const userName = () => uniqueName('proxy').replace(/^library\//, '');

test('without trusted proxies the audit log records the socket address, not X-Forwarded-For', async (t) => {
  const server = await startTestBerth();
  t.after(() => server.close());
  const username = userName();
  assert.equal(await failLogin(server, username, '1.2.3.4'), 401);
  assert.equal(await failedLoginAddress(server, username), '127.0.0.1');
});

test('with the proxy trusted, X-Forwarded-For names the client', async (t) => {
  const server = await startTestBerth({ http: { trustedProxies: ['127.0.0.1'] } });
  t.after(() => server.close());
  const username = userName();
  assert.equal(await failLogin(server, username, '1.2.3.4'), 401);
  assert.equal(await failedLoginAddress(server, username), '1.2.3.4');
});
