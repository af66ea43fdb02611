import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { adminAuth, api } from '../helpers/api.js';
import { startTestBerth, tempDir, type TestBerth } from '../helpers/berth.js';
import { assertArtifactSchema } from '../helpers/artifact-schema.js';
import { assertHarborErrors, assertHarborSchema } from '../helpers/harbor-schema.js';
import { buildImage, writeIndex } from '../helpers/images.js';
import { createProject } from '../helpers/projects.js';
import { needTool } from '../helpers/tools.js';
import {
  debianDpkgStatus,
  debianOsRelease,
  importOsvFixture,
  scanArtifact,
  until,
  vulnMime,
  vulnerableImageFiles,
  type ScanOverview,
} from '../helpers/scanning.js';
import { skopeoIn, skopeoPushArgs } from './clients.js';

// The built-in scanner end to end: an OSV database uploaded through the API and imported as a
// job; an image built with umoci (Debian's os-release and dpkg database, an npm package, a
// Python distribution) pushed with skopeo; POST …/scan; the job's report read back as Harbor's
// vulnerability report and scan_overview; an index scanned through its images.

const nativeMime = 'application/vnd.scanner.adapter.vuln.report.harbor+json; version=1.0';

interface Item {
  id: string;
  package: string;
  version: string;
  fix_version: string;
  severity: string;
  links: string[];
  preferred_cvss: { score_v3: number; vector_v3: string };
}
interface Report {
  severity: string;
  scanner: { name: string };
  vulnerabilities: Item[];
  notes: string[];
}
async function importDatabase(server: TestBerth, work: string): Promise<void> {
  const { path, job } = await importOsvFixture(server, work);
  assert.equal(job.progress.done, job.progress.total);
  const log = await api<string>(server, 'GET', `${path}/log`);
  assert.match(log.body, /imported/);
  const status = await api<{
    advisories: number;
    ecosystems: string[];
    last_import: { source: string; withdrawn: number };
  }>(server, 'GET', '/vulnerability-database');
  const files = execFileSync('zip', ['-sf', join(work, 'osv.zip')], { encoding: 'utf8' }).match(/\.json$/gm) ?? [];
  const withdrawn = status.body.last_import.withdrawn;
  assert.equal(withdrawn, 1);
  assert.equal(status.body.advisories, files.length - withdrawn, 'every advisory but the withdrawn one is matched');
  assert.equal(status.body.last_import.source, 'osv.zip');
  assert.deepEqual(status.body.ecosystems, ['Alpine', 'Debian', 'Go', 'Maven', 'PyPI', 'npm']);
}

const scan = scanArtifact;

test('an image is scanned by the built-in scanner against an uploaded OSV database', async (t) => {
  if (!needTool(t, 'skopeo') || !needTool(t, 'umoci') || !needTool(t, 'zip')) return;
  const server = await startTestBerth({ adminPassword: 'Harbor12345' });
  const work = tempDir('berth-e2e-scan-');
  t.after(async () => {
    await server.close();
    rmSync(work, { recursive: true, force: true });
  });
  await createProject(server, 'scanme');
  const layout = join(work, 'images');
  const image = await buildImage(layout, 'v1', { files: vulnerableImageFiles });
  const skopeo = skopeoIn(work);
  await skopeo(skopeoPushArgs(layout, 'v1', server.host, 'scanme/app:v1'));
  const path = '/projects/scanme/repositories/app/artifacts/v1';

  // Before any database: the scan says so instead of reporting nothing found.
  const blind = await scan(server, path);
  assert.equal(blind.scan_status, 'Success');
  assert.equal(blind.severity, 'Unknown');
  const blindReport = await api<Record<string, Report>>(server, 'GET', `${path}/additions/vulnerabilities`);
  assert.match(blindReport.body[vulnMime]!.notes.join('\n'), /vulnerability database is empty/);

  await importDatabase(server, work);
  const overview = await scan(server, path);
  assert.equal(overview.scan_status, 'Success', JSON.stringify(overview));
  assert.equal(overview.severity, 'High');
  assert.deepEqual(overview.summary, { total: 4, fixable: 3, summary: { High: 2, Medium: 2 } });
  assert.equal(overview.complete_percent, 100);
  assert.equal(overview.scanner?.name, 'Berth');

  const listed = await api<{ digest: string; scan_overview?: Record<string, ScanOverview> }[]>(
    server,
    'GET',
    '/projects/scanme/repositories/app/artifacts?with_scan_overview=true',
  );
  assertArtifactSchema('GET', '/projects/{project_name}/repositories/{repository_name}/artifacts', 200, listed.body);
  assert.equal(listed.body[0]!.digest, image.digest);
  assert.deepEqual(listed.body[0]!.scan_overview?.[nativeMime], overview, 'shown under both report types Harbor reads');
  const without = await api<{ scan_overview?: unknown }[]>(
    server,
    'GET',
    '/projects/scanme/repositories/app/artifacts',
  );
  assert.equal(without.body[0]!.scan_overview, undefined, 'only when asked');

  const additions = await api<Record<string, Report>>(server, 'GET', `${path}/additions/vulnerabilities`);
  assert.equal(additions.status, 200);
  const report = additions.body[vulnMime]!;
  assert.equal(report.severity, 'High');
  assert.equal(report.scanner.name, 'Berth');
  const found = report.vulnerabilities
    .map((v) => `${v.id} ${v.package} ${v.version} fix=${v.fix_version} ${v.severity}`)
    .sort();
  assert.deepEqual(found, [
    'CVE-2022-25883 semver 7.5.1 fix=7.5.2 Medium',
    'CVE-2023-5363 libssl3 3.0.9-1 fix=3.0.11-1~deb12u2 High',
    'CVE-2024-22195 jinja2 3.0.1 fix= Medium',
    'DSA-5504-1 bind9-libs 1:9.18.16-1~deb12u1 fix=1:9.18.19-1~deb12u1 High',
  ]);
  const openssl = report.vulnerabilities.find((v) => v.id === 'CVE-2023-5363')!;
  assert.equal(openssl.preferred_cvss.score_v3, 7.5);
  assert.equal(openssl.preferred_cvss.vector_v3, 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N');
  assert.ok(
    openssl.links.some((l) => l.includes('dsa-5532')),
    'the DSA that names the same CVE adds its link',
  );

  const log = await api<string>(server, 'GET', `${path}/scan/${overview.report_id}/log`);
  assert.equal(log.status, 200);
  assert.match(log.body, /Debian GNU\/Linux 12 \(bookworm\), 6 packages/);
  assert.match(log.body, /4 vulnerabilities \(3 fixable\), severity High/);
  assert.equal((await api(server, 'GET', `${path}/scan/00000000-0000-0000-0000-000000000000/log`)).status, 404);

  // The SBOM: generated on request, stored as the image's accessory, in SPDX 2.3 and CycloneDX 1.5.
  const sbomOf = async () => {
    const res = await api(server, 'POST', `${path}/scan`, { body: { scan_type: 'sbom' } });
    assert.equal(res.status, 202, JSON.stringify(res.body));
    return until('the SBOM', async () => {
      const artifact = await api<{ sbom_overview?: { scan_status: string; sbom_digest?: string } }>(
        server,
        'GET',
        `${path}?with_sbom_overview=true`,
      );
      const overview = artifact.body.sbom_overview;
      return overview?.scan_status === 'Success' && overview.sbom_digest ? overview : undefined;
    });
  };
  const sbom = await sbomOf();
  const accessories = await api<{ digest: string; subject_artifact_digest: string; type: string }[]>(
    server,
    'GET',
    `${path}/accessories`,
  );
  assert.ok(
    accessories.body.some(
      (a) => a.digest === sbom.sbom_digest && a.subject_artifact_digest === image.digest && a.type === 'harbor.sbom',
    ),
  );
  // Harbor's SBOM processor names the accessory's own artifact type "SBOM".
  const sbomArtifact = await api<{ type: string }>(
    server,
    'GET',
    `/projects/scanme/repositories/app/artifacts/${sbom.sbom_digest!}`,
  );
  assert.equal(sbomArtifact.body.type, 'SBOM');
  const v2 = (what: string) =>
    fetch(`${server.url}/v2/scanme/app/${what}`, {
      headers: { authorization: adminAuth, accept: 'application/vnd.oci.image.manifest.v1+json' },
    });
  const manifest = (await (await v2(`manifests/${sbom.sbom_digest!}`)).json()) as {
    artifactType: string;
    subject: { digest: string };
    layers: { mediaType: string; digest: string }[];
  };
  assert.equal(manifest.artifactType, 'application/vnd.goharbor.harbor.sbom.v1');
  assert.equal(manifest.subject.digest, image.digest);
  assert.deepEqual(
    manifest.layers.map((l) => l.mediaType),
    ['application/spdx+json', 'application/vnd.cyclonedx+json'],
  );
  const spdx = (await (await v2(`blobs/${manifest.layers[0]!.digest}`)).json()) as {
    spdxVersion: string;
    packages: { name: string; versionInfo?: string }[];
  };
  assert.equal(spdx.spdxVersion, 'SPDX-2.3');
  assert.ok(spdx.packages.some((p) => p.name === 'libssl3' && p.versionInfo === '3.0.9-1'));
  const cdx = (await (await v2(`blobs/${manifest.layers[1]!.digest}`)).json()) as {
    specVersion: string;
    components: { name: string }[];
  };
  assert.equal(cdx.specVersion, '1.5');
  assert.ok(cdx.components.some((c) => c.name === 'semver'));
  // A new SBOM replaces the old one.
  const again = await sbomOf();
  assert.notEqual(again.sbom_digest, sbom.sbom_digest);
  assert.equal((await v2(`manifests/${sbom.sbom_digest!}`)).status, 404, 'the previous SBOM is gone');
});

test('an index is scanned through its images, its overview merging theirs; bad scans are refused', async (t) => {
  if (!needTool(t, 'skopeo') || !needTool(t, 'umoci') || !needTool(t, 'zip')) return;
  const server = await startTestBerth({ adminPassword: 'Harbor12345' });
  const work = tempDir('berth-e2e-scan-index-');
  t.after(async () => {
    await server.close();
    rmSync(work, { recursive: true, force: true });
  });
  await createProject(server, 'multi');
  await importDatabase(server, work);
  const layout = join(work, 'images');
  await buildImage(layout, 'amd64', { files: vulnerableImageFiles });
  await buildImage(layout, 'arm64', {
    files: {
      'etc/os-release': debianOsRelease,
      'var/lib/dpkg/status': debianDpkgStatus.split('\n\n').slice(2).join('\n\n'),
    },
    architecture: 'arm64',
  });
  writeIndex(layout, 'multi', [
    { tag: 'amd64', platform: { os: 'linux', architecture: 'amd64' } },
    { tag: 'arm64', platform: { os: 'linux', architecture: 'arm64' } },
  ]);
  await skopeoIn(work)(['copy', '--all', ...skopeoPushArgs(layout, 'multi', server.host, 'multi/app:latest').slice(1)]);
  const path = '/projects/multi/repositories/app/artifacts/latest';
  const index = await api<{ addition_links: Record<string, unknown> }>(server, 'GET', path);
  assert.ok(index.body.addition_links.vulnerabilities, 'an index links its vulnerabilities');

  const overview = await scan(server, path);
  assert.equal(overview.scan_status, 'Success');
  // amd64: the four; arm64: bind9-libs only.
  assert.deepEqual(overview.summary, { total: 5, fixable: 4, summary: { High: 3, Medium: 2 } });
  const ids = Buffer.from(overview.report_id, 'base64').toString('utf8').split('|');
  assert.equal(ids.length, 2, 'the merged report id names both reports');
  const log = await api<string>(server, 'GET', `${path}/scan/${encodeURIComponent(overview.report_id)}/log`);
  assert.equal((log.body.match(/---------- Logs of report/g) ?? []).length, 2);
  const report = await api<Record<string, Report>>(server, 'GET', `${path}/additions/vulnerabilities`);
  assert.equal(report.body[vulnMime]!.vulnerabilities.length, 5);

  const refused = await api(server, 'POST', `${path}/scan`, { body: { scan_type: 'everything' } });
  assert.equal(refused.status, 400);
  assertHarborErrors(refused.body);
  const stopNothing = await api(server, 'POST', `${path}/scan/stop`, { body: { scan_type: 'vulnerability' } });
  assert.equal(stopNothing.status, 400);
  assert.match(JSON.stringify(stopNothing.body), /no scan job for artifact/);
  assert.equal((await api(server, 'POST', '/projects/multi/repositories/app/artifacts/nope/scan')).status, 404);
});

test('scan and SBOM on push, and prevent_vul refusing pulls that skopeo reports, until the CVE allowlist exempts them', async (t) => {
  if (!needTool(t, 'skopeo') || !needTool(t, 'umoci') || !needTool(t, 'zip')) return;
  const server = await startTestBerth({ adminPassword: 'Harbor12345' });
  const work = tempDir('berth-e2e-prevent-');
  t.after(async () => {
    await server.close();
    rmSync(work, { recursive: true, force: true });
  });
  await importDatabase(server, work);
  const guarded = await api(server, 'POST', '/projects', {
    body: {
      project_name: 'guarded',
      metadata: {
        auto_scan: 'true',
        auto_sbom_generation: 'true',
        prevent_vul: 'true',
        severity: 'high',
        reuse_sys_cve_allowlist: 'false',
      },
    },
  });
  assert.equal(guarded.status, 201, JSON.stringify(guarded.body));
  const strict = await api(server, 'POST', '/projects', {
    body: { project_name: 'strict', metadata: { prevent_vul: 'true', severity: 'critical' } },
  });
  assert.equal(strict.status, 201);
  const layout = join(work, 'images');
  await buildImage(layout, 'v1', { files: vulnerableImageFiles });
  // Another image for the project without scan on push: reports belong to digests, shared by projects.
  await buildImage(layout, 'other', { files: { ...vulnerableImageFiles, 'etc/motd': 'another image\n' } });
  const skopeo = skopeoIn(work);
  await skopeo(skopeoPushArgs(layout, 'v1', server.host, 'guarded/app:v1'));
  await skopeo(skopeoPushArgs(layout, 'other', server.host, 'strict/app:v1'));
  const pull = (repository: string) =>
    skopeo([
      'copy',
      '--src-tls-verify=false',
      '--src-creds',
      'admin:Harbor12345',
      `docker://${server.host}/${repository}`,
      `oci:${join(work, 'pulled')}:${repository.replace(/[/:]/g, '-')}`,
    ]);
  const refusal = async (repository: string) => {
    const err = await pull(repository).then(
      () => undefined,
      (e: unknown) => e as Error,
    );
    assert.ok(err, `${repository} was pulled`);
    return err.message;
  };

  // Not scanned (no auto_scan there): refused, with Harbor's words, which skopeo prints (quotes escaped).
  assert.match(
    await refusal('strict/app:v1'),
    /current image without vulnerability scanning cannot be pulled due to configured policy in 'Prevent images with vulnerability severity of \\?"Critical\\?" or higher from running\.'/,
  );

  // Scanned on push; two High vulnerabilities at or above the project's severity.
  const scanned = await until('the scan on push', async () => {
    const artifact = await api<{ scan_overview?: Record<string, ScanOverview> }>(
      server,
      'GET',
      '/projects/guarded/repositories/app/artifacts/v1?with_scan_overview=true',
    );
    const overview = artifact.body.scan_overview?.[vulnMime];
    return overview?.scan_status === 'Success' ? overview : undefined;
  });
  assert.equal(scanned.severity, 'High');
  // …and its SBOM generated on push too.
  await until('the SBOM on push', async () => {
    const artifact = await api<{ sbom_overview?: { scan_status: string; sbom_digest?: string } }>(
      server,
      'GET',
      '/projects/guarded/repositories/app/artifacts/v1?with_sbom_overview=true',
    );
    return artifact.body.sbom_overview?.scan_status === 'Success' ? artifact.body.sbom_overview : undefined;
  });
  assert.match(
    await refusal('guarded/app:v1'),
    /current image with 2 vulnerabilities cannot be pulled due to configured policy in 'Prevent images with vulnerability severity of \\?"High\\?" or higher from running\.' To continue with pull, please contact your project administrator to exempt matched vulnerabilities through configuring the CVE allowlist\./,
  );
  const v2 = await fetch(`${server.url}/v2/guarded/app/manifests/v1`, {
    headers: { authorization: adminAuth, accept: 'application/vnd.oci.image.manifest.v1+json' },
  });
  assert.equal(v2.status, 412);
  assert.equal(((await v2.json()) as { errors: { code: string }[] }).errors[0]!.code, 'PROJECTPOLICYVIOLATION');
  const head = await fetch(`${server.url}/v2/guarded/app/manifests/v1`, {
    method: 'HEAD',
    headers: { authorization: adminAuth },
  });
  assert.equal(head.status, 200, 'a HEAD is not a pull');

  // The project's allowlist exempts one: one left. Both: the pull goes through.
  const allow = async (items: string[], expiresAt?: number) => {
    const res = await api(server, 'PUT', '/projects/guarded', {
      body: { cve_allowlist: { items: items.map((cve_id) => ({ cve_id })), expires_at: expiresAt ?? null } },
    });
    assert.equal(res.status, 200, JSON.stringify(res.body));
  };
  await allow(['CVE-2023-5363']);
  assert.match(await refusal('guarded/app:v1'), /current image with 1 vulnerability cannot be pulled/);
  await allow(['CVE-2023-5363', 'DSA-5504-1']);
  await pull('guarded/app:v1');
  const project = await api<{ cve_allowlist: { project_id: number; items: { cve_id: string }[] } }>(
    server,
    'GET',
    '/projects/guarded',
  );
  assert.deepEqual(
    project.body.cve_allowlist.items.map((i) => i.cve_id),
    ['CVE-2023-5363', 'DSA-5504-1'],
  );

  // An expired allowlist exempts nothing.
  await allow(['CVE-2023-5363', 'DSA-5504-1'], Math.floor(Date.now() / 1000) - 60);
  assert.match(await refusal('guarded/app:v1'), /current image with 2 vulnerabilities/);

  // The system's allowlist, for a project that reuses it.
  const system = await api(server, 'PUT', '/system/CVEAllowlist', {
    body: { items: [{ cve_id: 'CVE-2023-5363' }, { cve_id: 'DSA-5504-1' }] },
  });
  assert.equal(system.status, 200, JSON.stringify(system.body));
  const read = await api<{ project_id: number; items: unknown[] }>(server, 'GET', '/system/CVEAllowlist');
  assertHarborSchema('GET', '/system/CVEAllowlist', 200, read.body);
  assert.equal(read.body.project_id, 0);
  assert.equal(read.body.items.length, 2);
  assert.equal(
    (
      await api(server, 'PUT', '/projects/guarded/metadatas/reuse_sys_cve_allowlist', {
        body: { reuse_sys_cve_allowlist: 'true' },
      })
    ).status,
    200,
  );
  await pull('guarded/app:v1');

  const bad = await api(server, 'PUT', '/system/CVEAllowlist', { body: { items: [{ cve_id: 'x' }, { cve_id: 'x' }] } });
  assert.equal(bad.status, 400);
  assertHarborErrors(bad.body);
});
