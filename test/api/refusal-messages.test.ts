import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { adminAuth, api, startApiBerth, type ApiResponse } from '../helpers/api.js';
import type { TestBerth } from '../helpers/berth.js';
import { addMember, createProject, createUser, pushImage } from '../helpers/projects.js';

// A refusal says, in words, what the caller may not do and to what: Harbor's FORBIDDEN and
// UNAUTHORIZED codes, with a message that names the action and the instance where Berth knows it.

let server: TestBerth;
let developer: string;
let guest: string;

before(async () => {
  server = await startApiBerth();
  await createProject(server, 'proj-1');
  developer = (await createUser(server, 'dev1')).auth;
  guest = (await createUser(server, 'guest1')).auth;
  await addMember(server, 'proj-1', 'dev1', 2);
  await addMember(server, 'proj-1', 'guest1', 3);
  assert.equal((await pushImage(server, 'proj-1/app', 'v1', adminAuth)).status, 201);
});

after(() => server.close());

function refusal(res: ApiResponse): { code?: string; message?: string } {
  return (res.body as { errors: { code?: string; message?: string }[] }).errors[0];
}

test('a developer deleting a project is told which project', async () => {
  const res = await api(server, 'DELETE', '/projects/proj-1', { auth: developer });
  assert.equal(res.status, 403);
  assert.deepEqual(refusal(res), { code: 'FORBIDDEN', message: 'you are not allowed to delete project proj-1' });
});

test('a guest creating a robot account is told in which project', async () => {
  const res = await api(server, 'POST', '/robots', {
    auth: guest,
    body: {
      name: 'ci',
      level: 'project',
      duration: -1,
      permissions: [{ kind: 'project', namespace: 'proj-1', access: [{ resource: 'repository', action: 'pull' }] }],
    },
  });
  assert.equal(res.status, 403);
  assert.deepEqual(refusal(res), {
    code: 'FORBIDDEN',
    message: 'you are not allowed to create robot accounts in project proj-1',
  });
});

test('a user who is no administrator listing users is told so', async () => {
  const res = await api(server, 'GET', '/users', { auth: developer });
  assert.equal(res.status, 403);
  assert.deepEqual(refusal(res), { code: 'FORBIDDEN', message: 'you are not allowed to list users' });
});

test('a developer deleting a repository or an artifact is told which one', async () => {
  const repository = await api(server, 'DELETE', '/projects/proj-1/repositories/app', { auth: developer });
  assert.equal(repository.status, 403);
  assert.equal(refusal(repository).message, 'you are not allowed to delete repository proj-1/app');
  const artifact = await api(server, 'DELETE', '/projects/proj-1/repositories/app/artifacts/v1', { auth: guest });
  assert.equal(artifact.status, 403);
  assert.equal(refusal(artifact).message, 'you are not allowed to delete artifact proj-1/app@v1');
});

test('an anonymous caller is asked to log in, and a private project is not named', async () => {
  const res = await api(server, 'DELETE', '/projects/proj-1', { auth: null });
  assert.equal(res.status, 401);
  assert.deepEqual(refusal(res), { code: 'UNAUTHORIZED', message: 'authentication required to delete projects' });
  const users = await api(server, 'GET', '/users', { auth: null });
  assert.equal(users.status, 401);
  assert.equal(refusal(users).message, 'authentication required to list users');
});
