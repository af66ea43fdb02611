import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startTestBerth, type TestBerth } from '../helpers/berth.js';
import { OciClient, expectError, mediaTypes, randomBlob, rawRequest, uniqueName } from '../helpers/oci.js';

// Distribution spec "Pulling manifests" (<name> grammar), "Error codes", and what every
// /v2 response must carry: the API version header, and a spec error envelope instead of
// a framework error or a 500.

const specCodes = new Set([
  'BLOB_UNKNOWN',
  'BLOB_UPLOAD_INVALID',
  'BLOB_UPLOAD_UNKNOWN',
  'DIGEST_INVALID',
  'MANIFEST_BLOB_UNKNOWN',
  'MANIFEST_INVALID',
  'MANIFEST_UNKNOWN',
  'NAME_INVALID',
  'NAME_UNKNOWN',
  'SIZE_INVALID',
  'UNAUTHORIZED',
  'DENIED',
  'UNSUPPORTED',
  'TOOMANYREQUESTS',
  // distribution/distribution extras that clients also understand.
  'TAG_INVALID',
  'RANGE_INVALID',
  'PAGINATION_NUMBER_INVALID',
]);

let server: TestBerth;
let client: OciClient;
before(async () => {
  server = await startTestBerth();
  client = new OciClient(server.url);
});
after(() => server.close());

test('GET and HEAD /v2/ answer 200 with Docker-Distribution-API-Version: registry/2.0', async () => {
  for (const path of ['/v2/', '/v2']) {
    const res = await client.fetch(path);
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('docker-distribution-api-version'), 'registry/2.0');
    assert.deepEqual(await res.json(), {});
  }
  const head = await rawRequest(`${server.url}/v2/`, { method: 'HEAD' });
  assert.equal(head.status, 200);
  assert.equal(head.headers['docker-distribution-api-version'], 'registry/2.0');
  assert.equal(head.body.byteLength, 0);
});

test('invalid repository names answer 400 NAME_INVALID on every endpoint', async () => {
  const digest = randomBlob(10).digest;
  const badNames = [
    'UPPER',
    'Mixed/case',
    'a..b',
    'a._b',
    'a___b',
    '-lead',
    'trail-',
    'a/-b',
    '_a',
    'a/',
    'a//b',
    'a.',
    'sp%20ace',
    'x'.repeat(256),
    `${'a'.repeat(200)}/${'b'.repeat(60)}`,
  ];
  for (const name of badNames) {
    const endpoints: [string, string][] = [
      ['GET', `/v2/${name}/tags/list`],
      ['GET', `/v2/${name}/manifests/latest`],
      ['PUT', `/v2/${name}/manifests/latest`],
      ['GET', `/v2/${name}/blobs/${digest}`],
      ['POST', `/v2/${name}/blobs/uploads/`],
      ['GET', `/v2/${name}/referrers/${digest}`],
    ];
    for (const [method, path] of endpoints) {
      await expectError(await client.fetch(path, { method }), 400, 'NAME_INVALID');
    }
  }
});

test('valid names of every allowed shape work end to end', async () => {
  const suffix = uniqueName('n');
  const names = [
    `${suffix}/a/b/c`,
    `${suffix}.with.dots`,
    `${suffix}__double`,
    `${suffix}--dashes`,
    `${suffix}_one/x-y.z/0`,
    `${suffix}/${'d'.repeat(60)}`,
  ];
  for (const name of names) {
    const image = await client.pushImage(name, 'latest');
    const res = await client.fetch(`/v2/${name}/manifests/latest`, { headers: { accept: mediaTypes.ociManifest } });
    assert.equal(res.status, 200, name);
    assert.equal(res.headers.get('docker-content-digest'), image.digest);
    await res.arrayBuffer();
    assert.deepEqual((await client.tags(name)).tags, ['latest'], name);
    assert.equal((await client.send('HEAD', `/v2/${name}/blobs/${image.config.digest}`)).status, 200, name);
  }
});

test('nested names a/b/c are distinct repositories from a/b and a', async () => {
  const root = uniqueName('a');
  const blob = randomBlob(50);
  await client.pushBlob(`${root}/b/c`, blob);
  assert.equal((await client.send('HEAD', `/v2/${root}/b/c/blobs/${blob.digest}`)).status, 200);
  assert.equal((await client.send('HEAD', `/v2/${root}/b/blobs/${blob.digest}`)).status, 404);
  assert.equal((await client.send('HEAD', `/v2/${root}/blobs/${blob.digest}`)).status, 404);
});

test('a repository may be named like a route segment (…/blobs/…, …/manifests/…, …/tags)', async () => {
  const root = uniqueName('r');
  for (const name of [`${root}/blobs`, `${root}/manifests/x`, `${root}/tags`, `${root}/uploads`]) {
    const image = await client.pushImage(name, 'v1');
    assert.deepEqual((await client.tags(name)).tags, ['v1'], name);
    const res = await client.fetch(`/v2/${name}/manifests/v1`);
    assert.equal(res.headers.get('docker-content-digest'), image.digest, name);
    await res.arrayBuffer();
  }
});

test('unknown /v2 routes answer 404 with a spec error envelope', async () => {
  for (const path of [
    '/v2/foo/bar/baz',
    '/v2/foo/manifests/',
    '/v2/foo/blobs/',
    '/v2/foo/tags/list/',
    '/v2//',
    '/v2/foo/tags',
    '/v2/_catalog/x',
  ]) {
    const res = await client.fetch(path);
    assert.ok(res.status === 404 || res.status === 400, `${path}: ${res.status}`);
    assert.equal(res.headers.get('docker-distribution-api-version'), 'registry/2.0');
    const body = (await res.json()) as { errors: { code: string }[] };
    assert.ok(specCodes.has(body.errors[0].code), `${path}: ${body.errors[0].code}`);
  }
});

test('a known route with the wrong method answers 405 UNSUPPORTED with Allow', async () => {
  const repo = uniqueName();
  const digest = randomBlob(10).digest;
  const cases: [string, string, string[]][] = [
    ['POST', '/v2/', ['GET', 'HEAD']],
    ['DELETE', '/v2/', ['GET', 'HEAD']],
    ['OPTIONS', '/v2/', ['GET', 'HEAD']],
    ['PUT', `/v2/${repo}/blobs/${digest}`, ['GET', 'HEAD', 'DELETE']],
    ['PATCH', `/v2/${repo}/manifests/latest`, ['GET', 'HEAD', 'PUT', 'DELETE']],
    ['POST', `/v2/${repo}/tags/list`, ['GET']],
    ['DELETE', '/v2/_catalog', ['GET']],
    ['PUT', `/v2/${repo}/referrers/${digest}`, ['GET']],
    ['GET', `/v2/${repo}/blobs/uploads/`, ['POST']],
  ];
  for (const [method, path, allowed] of cases) {
    const res = await client.fetch(path, { method });
    const allow = (res.headers.get('allow') ?? '').split(',').map((m) => m.trim());
    for (const m of allowed)
      assert.ok(allow.includes(m), `${method} ${path}: Allow "${res.headers.get('allow')}" lacks ${m}`);
    assert.equal(res.headers.get('docker-distribution-api-version'), 'registry/2.0');
    await expectError(res, 405, 'UNSUPPORTED');
  }
});

test('every error carries the API version header and a JSON envelope with a spec code', async () => {
  const repo = uniqueName();
  const image = await client.pushImage(repo, 'latest');
  const missing = randomBlob(10).digest;
  const requests: [string, string, RequestInit?][] = [
    ['GET', `/v2/${repo}/blobs/${missing}`],
    ['GET', `/v2/${repo}/blobs/sha256:zz`],
    ['GET', `/v2/${repo}/blobs/${image.config.digest}`, { headers: { range: 'bytes=99999-' } }],
    ['DELETE', `/v2/${repo}/blobs/${missing}`],
    ['GET', `/v2/${repo}/manifests/missing`],
    ['DELETE', `/v2/${repo}/manifests/missing`],
    ['DELETE', `/v2/${repo}/manifests/${missing}`],
    ['PUT', `/v2/${repo}/manifests/latest`, { body: '{', headers: { 'content-type': mediaTypes.ociManifest } }],
    ['GET', `/v2/${repo}/blobs/uploads/nope`],
    ['PATCH', `/v2/${repo}/blobs/uploads/nope`, { body: 'x' }],
    ['PUT', `/v2/${repo}/blobs/uploads/nope?digest=${missing}`],
    ['DELETE', `/v2/${repo}/blobs/uploads/nope`],
    ['GET', `/v2/${uniqueName('nowhere')}/tags/list`],
    ['GET', `/v2/${repo}/tags/list?n=x`],
    ['GET', `/v2/${repo}/referrers/nope`],
    ['GET', '/v2/BAD/tags/list'],
  ];
  for (const [method, path, init] of requests) {
    const res = await client.fetch(path, { ...init, method });
    const text = await res.text();
    assert.ok(res.status >= 400 && res.status < 500, `${method} ${path}: ${res.status} ${text}`);
    assert.equal(res.headers.get('docker-distribution-api-version'), 'registry/2.0', `${method} ${path}`);
    assert.match(res.headers.get('content-type') ?? '', /^application\/json/, `${method} ${path}`);
    const body = JSON.parse(text) as { errors: { code: string; message: string }[] };
    assert.ok(body.errors.length > 0);
    for (const error of body.errors) {
      assert.ok(specCodes.has(error.code), `${method} ${path}: ${error.code}`);
      assert.equal(typeof error.message, 'string');
    }
  }
});

test('hostile input never causes a 500', async () => {
  const repo = uniqueName();
  const image = await client.pushImage(repo, 'latest');
  const location = await client.startUpload(repo);
  const requests: [string, string, RequestInit?][] = [
    ['GET', `/v2/${repo}/manifests/${'sha256:' + 'a'.repeat(500)}`],
    ['GET', `/v2/${repo}/manifests/sha999:${'a'.repeat(64)}`],
    ['GET', `/v2/${repo}/manifests/%00`],
    ['GET', `/v2/${repo}/blobs/${image.config.digest}`, { headers: { range: 'bytes=-' } }],
    ['GET', `/v2/${repo}/blobs/${image.config.digest}`, { headers: { range: 'bytes=1-2,5-6' } }],
    ['GET', `/v2/${repo}/blobs/${image.config.digest}`, { headers: { range: 'bytes=99999999999999999999-' } }],
    ['GET', `/v2/${repo}/blobs/${image.config.digest}`, { headers: { range: 'items=0-1' } }],
    ['PATCH', location, { headers: { 'content-range': '99999999999999999999-99999999999999999999' }, body: 'x' }],
    ['PATCH', location, { headers: { 'content-range': 'bytes */*' }, body: 'x' }],
    ['POST', `/v2/${repo}/blobs/uploads/?digest=${image.digest}&digest=${image.config.digest}`, { body: 'x' }],
    ['POST', `/v2/${repo}/blobs/uploads/?mount=&from=`],
    ['POST', `/v2/${repo}/blobs/uploads/?digest=`],
    [
      'PUT',
      `/v2/${repo}/manifests/x`,
      {
        body: JSON.stringify({
          schemaVersion: 2,
          mediaType: mediaTypes.ociManifest,
          config: { mediaType: 'x', digest: image.config.digest, size: 1e300 },
          layers: [],
        }),
        headers: { 'content-type': mediaTypes.ociManifest },
      },
    ],
    [
      'PUT',
      `/v2/${repo}/manifests/x`,
      {
        body: JSON.stringify({ schemaVersion: 2, manifests: 'nope' }),
        headers: { 'content-type': mediaTypes.ociIndex },
      },
    ],
    [
      'PUT',
      `/v2/${repo}/manifests/x`,
      {
        body: JSON.stringify({ schemaVersion: 2, mediaType: 'application/vnd.example.unknown' }),
        headers: { 'content-type': 'application/vnd.example.unknown' },
      },
    ],
    [
      'PUT',
      `/v2/${repo}/manifests/x`,
      {
        body: JSON.stringify({
          schemaVersion: 2,
          mediaType: mediaTypes.ociManifest,
          config: { mediaType: 'x', digest: image.config.digest, size: 1 },
          layers: [],
          subject: 'not-a-descriptor',
        }),
        headers: { 'content-type': mediaTypes.ociManifest },
      },
    ],
    ['GET', `/v2/${repo}/tags/list?n=99999999999999999999999`],
    ['GET', `/v2/${repo}/tags/list?last=${'z'.repeat(5000)}`],
    ['GET', `/v2/_catalog?last=%00`],
    ['GET', `/v2/${repo}/referrers/${image.digest}?artifactType=${'x'.repeat(5000)}`],
  ];
  for (const [method, path, init] of requests) {
    const res = await client.fetch(path, { ...init, method });
    const text = await res.text();
    assert.ok(
      res.status < 500,
      `${method} ${path.slice(0, 120)} ${JSON.stringify(init?.headers ?? {})}: ${res.status} ${text.slice(0, 300)}`,
    );
    if (res.status >= 400) {
      const body = JSON.parse(text) as { errors: { code: string }[] };
      assert.ok(specCodes.has(body.errors[0].code), `${method} ${path.slice(0, 120)}: ${body.errors[0].code}`);
    }
  }
  // The upload session survived the hostile PATCHes, with nothing appended.
  const status = await client.send('GET', location);
  assert.equal(status.status, 204);
  assert.equal(status.headers.get('range'), '0-0');
});

test('a URL with broken percent-encoding answers a spec error', async () => {
  const res = await rawRequest(`${server.url}/v2/%zz/tags/list`, { method: 'GET' });
  assert.equal(res.status, 400);
  assert.equal(res.headers['docker-distribution-api-version'], 'registry/2.0');
  const body = JSON.parse(res.body.toString()) as { errors: { code: string }[] };
  assert.ok(specCodes.has(body.errors[0].code));
});
