import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { KyselyPlugin } from 'kysely';
import { openDatabase, type Db } from '../../db/index.js';
import {
  createPostgresDatabase,
  dropPostgresDatabase,
  postgresUnavailable,
  postgresUrl,
} from '../../../test/helpers/database.js';
import { needTool, run } from '../../../test/helpers/tools.js';
import type { Analysis, Package } from '../model.js';
import { importAdvisories, type ImportSummary } from './import.js';
import { createVulnDb } from './match.js';

// The OSV fixture set imported into SQLite and PostgreSQL (as osv.dev's zip, as a directory,
// as one file), then matched against packages the analyzers would report.

const fixtures = fileURLToPath(new URL('../../../test/fixtures/scanning/osv/', import.meta.url));
const skipPostgres = await postgresUnavailable();

function pkg(fields: Partial<Package> & Pick<Package, 'ecosystem' | 'name' | 'version'>): Package {
  return { purl: `pkg:generic/${fields.name}`, licenses: [], layer: 'sha256:l', path: 'p', kind: 'library', ...fields };
}

const debian = (name: string, version: string, source?: { name: string; version?: string }): Package =>
  pkg({ ecosystem: 'Debian', name, version, kind: 'os', sourceName: source?.name, sourceVersion: source?.version });

for (const kind of ['sqlite', 'postgres'] as const) {
  describe(`vulnerability database (${kind})`, { skip: kind === 'postgres' && skipPostgres }, () => {
    let db: Db;
    let dir: string;
    let pgName: string | undefined;

    before(async () => {
      dir = mkdtempSync(join(tmpdir(), 'berth-vulndb-'));
      pgName = kind === 'postgres' ? await createPostgresDatabase() : undefined;
      db = openDatabase(pgName ? postgresUrl(pgName) : `sqlite://${dir}/berth.db`);
      await db.migrate();
    });
    after(async () => {
      await db.close();
      if (pgName) await dropPostgresDatabase(pgName);
      rmSync(dir, { recursive: true, force: true });
    });

    test('imports an OSV zip: counts, skipped reasons, progress; a re-import changes nothing', async (t) => {
      if (!needTool(t, 'zip')) return;
      const zipPath = join(dir, 'all.zip');
      run('zip', ['-qr', zipPath, '.', '-x', 'README.md'], { cwd: fixtures });
      const progress: [number, number][] = [];
      const first = await importAdvisories(db.kysely, zipPath, {
        batchSize: 4,
        onProgress: (done, total) => progress.push([done, total]),
      });
      const expected: ImportSummary = {
        imported: 10,
        updated: 0,
        unchanged: 0,
        skipped: 3,
        skippedReasons: first.skippedReasons,
        withdrawn: 1,
        ecosystems: ['Alpine', 'Debian', 'Go', 'Maven', 'PyPI', 'npm'],
      };
      assert.deepEqual(first, expected);
      assert.equal(first.skippedReasons.length, 3);
      const reasons = first.skippedReasons.join('\n');
      assert.match(reasons, /invalid\/no-modified\.json: GHSA-0000-0000-0001: modified is missing/);
      assert.match(reasons, /invalid\/bad-range\.json: .*type "RANGE" is not ECOSYSTEM, SEMVER or GIT/);
      assert.match(reasons, /invalid\/truncated\.json: not JSON/);
      const total = progress.at(-1)![1];
      assert.ok(total >= 13, 'the zip has the 13 files and its directories');
      assert.deepEqual(progress.at(-1), [total, total]);

      const again = await importAdvisories(db.kysely, zipPath);
      assert.deepEqual([again.imported, again.updated, again.unchanged, again.skipped], [0, 0, 10, 3]);
      const status = await createVulnDb(db.kysely).status();
      assert.equal(status.advisories, 9, 'the withdrawn one is not counted');
      assert.deepEqual(status.ecosystems, ['Alpine', 'Debian', 'Go', 'Maven', 'PyPI', 'npm']);
      assert.equal(status.updatedAt, '2024-08-10T10:19:54.000Z');
      assert.ok(status.importedAt);
    });

    test('an advisory with a newer modified replaces the stored one (and its ranges); an older one does not', async () => {
      const updates = join(dir, 'updates');
      cpSync(join(fixtures, 'debian', 'DSA-5504-1.json'), join(updates, 'nested', 'DSA-5504-1.json'));
      const record = JSON.parse(readFileSync(join(updates, 'nested', 'DSA-5504-1.json'), 'utf8')) as {
        modified: string;
        affected: { ranges: { events: Record<string, string>[] }[] }[];
      };
      record.modified = '2023-09-21T00:00:00Z';
      record.affected[0]!.ranges[0]!.events[1] = { fixed: '1:9.18.24-1' };
      writeFileSync(join(updates, 'nested', 'DSA-5504-1.json'), JSON.stringify(record));
      const older = { ...record, id: 'DSA-5532-1', modified: '2020-01-01T00:00:00Z', affected: [] };
      writeFileSync(join(updates, 'DSA-5532-1.json'), JSON.stringify(older));
      const summary = await importAdvisories(db.kysely, updates);
      assert.deepEqual([summary.imported, summary.updated, summary.unchanged], [0, 1, 1]);

      const bind = debian('bind9-libs', '1:9.18.19-1~deb12u1', { name: 'bind9' });
      const findings = await createVulnDb(db.kysely).match({ os: bookworm, packages: [bind], notes: [] });
      assert.deepEqual(
        findings.map((f) => [f.id, f.fixVersion]),
        [['DSA-5504-1', '1:9.18.24-1']],
      );
      const openssl = debian('libssl3', '3.0.11-1~deb12u1', { name: 'openssl' });
      const stillThere = await createVulnDb(db.kysely).match({ os: bookworm, packages: [openssl], notes: [] });
      assert.equal(stillThere.length, 1, 'the older record did not replace DSA-5532-1');
    });

    test('one .json file imports; a missing path is a clear error', async () => {
      const one = await importAdvisories(db.kysely, join(fixtures, 'go', 'GO-2024-2687.json'));
      assert.deepEqual([one.imported, one.unchanged], [0, 1]);
      await assert.rejects(importAdvisories(db.kysely, join(dir, 'nope.zip')), {
        code: 'BAD_REQUEST',
        message: /cannot read/,
      });
    });
  });
}

const bookworm: Analysis['os'] = { id: 'debian', versionId: '12', prettyName: 'Debian 12', osvEcosystem: 'Debian:12' };

for (const kind of ['sqlite', 'postgres'] as const) {
  describe(`matching the fixture set (${kind})`, { skip: kind === 'postgres' && skipPostgres }, () => {
    let db: Db;
    let dir: string;
    let pgName: string | undefined;
    before(async () => {
      dir = mkdtempSync(join(tmpdir(), 'berth-vulndb-match-'));
      pgName = kind === 'postgres' ? await createPostgresDatabase() : undefined;
      db = openDatabase(pgName ? postgresUrl(pgName) : `sqlite://${dir}/berth.db`);
      await db.migrate();
      await importAdvisories(db.kysely, fixtures);
    });
    after(async () => {
      await db.close();
      if (pgName) await dropPostgresDatabase(pgName);
      rmSync(dir, { recursive: true, force: true });
    });

    const match = (analysis: Analysis) => createVulnDb(db.kysely).match(analysis);

    test('Debian packages by source package and version; DSA and CVE records of one CVE merge', async () => {
      const libssl = debian('libssl3', '3.0.11-1~deb12u1', { name: 'openssl' });
      const fixed = debian('openssl', '3.0.11-1~deb12u2');
      const bind = debian('bind9-host', '1:9.18.16-1~deb12u1', { name: 'bind9' });
      const findings = await match({ os: bookworm, packages: [libssl, fixed, bind], notes: [] });
      assert.equal(findings.length, 2);
      const [cve, dsa] = findings;
      assert.equal(cve!.id, 'CVE-2023-5363');
      assert.equal(cve!.package, libssl);
      assert.deepEqual(cve!.aliases, ['DSA-5532-1']);
      assert.equal(cve!.fixVersion, '3.0.11-1~deb12u2');
      assert.equal(cve!.severity, 'High', 'the CVE record scored 7.5 outranks the DSA without a score');
      assert.deepEqual(cve!.cvss, { scoreV3: 7.5, vectorV3: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N' });
      assert.deepEqual(
        new Set(cve!.links),
        new Set([
          'https://www.debian.org/security/2023/dsa-5532',
          'https://www.openssl.org/news/secadv/20231024.txt',
          'https://github.com/openssl/openssl/commit/0df40630850fb2740e6be6890bb905d3fc623b2d',
        ]),
      );
      assert.equal(dsa!.id, 'DSA-5504-1', 'two CVEs: the OSV id stays');
      assert.deepEqual(dsa!.aliases, ['CVE-2023-3341', 'CVE-2023-4236']);
      assert.equal(dsa!.severity, 'High', "Debian's urgency");
      assert.equal(dsa!.fixVersion, '1:9.18.19-1~deb12u1');
    });

    test('the release matters: Debian 11 has its own records; no os, no OS matching', async () => {
      const libssl = debian('libssl1.1', '1.1.1w-0+deb11u1', { name: 'openssl' });
      const bullseye = { ...bookworm!, versionId: '11', osvEcosystem: 'Debian:11' };
      const findings = await match({ os: bullseye, packages: [libssl], notes: [] });
      assert.deepEqual(
        findings.map((f) => [f.id, f.fixVersion]),
        [['CVE-2023-5363', undefined]],
      );
      assert.deepEqual(await match({ packages: [libssl], notes: [] }), []);
    });

    test('Alpine by origin; npm SEMVER ranges; withdrawn advisories never match', async () => {
      const alpine = { id: 'alpine', versionId: '3.20.1', prettyName: 'Alpine', osvEcosystem: 'Alpine:v3.20' };
      const libcrypto = pkg({
        ecosystem: 'Alpine',
        name: 'libcrypto3',
        version: '3.3.0-r2',
        sourceName: 'openssl',
        kind: 'os',
      });
      const semver6 = pkg({ ecosystem: 'npm', name: 'semver', version: '6.3.0' });
      const semver7 = pkg({ ecosystem: 'npm', name: 'semver', version: '7.5.2' });
      const serialize = pkg({ ecosystem: 'npm', name: 'node-serialize', version: '0.0.4' });
      const findings = await match({ os: alpine, packages: [libcrypto, semver6, semver7, serialize], notes: [] });
      assert.deepEqual(
        findings.map((f) => [f.package.name, f.package.version, f.id, f.fixVersion, f.severity]),
        [
          ['libcrypto3', '3.3.0-r2', 'CVE-2024-5535', '3.3.1-r1', 'Critical'],
          ['semver', '6.3.0', 'CVE-2022-25883', '6.3.1', 'Medium'],
          ['node-serialize', '0.0.4', 'CVE-2017-5941', undefined, 'Critical'],
        ],
      );
      const semverFinding = findings[1]!;
      assert.deepEqual(semverFinding.aliases, ['GHSA-c2qf-rxjj-qqgw']);
      assert.deepEqual(semverFinding.cweIds, ['CWE-1333']);
      assert.equal(semverFinding.summary, 'semver vulnerable to Regular Expression Denial of Service');
    });

    test('PyPI by explicit versions (names in PEP 503 form), Go stdlib, Maven ranges', async () => {
      const jinja = pkg({ ecosystem: 'PyPI', name: 'jinja2', version: '3.1.2' });
      const jinjaFixed = pkg({ ecosystem: 'PyPI', name: 'Jinja2', version: '3.1.3' });
      const stdlib = pkg({ ecosystem: 'Go', name: 'stdlib', version: 'v1.22.1' });
      const stdlibFixed = pkg({ ecosystem: 'Go', name: 'stdlib', version: 'v1.21.9' });
      const log4j = pkg({ ecosystem: 'Maven', name: 'org.apache.logging.log4j:log4j-core', version: '2.14.1' });
      const log4jOld = pkg({ ecosystem: 'Maven', name: 'org.apache.logging.log4j:log4j-core', version: '2.0-beta8' });
      const findings = await match({ packages: [jinja, jinjaFixed, stdlib, stdlibFixed, log4j, log4jOld], notes: [] });
      assert.deepEqual(
        findings.map((f) => [f.package.name, f.id, f.fixVersion, f.severity]),
        [
          ['jinja2', 'CVE-2024-22195', undefined, 'Medium'],
          ['stdlib', 'CVE-2023-45288', '1.22.2', 'Unknown'],
          ['org.apache.logging.log4j:log4j-core', 'CVE-2021-44228', '2.15.0', 'Critical'],
        ],
      );
      assert.deepEqual(findings[1]!.aliases, ['GO-2024-2687', 'GHSA-4v7x-pqxf-cx7m']);
      assert.equal(findings[2]!.cvss?.scoreV3, 10);
    });

    test('a distribution OSV has no ecosystem for (Fedora) is not matched', async () => {
      const fedora = { id: 'fedora', versionId: '40', prettyName: 'Fedora Linux 40' };
      const openssl = pkg({ ecosystem: 'Red Hat', name: 'openssl', version: '1:3.0.0-1.fc40', kind: 'os' });
      assert.deepEqual(await match({ os: fedora, packages: [openssl], notes: [] }), []);
    });

    test('500 packages match in one query per ecosystem, in tens of milliseconds', async () => {
      const packages = Array.from({ length: 500 }, (_, i) =>
        i % 2
          ? pkg({ ecosystem: 'npm', name: i % 50 === 1 ? 'semver' : `pkg-${i}`, version: '6.0.0' })
          : debian(`lib${i}`, '1.0-1', { name: i % 50 === 0 ? 'openssl' : `src${i}` }),
      );
      let queries = 0;
      const counting: KyselyPlugin = {
        transformQuery: (args) => (queries++, args.node),
        transformResult: async (args) => args.result,
      };
      const started = performance.now();
      const findings = await createVulnDb(db.kysely.withPlugin(counting)).match({ os: bookworm, packages, notes: [] });
      const elapsed = performance.now() - started;
      assert.equal(queries, 2, 'Debian:12 and npm');
      assert.equal(findings.length, 20, 'ten openssl (DSA and CVE merged) and ten semver');
      assert.ok(elapsed < 500, `took ${elapsed.toFixed(1)} ms`);
    });
  });
}
