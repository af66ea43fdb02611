import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ImageFile, OsInfo } from '../../model.js';
import { apkAnalyzer } from './apk.js';

// Entries of an Alpine 3.20 image's lib/apk/db/installed (alpine:3.20.3, x86_64), file lists shortened.
const installed = `C:Q1/4LoSLBkYFJ+Wbi3eGhoeUfxHM+U=
P:musl
V:1.2.5-r0
A:x86_64
S:411323
I:662528
T:the musl c library (libc) implementation
U:https://musl.libc.org/
L:MIT
o:musl
m:Timo Teräs <timo.teras@iki.fi>
t:1712577578
c:6a5fe1e5d91bb9cd1cddc0df7f2d6b5ffca6ff07
p:so:libc.musl-x86_64.so.1=1
F:lib
R:ld-musl-x86_64.so.1
a:0:0:755
Z:Q1JtaXXLWkeXEnfXC59G9rTPqShqM=
R:libc.musl-x86_64.so.1
a:0:0:777
Z:Q17yJ3JFNypA4mxhJJr0ou6CzsJVI=

C:Q1+fYR4PkElTaZQh8sRW3iEb87Vpk=
P:busybox
V:1.36.1-r29
A:x86_64
S:510186
I:924123
T:Size optimized toolbox of many common UNIX utilities
U:https://busybox.net/
L:GPL-2.0-only
o:busybox
m:Sören Tempel <soeren+alpine@soeren-tempel.net>
t:1717077862
c:a77a5e2e5ddfbee7ab4dbcb66fc87ba4c98a7f45
D:so:libc.musl-x86_64.so.1
p:/bin/sh cmd:busybox=1.36.1-r29 cmd:sh=1.36.1-r29
r:busybox-initscripts
F:bin
R:busybox
a:0:0:755
Z:Q1uvQG0s2JNxQzpA6x1VjuRzFWRgA=
F:etc
R:securetty
Z:Q1mB95Hq2NUTZ599RDiSsj9w5FrOU=

C:Q1xOR2bx6MZ+tQjJ5m3sYnmjwOlz0=
P:libcrypto3
V:3.3.2-r0
A:x86_64
S:1864366
I:4960664
T:Crypto library from openssl
U:https://www.openssl.org/
L:Apache-2.0
o:openssl
m:Ariadne Conill <ariadne@dereferenced.org>
t:1725377640
c:73ec05f3f87abd13bc63d3c4ea39ea3cfcd6d5ad
D:so:libc.musl-x86_64.so.1
p:so:libcrypto.so.3=3
F:lib
R:libcrypto.so.3
a:0:0:755
Z:Q1ARvKcwrEnn+SGBJBg/YYJXKx+Wg=

C:Q1E4XmB7wf1hXJRyCqnbjKjqcqAhU=
P:ssl_client
V:1.36.1-r29
A:x86_64
L:GPL-2.0-only
o:busybox
`;

const alpine: OsInfo = {
  id: 'alpine',
  versionId: '3.20.3',
  prettyName: 'Alpine Linux v3.20',
  osvEcosystem: 'Alpine:v3.20',
};
const file = (text: string, layer = 'sha256:base'): ImageFile => ({
  path: 'lib/apk/db/installed',
  layer,
  content: Buffer.from(text),
});

test('reads name, version, arch, licence and origin of each installed apk package', async () => {
  const { packages, notes } = await apkAnalyzer().analyze([file(installed)], { os: alpine });
  assert.deepEqual(notes, []);
  assert.deepEqual(
    packages.map((p) => [p.name, p.version, p.sourceName, p.licenses]),
    [
      ['musl', '1.2.5-r0', undefined, ['MIT']],
      ['busybox', '1.36.1-r29', undefined, ['GPL-2.0-only']],
      ['libcrypto3', '3.3.2-r0', 'openssl', ['Apache-2.0']],
      ['ssl_client', '1.36.1-r29', 'busybox', ['GPL-2.0-only']],
    ],
  );
  const libcrypto = packages[2]!;
  assert.equal(libcrypto.ecosystem, 'Alpine');
  assert.equal(libcrypto.purl, 'pkg:apk/alpine/libcrypto3@3.3.2-r0?arch=x86_64&distro=3.20.3');
  assert.equal(libcrypto.path, 'lib/apk/db/installed');
  assert.equal(libcrypto.layer, 'sha256:base');
  assert.equal(libcrypto.kind, 'os');
});

test('Wolfi images are Wolfi packages; CRLF and records without a version are handled', async () => {
  const wolfi: OsInfo = { id: 'wolfi', versionId: '20230201', prettyName: 'Wolfi', osvEcosystem: 'Wolfi' };
  const text = 'P:glibc\r\nV:2.40-r3\r\nA:aarch64\r\nL:LGPL-2.1-or-later\r\n\r\nP:noversion\r\nA:aarch64\r\n';
  const { packages, notes } = await apkAnalyzer().analyze([file(text)], { os: wolfi });
  assert.deepEqual(
    packages.map((p) => [p.ecosystem, p.purl]),
    [['Wolfi', 'pkg:apk/wolfi/glibc@2.40-r3?arch=aarch64&distro=20230201']],
  );
  assert.deepEqual(notes, ['lib/apk/db/installed: 1 package record(s) without a name or version skipped']);
});

test('the layer of origin follows the installed database through the layers', async () => {
  const base = installed.split('\n\n').slice(0, 2).join('\n\n');
  const upgraded = installed.replace('1.36.1-r29', '1.36.1-r30');
  const final: ImageFile = {
    ...file(upgraded, 'sha256:upgrade'),
    history: [
      { layer: 'sha256:base', content: Buffer.from(base) },
      { layer: 'sha256:ssl', content: Buffer.from(installed) },
      { layer: 'sha256:upgrade', content: Buffer.from(upgraded) },
    ],
  };
  const { packages } = await apkAnalyzer().analyze([final], { os: alpine });
  assert.deepEqual(
    packages.map((p) => [p.name, p.layer]),
    [
      ['musl', 'sha256:base'],
      ['busybox', 'sha256:upgrade'],
      ['libcrypto3', 'sha256:ssl'],
      ['ssl_client', 'sha256:ssl'],
    ],
  );
});

test('wants only the installed database; binary garbage gives no packages and no crash', async () => {
  assert.equal(apkAnalyzer().wants('lib/apk/db/installed'), true);
  assert.equal(apkAnalyzer().wants('lib/apk/db/triggers'), false);
  const garbage = Buffer.from(Array.from({ length: 2048 }, (_, i) => (i * 31) % 256));
  const result = await apkAnalyzer().analyze(
    [{ path: 'lib/apk/db/installed', layer: 'sha256:x', content: garbage }],
    {},
  );
  assert.deepEqual(result.packages, []);
});
