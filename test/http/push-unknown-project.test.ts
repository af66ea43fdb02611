import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { adminAuthorization, startTestBerth, type TestBerth } from '../helpers/berth.js';
import { OciClient, expectError, randomBlob } from '../helpers/oci.js';

// A push into a project that does not exist says so, with Harbor's message
// ("project <name> not found", from its v2auth middleware), for a token and for Basic.

let server: TestBerth;
before(async () => {
  server = await startTestBerth();
});
after(() => server.close());

async function pushToken(repository: string): Promise<string> {
  const scope = `repository:${repository}:pull,push`;
  const res = await fetch(`${server.url}/service/token?service=harbor-registry&scope=${encodeURIComponent(scope)}`, {
    headers: { authorization: adminAuthorization },
  });
  assert.equal(res.status, 200);
  return ((await res.json()) as { token: string }).token;
}

for (const scheme of ['Basic', 'Bearer'] as const) {
  test(`${scheme}: blob upload and manifest PUT into a missing project answer DENIED "project nosuchproj not found"`, async () => {
    const repository = 'nosuchproj/app';
    const authorization = scheme === 'Basic' ? adminAuthorization : `Bearer ${await pushToken(repository)}`;
    const client = new OciClient(server.url, authorization);
    const post = await expectError(
      await client.fetch(`/v2/${repository}/blobs/uploads/`, { method: 'POST' }),
      403,
      'DENIED',
    );
    assert.equal(post.errors[0].message, 'project nosuchproj not found');
    const blob = randomBlob(16);
    const put = await expectError(
      await client.fetch(`/v2/${repository}/manifests/latest`, {
        method: 'PUT',
        headers: { 'content-type': 'application/vnd.oci.image.manifest.v1+json' },
        body: blob.bytes,
      }),
      403,
      'DENIED',
    );
    assert.equal(put.errors[0].message, 'project nosuchproj not found');
  });
}

test('a denied push into a project that exists keeps the plain DENIED message', async () => {
  // A user with no role in `library` may pull (it is public) but not push.
  const create = await fetch(`${server.url}/api/v2.0/users`, {
    method: 'POST',
    headers: { authorization: adminAuthorization, 'content-type': 'application/json' },
    body: JSON.stringify({ username: 'outsider', email: 'o@example.com', realname: 'O', password: 'Outsider12345' }),
  });
  assert.equal(create.status, 201);
  const client = new OciClient(server.url, `Basic ${Buffer.from('outsider:Outsider12345').toString('base64')}`);
  const body = await expectError(
    await client.fetch('/v2/library/app/blobs/uploads/', { method: 'POST' }),
    403,
    'DENIED',
  );
  assert.doesNotMatch(body.errors[0].message, /not found/);
});
