import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { adminAuth, api } from './api.js';
import { skopeoIn, skopeoPushArgs } from '../e2e/clients.js';
import type { TestBerth } from './berth.js';
import { buildImage } from './images.js';

// What the scanning tests share: the files of a small vulnerable image (Debian's os-release and
// dpkg database, an npm package, a Python distribution; the OSV fixture under
// test/fixtures/scanning/osv has advisories for them), the upload of that fixture as a
// vulnerability database, and a scan waited for through the artifact's scan_overview.

export const osvFixtures = new URL('../fixtures/scanning/osv/', import.meta.url).pathname;
export const vulnMime = 'application/vnd.security.vulnerability.report; version=1.1';
/** The OSV fixture's ecosystem folders. */
export const osvEcosystems = ['debian', 'npm', 'pypi', 'go', 'maven', 'alpine'];

export const debianOsRelease =
  'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nNAME="Debian GNU/Linux"\nVERSION_ID="12"\nVERSION="12 (bookworm)"\nID=debian\n';
export const debianDpkgStatus = [
  'Package: libssl3\nStatus: install ok installed\nArchitecture: amd64\nSource: openssl\nVersion: 3.0.9-1\nDescription: Secure Sockets Layer toolkit - shared libraries\n',
  'Package: openssl\nStatus: install ok installed\nArchitecture: amd64\nVersion: 3.0.11-1~deb12u2\nDescription: Secure Sockets Layer toolkit\n',
  'Package: bind9-libs\nStatus: install ok installed\nArchitecture: amd64\nSource: bind9\nVersion: 1:9.18.16-1~deb12u1\nDescription: Shared Libraries used by BIND 9\n',
  'Package: base-files\nStatus: install ok installed\nArchitecture: amd64\nVersion: 12.4+deb12u5\nDescription: Debian base system miscellaneous files\n',
  'Package: removed-thing\nStatus: deinstall ok config-files\nArchitecture: amd64\nVersion: 1.0\nDescription: gone\n',
].join('\n');

/** The files of the vulnerable test image, for buildImage(…, { files }). */
export const vulnerableImageFiles: Record<string, string> = {
  'etc/os-release': debianOsRelease,
  'var/lib/dpkg/status': debianDpkgStatus,
  'usr/lib/node_modules/app/node_modules/semver/package.json': JSON.stringify({
    name: 'semver',
    version: '7.5.1',
    license: 'ISC',
  }),
  'usr/lib/python3/dist-packages/Jinja2-3.0.1.dist-info/METADATA':
    'Metadata-Version: 2.1\nName: Jinja2\nVersion: 3.0.1\nLicense: BSD-3-Clause\n',
};

export interface ScanOverview {
  report_id: string;
  scan_status: string;
  severity?: string;
  complete_percent?: number;
  summary?: { total: number; fixable: number; summary: Record<string, number> };
  scanner?: { name: string };
}

/** Polls `probe` every 100 ms until it gives a value; fails after `timeoutMs`. */
export async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
}

/** Zips these ecosystems' folders of the OSV fixture into `work`/osv.zip; returns its path. */
export function zipOsvFixture(work: string, ecosystems: readonly string[] = osvEcosystems): string {
  const zip = join(work, 'osv.zip');
  execFileSync('zip', ['-q', '-r', zip, ...ecosystems], { cwd: osvFixtures });
  return zip;
}

export interface ImportJob {
  status: string;
  progress: { done: number; total: number };
}

/**
 * Uploads the OSV fixture (these ecosystems) as the vulnerability database and waits for its
 * import job to succeed; returns the job's API path (under /api/v2.0) and its final state.
 */
export async function importOsvFixture(
  server: TestBerth,
  work: string,
  ecosystems: readonly string[] = osvEcosystems,
): Promise<{ path: string; job: ImportJob }> {
  const zip = zipOsvFixture(work, ecosystems);
  const res = await fetch(`${server.url}/api/v2.0/vulnerability-database/imports?source=osv.zip`, {
    method: 'POST',
    headers: { authorization: adminAuth, 'content-type': 'application/zip' },
    body: readFileSync(zip),
  });
  assert.equal(res.status, 202, await res.text());
  const path = (res.headers.get('location') ?? '').replace('/api/v2.0', '');
  const job = await until('the import', async () => {
    const { body } = await api<ImportJob>(server, 'GET', path);
    return ['success', 'error', 'stopped'].includes(body.status) ? body : undefined;
  });
  assert.equal(job.status, 'success', JSON.stringify(job));
  return { path, job };
}

/** POSTs a vulnerability scan of the artifact at `path` (under /api/v2.0) and waits for it to end. */
export async function scanArtifact(server: TestBerth, path: string): Promise<ScanOverview> {
  const res = await api(server, 'POST', `${path}/scan`, { body: { scan_type: 'vulnerability' } });
  assert.equal(res.status, 202, JSON.stringify(res.body));
  return until('the scan', async () => {
    const artifact = await api<{ scan_overview?: Record<string, ScanOverview> }>(
      server,
      'GET',
      `${path}?with_scan_overview=true`,
    );
    const overview = artifact.body.scan_overview?.[vulnMime];
    return overview && ['Success', 'Error', 'Stopped'].includes(overview.scan_status) ? overview : undefined;
  });
}

/**
 * Builds the vulnerable test image in `work`/images and pushes it with skopeo as `reference`
 * (`project/repository:tag`); returns its digest.
 */
export async function pushVulnerableImage(server: TestBerth, work: string, reference: string): Promise<string> {
  const layout = join(work, 'images');
  const tag = reference.slice(reference.lastIndexOf(':') + 1);
  const { digest } = await buildImage(layout, tag, { files: vulnerableImageFiles });
  await skopeoIn(work)(skopeoPushArgs(layout, tag, server.host, reference));
  return digest;
}
