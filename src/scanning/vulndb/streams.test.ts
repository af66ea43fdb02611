import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
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
import { composerAnalyzer } from '../analyzers/lang/composer.js';
import { osInfoOf } from '../analyzers/os/os-release.js';
import type { Analysis, OsInfo, Package } from '../model.js';
import { importAdvisories } from './import.js';
import { createVulnDb } from './match.js';
import { redHatScope } from './scope.js';

// Red Hat advisories (filed per product stream, naming binary RPMs) matched against a RHEL/UBI
// image's packages, and Packagist advisories against composer.lock's packages in Composer's
// version order, on SQLite and PostgreSQL.

const fixtures = fileURLToPath(new URL('../../../test/fixtures/scanning/osv-streams/', import.meta.url));
const skipPostgres = await postgresUnavailable();

/** The os-release of a UBI image (ID=rhel), read by the os-release analyzer. */
function ubi(versionId: string): OsInfo {
  const major = versionId.split('.')[0];
  const text = [
    'NAME="Red Hat Enterprise Linux"',
    `VERSION="${versionId} (Plow)"`,
    'ID="rhel"',
    'ID_LIKE="fedora"',
    `VERSION_ID="${versionId}"`,
    `PRETTY_NAME="Red Hat Enterprise Linux ${versionId} (Plow)"`,
    `CPE_NAME="cpe:/o:redhat:enterprise_linux:${major}::baseos"`,
  ].join('\n');
  return osInfoOf(text)!;
}

function rpm(name: string, version: string, sourceName?: string): Package {
  return {
    ecosystem: 'Red Hat',
    name,
    version,
    ...(sourceName === undefined ? {} : { sourceName }),
    purl: `pkg:rpm/redhat/${name}`,
    licenses: [],
    layer: 'sha256:l',
    path: 'var/lib/rpm/rpmdb.sqlite',
    kind: 'os',
  };
}

test('a RHEL image takes the mainline enterprise_linux streams of its major (any repository), not EUS or layered products', () => {
  const nine = redHatScope('9.4')!;
  assert.equal(nine.name, 'Red Hat:enterprise_linux:9');
  for (const stream of [
    'Red Hat:enterprise_linux:9',
    'Red Hat:enterprise_linux:9::baseos',
    'Red Hat:enterprise_linux:9::appstream',
    'Red Hat:enterprise_linux:9::crb',
  ])
    assert.ok(nine.includes(stream), stream);
  for (const stream of [
    'Red Hat:enterprise_linux:8::baseos',
    'Red Hat:enterprise_linux:90::baseos',
    'Red Hat:rhel_eus:9.4::baseos',
    'Red Hat:rhel_aus:9.4::appstream',
    'Red Hat:openshift:4.14::el9',
    'Red Hat',
  ])
    assert.ok(!nine.includes(stream), stream);
  const ten = redHatScope('10.0')!;
  assert.ok(ten.includes('Red Hat:enterprise_linux:10.0'));
  assert.ok(!ten.includes('Red Hat:enterprise_linux:10.1'), "another minor release's stream");
  assert.equal(redHatScope(''), undefined, 'no VERSION_ID, no stream');
});

for (const kind of ['sqlite', 'postgres'] as const) {
  describe(`Red Hat and Packagist matching (${kind})`, { skip: kind === 'postgres' && skipPostgres }, () => {
    let db: Db;
    let dir: string;
    let pgName: string | undefined;
    before(async () => {
      dir = mkdtempSync(join(tmpdir(), 'berth-vulndb-streams-'));
      pgName = kind === 'postgres' ? await createPostgresDatabase() : undefined;
      db = openDatabase(pgName ? postgresUrl(pgName) : `sqlite://${dir}/berth.db`);
      await db.migrate();
      const summary = await importAdvisories(db.kysely, fixtures);
      assert.deepEqual([summary.imported, summary.skipped], [6, 0]);
      assert.deepEqual(summary.ecosystems, ['Packagist', 'Red Hat']);
    });
    after(async () => {
      await db.close();
      if (pgName) await dropPostgresDatabase(pgName);
      rmSync(dir, { recursive: true, force: true });
    });

    const match = (analysis: Analysis) => createVulnDb(db.kysely).match(analysis);

    test('UBI 9: binary RPMs matched in the baseos and appstream streams, RPM order with epochs, the CVE from upstream', async () => {
      const os = ubi('9.4');
      assert.equal(os.osvEcosystem, 'Red Hat', 'os-release cannot tell the stream');
      const libs = rpm('openssl-libs', '1:3.0.7-24.el9', 'openssl');
      const devel = rpm('openssl-devel', '1:3.0.7-24.el9', 'openssl');
      const fixed = rpm('openssl', '1:3.0.7-25.el9_3');
      const vim = rpm('vim-minimal', '2:8.2.2637-16.el9', 'vim');
      const findings = await match({ os, packages: [libs, devel, fixed, vim], notes: [] });
      assert.deepEqual(
        findings.map((f) => [f.package.name, f.id, f.fixVersion, f.severity]),
        [
          ['openssl-libs', 'CVE-2023-5678', '1:3.0.7-25.el9_3', 'Medium'],
          ['openssl-devel', 'CVE-2023-5678', '1:3.0.7-25.el9_3', 'Medium'],
          ['vim-minimal', 'RHSA-2024:0002', '2:8.2.2637-20.el9_3', 'High'],
        ],
      );
      assert.deepEqual(findings[0]!.aliases, ['RHSA-2024:0001'], 'the RHSA stays as an alias of its one CVE');
      assert.deepEqual(findings[2]!.aliases, ['CVE-2023-48231', 'CVE-2023-48706'], 'two CVEs: the RHSA id stays');
      assert.deepEqual(findings[0]!.links, [
        'https://access.redhat.com/errata/RHSA-2024:0001',
        'https://bugzilla.redhat.com/show_bug.cgi?id=2248616',
      ]);
    });

    test('binary names first, then the source RPM: a subpackage the advisory does not list matches by its SOURCERPM', async () => {
      const tkinter = rpm('python3.11-tkinter', '0:3.11.7-1.el9', 'python3.11');
      const vimFilesystem = rpm('vim-filesystem', '2:8.2.2637-16.el9', 'vim');
      const findings = await match({ os: ubi('9.4'), packages: [tkinter, vimFilesystem], notes: [] });
      assert.deepEqual(
        findings.map((f) => [f.package.name, f.id, f.fixVersion]),
        [['python3.11-tkinter', 'CVE-2024-4032', '0:3.11.9-7.el9_4']],
        'vim-filesystem: RHSA-2024:0002 names neither it nor its source RPM',
      );
    });

    test("the major release picks the streams: RHEL 8's fix for UBI 8, no EUS or OpenShift fix for UBI 9, RHEL 10's minor streams", async () => {
      const libs8 = rpm('openssl-libs', '1:1.1.1k-9.el8_7', 'openssl');
      const on8 = await match({ os: ubi('8.9'), packages: [libs8], notes: [] });
      assert.deepEqual(
        on8.map((f) => [f.id, f.fixVersion]),
        [['CVE-2023-5678', '1:1.1.1k-12.el8_9']],
      );
      // Below the 9.2 EUS fix (not a UBI stream) and OpenShift's later one (which would win the merge): the mainline fix stands.
      const libs92 = rpm('openssl-libs', '1:3.0.7-17.el9_2', 'openssl');
      const on92 = await match({ os: ubi('9.2'), packages: [libs92], notes: [] });
      assert.deepEqual(
        on92.map((f) => [f.id, f.fixVersion]),
        [['CVE-2023-5678', '1:3.0.7-25.el9_3']],
      );
      const glibc = rpm('glibc', '0:2.39-30.el10', 'glibc');
      const on100 = await match({ os: ubi('10.0'), packages: [glibc], notes: [] });
      assert.deepEqual(
        on100.map((f) => [f.id, f.fixVersion]),
        [['CVE-2025-0395', '0:2.39-37.el10_0']],
      );
      assert.deepEqual(await match({ os: ubi('10.1'), packages: [glibc], notes: [] }), []);
      const unknownRelease = { ...ubi('9.4'), versionId: '' };
      assert.deepEqual(await match({ os: unknownRelease, packages: [libs92], notes: [] }), []);
    });

    test("the streams found are kept until the next import, which may bring a new repository's stream", async () => {
      let queries = 0;
      const counting: KyselyPlugin = {
        transformQuery: (args) => (queries++, args.node),
        transformResult: async (args) => args.result,
      };
      const vulnDb = createVulnDb(db.kysely.withPlugin(counting));
      const sapPackage = rpm('compat-sap-c++-12', '0:12.1.1-1.el9', 'compat-sap-c++-12');
      const analysis = { os: ubi('9.4'), packages: [sapPackage], notes: [] };
      assert.deepEqual(await vulnDb.match(analysis), []);
      assert.equal(queries, 3, 'the last import, the streams, the advisories');
      assert.deepEqual(await vulnDb.match(analysis), []);
      assert.equal(queries, 5, 'the streams again from what the first match found');

      const sap = JSON.parse(readFileSync(join(fixtures, 'redhat', 'RHSA-2024-0003.json'), 'utf8')) as {
        id: string;
        affected: { package: { ecosystem: string; name: string }; ranges: unknown[] }[];
      };
      sap.id = 'RHSA-2024:0005';
      sap.affected[0]!.package = { ecosystem: 'Red Hat:enterprise_linux:9::sap', name: 'compat-sap-c++-12' };
      sap.affected[0]!.ranges = [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: '0:12.1.1-2.el9' }] }];
      const extra = join(dir, 'extra.json');
      writeFileSync(extra, JSON.stringify(sap));
      await importAdvisories(db.kysely, extra);
      assert.deepEqual(
        (await vulnDb.match(analysis)).map((f) => [f.package.name, f.id]),
        [['compat-sap-c++-12', 'CVE-2024-4032']],
      );
    });

    test("composer.lock's packages matched in Composer's order: v prefixes, pre-releases, several ranges, name case", async () => {
      const lock = {
        packages: [
          { name: 'guzzlehttp/psr7', version: 'v2.4.4', license: ['MIT'] },
          { name: 'Symfony/Http-Kernel', version: 'v5.4.19', license: ['MIT'] },
          { name: 'GuzzleHttp/Guzzle', version: '7.8.1' },
        ],
        'packages-dev': [
          { name: 'symfony/http-kernel', version: 'v6.2.6' },
          { name: 'guzzlehttp/psr7', version: '2.0.0-rc1' },
          { name: 'guzzlehttp/psr7', version: '1.9.0.0' },
        ],
      };
      const file = { path: 'app/composer.lock', layer: 'sha256:l', content: Buffer.from(JSON.stringify(lock)) };
      const { packages } = await composerAnalyzer.analyze([file], {});
      const findings = await match({ packages, notes: [] });
      assert.deepEqual(
        findings.map((f) => [f.package.name, f.package.version, f.id, f.fixVersion]),
        [
          ['guzzlehttp/psr7', '2.4.4', 'CVE-2023-29197', '2.4.5'],
          ['Symfony/Http-Kernel', '5.4.19', 'CVE-2022-24894', '5.4.20'],
          ['guzzlehttp/psr7', '1.9.0.0', 'CVE-2023-29197', '1.9.1'],
        ],
        '6.2.6 is the fix; 2.0.0-rc1 sorts below 2.0.0 (RC < stable) and above 1.9.1',
      );
      assert.deepEqual(findings[0]!.aliases, ['GHSA-wxmh-65f7-jcvw']);
      assert.deepEqual(findings[0]!.cweIds, ['CWE-436']);
    });
  });
}
