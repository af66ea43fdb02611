import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { adminAuthorization, startTestBerth, type TestBerth } from '../helpers/berth.js';
import { OciClient, expectError, randomBlob, uniqueName } from '../helpers/oci.js';

// Upload sessions are bounded per user and per repository (registry.uploads.*): the
// session past a limit, and a chunk past a scratch limit, answer 429 TOOMANYREQUESTS naming
// the limit; finishing or cancelling a session frees its slot; other users are unaffected.

let server: TestBerth;
let admin: OciClient;
let other: OciClient;

before(async () => {
  server = await startTestBerth({
    registry: {
      uploads: {
        maxSessionsPerUser: 3,
        maxSessionsPerRepository: 5,
        maxScratchBytesPerUser: 100_000,
        maxScratchBytesPerRepository: 0,
      },
    },
  });
  admin = new OciClient(server.url);
  const res = await fetch(`${server.url}/api/v2.0/users`, {
    method: 'POST',
    headers: { authorization: adminAuthorization, 'content-type': 'application/json' },
    body: JSON.stringify({ username: 'pusher', email: 'p@example.com', realname: 'P', password: 'Pusher123456' }),
  });
  assert.equal(res.status, 201);
  const member = await fetch(`${server.url}/api/v2.0/projects/library/members`, {
    method: 'POST',
    headers: { authorization: adminAuthorization, 'content-type': 'application/json' },
    body: JSON.stringify({ role_id: 2, member_user: { username: 'pusher' } }),
  });
  assert.equal(member.status, 201);
  other = new OciClient(server.url, `Basic ${Buffer.from('pusher:Pusher123456').toString('base64')}`);
});
after(() => server.close());

async function cancelAll(client: OciClient, locations: string[]) {
  for (const location of locations) assert.equal((await client.send('DELETE', location)).status, 204);
}

test('the session past maxSessionsPerUser answers 429 TOOMANYREQUESTS naming the limit; others are unaffected', async () => {
  const repo = uniqueName();
  const open = [await admin.startUpload(repo), await admin.startUpload(repo), await admin.startUpload(repo)];
  const refused = await expectError(
    await admin.fetch(`/v2/${repo}/blobs/uploads/`, { method: 'POST' }),
    429,
    'TOOMANYREQUESTS',
  );
  assert.match(refused.errors[0].message, /maxSessionsPerUser/);
  // A monolithic upload is a session too.
  const blob = randomBlob(32);
  await expectError(
    await admin.fetch(`/v2/${repo}/blobs/uploads/?digest=${blob.digest}`, { method: 'POST', body: blob.bytes }),
    429,
    'TOOMANYREQUESTS',
  );
  const theirs = await other.startUpload(uniqueName());
  await cancelAll(other, [theirs]);
  await cancelAll(admin, open);
});

test('a cancelled or finished session frees its slot', async () => {
  const repo = uniqueName();
  const open = [await admin.startUpload(repo), await admin.startUpload(repo), await admin.startUpload(repo)];
  await cancelAll(admin, [open.shift() as string]);
  open.push(await admin.startUpload(repo));
  const blob = randomBlob(64);
  const finishing = open.shift() as string;
  const url = new URL(finishing, server.url);
  url.searchParams.set('digest', blob.digest);
  const done = await admin.fetch(url.toString(), { method: 'PUT', body: blob.bytes });
  await done.arrayBuffer();
  assert.equal(done.status, 201);
  open.push(await admin.startUpload(repo));
  await expectError(await admin.fetch(`/v2/${repo}/blobs/uploads/`, { method: 'POST' }), 429, 'TOOMANYREQUESTS');
  await cancelAll(admin, open);
});

test('the session past maxSessionsPerRepository is refused whoever opens it', async () => {
  const repo = uniqueName();
  const mine = [await admin.startUpload(repo), await admin.startUpload(repo), await admin.startUpload(repo)];
  const theirs = [await other.startUpload(repo), await other.startUpload(repo)];
  const refused = await expectError(
    await other.fetch(`/v2/${repo}/blobs/uploads/`, { method: 'POST' }),
    429,
    'TOOMANYREQUESTS',
  );
  assert.match(refused.errors[0].message, /maxSessionsPerRepository/);
  await cancelAll(admin, mine);
  await cancelAll(other, theirs);
});

test('a PATCH past maxScratchBytesPerUser answers 429 and stores nothing past the limit; other users go on', async () => {
  const repo = uniqueName();
  const a = await admin.startUpload(repo);
  const b = await admin.startUpload(repo);
  const chunk = (n: number) => randomBlob(n).bytes;
  const first = await admin.fetch(a, { method: 'PATCH', body: chunk(60_000) });
  await first.arrayBuffer();
  assert.equal(first.status, 202);
  const declared = await expectError(
    await admin.fetch(b, { method: 'PATCH', body: chunk(60_000) }),
    429,
    'TOOMANYREQUESTS',
  );
  assert.match(declared.errors[0].message, /maxScratchBytesPerUser/);
  // A streamed chunk (no Content-Length) is cut at the limit.
  const streamed = await admin.fetch(b, {
    method: 'PATCH',
    body: new ReadableStream({
      start(controller) {
        for (let i = 0; i < 6; i++) controller.enqueue(chunk(10_000));
        controller.close();
      },
    }),
    duplex: 'half',
  });
  await expectError(streamed, 429, 'TOOMANYREQUESTS');
  const status = await admin.send('GET', b);
  assert.ok(Number((status.headers.get('range') ?? '0-0').split('-')[1]) < 40_000, status.headers.get('range') ?? '');
  const theirs = await other.startUpload(repo);
  const ok = await other.fetch(theirs, { method: 'PATCH', body: chunk(60_000) });
  await ok.arrayBuffer();
  assert.equal(ok.status, 202);
  await cancelAll(admin, [a, b]);
  await cancelAll(other, [theirs]);
  // With the scratch freed, the same PATCH goes through.
  const c = await admin.startUpload(repo);
  const again = await admin.fetch(c, { method: 'PATCH', body: chunk(60_000) });
  await again.arrayBuffer();
  assert.equal(again.status, 202);
  await cancelAll(admin, [c]);
});
