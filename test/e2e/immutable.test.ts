import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { api } from '../helpers/api.js';
import { adminCredentials, startTestBerth, tempDir, type TestBerth } from '../helpers/berth.js';
import { buildImage } from '../helpers/images.js';
import { needTool, type ExecError } from '../helpers/tools.js';
import { skopeoIn, skopeoPushArgs } from './clients.js';

// Tag immutability with a real client: skopeo copying another image over a protected tag and
// deleting it are refused, and skopeo shows Harbor's message; copying the very same image
// again succeeds (an immutable tag keeps its digest; nothing moves).

const refusal = "Failed to process request due to 'app:v1' configured as immutable.";

let server: TestBerth;
let work: string;
let skopeo: (args: string[]) => Promise<string>;

before(async () => {
  server = await startTestBerth();
  work = tempDir('berth-e2e-immutable-');
  skopeo = skopeoIn(work);
});
after(async () => {
  await server?.close();
  rmSync(work, { recursive: true, force: true });
});

test("skopeo cannot copy over or delete an immutable tag, sees Harbor's message, and may copy the same image again", async (t) => {
  if (!needTool(t, 'skopeo') || !needTool(t, 'umoci')) return;
  const layout = join(work, 'layout');
  const first = await buildImage(layout, 'first', { files: { 'a.txt': 'first' } });
  const second = await buildImage(layout, 'second', { files: { 'b.txt': 'second' } });
  const created = await api(server, 'POST', '/projects', {
    body: { project_name: 'frozen', metadata: { public: 'false' } },
  });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  await skopeo(skopeoPushArgs(layout, 'first', server.host, 'frozen/app:v1'));
  const rule = await api(server, 'POST', '/projects/frozen/immutabletagrules', {
    body: {
      tag_selectors: [{ kind: 'doublestar', decoration: 'matches', pattern: 'v*' }],
      scope_selectors: { repository: [{ kind: 'doublestar', decoration: 'repoMatches', pattern: '**' }] },
    },
  });
  assert.equal(rule.status, 201, JSON.stringify(rule.body));

  const overwrite = await skopeo(skopeoPushArgs(layout, 'second', server.host, 'frozen/app:v1')).then(
    () => assert.fail('skopeo moved an immutable tag'),
    (err: unknown) => err as ExecError,
  );
  assert.ok(overwrite.stderr.includes(refusal), `skopeo shows Harbor's message: ${overwrite.stderr}`);

  await skopeo(skopeoPushArgs(layout, 'first', server.host, 'frozen/app:v1'));

  const deletion = await skopeo([
    'delete',
    '--tls-verify=false',
    '--creds',
    adminCredentials,
    `docker://${server.host}/frozen/app:v1`,
  ]).then(
    () => assert.fail('skopeo deleted an immutable tag'),
    (err: unknown) => err as ExecError,
  );
  assert.ok(deletion.stderr.includes(refusal), `skopeo shows Harbor's message: ${deletion.stderr}`);

  const inspected = JSON.parse(
    await skopeo([
      'inspect',
      '--tls-verify=false',
      '--creds',
      adminCredentials,
      `docker://${server.host}/frozen/app:v1`,
    ]),
  ) as { Digest: string };
  assert.equal(inspected.Digest, first.digest, 'v1 still names the first image');
  assert.notEqual(first.digest, second.digest);

  // A tag no rule selects moves as before.
  await skopeo(skopeoPushArgs(layout, 'first', server.host, 'frozen/app:latest'));
  await skopeo(skopeoPushArgs(layout, 'second', server.host, 'frozen/app:latest'));
});
