import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { adminAuth, api, startApiBerth } from '../helpers/api.js';
import type { TestBerth } from '../helpers/berth.js';
import { createProject, pushImage } from '../helpers/projects.js';

// Harbor's q.Build unescapes `q` once more after the query string's own decoding, so a client that
// encodes it twice (as @hapic/harbor does) filters like one that encodes it once; a `q` that does not
// unescape (a literal `%`) is read as it is.

interface Named {
  name: string;
}

let server: TestBerth;

before(async () => {
  server = await startApiBerth();
  for (const name of ['foo-one', 'foo-two', 'bar']) await createProject(server, name);
  assert.equal((await pushImage(server, 'foo-one/app', 'v1', adminAuth)).status, 201);
  assert.equal((await pushImage(server, 'foo-one/other', 'v1', adminAuth)).status, 201);
});
after(() => server.close());

const names = (body: Named[]) => body.map((p) => p.name).sort();

test('a q encoded twice filters projects as one encoded once', async () => {
  const once = await api<Named[]>(server, 'GET', '/projects?q=name%3D~foo');
  assert.equal(once.status, 200);
  assert.deepEqual(names(once.body), ['foo-one', 'foo-two']);
  const twice = await api<Named[]>(server, 'GET', '/projects?q=name%253D~foo');
  assert.equal(twice.status, 200, JSON.stringify(twice.body));
  assert.deepEqual(names(twice.body), ['foo-one', 'foo-two']);
  const exactTwice = await api<Named[]>(
    server,
    'GET',
    `/projects?q=${encodeURIComponent(encodeURIComponent('name=bar'))}`,
  );
  assert.deepEqual(names(exactTwice.body), ['bar']);
});

test('a q encoded twice filters repositories, with several terms and a list', async () => {
  const q = encodeURIComponent(encodeURIComponent('name=~other'));
  const res = await api<Named[]>(server, 'GET', `/projects/foo-one/repositories?q=${q}`);
  assert.equal(res.status, 200, JSON.stringify(res.body));
  assert.deepEqual(names(res.body), ['foo-one/other']);
  const list = encodeURIComponent(encodeURIComponent('name={foo-two bar}'));
  const projects = await api<Named[]>(server, 'GET', `/projects?q=${list}`);
  assert.deepEqual(names(projects.body), ['bar', 'foo-two']);
});

test('a q that does not unescape a second time (a literal %) is read as it is', async () => {
  const literal = await api<Named[]>(server, 'GET', `/projects?q=${encodeURIComponent('name=~50%')}`);
  assert.equal(literal.status, 200, JSON.stringify(literal.body));
  assert.deepEqual(literal.body, []);
  const broken = await api<Named[]>(server, 'GET', `/projects?q=${encodeURIComponent('name=~foo%zz')}`);
  assert.equal(broken.status, 200, JSON.stringify(broken.body));
  assert.deepEqual(broken.body, []);
});
