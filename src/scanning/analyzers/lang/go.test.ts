import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ImageFile } from '../../model.js';
import { buildInfoMagic, readGoBuildInfo } from './go-buildinfo.js';
import { parseGoMod } from './go-mod.js';
import { goAnalyzer, stdlibVersion } from './go.js';

// No Go toolchain here: the binaries are laid out the way Go's linker writes build info
// (cmd/link's buildinfo section; read back by
// https://github.com/golang/go/blob/master/src/debug/buildinfo/buildinfo.go):
// a 32-byte header (the 14-byte magic "\xff Go buildinf:", the pointer size, flags with bit 1 set
// for inline strings, 16 bytes of padding) at a 16-byte aligned offset, then the Go version and
// the modinfo as uvarint-length-prefixed strings, the modinfo between cmd/go's 16-byte sentinels.

const infoStart = Buffer.from('3077af0c9274080241e1c107e6d618e6', 'hex');
const infoEnd = Buffer.from('f932433186182072008242104116d8f2', 'hex');

function uvarint(n: number): Buffer {
  const bytes: number[] = [];
  while (n >= 0x80) {
    bytes.push((n & 0x7f) | 0x80);
    n >>>= 7;
  }
  bytes.push(n);
  return Buffer.from(bytes);
}

const lengthPrefixed = (bytes: Buffer) => Buffer.concat([uvarint(bytes.length), bytes]);

function elfHeader(): Buffer {
  const header = Buffer.alloc(64);
  header.write('\x7fELF', 0, 'latin1');
  header[4] = 2; // ELFCLASS64
  header[5] = 1; // little-endian
  header[6] = 1; // EV_CURRENT
  header.writeUInt16LE(2, 16); // ET_EXEC
  header.writeUInt16LE(0x3e, 18); // x86-64
  return header;
}

/** A binary-shaped buffer: an ELF header, junk "text", the buildinfo section, junk "data". */
function goBinary(goVersion: string, modinfo: string, options: { flags?: number; junk?: number } = {}): Buffer {
  const text = Buffer.alloc(options.junk ?? 4096 - 64, 0x90);
  const header = Buffer.alloc(32);
  buildInfoMagic.copy(header, 0);
  header[14] = 8;
  header[15] = options.flags ?? 0x2;
  const strings = Buffer.concat([
    lengthPrefixed(Buffer.from(goVersion)),
    lengthPrefixed(Buffer.concat([infoStart, Buffer.from(modinfo), infoEnd])),
  ]);
  return Buffer.concat([elfHeader(), text, header, strings, Buffer.alloc(1000, 0xcc)]);
}

const modinfo = [
  'path\tgithub.com/example/server/cmd/server',
  'mod\tgithub.com/example/server\tv1.4.0\th1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=',
  'dep\tgithub.com/gorilla/mux\tv1.8.0\th1:i40aqfkR1h2SlN9hojwV5ZA91wcXFOvkdNIeFDP5koI=',
  'dep\tgolang.org/x/net\tv0.17.0\th1:pVaXccu2ozPjCXewfr1S7xza/zcXTity9cCdXQYSjIM=',
  '=>\tgolang.org/x/net\tv0.23.0\th1:7EYJ93RZ9vYSZAIb2x3lnuvqO5zneoD6IvWjuhfxjTs=',
  'dep\tgithub.com/example/local\tv0.0.0',
  '=>\t../local\t',
  'dep\tgithub.com/docker/docker\tv24.0.7+incompatible\th1:Wo6l37AuwP3JaMnZa226lzVXGA3F9Ig1seQen0cKYlM=',
  'build\t-compiler=gc',
  'build\tGOOS=linux',
  '',
].join('\n');

const file = (path: string, content: Buffer | string): ImageFile => ({
  path,
  layer: 'sha256:layer',
  content: Buffer.isBuffer(content) ? content : Buffer.from(content),
});

test('reads the inline build info of a Go ≥ 1.18 binary', () => {
  const info = readGoBuildInfo(goBinary('go1.22.5', modinfo))!;
  assert.equal(info.goVersion, 'go1.22.5');
  assert.deepEqual(info.main, { path: 'github.com/example/server', version: 'v1.4.0' });
  assert.deepEqual(info.deps, [
    { path: 'github.com/gorilla/mux', version: 'v1.8.0' },
    { path: 'golang.org/x/net', version: 'v0.23.0' },
    { path: '../local', version: '' },
    { path: 'github.com/docker/docker', version: 'v24.0.7+incompatible' },
  ]);
  assert.equal(readGoBuildInfo(Buffer.concat([elfHeader(), Buffer.alloc(10_000)])), undefined);
});

test('a binary reports the stdlib at its Go version and each dependency after replacements', async () => {
  const result = await goAnalyzer.analyze(
    [file('usr/local/bin/server', goBinary('go1.21.0 X:boringcrypto', modinfo))],
    {},
  );
  assert.deepEqual(result.notes, []);
  assert.deepEqual(
    result.packages.map((p) => [p.ecosystem, p.name, p.version, p.purl, p.path, p.layer]),
    [
      ['Go', 'stdlib', '1.21.0', 'pkg:golang/stdlib@1.21.0', 'usr/local/bin/server', 'sha256:layer'],
      [
        'Go',
        'github.com/example/server',
        '1.4.0',
        'pkg:golang/github.com/example/server@v1.4.0',
        'usr/local/bin/server',
        'sha256:layer',
      ],
      [
        'Go',
        'github.com/gorilla/mux',
        '1.8.0',
        'pkg:golang/github.com/gorilla/mux@v1.8.0',
        'usr/local/bin/server',
        'sha256:layer',
      ],
      [
        'Go',
        'golang.org/x/net',
        '0.23.0',
        'pkg:golang/golang.org/x/net@v0.23.0',
        'usr/local/bin/server',
        'sha256:layer',
      ],
      [
        'Go',
        'github.com/docker/docker',
        '24.0.7+incompatible',
        'pkg:golang/github.com/docker/docker@v24.0.7%2Bincompatible',
        'usr/local/bin/server',
        'sha256:layer',
      ],
    ],
  );
});

test('old, devel, corrupt and non-Go binaries give notes or nothing, never a throw', async () => {
  const truncated = goBinary('go1.22.5', modinfo).subarray(0, 64 + 4096 - 64 + 40);
  const result = await goAnalyzer.analyze(
    [
      file('bin/old', goBinary('go1.16', modinfo, { flags: 0 })),
      file('bin/devel', goBinary('devel go1.23-abcdef Tue Jan 2 2024', modinfo)),
      file('bin/truncated', truncated),
      file('bin/script', '#!/bin/sh\necho "\xff Go buildinf:"\n'),
      file('bin/c-program', Buffer.concat([elfHeader(), Buffer.alloc(2000)])),
    ],
    {},
  );
  assert.deepEqual(result.notes, [
    'Go binary bin/old: Go binary built before Go 1.18 is not analysed (its build info is pointer-based)',
    "Go binary bin/devel: Go version 'devel go1.23-abcdef Tue Jan 2 2024' is not a release",
    'Go binary bin/truncated: build info string runs past the end of the file',
  ]);
  assert.deepEqual(
    result.packages.map((p) => `${p.path} ${p.name}@${p.version}`),
    [
      'bin/devel github.com/example/server@1.4.0',
      'bin/devel github.com/gorilla/mux@1.8.0',
      'bin/devel golang.org/x/net@0.23.0',
      'bin/devel github.com/docker/docker@24.0.7+incompatible',
    ],
  );
});

test('Go versions as OSV spells the stdlib', () => {
  assert.equal(stdlibVersion('go1.22.5'), '1.22.5');
  assert.equal(stdlibVersion('go1.20'), '1.20.0');
  assert.equal(stdlibVersion('go1.21rc2'), '1.21.0-rc.2');
  assert.equal(stdlibVersion('go1.18beta1'), '1.18.0-beta.1');
  assert.equal(stdlibVersion('devel go1.23-abc'), undefined);
});

test('wants the places programs are installed, and go.mod', () => {
  for (const path of [
    'usr/local/bin/app',
    'usr/bin/kubectl',
    'bin/sh',
    'go/bin/dlv',
    'app/server',
    'manager',
    'ko-app/cmd',
    'src/go.mod',
  ]) {
    assert.ok(goAnalyzer.wants(path), path);
  }
  for (const path of [
    'etc/passwd',
    'app/package-lock.json',
    'app/node_modules/esbuild/bin/esbuild',
    'app/main.go',
    'usr/share/doc/x/copyright',
    '.dockerenv',
    'usr/lib/x86_64-linux-gnu/libc.so.6',
    'proc/self/exe',
  ]) {
    assert.ok(!goAnalyzer.wants(path), path);
  }
});

test('go.mod: single and block requires, indirect ones too, replacements by another version', async () => {
  const goMod = [
    'module github.com/example/server',
    '',
    'go 1.21',
    '',
    'require github.com/gorilla/mux v1.8.0',
    '',
    'require (',
    '\tgolang.org/x/net v0.17.0 // indirect',
    '\tgithub.com/sirupsen/logrus v1.9.3',
    '\tgithub.com/example/local v0.0.0',
    ')',
    '',
    'replace golang.org/x/net => golang.org/x/net v0.23.0',
    'replace (',
    '\tgithub.com/example/local => ../local',
    '\tgithub.com/sirupsen/logrus v1.9.3 => github.com/sirupsen/logrus v1.9.4',
    ')',
  ].join('\n');
  assert.deepEqual(parseGoMod(goMod), [
    { path: 'github.com/gorilla/mux', version: 'v1.8.0' },
    { path: 'golang.org/x/net', version: 'v0.23.0' },
    { path: 'github.com/sirupsen/logrus', version: 'v1.9.4' },
    { path: 'github.com/example/local', version: 'v0.0.0' },
  ]);
  const result = await goAnalyzer.analyze([file('src/go.mod', goMod)], {});
  assert.deepEqual(result.packages[1], {
    ecosystem: 'Go',
    name: 'golang.org/x/net',
    version: '0.23.0',
    purl: 'pkg:golang/golang.org/x/net@v0.23.0',
    licenses: [],
    layer: 'sha256:layer',
    path: 'src/go.mod',
    kind: 'library',
  });
});
