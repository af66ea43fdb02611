import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { test } from 'node:test';
import { needTool, run } from '../../../../test/helpers/tools.js';
import type { ImageFile, OsInfo, Package } from '../../model.js';
import { dpkgAnalyzer } from './dpkg.js';

const debian12: OsInfo = {
  id: 'debian',
  versionId: '12',
  prettyName: 'Debian GNU/Linux 12 (bookworm)',
  osvEcosystem: 'Debian:12',
};
const ubuntu: OsInfo = {
  id: 'ubuntu',
  versionId: '22.04',
  prettyName: 'Ubuntu 22.04.4 LTS',
  osvEcosystem: 'Ubuntu:22.04:LTS',
};

const file = (path: string, text: string | Buffer, layer = 'sha256:top'): ImageFile => ({
  path,
  layer,
  content: Buffer.isBuffer(text) ? text : Buffer.from(text),
});

async function analyze(files: ImageFile[], os?: OsInfo) {
  return dpkgAnalyzer().analyze(files, os ? { os } : {});
}

test("finds every package of this machine's real dpkg database, as dpkg-query lists them", async (t) => {
  if (!needTool(t, 'dpkg-query', 'a Debian or Ubuntu machine')) return;
  if (!existsSync('/var/lib/dpkg/status')) return t.skip('no /var/lib/dpkg/status');
  const listed = run('dpkg-query', [
    '-W',
    '-f',
    '${db:Status-Status} ${Package} ${Version} ${Architecture} ${source:Package}\n',
  ])
    .trim()
    .split('\n')
    .map((line) => line.split(' '))
    .filter(([status]) => status === 'installed');
  const { packages, notes } = await analyze(
    [file('var/lib/dpkg/status', readFileSync('/var/lib/dpkg/status'))],
    debian12,
  );
  assert.deepEqual(notes, []);
  assert.equal(packages.length, listed.length);
  const byName = new Map(packages.map((p) => [`${p.name}:${p.purl.match(/arch=([^&]+)/)?.[1]}`, p]));
  for (const [, name, version, arch, source] of listed) {
    const found = byName.get(`${name}:${arch}`);
    assert.ok(found, `${name}:${arch} is found`);
    assert.equal(found.version, version);
    assert.equal(found.sourceName ?? found.name, source, `${name}'s source package`);
    assert.equal(found.ecosystem, 'Debian');
    assert.equal(found.kind, 'os');
    assert.equal(found.layer, 'sha256:top');
  }
  const dpkg = packages.find((p) => p.name === 'dpkg')!;
  const dpkgVersion = run('dpkg-query', ['-W', '-f', '${Version}', 'dpkg']);
  assert.equal(
    dpkg.purl,
    `pkg:deb/debian/dpkg@${dpkgVersion.replaceAll('+', '%2B')}?arch=${run('dpkg-query', ['-W', '-f', '${Architecture}', 'dpkg'])}&distro=debian-12`,
  );
});

test("reads licences from this machine's machine-readable copyright files, and none from free-form ones", async (t) => {
  if (!existsSync('/var/lib/dpkg/status')) return t.skip('no /var/lib/dpkg/status');
  const status = file('var/lib/dpkg/status', readFileSync('/var/lib/dpkg/status'));
  const names = (await analyze([status])).packages.map((p) => p.name);
  const copyrights = names
    .map((name) => `usr/share/doc/${name}/copyright`)
    .filter((path) => existsSync(`/${path}`))
    .map((path) => file(path, readFileSync(`/${path}`)));
  const machineReadable = copyrights.find((c) =>
    /^Format: https?:\/\/www\.debian\.org\/doc\/packaging-manuals\/copyright-format\/1\.0\/?\s*$/m.test(
      c.content.toString().split('\n')[0]!,
    ),
  );
  if (!machineReadable) return t.skip('no machine-readable copyright file on this machine');
  const { packages } = await analyze([status, ...copyrights]);
  const name = machineReadable.path.split('/')[3]!;
  const expected = [
    ...new Set(
      machineReadable.content
        .toString()
        .split(/\r?\n/)
        .filter((line) => /^License:/i.test(line))
        .map((line) => line.slice('License:'.length).trim())
        .filter((license) => license !== ''),
    ),
  ];
  assert.deepEqual(packages.find((p) => p.name === name)?.licenses, expected);
  assert.ok(expected.length > 0);
});

const status = [
  'Package: libssl3',
  'Status: install ok installed',
  'Priority: optional',
  'Architecture: amd64',
  'Multi-Arch: same',
  'Source: openssl (3.0.11-1~deb12u2)',
  'Version: 3.0.13-1~deb12u1',
  'Description: Secure Sockets Layer toolkit - shared libraries',
  " This package is part of the OpenSSL project's implementation of the SSL",
  ' .',
  ' It provides the libssl and libcrypto shared libraries.',
  '',
  'Package: zlib1g',
  'Status: install ok installed',
  'Architecture: amd64',
  'Source: zlib',
  'Version: 1:1.2.13.dfsg-1',
  '',
  'Package: oldpkg',
  'Status: deinstall ok config-files',
  'Architecture: amd64',
  'Version: 1.0-1',
  '',
  'Package: broken',
  'Status: install reinstreq half-installed',
  'Architecture: amd64',
  'Version: 2.0-1',
  '',
  'Package: unpacked',
  'Status: install ok unpacked',
  'Architecture: amd64',
  'Version: 2.0-1',
  '',
  'Package: held',
  'Status: hold ok installed',
  'Architecture: all',
  'Version: 0.5',
  '',
  'Package: noversion',
  'Status: install ok installed',
  'Architecture: amd64',
  '',
].join('\r\n');

test('keeps only installed packages; reads Source with a version, continuation lines, CRLF; notes a missing Version', async () => {
  const { packages, notes } = await analyze([file('var/lib/dpkg/status', status)], debian12);
  assert.deepEqual(
    packages.map((p) => p.name),
    ['libssl3', 'zlib1g', 'held'],
  );
  const libssl = packages[0]!;
  assert.equal(libssl.version, '3.0.13-1~deb12u1');
  assert.equal(libssl.sourceName, 'openssl');
  assert.equal(libssl.sourceVersion, '3.0.11-1~deb12u2');
  assert.equal(libssl.purl, 'pkg:deb/debian/libssl3@3.0.13-1~deb12u1?arch=amd64&distro=debian-12');
  const zlib = packages[1]!;
  assert.equal(zlib.sourceName, 'zlib');
  assert.equal(zlib.sourceVersion, undefined);
  assert.equal(zlib.purl, 'pkg:deb/debian/zlib1g@1:1.2.13.dfsg-1?arch=amd64&distro=debian-12');
  assert.deepEqual(notes, ['var/lib/dpkg/status: package noversion has no Version and is skipped']);
});

test('Ubuntu packages are Ubuntu, with the ubuntu purl namespace; without an OS they are Debian without a distro', async () => {
  const [onUbuntu] = (await analyze([file('var/lib/dpkg/status', status)], ubuntu)).packages as Package[];
  assert.equal(onUbuntu!.ecosystem, 'Ubuntu');
  assert.equal(onUbuntu!.purl, 'pkg:deb/ubuntu/libssl3@3.0.13-1~deb12u1?arch=amd64&distro=ubuntu-22.04');
  const [unknown] = (await analyze([file('var/lib/dpkg/status', status)])).packages as Package[];
  assert.equal(unknown!.ecosystem, 'Debian');
  assert.equal(unknown!.purl, 'pkg:deb/debian/libssl3@3.0.13-1~deb12u1?arch=amd64');
});

test("distroless status.d files (no Status field) are read, their .md5sums are not; each with its copyright's licences", async () => {
  const analyzer = dpkgAnalyzer();
  assert.equal(analyzer.wants('var/lib/dpkg/status.d/base-files'), true);
  assert.equal(analyzer.wants('var/lib/dpkg/status.d/base-files.md5sums'), false);
  assert.equal(analyzer.wants('usr/share/doc/tzdata/copyright'), true);
  assert.equal(analyzer.wants('usr/share/doc/tzdata/changelog.gz'), false);
  const files = [
    file(
      'var/lib/dpkg/status.d/tzdata',
      'Package: tzdata\nVersion: 2024a-0+deb12u1\nArchitecture: all\nMaintainer: GNU Libc Maintainers\n',
    ),
    file('var/lib/dpkg/status.d/netbase', 'Package: netbase\nVersion: 6.4\nArchitecture: all\n'),
    file(
      'usr/share/doc/tzdata/copyright',
      'Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/\nUpstream-Name: tz\n\nFiles: *\nCopyright: none\nLicense: public-domain\n\nFiles: debian/*\nLicense: GPL-2+ or BSD-3-clause\n\nLicense: GPL-2+\n On Debian systems, the full text is in /usr/share/common-licenses/GPL-2.\n',
    ),
    file('usr/share/doc/netbase/copyright', 'This package was written by Peter Tobias.\n\nLicense: GPL-2\n'),
  ];
  const { packages, notes } = await analyze(files, debian12);
  assert.deepEqual(notes, []);
  const byName = new Map(packages.map((p) => [p.name, p]));
  assert.deepEqual(byName.get('tzdata')?.licenses, ['public-domain', 'GPL-2+ or BSD-3-clause', 'GPL-2+']);
  assert.deepEqual(byName.get('netbase')?.licenses, [], 'a free-form copyright file declares nothing machine-readable');
  assert.equal(byName.get('tzdata')?.path, 'var/lib/dpkg/status.d/tzdata');
});

test('the layer of origin is the oldest layer whose status file has the package at its present version', async () => {
  const v1 = 'Package: base-files\nStatus: install ok installed\nArchitecture: amd64\nVersion: 12.4\n';
  const v2 = `${v1}\nPackage: curl\nStatus: install ok installed\nArchitecture: amd64\nVersion: 7.88.1-10\n`;
  const v3 = v2.replace('7.88.1-10', '7.88.1-10+deb12u5');
  const final: ImageFile = {
    path: 'var/lib/dpkg/status',
    layer: 'sha256:three',
    content: Buffer.from(v3),
    history: [
      { layer: 'sha256:one', content: Buffer.from(v1) },
      { layer: 'sha256:two', content: Buffer.from(v2) },
      { layer: 'sha256:three', content: Buffer.from(v3) },
    ],
  };
  const { packages } = await analyze([final], debian12);
  assert.deepEqual(
    packages.map((p) => [p.name, p.layer]),
    [
      ['base-files', 'sha256:one'],
      ['curl', 'sha256:three'],
    ],
  );
});

test('binary garbage gives notes, not a crash', async () => {
  const garbage = Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919) % 256));
  const { packages, notes } = await analyze([file('var/lib/dpkg/status', garbage)], debian12);
  assert.deepEqual(packages, []);
  assert.ok((notes ?? []).every((note) => note.startsWith('var/lib/dpkg/status')));
});
