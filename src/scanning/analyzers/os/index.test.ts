import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import type { ImageFile, OsInfo } from '../../model.js';
import { osAnalyzers } from './index.js';

test('osAnalyzers: os-release first, each analyzer bounded and wanting only its own files', () => {
  const analyzers = osAnalyzers();
  assert.deepEqual(
    analyzers.map((a) => a.name),
    ['os-release', 'dpkg', 'apk', 'rpm'],
  );
  const paths = ['etc/os-release', 'var/lib/dpkg/status', 'lib/apk/db/installed', 'var/lib/rpm/rpmdb.sqlite'];
  paths.forEach((path, i) => {
    assert.deepEqual(
      analyzers.map((a) => a.wants(path)),
      analyzers.map((_, j) => j === i),
      path,
    );
  });
  for (const analyzer of analyzers) assert.ok(analyzer.maxFileSize > 0 && analyzer.maxFileSize <= 256 * 1024 * 1024);
  assert.equal(
    analyzers.some((a) => a.wants('usr/bin/env') || a.wants('etc/passwd')),
    false,
  );
});

test("the OS that os-release finds names the ecosystem and purls of this machine's dpkg packages", async (t) => {
  let status: Buffer;
  let osRelease: Buffer;
  try {
    status = readFileSync('/var/lib/dpkg/status');
    osRelease = readFileSync('/etc/os-release');
  } catch {
    return t.skip('not a dpkg-based machine');
  }
  const [osReleaseAnalyzer, dpkg] = osAnalyzers();
  const file = (path: string, content: Buffer): ImageFile => ({ path, layer: 'sha256:l', content });
  const { os } = await osReleaseAnalyzer!.analyze([file('etc/os-release', osRelease)], {});
  assert.ok(os);
  const { packages } = await dpkg!.analyze([file('var/lib/dpkg/status', status)], { os: os as OsInfo });
  const namespace = os.id === 'ubuntu' ? 'ubuntu' : 'debian';
  assert.ok(packages.length > 0);
  for (const p of packages) {
    assert.equal(p.ecosystem, namespace === 'ubuntu' ? 'Ubuntu' : 'Debian');
    assert.ok(p.purl.startsWith(`pkg:deb/${namespace}/${encodeURIComponent(p.name)}@`), p.purl);
    if (os.versionId) assert.ok(p.purl.endsWith(`&distro=${namespace}-${os.versionId}`), p.purl);
  }
});
