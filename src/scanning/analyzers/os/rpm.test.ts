import SQLite from 'better-sqlite3';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { needTool, run } from '../../../../test/helpers/tools.js';
import type { ImageFile, OsInfo } from '../../model.js';
import { rpmAnalyzer, sourceRpmName } from './rpm.js';

const fixtures = fileURLToPath(new URL('../../../../test/fixtures/scanning/os/', import.meta.url));
const rocky: OsInfo = {
  id: 'rocky',
  versionId: '9.3',
  prettyName: 'Rocky Linux 9.3 (Blue Onyx)',
  osvEcosystem: 'Rocky Linux:9',
};
const dbPath = 'var/lib/rpm/rpmdb.sqlite';

const file = (content: Buffer, path = dbPath, layer = 'sha256:base'): ImageFile => ({ path, layer, content });
const analyze = async (files: ImageFile[], os: OsInfo | undefined = rocky) =>
  rpmAnalyzer().analyze(files, os ? { os } : {});

/** Runs the fixture's recipe (test/fixtures/scanning/os/build-rpmdb.sh) into a fresh directory. */
function buildRpmdb(): string {
  const dir = mkdtempSync(join(tmpdir(), 'berth-rpmdb-'));
  run('sh', [join(fixtures, 'build-rpmdb.sh'), dir]);
  return dir;
}

test('reads a real rpmdb.sqlite that rpm built, as rpm -qa lists it', async (t) => {
  if (!needTool(t, 'rpm') || !needTool(t, 'rpmbuild', 'apt-get install rpm')) return;
  const dir = buildRpmdb();
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const db = join(dir, 'db');
  const listed = run('rpm', [
    '--dbpath',
    db,
    '-qa',
    '--qf',
    '%{NAME}|%{EPOCH}|%{VERSION}|%{RELEASE}|%{ARCH}|%{LICENSE}|%{SOURCERPM}\n',
  ])
    .trim()
    .split('\n')
    .map((line) => line.split('|'))
    .filter(([name]) => name !== 'gpg-pubkey');
  assert.equal(listed.length, 2);
  const { packages, notes } = await analyze([file(readFileSync(join(db, 'rpmdb.sqlite')))]);
  assert.deepEqual(notes, []);
  assert.equal(packages.length, listed.length, 'gpg-pubkey is left out');
  for (const [name, epoch, version, release, arch, license, sourceRpm] of listed) {
    const found = packages.find((p) => p.name === name);
    assert.ok(found, `${name} is found`);
    const evr = `${epoch === '(none)' ? '' : `${epoch}:`}${version}-${release}`;
    assert.equal(found.version, evr);
    assert.deepEqual(found.licenses, [license]);
    assert.equal(found.sourceName ?? found.name, sourceRpm!.replace(`-${version}-${release}.src.rpm`, ''));
    assert.equal(
      found.purl,
      `pkg:rpm/rocky/${name}@${version}-${release}?arch=${arch}&distro=rocky-9.3&epoch=${epoch}`,
    );
    assert.equal(found.ecosystem, 'Rocky Linux');
  }
});

test('the layer of origin is the oldest layer whose rpm database has the package at its version', async (t) => {
  if (!needTool(t, 'rpm') || !needTool(t, 'rpmbuild', 'apt-get install rpm')) return;
  const dir = buildRpmdb();
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const db = join(dir, 'db');
  const rpmArgs = ['--dbpath', db, '--define', '_db_backend sqlite'];
  run('rpm', [...rpmArgs, '-e', '--nodeps', '--justdb', 'berth-fixture-libs']);
  const first = readFileSync(join(db, 'rpmdb.sqlite'));
  const rpms = run('sh', ['-c', `ls ${dir}/top/RPMS/noarch/berth-fixture-libs-*.rpm`]).trim();
  run('rpm', [...rpmArgs, '-i', '--nodeps', '--justdb', rpms]);
  const second = readFileSync(join(db, 'rpmdb.sqlite'));
  const final: ImageFile = {
    ...file(second, 'usr/lib/sysimage/rpm/rpmdb.sqlite', 'sha256:libs'),
    history: [
      { layer: 'sha256:base', content: first },
      { layer: 'sha256:libs', content: second },
    ],
  };
  const { packages } = await analyze([final]);
  assert.deepEqual(packages.map((p) => [p.name, p.layer]).sort(), [
    ['berth-fixture', 'sha256:base'],
    ['berth-fixture-libs', 'sha256:libs'],
  ]);
});

function fixtureDb(): Buffer {
  return gunzipSync(readFileSync(join(fixtures, 'rpmdb.sqlite.gz')));
}

test('reads the checked-in rpmdb.sqlite fixture (built by its recipe), also where rpm is not installed', async () => {
  const { packages, notes } = await analyze([file(fixtureDb())], {
    id: 'rhel',
    versionId: '9.4',
    prettyName: 'RHEL 9.4',
  });
  assert.deepEqual(notes, []);
  assert.deepEqual(packages.map((p) => [p.ecosystem, p.name, p.version, p.sourceName, p.licenses, p.purl]).sort(), [
    [
      'Red Hat',
      'berth-fixture',
      '2:1.2.3-4.el9',
      undefined,
      ['MIT AND (Apache-2.0 OR BSD-3-Clause)'],
      'pkg:rpm/redhat/berth-fixture@1.2.3-4.el9?arch=noarch&distro=rhel-9.4&epoch=2',
    ],
    [
      'Red Hat',
      'berth-fixture-libs',
      '2:1.2.3-4.el9',
      'berth-fixture',
      ['LGPL-2.1-or-later'],
      'pkg:rpm/redhat/berth-fixture-libs@1.2.3-4.el9?arch=noarch&distro=rhel-9.4&epoch=2',
    ],
  ]);
});

/** A database like rpm's, holding the given blobs in its Packages table. */
function databaseWith(blobs: unknown[]): Buffer {
  const db = new SQLite(':memory:');
  db.exec('CREATE TABLE Packages (hnum INTEGER PRIMARY KEY AUTOINCREMENT, blob BLOB NOT NULL)');
  const insert = db.prepare('INSERT INTO Packages (blob) VALUES (?)');
  for (const blob of blobs) insert.run(blob);
  const serialized = db.serialize();
  db.close();
  return serialized;
}

function realBlob(): Buffer {
  const content = fixtureDb();
  content.fill(1, 18, 20); // rpm leaves the database in WAL mode, which SQLite will not deserialize
  const db = new SQLite(content, { readonly: true });
  const row = db
    .prepare('SELECT blob FROM Packages WHERE hnum = (SELECT hnum FROM Name WHERE key = ?)')
    .get('berth-fixture') as { blob: Buffer };
  db.close();
  return row.blob;
}

test('corrupt headers are skipped with a note; the good ones are still read', async () => {
  const good = realBlob();
  const truncated = good.subarray(0, good.length - 10);
  const hugeIndex = Buffer.from(good);
  hugeIndex.writeUInt32BE(0x7fffffff, 0);
  const badOffset = Buffer.from(good);
  badOffset.writeUInt32BE(0xfffffff0, 8 + 8); // the first entry's offset
  const { packages, notes } = await analyze([
    file(databaseWith([good, truncated, hugeIndex, badOffset, Buffer.alloc(3), 'text'])),
  ]);
  assert.equal(packages.length, 1);
  assert.equal(notes?.length, 5);
  assert.match(
    notes![0]!,
    /^var\/lib\/rpm\/rpmdb\.sqlite: package header 2 is corrupt \(header of \d+ bytes does not hold/,
  );
  assert.match(notes![1]!, /header 3 is corrupt \(header claims 2147483647 index entries\)/);
  assert.match(notes![2]!, /header 4 is corrupt \(tag \d+'s data at 4294967280 is past/);
  assert.match(notes![3]!, /header 5 is corrupt \(header of 3 bytes/);
  assert.match(notes![4]!, /header 6 is corrupt \(blob is not binary\)/);
});

test('a file that is not SQLite, or SQLite without a Packages table, gives a note', async () => {
  const notSqlite = await analyze([file(Buffer.from('not a database at all, not even close'))]);
  assert.deepEqual(notSqlite.packages, []);
  assert.match(notSqlite.notes![0]!, /^var\/lib\/rpm\/rpmdb\.sqlite is not a SQLite database$/);
  const db = new SQLite(':memory:');
  db.exec('CREATE TABLE Other (x)');
  const noTable = await analyze([file(db.serialize())]);
  db.close();
  assert.match(noTable.notes![0]!, /its Packages table cannot be read \(no such table: Packages\)/);
});

test('Berkeley DB and NDB databases are reported as not analysed, and a WAL left behind is noted', async () => {
  const analyzer = rpmAnalyzer();
  for (const path of ['var/lib/rpm/Packages', 'var/lib/rpm/Packages.db', dbPath, 'usr/lib/sysimage/rpm/rpmdb.sqlite']) {
    assert.equal(analyzer.wants(path), true, path);
  }
  assert.equal(analyzer.wants('var/lib/rpm/Basenames'), false);
  assert.equal(analyzer.wants('var/lib/rpm/rpmdb.sqlite-shm'), false);
  assert.equal(analyzer.wants('var/lib/rpm/rpmdb.sqlite-wal'), true);
  const { packages, notes } = await analyze([
    file(Buffer.alloc(16), 'var/lib/rpm/Packages'),
    file(Buffer.alloc(16), 'usr/lib/sysimage/rpm/Packages.db'),
    file(Buffer.alloc(0), 'var/lib/rpm/rpmdb.sqlite-wal'),
    file(Buffer.alloc(4152), 'usr/lib/sysimage/rpm/rpmdb.sqlite-wal'),
  ]);
  assert.deepEqual(packages, []);
  assert.deepEqual(notes, [
    'rpm database var/lib/rpm/Packages is Berkeley DB and is not analysed',
    'rpm database usr/lib/sysimage/rpm/Packages.db is NDB and is not analysed',
    'usr/lib/sysimage/rpm/rpmdb.sqlite-wal holds 4152 bytes of changes not checkpointed into the database: packages installed last may be missing',
  ]);
});

test('a distribution OSV does not cover still lists its packages, with a note', async () => {
  const fedora: OsInfo = { id: 'fedora', versionId: '40', prettyName: 'Fedora Linux 40 (Container Image)' };
  const { packages, notes } = await analyze([file(fixtureDb())], fedora);
  assert.equal(packages.length, 2);
  assert.ok(packages.every((p) => p.purl.startsWith('pkg:rpm/fedora/')));
  assert.deepEqual(notes, ['Fedora Linux 40 (Container Image): OSV has no advisories for its rpm packages']);
});

test('the source package name is SOURCERPM without version, release and .src.rpm', () => {
  assert.equal(sourceRpmName('openssl-3.0.7-27.el9.src.rpm'), 'openssl');
  assert.equal(sourceRpmName('python3.11-pip-22.3.1-4.el9.noarch.src.rpm'), 'python3.11-pip');
  assert.equal(sourceRpmName('kernel-5.14.0-427.13.1.el9_4.nosrc.rpm'), 'kernel');
  assert.equal(sourceRpmName(''), undefined);
});

test('the same database under var/lib/rpm and usr/lib/sysimage/rpm counts its packages once', async () => {
  const content = fixtureDb();
  const { packages } = await analyze([file(content), file(content, 'usr/lib/sysimage/rpm/rpmdb.sqlite')]);
  assert.deepEqual(packages.map((p) => p.name).sort(), ['berth-fixture', 'berth-fixture-libs']);
});
