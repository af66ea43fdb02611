import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startTestBerth, type TestBerth } from '../helpers/berth.js';
import { OciClient, expectError, randomBlob, uniqueName, type Manifest } from '../helpers/oci.js';

// Distribution spec "Listing tags" and Docker Registry V2 "Catalog": lexically sorted
// lists, `n` / `last` paging, and an RFC 5988 Link header to the next page.

let server: TestBerth;
let client: OciClient;
before(async () => {
  server = await startTestBerth();
  client = new OciClient(server.url);
});
after(() => server.close());

/** `<url>; rel="next"` → the URL (relative to the server). */
function nextLink(res: Response): string | undefined {
  const link = res.headers.get('link');
  if (link === null) return undefined;
  const match = /^<([^>]+)>;\s*rel="next"$/.exec(link);
  assert.ok(match, `Link header "${link}"`);
  return match[1];
}

async function pushTags(repo: string, tags: string[]): Promise<Manifest> {
  const image = await client.pushImage(repo, tags[0]);
  for (const tag of tags.slice(1)) await client.pushManifest(repo, tag, image);
  return image;
}

/** Follows Link headers from `first` and returns every page's entries. */
async function walk(first: string, key: 'tags' | 'repositories'): Promise<string[][]> {
  const pages: string[][] = [];
  let url: string | undefined = first;
  while (url !== undefined) {
    const res = await client.fetch(url);
    assert.equal(res.status, 200);
    const body = (await res.json()) as Record<string, string[]>;
    pages.push(body[key]);
    url = nextLink(res);
    assert.ok(pages.length < 100, 'paging terminates');
  }
  return pages;
}

test('tags/list answers the repository name and its tags in lexical order', async () => {
  const repo = uniqueName();
  const tags = ['v2', 'latest', 'V1', '1.0', 'a_b', 'z-last'];
  await pushTags(repo, tags);
  const res = await client.fetch(`/v2/${repo}/tags/list`);
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type') ?? '', /^application\/json/);
  assert.equal(res.headers.get('link'), null, 'everything fits in one page');
  const body = (await res.json()) as { name: string; tags: string[] };
  assert.equal(body.name, repo);
  assert.deepEqual(body.tags, [...tags].sort());
});

test('tags/list?n= limits the page and links to the next one; following the links yields every tag once', async () => {
  const repo = uniqueName();
  const tags = Array.from({ length: 7 }, (_, i) => `t${i}`);
  await pushTags(repo, tags);

  const res = await client.fetch(`/v2/${repo}/tags/list?n=3`);
  const body = (await res.json()) as { tags: string[] };
  assert.deepEqual(body.tags, ['t0', 't1', 't2']);
  const next = nextLink(res) ?? assert.fail('a Link to the next page');
  const nextURL = new URL(next, server.url);
  assert.equal(nextURL.pathname, `/v2/${repo}/tags/list`);
  assert.equal(nextURL.searchParams.get('n'), '3');
  assert.equal(nextURL.searchParams.get('last'), 't2');

  const pages = await walk(`/v2/${repo}/tags/list?n=3`, 'tags');
  assert.deepEqual(pages, [['t0', 't1', 't2'], ['t3', 't4', 't5'], ['t6']]);
});

test('a page that ends exactly at the last tag has no Link', async () => {
  const repo = uniqueName();
  await pushTags(repo, ['a', 'b', 'c', 'd']);
  const pages = await walk(`/v2/${repo}/tags/list?n=2`, 'tags');
  assert.deepEqual(pages, [
    ['a', 'b'],
    ['c', 'd'],
  ]);
});

test('tags/list?last= starts after the given tag, whether or not it exists', async () => {
  const repo = uniqueName();
  await pushTags(repo, ['alpha', 'beta', 'delta', 'gamma']);
  assert.deepEqual((await client.tags(repo, '?last=beta')).tags, ['delta', 'gamma']);
  assert.deepEqual((await client.tags(repo, '?last=c')).tags, ['delta', 'gamma']);
  assert.deepEqual((await client.tags(repo, '?n=1&last=alpha')).tags, ['beta']);
  assert.deepEqual((await client.tags(repo, '?last=zzz')).tags, []);
});

test('tags/list?n=0 answers an empty list', async () => {
  const repo = uniqueName();
  await pushTags(repo, ['one', 'two']);
  const { res, tags } = await client.tags(repo, '?n=0');
  assert.equal(res.status, 200);
  assert.deepEqual(tags, []);
});

test('an invalid n answers 400 PAGINATION_NUMBER_INVALID', async () => {
  const repo = uniqueName();
  await pushTags(repo, ['one']);
  for (const n of ['-1', 'abc', '1.5']) {
    await expectError(await client.fetch(`/v2/${repo}/tags/list?n=${n}`), 400, 'PAGINATION_NUMBER_INVALID');
    await expectError(await client.fetch(`/v2/_catalog?n=${n}`), 400, 'PAGINATION_NUMBER_INVALID');
  }
});

test('tags/list of a repository that does not exist answers 404 NAME_UNKNOWN', async () => {
  await expectError(await client.fetch(`/v2/${uniqueName('nowhere')}/tags/list`), 404, 'NAME_UNKNOWN');
  await expectError(await client.fetch(`/v2/${uniqueName('nowhere')}/deep/name/tags/list`), 404, 'NAME_UNKNOWN');
});

test('tags/list reflects tag deletion and tag moves; untagged manifests are not listed', async () => {
  const repo = uniqueName();
  await pushTags(repo, ['keep', 'drop']);
  await client.pushImage(repo); // by digest only
  assert.equal((await client.send('DELETE', `/v2/${repo}/manifests/drop`)).status, 202);
  assert.deepEqual((await client.tags(repo)).tags, ['keep']);
  await client.pushImage(repo, 'keep');
  assert.deepEqual((await client.tags(repo)).tags, ['keep']);
});

test('tags of one repository never appear in another, even a nested one', async () => {
  const parent = uniqueName('parent');
  const child = `${parent}/child`;
  await pushTags(parent, ['parent-tag']);
  await pushTags(child, ['child-tag']);
  assert.deepEqual((await client.tags(parent)).tags, ['parent-tag']);
  assert.deepEqual((await client.tags(child)).tags, ['child-tag']);
});

test('_catalog lists repositories (nested names too) in lexical order, with n / last / Link paging', async () => {
  const prefix = uniqueName('cat');
  const names = [`${prefix}/b`, `${prefix}/a/deep/name`, `${prefix}/c`, `${prefix}/a`];
  for (const name of names) await client.pushImage(name, 'latest');

  const res = await client.fetch('/v2/_catalog');
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type') ?? '', /^application\/json/);
  const all = ((await res.json()) as { repositories: string[] }).repositories;
  assert.deepEqual(all, [...all].sort(), 'lexical order');
  const ours = all.filter((name) => name.startsWith(`${prefix}/`));
  assert.deepEqual(ours, [...names].sort());

  const pages = await walk('/v2/_catalog?n=2', 'repositories');
  assert.ok(pages.every((page) => page.length <= 2));
  assert.ok(
    pages.slice(0, -1).every((page) => page.length === 2),
    'only the last page may be short',
  );
  assert.deepEqual(pages.flat(), all, 'the pages together are the whole catalog, each name once');

  const after = await client.fetch(`/v2/_catalog?last=${encodeURIComponent(`${prefix}/a`)}&n=2`);
  const afterBody = (await after.json()) as { repositories: string[] };
  assert.deepEqual(afterBody.repositories, [`${prefix}/a/deep/name`, `${prefix}/b`]);
  const link = nextLink(after) ?? assert.fail('a Link to the next page');
  assert.equal(new URL(link, server.url).searchParams.get('last'), `${prefix}/b`);
});

test('_catalog?n=0 answers an empty list', async () => {
  await client.pushImage(uniqueName(), 'latest');
  const res = await client.fetch('/v2/_catalog?n=0');
  assert.equal(res.status, 200);
  assert.deepEqual(((await res.json()) as { repositories: string[] }).repositories, []);
});

test('a repository appears in the catalog once something is pushed to it', async () => {
  const repo = uniqueName('fresh');
  const before = ((await (await client.fetch('/v2/_catalog')).json()) as { repositories: string[] }).repositories;
  assert.ok(!before.includes(repo));
  await client.pushBlob(repo, randomBlob(10));
  await client.pushImage(repo, 'latest');
  const now = ((await (await client.fetch('/v2/_catalog')).json()) as { repositories: string[] }).repositories;
  assert.ok(now.includes(repo));
});

test('refused pushes and open sessions do not create a repository', async () => {
  const repo = uniqueName('refused');
  const blob = randomBlob(10);
  await expectError(
    await client.fetch(`/v2/${repo}/blobs/uploads/?digest=${randomBlob(10).digest}`, {
      method: 'POST',
      body: blob.bytes,
    }),
    400,
    'DIGEST_INVALID',
  );
  await expectError(
    await client.fetch(`/v2/${repo}/manifests/latest`, {
      method: 'PUT',
      headers: { 'content-type': 'application/vnd.oci.image.manifest.v1+json' },
      body: '{}',
    }),
    400,
    'MANIFEST_INVALID',
  );
  await client.startUpload(repo);
  await expectError(await client.fetch(`/v2/${repo}/tags/list`), 404, 'NAME_UNKNOWN');
  const catalog = ((await (await client.fetch('/v2/_catalog')).json()) as { repositories: string[] }).repositories;
  assert.ok(!catalog.includes(repo));
});
