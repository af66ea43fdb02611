import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { api, basic } from './api.js';
import type { TestBerth } from './berth.js';

// Fixtures for the project, member and role tests: users, projects, memberships, and
// a tiny image pushed over /v2 with plain fetch.

export const userPassword = 'Passw0rdX';

/** Creates a user through Harbor's POST /users; returns its id and Basic credentials. */
export async function createUser(
  server: TestBerth,
  username: string,
): Promise<{ id: number; username: string; auth: string }> {
  const res = await api(server, 'POST', '/users', {
    body: { username, email: `${username}@example.com`, realname: username, password: userPassword, comment: '' },
  });
  assert.equal(res.status, 201, `create user ${username}: ${JSON.stringify(res.body)}`);
  return { id: idFromLocation(res.headers), username, auth: basic(username, userPassword) };
}

export function idFromLocation(headers: Headers): number {
  const location = headers.get('location') ?? '';
  const id = Number(location.split('/').pop());
  assert.ok(Number.isInteger(id) && id > 0, `Location ends with an id: ${location}`);
  return id;
}

/** Creates a project as `auth` (admin by default); returns its id. */
export async function createProject(
  server: TestBerth,
  name: string,
  options: { public?: boolean; auth?: string } = {},
): Promise<number> {
  const res = await api(server, 'POST', '/projects', {
    auth: options.auth,
    body: { project_name: name, metadata: { public: String(options.public ?? false) } },
  });
  assert.equal(res.status, 201, `create project ${name}: ${JSON.stringify(res.body)}`);
  return idFromLocation(res.headers);
}

/** Adds a user to a project with a role; returns the member id. */
export async function addMember(server: TestBerth, project: string, username: string, roleId: number): Promise<number> {
  const res = await api(server, 'POST', `/projects/${project}/members`, {
    body: { role_id: roleId, member_user: { username } },
  });
  assert.equal(res.status, 201, `add ${username} to ${project}: ${JSON.stringify(res.body)}`);
  return idFromLocation(res.headers);
}

export function sha256(data: Buffer | string): string {
  return `sha256:${createHash('sha256').update(data).digest('hex')}`;
}

/** Uploads one blob and an image manifest referencing it as config; `auth` is an Authorization header value. */
export async function pushImage(
  server: TestBerth,
  repository: string,
  tag: string,
  auth: string,
  seed = tag,
): Promise<{ status: number; digest: string }> {
  const config = Buffer.from(JSON.stringify({ architecture: 'amd64', os: 'linux', seed }));
  const configDigest = sha256(config);
  const upload = await fetch(`${server.url}/v2/${repository}/blobs/uploads/?digest=${configDigest}`, {
    method: 'POST',
    headers: { authorization: auth, 'content-type': 'application/octet-stream' },
    body: config,
  });
  await upload.arrayBuffer();
  if (upload.status !== 201) return { status: upload.status, digest: '' };
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: configDigest, size: config.length },
      layers: [],
    }),
  );
  const put = await fetch(`${server.url}/v2/${repository}/manifests/${tag}`, {
    method: 'PUT',
    headers: { authorization: auth, 'content-type': 'application/vnd.oci.image.manifest.v1+json' },
    body: manifest,
  });
  await put.arrayBuffer();
  return { status: put.status, digest: sha256(manifest) };
}
