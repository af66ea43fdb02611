import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { run } from '../../../../test/helpers/tools.js';
import type { ImageFile } from '../../model.js';
import { parseOsRelease } from './os-release-format.js';
import { osReleaseAnalyzer } from './os-release.js';

// os-release files as the distributions ship them (copied from their images), and the shell
// (which os-release(5) says the format is compatible with) as the judge of quoting and escapes.

const file = (path: string, text: string): ImageFile => ({ path, layer: 'sha256:base', content: Buffer.from(text) });

async function analyze(files: ImageFile[]) {
  return osReleaseAnalyzer().analyze(files, {});
}

/** What `sh` makes of a variable after sourcing the text. */
function shellValue(text: string, name: string): string {
  return run('sh', ['-c', `eval "$(cat)"; printf '%s' "$${name}"`], { input: text });
}

test('parses os-release quoting, escapes and comments exactly as the shell does', () => {
  const text = [
    '# a comment line',
    'NAME="Debian GNU/Linux"',
    "SINGLE='it''s $HOME \\n'",
    'ESCAPED="say \\"hi\\" \\\\ \\$HOME \\`x\\` \\n"',
    'BARE=bookworm',
    'BARE_ESCAPE=a\\ b',
    'TRAILING=value # a comment after it',
    '',
    'EMPTY=',
    '   ',
    'LATER="first"',
    'LATER="second"',
  ].join('\r\n');
  const parsed = parseOsRelease(text);
  for (const name of ['NAME', 'SINGLE', 'ESCAPED', 'BARE', 'BARE_ESCAPE', 'TRAILING', 'EMPTY', 'LATER']) {
    assert.equal(parsed.get(name), shellValue(text.replaceAll('\r\n', '\n'), name), name);
  }
  assert.equal(parsed.get('LATER'), 'second');
  assert.equal(parsed.has('# a comment line'), false);
});

test("reads this machine's /etc/os-release as the shell does", async () => {
  const text = readFileSync('/etc/os-release', 'utf8');
  const result = await analyze([file('etc/os-release', text)]);
  assert.ok(result.os, 'an OS is found');
  assert.equal(result.os.id, shellValue(text, 'ID'));
  assert.equal(result.os.versionId, shellValue(text, 'VERSION_ID'));
  assert.equal(result.os.prettyName, shellValue(text, 'PRETTY_NAME'));
  if (result.os.id === 'debian' && result.os.versionId !== '') {
    assert.equal(result.os.osvEcosystem, `Debian:${result.os.versionId.split('.')[0]}`);
  }
});

// Excerpts of the os-release files of each distribution's official image.
const releases: Array<{ text: string; id: string; osv: string | undefined }> = [
  {
    text: 'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nNAME="Debian GNU/Linux"\nVERSION_ID="12"\nVERSION="12 (bookworm)"\nID=debian\n',
    id: 'debian',
    osv: 'Debian:12',
  },
  {
    text: 'PRETTY_NAME="Debian GNU/Linux trixie/sid"\nNAME="Debian GNU/Linux"\nVERSION_CODENAME=trixie\nID=debian\n',
    id: 'debian',
    osv: undefined,
  },
  {
    text: 'PRETTY_NAME="Ubuntu 22.04.4 LTS"\nNAME="Ubuntu"\nVERSION_ID="22.04"\nVERSION="22.04.4 LTS (Jammy Jellyfish)"\nVERSION_CODENAME=jammy\nID=ubuntu\nID_LIKE=debian\n',
    id: 'ubuntu',
    osv: 'Ubuntu:22.04:LTS',
  },
  {
    text: 'PRETTY_NAME="Ubuntu 23.10"\nNAME="Ubuntu"\nVERSION_ID="23.10"\nVERSION="23.10 (Mantic Minotaur)"\nID=ubuntu\n',
    id: 'ubuntu',
    osv: 'Ubuntu:23.10',
  },
  {
    text: 'NAME="Alpine Linux"\nID=alpine\nVERSION_ID=3.20.3\nPRETTY_NAME="Alpine Linux v3.20"\n',
    id: 'alpine',
    osv: 'Alpine:v3.20',
  },
  {
    text: 'NAME="Red Hat Enterprise Linux"\nVERSION="9.4 (Plow)"\nID="rhel"\nID_LIKE="fedora"\nVERSION_ID="9.4"\nPRETTY_NAME="Red Hat Enterprise Linux 9.4 (Plow)"\n',
    id: 'rhel',
    osv: 'Red Hat',
  },
  {
    text: 'NAME="Rocky Linux"\nVERSION="9.3 (Blue Onyx)"\nID="rocky"\nID_LIKE="rhel centos fedora"\nVERSION_ID="9.3"\nPRETTY_NAME="Rocky Linux 9.3 (Blue Onyx)"\n',
    id: 'rocky',
    osv: 'Rocky Linux:9',
  },
  {
    text: 'NAME="AlmaLinux"\nVERSION="8.10 (Cerulean Leopard)"\nID="almalinux"\nVERSION_ID="8.10"\nPRETTY_NAME="AlmaLinux 8.10 (Cerulean Leopard)"\n',
    id: 'almalinux',
    osv: 'AlmaLinux:8',
  },
  {
    text: 'NAME="openSUSE Leap"\nVERSION="15.5"\nID="opensuse-leap"\nID_LIKE="suse opensuse"\nVERSION_ID="15.5"\nPRETTY_NAME="openSUSE Leap 15.5"\n',
    id: 'opensuse-leap',
    osv: 'openSUSE:openSUSE Leap 15.5',
  },
  {
    text: 'NAME="SLES"\nVERSION="15-SP5"\nVERSION_ID="15.5"\nPRETTY_NAME="SUSE Linux Enterprise Server 15 SP5"\nID="sles"\n',
    id: 'sles',
    osv: 'SUSE:SUSE Linux Enterprise Server 15 SP5',
  },
  {
    text: 'ID=wolfi\nNAME="Wolfi"\nPRETTY_NAME="Wolfi"\nVERSION_ID="20230201"\n',
    id: 'wolfi',
    osv: 'Wolfi',
  },
  {
    text: 'NAME="Fedora Linux"\nVERSION="40 (Container Image)"\nID=fedora\nVERSION_ID=40\nPRETTY_NAME="Fedora Linux 40 (Container Image)"\n',
    id: 'fedora',
    osv: undefined,
  },
];

test("names each distribution's release as OSV's ecosystems do", async () => {
  for (const release of releases) {
    const { os } = await analyze([file('etc/os-release', release.text)]);
    assert.equal(os?.id, release.id);
    assert.equal(os?.osvEcosystem, release.osv, release.text.split('\n')[0]);
  }
});

test('falls back to usr/lib/os-release, and prefers etc/os-release when both exist', async () => {
  const alpine = releases.find((r) => r.id === 'alpine')!.text;
  const ubuntu = releases.find((r) => r.id === 'ubuntu')!.text;
  assert.equal((await analyze([file('usr/lib/os-release', alpine)])).os?.id, 'alpine');
  const both = await analyze([file('usr/lib/os-release', alpine), file('etc/os-release', ubuntu)]);
  assert.equal(both.os?.id, 'ubuntu');
});

test('an os-release without ID gives a note and no OS; no file gives neither', async () => {
  const result = await analyze([file('etc/os-release', 'NAME="Nameless"\n\u0000\u00ff garbage')]);
  assert.equal(result.os, undefined);
  assert.match(result.notes?.[0] ?? '', /etc\/os-release has no ID/);
  assert.deepEqual(await analyze([]), { packages: [] });
  assert.equal(osReleaseAnalyzer().wants('etc/os-release'), true);
  assert.equal(osReleaseAnalyzer().wants('etc/os-release.d/x'), false);
});

test('a release OSV cannot name (Debian testing) is noted; a distribution OSV does not cover is not', async () => {
  const trixie = releases.find((r) => r.text.includes('trixie'))!.text;
  assert.deepEqual((await analyze([file('etc/os-release', trixie)])).notes, [
    "Debian GNU/Linux trixie/sid: no OSV release for VERSION_ID ''; its packages are matched to no release",
  ]);
  const fedora = releases.find((r) => r.id === 'fedora')!.text;
  assert.equal((await analyze([file('etc/os-release', fedora)])).notes, undefined);
});
