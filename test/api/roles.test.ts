import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { adminAuth, api, startApiBerth } from '../helpers/api.js';
import { tempDir, type TestBerth } from '../helpers/berth.js';
import { needTool, ExecError } from '../helpers/tools.js';
import { buildImage } from '../helpers/images.js';
import { skopeoIn } from '../e2e/clients.js';
import { addMember, createProject, createUser, pushImage, userPassword } from '../helpers/projects.js';

// Harbor's five roles, proven over HTTP for what Berth has: registry pull, push and delete
// through /service/token, members, project update and delete, metadata; anonymous access;
// a token scoped to one repository grants nothing in another.

interface Claims {
  access: { type: string; name: string; actions: string[] }[];
}

const roleNames = { 1: 'projectAdmin', 2: 'developer', 3: 'guest', 4: 'maintainer', 5: 'limitedGuest' } as const;
type RoleId = keyof typeof roleNames;

// What each role may do, from Harbor's rbac_role.go: repository push (1, 2, 4), repository
// delete (1, 4), member list (all but 5), member create and project update/delete (1),
// metadata update (1, 4), immutability rules and project labels (1, 4), labels on artifacts and tag retention (1, 2, 4),
// scans (1, 4), the project's scanner set (1) and read (all), vulnerability reports read (all).
const expected: Record<
  RoleId,
  {
    push: boolean;
    delete: boolean;
    memberList: boolean;
    memberCreate: boolean;
    projectUpdate: boolean;
    metadataUpdate: boolean;
    projectDelete: boolean;
    immutableRules: boolean;
    projectLabels: boolean;
    artifactLabels: boolean;
    retention: boolean;
    scan: boolean;
    projectScanner: boolean;
  }
> = {
  1: {
    push: true,
    delete: true,
    memberList: true,
    memberCreate: true,
    projectUpdate: true,
    metadataUpdate: true,
    projectDelete: true,
    immutableRules: true,
    projectLabels: true,
    artifactLabels: true,
    retention: true,
    scan: true,
    projectScanner: true,
  },
  2: {
    push: true,
    delete: false,
    memberList: true,
    memberCreate: false,
    projectUpdate: false,
    metadataUpdate: false,
    projectDelete: false,
    immutableRules: false,
    projectLabels: false,
    artifactLabels: true,
    retention: true,
    scan: false,
    projectScanner: false,
  },
  3: {
    push: false,
    delete: false,
    memberList: true,
    memberCreate: false,
    projectUpdate: false,
    metadataUpdate: false,
    projectDelete: false,
    immutableRules: false,
    projectLabels: false,
    artifactLabels: false,
    retention: false,
    scan: false,
    projectScanner: false,
  },
  4: {
    push: true,
    delete: true,
    memberList: true,
    memberCreate: false,
    projectUpdate: false,
    metadataUpdate: true,
    projectDelete: false,
    immutableRules: true,
    projectLabels: true,
    artifactLabels: true,
    retention: true,
    scan: true,
    projectScanner: false,
  },
  5: {
    push: false,
    delete: false,
    memberList: false,
    memberCreate: false,
    projectUpdate: false,
    metadataUpdate: false,
    projectDelete: false,
    immutableRules: false,
    projectLabels: false,
    artifactLabels: false,
    retention: false,
    scan: false,
    projectScanner: false,
  },
};

let server: TestBerth;
let work: string;
let privId: number;
let globalLabel: number;
let retentionId: number;
let builtinScanner: string;
const auths = new Map<RoleId, string>();

/** A free port chosen up front, so the token realm in externalURL names the port Berth listens on. */
async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const address = probe.address();
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return typeof address === 'object' && address ? address.port : assert.fail('no port');
}

before(async () => {
  const port = await freePort();
  server = await startApiBerth({ http: { port }, externalURL: `http://127.0.0.1:${port}` });
  work = tempDir('berth-roles-');
  privId = await createProject(server, 'priv');
  const label = await api(server, 'POST', '/labels', { body: { name: 'everywhere', scope: 'g' } });
  assert.equal(label.status, 201);
  globalLabel = Number(label.headers.get('location')?.split('/').pop());
  const retention = await api(server, 'POST', '/retentions', {
    body: {
      algorithm: 'or',
      rules: [],
      trigger: { kind: 'Schedule', settings: {} },
      scope: { level: 'project', ref: privId },
    },
  });
  assert.equal(retention.status, 201, JSON.stringify(retention.body));
  retentionId = Number(retention.headers.get('location')?.split('/').pop());
  assert.equal((await pushImage(server, 'priv/app', 'v1', adminAuth)).status, 201);
  const scanners = await api<{ uuid: string; is_default: boolean }[]>(server, 'GET', '/scanners');
  builtinScanner = scanners.body.find((s) => s.is_default)?.uuid ?? assert.fail('a default scanner');
  assert.equal((await pushImage(server, 'library/pub', 'v1', adminAuth)).status, 201);
  await createUser(server, 'spare');
  for (const role of [1, 2, 3, 4, 5] as RoleId[]) {
    const user = await createUser(server, `role${role}`);
    await addMember(server, 'priv', user.username, role);
    auths.set(role, user.auth);
  }
});
after(async () => {
  await server?.close();
  rmSync(work, { recursive: true, force: true });
});

/** A registry token for `scope` (Basic `auth`, or anonymous when null) and its access claim. */
async function token(auth: string | null, scope: string): Promise<{ bearer: string; actions: string[] }> {
  const res = await fetch(`${server.url}/service/token?service=harbor-registry&scope=${encodeURIComponent(scope)}`, {
    headers: auth ? { authorization: auth } : {},
  });
  assert.equal(res.status, 200);
  const body = (await res.json()) as { token: string };
  const claims = JSON.parse(Buffer.from(body.token.split('.')[1], 'base64url').toString()) as Claims;
  const name = scope.split(':')[1];
  return {
    bearer: `Bearer ${body.token}`,
    actions: [...(claims.access.find((a) => a.name === name)?.actions ?? [])].sort(),
  };
}

function registry(path: string, bearer: string, method = 'GET'): Promise<Response> {
  return fetch(`${server.url}/v2/${path}`, {
    method,
    headers: { authorization: bearer, accept: 'application/vnd.oci.image.manifest.v1+json' },
  });
}

for (const role of [1, 2, 3, 4, 5] as RoleId[]) {
  const can = expected[role];
  test(`${roleNames[role]} (role ${role}) in a private project: pull, push ${can.push ? 'allowed' : 'refused'}, delete ${can.delete ? 'allowed' : 'refused'}`, async () => {
    const auth = auths.get(role) ?? assert.fail('user for role');
    const pull = await token(auth, 'repository:priv/app:pull');
    assert.deepEqual(pull.actions, ['pull']);
    const tags = await registry('priv/app/tags/list', pull.bearer);
    assert.equal(tags.status, 200);
    assert.deepEqual(((await tags.json()) as { tags: string[] }).tags, ['v1']);

    const repo = `priv/role${role}`;
    const write = await token(auth, `repository:${repo}:pull,push,delete`);
    const wanted = ['pull', ...(can.delete ? ['delete'] : []), ...(can.push ? ['push'] : [])].sort();
    assert.deepEqual(write.actions, wanted, 'the token carries exactly the granted actions');

    const pushed = await pushImage(server, repo, 'v1', write.bearer, `role${role}`);
    if (can.push) assert.equal(pushed.status, 201, 'push succeeds');
    else assert.ok([401, 403].includes(pushed.status), `push refused (got ${pushed.status})`);

    // Something to delete: the admin's image where this role could not push its own.
    const target = can.push
      ? { repo, digest: pushed.digest }
      : { repo: 'priv/app', digest: (await pushImage(server, 'priv/app', 'v1', adminAuth)).digest };
    const deleteToken = await token(auth, `repository:${target.repo}:pull,delete`);
    const removed = await registry(`${target.repo}/manifests/${target.digest}`, deleteToken.bearer, 'DELETE');
    if (can.delete) assert.equal(removed.status, 202, 'delete succeeds');
    else {
      assert.ok([401, 403].includes(removed.status), `delete refused (got ${removed.status})`);
      const look = await token(auth, `repository:${target.repo}:pull`);
      assert.equal(
        (await registry(`${target.repo}/manifests/${target.digest}`, look.bearer, 'HEAD')).status,
        200,
        'the manifest is still there',
      );
    }
  });

  test(`${roleNames[role]} (role ${role}) through the REST API: members, project and metadata`, async () => {
    const auth = auths.get(role) ?? assert.fail('user for role');
    const status = (allowed: boolean, ok = 200) => (allowed ? ok : 403);

    assert.equal((await api(server, 'GET', '/projects/priv/members', { auth })).status, status(can.memberList));
    const added = await api(server, 'POST', '/projects/priv/members', {
      auth,
      body: { role_id: 3, member_user: { username: 'spare' } },
    });
    assert.equal(added.status, status(can.memberCreate, 201));
    if (added.status === 201)
      assert.equal(
        (await api(server, 'DELETE', added.headers.get('location')?.replace('/api/v2.0', '') ?? '')).status,
        200,
      );

    assert.equal(
      (await api(server, 'PUT', '/projects/priv', { auth, body: { metadata: { auto_scan: 'true' } } })).status,
      status(can.projectUpdate),
    );
    assert.equal(
      (await api(server, 'PUT', '/projects/priv/metadatas/prevent_vul', { auth, body: { prevent_vul: 'false' } }))
        .status,
      status(can.metadataUpdate),
    );
    const rule = {
      tag_selectors: [{ kind: 'doublestar', decoration: 'matches', pattern: `role${role}-*` }],
      scope_selectors: { repository: [{ kind: 'doublestar', decoration: 'repoMatches', pattern: '**' }] },
    };
    assert.equal(
      (await api(server, 'POST', '/projects/priv/immutabletagrules', { auth, body: rule })).status,
      status(can.immutableRules, 201),
    );
    assert.equal(
      (await api(server, 'GET', '/projects/priv/immutabletagrules', { auth })).status,
      status(can.immutableRules),
    );
    const label = await api(server, 'POST', '/labels', {
      auth,
      body: { name: `role${role}`, scope: 'p', project_id: privId },
    });
    assert.equal(label.status, status(can.projectLabels, 201));
    const labelled = await api(server, 'POST', `/projects/priv/repositories/app/artifacts/v1/labels`, {
      auth,
      body: { id: globalLabel },
    });
    assert.equal(labelled.status, status(can.artifactLabels));
    if (labelled.status === 200)
      assert.equal(
        (await api(server, 'DELETE', `/projects/priv/repositories/app/artifacts/v1/labels/${globalLabel}`, { auth }))
          .status,
        200,
      );
    assert.equal(
      (await api(server, 'GET', `/retentions/${retentionId}/executions`, { auth })).status,
      status(can.retention),
    );
    // Scanning: a role that may scan is answered 202, or 409 while another role's scan of the
    // same digest still runs (the permission passed either way); every role reads the project's
    // scanner and the vulnerability report.
    const scanned = await api(server, 'POST', '/projects/priv/repositories/app/artifacts/v1/scan', {
      auth,
      body: { scan_type: 'vulnerability' },
    });
    if (can.scan) assert.ok([202, 409].includes(scanned.status), `scan: ${String(scanned.status)}`);
    else assert.equal(scanned.status, 403);
    assert.equal((await api(server, 'GET', '/projects/priv/scanner', { auth })).status, 200);
    assert.equal(
      (await api(server, 'PUT', '/projects/priv/scanner', { auth, body: { uuid: builtinScanner } })).status,
      status(can.projectScanner),
    );
    assert.equal(
      (await api(server, 'GET', '/projects/priv/repositories/app/artifacts/v1/additions/vulnerabilities', { auth }))
        .status,
      200,
    );
    // The project still holds repositories: a role allowed to delete it meets Harbor's 412.
    assert.equal((await api(server, 'DELETE', '/projects/priv', { auth })).status, can.projectDelete ? 412 : 403);
    assert.equal((await api(server, 'GET', '/projects/priv', { auth })).status, 200, 'every role reads the project');
  });
}

test('anonymous callers pull from a public project and get 401 from a private one', async () => {
  const pub = await token(null, 'repository:library/pub:pull');
  assert.deepEqual(pub.actions, ['pull']);
  const tags = await registry('library/pub/tags/list', pub.bearer);
  assert.equal(tags.status, 200);
  assert.deepEqual(((await tags.json()) as { tags: string[] }).tags, ['v1']);

  const priv = await token(null, 'repository:priv/app:pull');
  assert.deepEqual(priv.actions, []);
  const refused = await registry('priv/app/tags/list', priv.bearer);
  assert.equal(refused.status, 401);
  assert.match(refused.headers.get('www-authenticate') ?? '', /^Bearer realm=/);
  assert.equal((await fetch(`${server.url}/v2/priv/app/tags/list`)).status, 401);
  const pushAnon = await token(null, 'repository:library/pub:push');
  assert.deepEqual(pushAnon.actions, [], 'anonymous callers never push');
});

test('a token for p/a cannot push to p/b', async () => {
  const dev = auths.get(2) ?? assert.fail('developer');
  const scoped = await token(dev, 'repository:priv/a:pull,push');
  assert.deepEqual(scoped.actions, ['pull', 'push']);
  const elsewhere = await pushImage(server, 'priv/b', 'v1', scoped.bearer);
  assert.equal(elsewhere.status, 401, 'the token names priv/a only');
  const pullElsewhere = await registry('priv/app/tags/list', scoped.bearer);
  assert.equal(pullElsewhere.status, 401, 'nor does it pull from another repository');
  assert.equal((await pushImage(server, 'priv/a', 'v1', scoped.bearer)).status, 201, 'while priv/a itself accepts it');
});

test('skopeo copy --dest-creds: a guest is denied, a developer pushes', async (t) => {
  if (!needTool(t, 'skopeo') || !needTool(t, 'umoci')) return;
  const skopeo = skopeoIn(work);
  const layout = join(work, 'layout');
  await buildImage(layout, 'v1', { files: { 'hello.txt': 'roles\n' } });
  const copy = (user: string, repo: string) =>
    skopeo([
      'copy',
      '--dest-tls-verify=false',
      '--dest-creds',
      `${user}:${userPassword}`,
      `oci:${layout}:v1`,
      `docker://${server.host}/priv/${repo}:v1`,
    ]);

  await assert.rejects(copy('role3', 'by-guest'), (err: unknown) => {
    assert.ok(err instanceof ExecError);
    assert.match(err.stderr, /denied|unauthorized/i);
    return true;
  });
  const guestTags = await registry(
    'priv/by-guest/tags/list',
    (await token(adminAuth, 'repository:priv/by-guest:pull')).bearer,
  );
  assert.equal(guestTags.status, 404, 'nothing was stored for the guest');

  await copy('role2', 'by-dev');
  const devTags = await registry(
    'priv/by-dev/tags/list',
    (await token(adminAuth, 'repository:priv/by-dev:pull')).bearer,
  );
  assert.equal(devTags.status, 200);
  assert.deepEqual(((await devTags.json()) as { tags: string[] }).tags, ['v1']);
});
