import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { api, basic, startApiBerth } from '../helpers/api.js';
import type { TestBerth } from '../helpers/berth.js';
import { assertHarborErrors, assertHarborSchema } from '../helpers/harbor-schema.js';
import { createProject, createUser, addMember } from '../helpers/projects.js';
import { media, pushBlob, pushManifest, sha256, type Pushed } from '../helpers/push.js';
import {
  importOsvFixture,
  scanArtifact,
  vulnMime,
  vulnerableImageFiles,
  debianOsRelease,
} from '../helpers/scanning.js';
import { needTool } from '../helpers/tools.js';
import { gzip, tarLayer } from '../../src/scanning/image/suite/layers.js';

// Harbor's security hub (swagger tag securityhub): GET /security/summary and GET /security/vul
// over real images pushed over /v2 and scanned by the built-in scanner against the OSV fixture.
// Every number is checked against the artifacts' own vulnerability reports; each `q` condition,
// paging with its headers, with_tag and tune_count; who may call (admins and robots with the
// system permission security-hub); and a bad `q` answered 400. Every answer against the swagger.

interface ReportItem {
  id: string;
  package: string;
  version: string;
  fix_version: string;
  severity: string;
  description: string;
  links: string[];
  preferred_cvss: { score_v3: number };
}
interface Summary {
  critical_cnt: number;
  high_cnt: number;
  medium_cnt: number;
  low_cnt: number;
  none_cnt: number;
  unknown_cnt: number;
  total_vuls: number;
  scanned_cnt: number;
  total_artifact: number;
  fixable_cnt: number;
  dangerous_cves?: {
    cve_id: string;
    severity: string;
    cvss_score_v3: number;
    package: string;
    version: string;
    desc: string;
  }[];
  dangerous_artifacts?: {
    project_id: number;
    repository_name: string;
    digest: string;
    critical_cnt: number;
    high_cnt: number;
    medium_cnt: number;
  }[];
}
interface Item {
  project_id: number;
  repository_name: string;
  digest: string;
  tags?: string[];
  cve_id: string;
  severity: string;
  cvss_v3_score?: number;
  package: string;
  version: string;
  fixed_version?: string;
  desc?: string;
  links: string[];
}

/** An artifact of the test and what its report found. */
interface Placed {
  projectId: number;
  repository: string;
  digest: string;
  tags: string[];
  findings: ReportItem[];
}

const severities = ['None', 'Unknown', 'Low', 'Medium', 'High', 'Critical'];
const rank = (severity: string) => severities.indexOf(severity);
const itemKey = (i: { repository_name: string; digest: string; cve_id: string; package: string }) =>
  `${i.repository_name}@${i.digest} ${i.cve_id} ${i.package}`;

interface Image {
  config: Buffer;
  layer: Buffer;
}

/** A one-layer image holding `files` (the same files give the same bytes, so the same digest). */
async function imageOf(files: Record<string, string>): Promise<Image> {
  const tarBytes = await tarLayer(Object.entries(files).map(([name, content]) => ({ name, content })));
  const config = Buffer.from(
    JSON.stringify({ architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: [sha256(tarBytes)] } }),
  );
  return { config, layer: gzip(tarBytes) };
}

async function push(server: TestBerth, repository: string, tag: string, image: Image): Promise<Pushed> {
  const manifest = {
    schemaVersion: 2,
    mediaType: media.ociManifest,
    config: {
      mediaType: media.ociConfig,
      digest: await pushBlob(server, repository, image.config),
      size: image.config.length,
    },
    layers: [
      { mediaType: media.ociLayer, digest: await pushBlob(server, repository, image.layer), size: image.layer.length },
    ],
  };
  return pushManifest(server, repository, tag, manifest, media.ociManifest);
}

async function reportOf(server: TestBerth, project: string, repository: string, digest: string) {
  const res = await api<Record<string, { vulnerabilities: ReportItem[] }>>(
    server,
    'GET',
    `/projects/${project}/repositories/${repository}/artifacts/${digest}/additions/vulnerabilities`,
  );
  assert.equal(res.status, 200, JSON.stringify(res.body));
  return res.body[vulnMime]?.vulnerabilities ?? [];
}

async function summary(server: TestBerth, query = ''): Promise<Summary> {
  const res = await api<Summary>(server, 'GET', `/security/summary${query}`);
  assert.equal(res.status, 200, JSON.stringify(res.body));
  assertHarborSchema('GET', '/security/summary', 200, res.body);
  return res.body;
}

async function vul(server: TestBerth, query: string): Promise<{ items: Item[]; total: number; link: string }> {
  const res = await api<Item[]>(server, 'GET', `/security/vul${query}`);
  assert.equal(res.status, 200, `${query}: ${JSON.stringify(res.body)}`);
  assertHarborSchema('GET', '/security/vul', 200, res.body);
  return { items: res.body, total: Number(res.headers.get('x-total-count')), link: res.headers.get('link') ?? '' };
}

function expectedItems(placed: Placed[]): Item[] {
  return placed.flatMap((a) =>
    a.findings.map((f) => ({
      project_id: a.projectId,
      repository_name: a.repository,
      digest: a.digest,
      cve_id: f.id,
      severity: f.severity,
      ...(f.preferred_cvss.score_v3 ? { cvss_v3_score: f.preferred_cvss.score_v3 } : {}),
      package: f.package,
      version: f.version,
      ...(f.fix_version ? { fixed_version: f.fix_version } : {}),
      ...(f.description ? { desc: f.description } : {}),
      links: f.links,
    })),
  );
}

const keysOf = (items: { repository_name: string; digest: string; cve_id: string; package: string }[]) =>
  items.map(itemKey).sort();

function expectedSummary(placed: Placed[], totalArtifacts: number): Summary {
  const count = (severity: string) =>
    placed.reduce((n, a) => n + a.findings.filter((f) => f.severity === severity).length, 0);
  const findings = placed.flatMap((a) => a.findings);
  return {
    critical_cnt: count('Critical'),
    high_cnt: count('High'),
    medium_cnt: count('Medium'),
    low_cnt: count('Low'),
    none_cnt: count('None'),
    unknown_cnt: count('Unknown'),
    total_vuls: findings.length,
    scanned_cnt: placed.length,
    total_artifact: totalArtifacts,
    fixable_cnt: findings.filter((f) => f.fix_version !== '').length,
  };
}

function expectedDangerousCves(placed: Placed[]) {
  const unique = new Map<string, ReportItem>();
  for (const f of placed.flatMap((a) => a.findings))
    if (f.preferred_cvss.score_v3) unique.set(`${f.id} ${f.package} ${f.version}`, f);
  return [...unique.values()]
    .sort(
      (x, y) =>
        y.preferred_cvss.score_v3 - x.preferred_cvss.score_v3 ||
        rank(y.severity) - rank(x.severity) ||
        x.id.localeCompare(y.id) ||
        x.package.localeCompare(y.package),
    )
    .slice(0, 5)
    .map((f) => ({
      cve_id: f.id,
      severity: f.severity,
      cvss_score_v3: f.preferred_cvss.score_v3,
      package: f.package,
      version: f.version,
    }));
}

/** In push order, which is the artifacts' id order: the tie-breaker of equally dangerous artifacts. */
function expectedDangerousArtifacts(placed: Placed[]) {
  const counted = placed.map((a) => {
    const n = (severity: string) => a.findings.filter((f) => f.severity === severity).length;
    return {
      project_id: a.projectId,
      repository_name: a.repository,
      digest: a.digest,
      critical_cnt: n('Critical'),
      high_cnt: n('High'),
      medium_cnt: n('Medium'),
      low: n('Low'),
    };
  });
  return counted
    .filter((a) => a.critical_cnt + a.high_cnt + a.medium_cnt + a.low > 0)
    .sort(
      (x, y) =>
        y.critical_cnt - x.critical_cnt || y.high_cnt - x.high_cnt || y.medium_cnt - x.medium_cnt || y.low - x.low,
    )
    .slice(0, 5)
    .map(({ low: _low, ...rest }) => rest);
}

test('security hub API', async (t) => {
  if (!needTool(t, 'zip')) return;
  const server = await startApiBerth();
  const work = mkdtempSync(join(tmpdir(), 'berth-security-hub-'));
  t.after(async () => {
    await server.close();
    rmSync(work, { recursive: true, force: true });
  });

  await importOsvFixture(server, work);
  const one = await createProject(server, 'hub-one');
  const two = await createProject(server, 'hub-two');
  const languageOnly = Object.fromEntries(
    Object.entries(vulnerableImageFiles).filter(([path]) => path.startsWith('usr/')),
  );
  const full = await imageOf(vulnerableImageFiles);
  const app = await push(server, 'hub-one/app', 'v1', full);
  await push(server, 'hub-one/app', 'v2', full);
  await push(server, 'hub-two/copy', 'latest', full);
  const web = await push(server, 'hub-two/web', 'v1', await imageOf(languageOnly));
  const clean = await push(
    server,
    'hub-one/clean',
    'v1',
    await imageOf({ 'etc/os-release': debianOsRelease, 'srv/clean': 'nothing to find\n' }),
  );
  await push(server, 'hub-two/unscanned', 'v1', await imageOf({ 'srv/unscanned': 'never scanned\n' }));
  const totalArtifacts = 5;

  for (const path of [
    `/projects/hub-one/repositories/app/artifacts/${app.digest}`,
    `/projects/hub-two/repositories/web/artifacts/${web.digest}`,
    `/projects/hub-one/repositories/clean/artifacts/${clean.digest}`,
  ]) {
    const overview = await scanArtifact(server, path);
    assert.equal(overview.scan_status, 'Success', `${path}: ${JSON.stringify(overview)}`);
  }
  const appFindings = await reportOf(server, 'hub-one', 'app', app.digest);
  const webFindings = await reportOf(server, 'hub-two', 'web', web.digest);
  assert.ok(appFindings.length >= 4, `the full image has the fixture's findings: ${JSON.stringify(appFindings)}`);
  assert.ok(webFindings.length >= 1 && webFindings.length < appFindings.length, 'the language-only image has fewer');
  assert.deepEqual(await reportOf(server, 'hub-one', 'clean', clean.digest), []);
  // The copy shares the app's digest, so its report: each artifact counts its findings.
  const placed: Placed[] = [
    { projectId: one, repository: 'hub-one/app', digest: app.digest, tags: ['v1', 'v2'], findings: appFindings },
    { projectId: two, repository: 'hub-two/copy', digest: app.digest, tags: ['latest'], findings: appFindings },
    { projectId: two, repository: 'hub-two/web', digest: web.digest, tags: ['v1'], findings: webFindings },
    { projectId: one, repository: 'hub-one/clean', digest: clean.digest, tags: ['v1'], findings: [] },
  ];
  const all = expectedItems(placed);

  await t.test("the summary counts every scanned artifact's findings by severity, and the artifacts", async () => {
    const plain = await summary(server);
    assert.deepEqual(plain, expectedSummary(placed, totalArtifacts));
    assert.ok(plain.high_cnt > 0 && plain.medium_cnt > 0 && plain.fixable_cnt > 0, JSON.stringify(plain));
    assert.equal(plain.dangerous_cves, undefined);
    assert.equal(plain.dangerous_artifacts, undefined);
  });

  await t.test('with_dangerous_cve and with_dangerous_artifact add the top five of each', async () => {
    const full = await summary(server, '?with_dangerous_cve=true&with_dangerous_artifact=true');
    const { dangerous_cves: cves = [], dangerous_artifacts: artifacts, ...counts } = full;
    assert.deepEqual(counts, expectedSummary(placed, totalArtifacts));
    assert.deepEqual(
      cves.map(({ desc: _desc, ...cve }) => cve),
      expectedDangerousCves(placed),
    );
    assert.ok(cves.length > 0);
    assert.deepEqual(artifacts, expectedDangerousArtifacts(placed));
    assert.equal(artifacts?.[0]?.repository_name, 'hub-one/app', 'equally dangerous artifacts in push order');
    const onlyCves = await summary(server, '?with_dangerous_cve=true');
    assert.equal(onlyCves.dangerous_artifacts, undefined);
    assert.deepEqual(onlyCves.dangerous_cves, cves);
  });

  await t.test('the list holds every finding of every artifact once, by CVSS v3 score, paged', async () => {
    const seen: Item[] = [];
    for (let page = 1; ; page++) {
      const got = await vul(server, `?page=${page}&page_size=3`);
      assert.equal(got.total, all.length);
      if (got.items.length === 0) break;
      seen.push(...got.items);
      assert.equal(got.link.includes('rel="prev"'), page > 1, `page ${page}: ${got.link}`);
      assert.equal(got.link.includes('rel="next"'), page * 3 < all.length, `page ${page}: ${got.link}`);
      if (page * 3 < all.length) assert.match(got.link, new RegExp(`page=${page + 1}&page_size=3>; rel="next"`));
    }
    assert.deepEqual(keysOf(seen), keysOf(all));
    assert.equal(new Set(seen.map(itemKey)).size, seen.length, 'no finding on two pages');
    const byKey = new Map(all.map((item) => [itemKey(item), item]));
    for (const item of seen) assert.deepEqual(item, byKey.get(itemKey(item)));
    const scores = seen.map((item) => item.cvss_v3_score ?? -1);
    assert.deepEqual(
      scores,
      [...scores].sort((x, y) => y - x),
      'highest score first, unscored last',
    );

    const first = await vul(server, '');
    assert.equal(first.items.length, Math.min(10, all.length), "Harbor's default page size");
    assert.deepEqual(first.items, seen.slice(0, first.items.length));
  });

  await t.test('each q condition selects the findings it names', async () => {
    const check = async (q: string, keep: (item: Item) => boolean, nonTrivial = true) => {
      const expected = all.filter(keep);
      if (nonTrivial) assert.ok(expected.length > 0 && expected.length < all.length, `${q} selects some`);
      const got = await vul(server, `?page_size=100&q=${encodeURIComponent(q)}`);
      assert.deepEqual(keysOf(got.items), keysOf(expected), q);
      assert.equal(got.total, expected.length, q);
    };
    const cve = appFindings[0]!.id;
    const scored = all.filter((item) => item.cvss_v3_score !== undefined).map((item) => item.cvss_v3_score!);
    const middle = [...new Set(scored)].sort((x, y) => x - y)[Math.floor(new Set(scored).size / 2)]!;
    await check(`cve_id=${cve}`, (item) => item.cve_id === cve);
    await check('severity=High', (item) => item.severity === 'High');
    await check(`cvss_score_v3=[${middle}~10]`, (item) => (item.cvss_v3_score ?? -1) >= middle);
    await check(
      `cvss_score_v3=[0~${middle}]`,
      (item) => item.cvss_v3_score !== undefined && item.cvss_v3_score <= middle,
    );
    await check('repository_name=hub-two/copy', (item) => item.repository_name === 'hub-two/copy');
    await check(`project_id=${two}`, (item) => item.project_id === two);
    await check(`package=${webFindings[0]!.package}`, (item) => item.package === webFindings[0]!.package);
    await check('tag=v2', (item) => item.repository_name === 'hub-one/app');
    await check(`digest=${web.digest}`, (item) => item.digest === web.digest);
    await check(`project_id=${two},severity=Medium`, (item) => item.project_id === two && item.severity === 'Medium');
    await check('cve_id=CVE-0000-0000', () => false, false);
    await check('tag=latest,repository_name=hub-one/app', () => false, false);
  });

  await t.test('with_tag adds the artifact tags; tune_count keeps a total under 1000', async () => {
    const tagged = await vul(server, '?page_size=100&with_tag=true');
    assert.equal(tagged.items.length, all.length);
    for (const item of tagged.items) {
      const artifact = placed.find((a) => a.repository === item.repository_name && a.digest === item.digest);
      assert.deepEqual(item.tags, artifact?.tags, itemKey(item));
    }
    const plain = await vul(server, '?page_size=100');
    assert.ok(plain.items.every((item) => item.tags === undefined));
    const tuned = await vul(server, '?page_size=2&tune_count=true');
    assert.equal(tuned.total, all.length);
    assert.match(tuned.link, /rel="next"/);
  });

  await t.test('system administrators and robots with the system permission security-hub only', async () => {
    const calls: [string, string][] = [
      ['/security/summary', '?with_dangerous_cve=true'],
      ['/security/vul', ''],
    ];
    for (const [path, query] of calls) {
      const anonymous = await api(server, 'GET', `${path}${query}`, { auth: null });
      assert.equal(anonymous.status, 401, path);
      assertHarborSchema('GET', path, 401, anonymous.body);
    }
    const user = await createUser(server, 'hubuser');
    await addMember(server, 'hub-one', user.username, 1);
    for (const [path, query] of calls) {
      const refused = await api(server, 'GET', `${path}${query}`, { auth: user.auth });
      assert.equal(refused.status, 403, `${path} as a project admin`);
      assertHarborErrors(refused.body);
    }
    const robot = async (name: string, actions: string[]) => {
      const res = await api<{ name: string; secret: string }>(server, 'POST', '/robots', {
        body: {
          name,
          level: 'system',
          duration: -1,
          permissions: [
            {
              kind: 'system',
              namespace: '/',
              access: actions.map((action) => ({ resource: 'security-hub', action })),
            },
          ],
        },
      });
      assert.equal(res.status, 201, JSON.stringify(res.body));
      return basic(res.body.name, res.body.secret);
    };
    const reader = await robot('hub-reader', ['read', 'list']);
    const summaryOnly = await robot('hub-summary', ['read']);
    assert.deepEqual(
      await (
        await api(server, 'GET', '/security/summary', { auth: reader })
      ).body,
      await summary(server),
    );
    const listed = await api<Item[]>(server, 'GET', '/security/vul?page_size=100', { auth: reader });
    assert.equal(listed.status, 200);
    assert.equal(listed.body.length, all.length);
    assert.equal((await api(server, 'GET', '/security/summary', { auth: summaryOnly })).status, 200);
    const notList = await api(server, 'GET', '/security/vul', { auth: summaryOnly });
    assert.equal(notList.status, 403, 'listing needs security-hub list');
    assertHarborErrors(notList.body);
  });

  await t.test("a q Harbor's security hub does not take is 400", async () => {
    for (const q of [
      'cve_id=~CVE',
      'status=fixed',
      'name=app',
      'cvss_score_v3=7',
      'cvss_score_v3=[high~10]',
      'cvss_score_v3=[~]',
      'project_id=abc',
      'severity={High Critical}',
      'no-equals-sign',
    ]) {
      const res = await api(server, 'GET', `/security/vul?q=${encodeURIComponent(q)}`);
      assert.equal(res.status, 400, `${q}: ${JSON.stringify(res.body)}`);
      assertHarborSchema('GET', '/security/vul', 400, res.body);
      assertHarborErrors(res.body);
    }
    const flag = await api(server, 'GET', '/security/vul?with_tag=maybe');
    assert.equal(flag.status, 400);
    assertHarborErrors(flag.body);
  });
});
