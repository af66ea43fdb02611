import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { api, startApiBerth } from '../helpers/api.js';
import { assertHarborErrors, assertHarborSchema } from '../helpers/harbor-schema.js';
import type { TestBerth } from '../helpers/berth.js';
import { addMember, createProject, createUser, idFromLocation } from '../helpers/projects.js';
import { encodeRepository, pushImage } from '../helpers/push.js';

// Harbor's tag immutability API (GET|POST /projects/{p}/immutabletagrules, PUT|DELETE …/{id})
// and its enforcement everywhere a tag can move or go: a manifest PUT over the tag, DELETE of
// the tag or of its artifact over /v2 and the API, artifact copy, repository DELETE. Refusals
// carry Harbor's 412 and message; the same manifest pushed again under the tag is accepted.

const LIST = '/projects/{project_name_or_id}/immutabletagrules';
const ONE = '/projects/{project_name_or_id}/immutabletagrules/{immutable_rule_id}';

interface Rule {
  id: number;
  priority: number;
  disabled: boolean;
  action: string;
  template: string;
  tag_selectors: { kind: string; decoration: string; pattern: string }[];
  scope_selectors: { repository: { kind: string; decoration: string; pattern: string }[] };
}

let server: TestBerth;

before(async () => {
  server = await startApiBerth();
});
after(() => server.close());

function rule(tags: string, repositories = '**', decorations = { tag: 'matches', repo: 'repoMatches' }) {
  return {
    disabled: false,
    action: 'immutable',
    template: 'immutable_template',
    tag_selectors: [{ kind: 'doublestar', decoration: decorations.tag, pattern: tags }],
    scope_selectors: { repository: [{ kind: 'doublestar', decoration: decorations.repo, pattern: repositories }] },
  };
}

async function addRule(project: string, body: object, auth?: string): Promise<number> {
  const res = await api(server, 'POST', `/projects/${project}/immutabletagrules`, { body, auth });
  assert.equal(res.status, 201, JSON.stringify(res.body));
  return idFromLocation(res.headers);
}

function immutableMessage(repository: string, tag: string): string {
  return `Failed to process request due to '${repository}:${tag}' configured as immutable.`;
}

/** Harbor answers 412 here without documenting it per operation: its error body, its message. */
function harborError(res: { status: number; body: unknown }, message: string): void {
  assert.equal(res.status, 412, JSON.stringify(res.body));
  assertHarborErrors(res.body);
  assert.deepEqual((res.body as { errors: unknown[] }).errors, [{ code: 'PRECONDITION', message }]);
}

async function v2(
  method: string,
  path: string,
): Promise<{ status: number; body: { errors: { code: string; message: string }[] } }> {
  const res = await fetch(`${server.url}/v2/${path}`, {
    method,
    headers: { authorization: `Basic ${Buffer.from('admin:Harbor12345').toString('base64')}` },
  });
  return { status: res.status, body: (await res.json().catch(() => ({}))) as never };
}

test("immutability rules round-trip in Harbor's ImmutableRule schema, with paging, and refuse bad rules", async () => {
  const projectId = await createProject(server, 'imm-api');
  const first = await addRule('imm-api', rule('v*'));
  const second = await addRule(String(projectId), rule('release-*', 'app{,-*}'));

  const res = await api<Rule[]>(server, 'GET', '/projects/imm-api/immutabletagrules');
  assert.equal(res.status, 200, JSON.stringify(res.body));
  assertHarborSchema('GET', LIST, 200, res.body);
  assert.equal(res.headers.get('x-total-count'), '2');
  assert.deepEqual(
    res.body.map((r) => [r.id, r.tag_selectors[0]?.pattern, r.scope_selectors.repository[0]?.pattern, r.disabled]),
    [
      [first, 'v*', '**', false],
      [second, 'release-*', 'app{,-*}', false],
    ],
  );
  assert.equal(res.body[0]?.action, 'immutable');
  assert.equal(res.body[0]?.template, 'immutable_template');
  const paged = await api<Rule[]>(server, 'GET', '/projects/imm-api/immutabletagrules?page=2&page_size=1');
  assert.deepEqual(
    paged.body.map((r) => r.id),
    [second],
  );

  const disable = await api(server, 'PUT', `/projects/imm-api/immutabletagrules/${first}`, {
    body: { ...rule('v*'), id: first, disabled: true },
  });
  assert.equal(disable.status, 200, JSON.stringify(disable.body));
  const after = await api<Rule[]>(server, 'GET', '/projects/imm-api/immutabletagrules');
  assert.equal(after.body.find((r) => r.id === first)?.disabled, true);

  const cases: [string, object, number, RegExp][] = [
    ['no tag selector', { ...rule('v*'), tag_selectors: [] }, 400, /tag_selectors/],
    ['unknown decoration', rule('v*', '**', { tag: 'regex', repo: 'repoMatches' }), 400, /decoration/],
    [
      'repository decoration on a tag',
      rule('v*', '**', { tag: 'repoMatches', repo: 'repoMatches' }),
      400,
      /decoration/,
    ],
    ['empty pattern', rule(''), 400, /pattern/],
    ['not an object', [] as unknown as object, 400, /ImmutableRule/],
    ['the same rule twice', rule('release-*', 'app{,-*}'), 409, /same immutability rule/],
  ];
  for (const [name, body, status, message] of cases) {
    const bad = await api<{ errors: { message: string }[] }>(server, 'POST', '/projects/imm-api/immutabletagrules', {
      body,
    });
    assert.equal(bad.status, status, `${name}: ${JSON.stringify(bad.body)}`);
    // Harbor's duplicate rule is a 409 its swagger does not list for this operation.
    if (status === 409) assertHarborErrors(bad.body);
    else assertHarborSchema('POST', LIST, status, bad.body);
    assert.match(bad.body.errors[0]?.message ?? '', message, name);
  }
  const mismatch = await api(server, 'PUT', `/projects/imm-api/immutabletagrules/${first}`, {
    body: { ...rule('v*'), id: second },
  });
  assert.equal(mismatch.status, 400);
  const missing = await api(server, 'PUT', '/projects/imm-api/immutabletagrules/999999', { body: rule('x') });
  assert.equal(missing.status, 404);
  assertHarborSchema('PUT', ONE, 404, missing.body);

  const removed = await api(server, 'DELETE', `/projects/imm-api/immutabletagrules/${first}`);
  assert.equal(removed.status, 200);
  const again = await api(server, 'DELETE', `/projects/imm-api/immutabletagrules/${first}`);
  assert.equal(again.status, 404);
  assertHarborSchema('DELETE', ONE, 404, again.body);
});

test('a project holds at most 15 immutability rules', async () => {
  await createProject(server, 'imm-limit');
  for (let i = 0; i < 15; i++) await addRule('imm-limit', rule(`t${String(i)}-*`));
  const sixteenth = await api<{ errors: { message: string }[] }>(
    server,
    'POST',
    '/projects/imm-limit/immutabletagrules',
    {
      body: rule('t15-*'),
    },
  );
  assert.equal(sixteenth.status, 400, JSON.stringify(sixteenth.body));
  assert.match(sixteenth.body.errors[0]?.message ?? '', /15 immutability rules/);
});

test('project admins and maintainers manage immutability rules; developers and guests only get 403', async () => {
  await createProject(server, 'imm-rbac');
  const roles: [string, number, boolean][] = [
    ['imm-admin', 1, true],
    ['imm-maintainer', 4, true],
    ['imm-developer', 2, false],
    ['imm-guest', 3, false],
  ];
  for (const [name, roleId, allowed] of roles) {
    const user = await createUser(server, name);
    await addMember(server, 'imm-rbac', name, roleId);
    const created = await api(server, 'POST', '/projects/imm-rbac/immutabletagrules', {
      auth: user.auth,
      body: rule(`${name}-*`),
    });
    assert.equal(created.status, allowed ? 201 : 403, `${name} creates: ${JSON.stringify(created.body)}`);
    const listed = await api(server, 'GET', '/projects/imm-rbac/immutabletagrules', { auth: user.auth });
    assert.equal(listed.status, allowed ? 200 : 403, `${name} lists`);
  }
  const outsider = await createUser(server, 'imm-outsider');
  const hidden = await api(server, 'GET', '/projects/imm-rbac/immutabletagrules', { auth: outsider.auth });
  assert.ok([403, 404].includes(hidden.status), `a non-member gets ${String(hidden.status)}`);
  const anonymous = await api(server, 'GET', '/projects/imm-rbac/immutabletagrules', { auth: '' });
  assert.equal(anonymous.status, 401);
});

test('an immutable tag cannot move to another manifest, but the same manifest may be pushed again', async () => {
  await createProject(server, 'imm-push');
  const v1 = await pushImage(server, 'imm-push/app', 'v1', { seed: 'one' });
  await pushImage(server, 'imm-push/app', 'dev', { seed: 'dev-one' });
  await addRule('imm-push', rule('v*', 'app'));

  const bytes = await fetch(`${server.url}/v2/imm-push/app/manifests/v1`, {
    headers: { authorization: `Basic ${Buffer.from('admin:Harbor12345').toString('base64')}`, accept: v1.mediaType },
  }).then(async (r) => Buffer.from(await r.arrayBuffer()));
  const same = await fetch(`${server.url}/v2/imm-push/app/manifests/v1`, {
    method: 'PUT',
    headers: {
      authorization: `Basic ${Buffer.from('admin:Harbor12345').toString('base64')}`,
      'content-type': v1.mediaType,
    },
    body: bytes,
  });
  assert.equal(same.status, 201, `the same manifest again: ${await same.text()}`);

  await assert.rejects(pushImage(server, 'imm-push/app', 'v1', { seed: 'two' }), (err: Error) => {
    assert.match(err.message, /: 412 /);
    assert.ok(err.message.includes(immutableMessage('app', 'v1')), err.message);
    assert.match(err.message, /"code":"PRECONDITION"/);
    return true;
  });
  const still = await v2('HEAD', 'imm-push/app/manifests/v1');
  assert.equal(still.status, 200);
  const tagged = await fetch(`${server.url}/v2/imm-push/app/manifests/v1`, {
    method: 'HEAD',
    headers: { authorization: `Basic ${Buffer.from('admin:Harbor12345').toString('base64')}` },
  });
  assert.equal(tagged.headers.get('docker-content-digest'), v1.digest, 'v1 still names the first manifest');

  // with_immutable_status: the tags say which a rule protects, in artifact and tag lists.
  const listed = await api<{ tags: { name: string; immutable: boolean }[] }[]>(
    server,
    'GET',
    '/projects/imm-push/repositories/app/artifacts?with_immutable_status=true',
  );
  const statuses = listed.body.flatMap((a) => a.tags.map((t) => [t.name, t.immutable]));
  assert.deepEqual(statuses.sort(), [
    ['dev', false],
    ['v1', true],
  ]);
  const plain = await api<{ tags: { immutable: boolean }[] }[]>(
    server,
    'GET',
    '/projects/imm-push/repositories/app/artifacts',
  );
  assert.ok(
    plain.body.every((a) => a.tags.every((t) => !t.immutable)),
    'without the flag nothing is looked up',
  );
  const tags = await api<{ name: string; immutable: boolean }[]>(
    server,
    'GET',
    `/projects/imm-push/repositories/app/artifacts/${v1.digest}/tags?with_immutable_status=true`,
  );
  assertHarborSchema(
    'GET',
    '/projects/{project_name}/repositories/{repository_name}/artifacts/{reference}/tags',
    200,
    tags.body,
  );
  assert.deepEqual(
    tags.body.map((t) => [t.name, t.immutable]),
    [['v1', true]],
  );

  // Tags no rule selects move as before, and a new tag under the rule is a first push.
  await pushImage(server, 'imm-push/app', 'dev', { seed: 'dev-two' });
  await pushImage(server, 'imm-push/app', 'v2', { seed: 'three' });
  await pushImage(server, 'imm-push/other', 'v1', { seed: 'four' });
  await pushImage(server, 'imm-push/other', 'v1', { seed: 'five' });
});

test('DELETE of an immutable tag, of its artifact, or of its repository is refused on /v2 and the API', async () => {
  await createProject(server, 'imm-del');
  const v1 = await pushImage(server, 'imm-del/app', 'v1.0', { seed: 'a' });
  const loose = await pushImage(server, 'imm-del/app', 'latest', { seed: 'b' });
  const ruleId = await addRule('imm-del', rule('v*'));
  const message = immutableMessage('app', 'v1.0');

  const tagDelete = await v2('DELETE', 'imm-del/app/manifests/v1.0');
  assert.equal(tagDelete.status, 412);
  assert.deepEqual(tagDelete.body, {
    errors: [{ code: 'PRECONDITION', message, detail: { repository: 'imm-del/app', tag: 'v1.0' } }],
  });
  const digestDelete = await v2('DELETE', `imm-del/app/manifests/${v1.digest}`);
  assert.equal(digestDelete.status, 412);

  const base = `/projects/imm-del/repositories/${encodeRepository('app')}`;
  harborError(await api(server, 'DELETE', `${base}/artifacts/${v1.digest}`), message);
  harborError(await api(server, 'DELETE', `${base}/artifacts/${v1.digest}/tags/v1.0`), message);
  harborError(await api(server, 'DELETE', base), message);
  assert.equal(
    (await v2('HEAD', `imm-del/app/manifests/${loose.digest}`)).status,
    200,
    'nothing of the repository went',
  );

  // Other tags go as before; with the rule disabled, so does the protected one.
  assert.equal((await api(server, 'DELETE', `${base}/artifacts/${loose.digest}`)).status, 200);
  const disable = await api(server, 'PUT', `/projects/imm-del/immutabletagrules/${ruleId}`, {
    body: { ...rule('v*'), disabled: true },
  });
  assert.equal(disable.status, 200);
  assert.equal((await v2('DELETE', 'imm-del/app/manifests/v1.0')).status, 202);
});

test('an artifact copy may not take an immutable tag from another artifact', async () => {
  await createProject(server, 'imm-copy-src');
  await createProject(server, 'imm-copy-dst');
  const source = await pushImage(server, 'imm-copy-src/app', 'v1', { seed: 'src' });
  const target = await pushImage(server, 'imm-copy-dst/app', 'v1', { seed: 'dst' });
  await addRule('imm-copy-dst', rule('v1'));
  const copy = await api(server, 'POST', `/projects/imm-copy-dst/repositories/app/artifacts?from=imm-copy-src/app:v1`);
  harborError(copy, immutableMessage('app', 'v1'));
  const head = await fetch(`${server.url}/v2/imm-copy-dst/app/manifests/v1`, {
    method: 'HEAD',
    headers: { authorization: `Basic ${Buffer.from('admin:Harbor12345').toString('base64')}` },
  });
  assert.equal(head.headers.get('docker-content-digest'), target.digest);
  assert.notEqual(source.digest, target.digest);
});

test('a new rule applies at once, and a deleted project takes its rules with it', async () => {
  await createProject(server, 'imm-fresh');
  await pushImage(server, 'imm-fresh/app', 'v1', { seed: 'x' });
  await pushImage(server, 'imm-fresh/app', 'v1', { seed: 'y' });
  await addRule('imm-fresh', rule('v1'));
  await assert.rejects(pushImage(server, 'imm-fresh/app', 'v1', { seed: 'z' }), /412/);

  assert.equal((await api(server, 'DELETE', '/projects/imm-fresh/repositories/app')).status, 412);
  const rules = await api<Rule[]>(server, 'GET', '/projects/imm-fresh/immutabletagrules');
  for (const r of rules.body)
    assert.equal((await api(server, 'DELETE', `/projects/imm-fresh/immutabletagrules/${r.id}`)).status, 200);
  assert.equal((await api(server, 'DELETE', '/projects/imm-fresh/repositories/app')).status, 200);
  assert.equal((await api(server, 'DELETE', '/projects/imm-fresh')).status, 200);
  await createProject(server, 'imm-fresh');
  await pushImage(server, 'imm-fresh/app', 'v1', { seed: 'x' });
  await pushImage(server, 'imm-fresh/app', 'v1', { seed: 'y' });
});
