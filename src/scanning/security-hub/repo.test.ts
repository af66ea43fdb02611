import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase, type Db } from '../../db/index.js';
import {
  createPostgresDatabase,
  dropPostgresDatabase,
  postgresUnavailable,
  postgresUrl,
} from '../../../test/helpers/database.js';
import { sbomReportType, vulnerabilityReportType } from '../scanners/adapter.js';
import { countVulnerabilities, listVulnerabilities } from './repo.js';

// The security hub's list and count over SQLite and PostgreSQL: every finding once per artifact
// of its digest (two artifacts share one), across page boundaries, as many as the count says;
// findings of another scanner's or an SBOM report left out.

const now = '2026-01-01T00:00:00.000Z';
const skipPostgres = await postgresUnavailable();
const scanner = 'scanner-in-use';

async function seed(db: Db): Promise<void> {
  const k = db.kysely;
  const project = await k
    .insertInto('projects')
    .values({ name: 'hub', owner_id: null, registry_id: null, creation_time: now, update_time: now })
    .returning('id')
    .executeTakeFirstOrThrow();
  const repository = async (name: string) =>
    (
      await k
        .insertInto('repositories')
        .values({ name, project_id: project.id, created_at: now, updated_at: now })
        .returning('id')
        .executeTakeFirstOrThrow()
    ).id;
  const app = await repository('hub/app');
  const copy = await repository('hub/copy');
  for (const [repositoryId, digest] of [
    [app, 'sha256:one'],
    [copy, 'sha256:one'],
    [app, 'sha256:two'],
  ] as const)
    await k
      .insertInto('artifacts')
      .values({
        repository_id: repositoryId,
        digest,
        media_type: 'application/vnd.oci.image.manifest.v1+json',
        artifact_type: null,
        size: 1,
        manifest: Buffer.from('{}'),
        manifest_size: 2,
        subject_digest: null,
        annotations: null,
        push_time: now,
        pull_time: null,
      })
      .execute();
  const reports: [string, string, string, number][] = [
    ['sha256:one', scanner, vulnerabilityReportType, 3],
    ['sha256:two', scanner, vulnerabilityReportType, 4],
    ['sha256:two', 'another-scanner', vulnerabilityReportType, 5],
    ['sha256:two', scanner, sbomReportType, 6],
  ];
  for (const [at, [digest, registration, mimeType, findings]] of reports.entries()) {
    const report = await k
      .insertInto('scan_reports')
      .values({
        uuid: `report-${at}`,
        digest,
        registration_uuid: registration,
        mime_type: mimeType,
        status: 'Success',
        job_id: null,
        start_time: now,
        end_time: now,
        summary: null,
        report: null,
        log: null,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    await k
      .insertInto('scan_vulnerabilities')
      .values(
        Array.from({ length: findings }, (_, i) => ({
          report_id: report.id,
          cve_id: `CVE-2026-${i}`,
          package: `pkg-${i}`,
          version: '1.0',
          fix_version: '',
          severity: 'High',
          severity_rank: 4,
          cvss_score_v3: i % 2 ? 7.5 : null,
          cvss_score_v2: null,
          cvss_vector_v3: '',
          cvss_vector_v2: '',
          cwe_ids: '',
          description: '',
          links: '["https://example.com"]',
        })),
      )
      .execute();
  }
}

for (const kind of ['sqlite', 'postgres'] as const)
  test(
    `the list pages through every finding of every artifact once, as many as the count says (${kind})`,
    {
      skip: kind === 'postgres' && skipPostgres,
    },
    async (t) => {
      const dir = mkdtempSync(join(tmpdir(), 'berth-security-hub-'));
      const pgName = kind === 'postgres' ? await createPostgresDatabase() : undefined;
      const db = openDatabase(pgName ? postgresUrl(pgName) : `sqlite://${join(dir, 'berth.db')}`);
      t.after(async () => {
        await db.close();
        if (pgName) await dropPostgresDatabase(pgName);
        rmSync(dir, { recursive: true, force: true });
      });
      await db.migrate();
      await seed(db);
      const key = (row: { artifactId: number; findingId: number }) => `${row.artifactId}/${row.findingId}`;

      // 3 findings × 2 artifacts of sha256:one, 4 of sha256:two by the scanner in use.
      const expected = 3 * 2 + 4;
      assert.equal(await countVulnerabilities(db.kysely, scanner, {}), expected);
      const listed = await listVulnerabilities(db.kysely, scanner, {}, { offset: 0, limit: 100 });
      assert.equal(listed.length, expected);
      for (const pageSize of [1, 3, 4]) {
        const paged = [];
        for (let offset = 0; offset < expected; offset += pageSize)
          paged.push(...(await listVulnerabilities(db.kysely, scanner, {}, { offset, limit: pageSize })));
        assert.equal(new Set(paged.map(key)).size, expected, `no row twice with pages of ${pageSize}`);
        assert.deepEqual(paged.map(key).sort(), listed.map(key).sort());
      }
      const copies = await listVulnerabilities(
        db.kysely,
        scanner,
        { repositoryNames: ['hub/copy'] },
        { offset: 0, limit: 100 },
      );
      assert.deepEqual(
        copies
          .map((row) => [row.repositoryName, row.digest, row.cveId, row.links])
          .sort((a, b) => String(a[2]).localeCompare(String(b[2]))),
        [0, 1, 2].map((i) => ['hub/copy', 'sha256:one', `CVE-2026-${i}`, ['https://example.com']]),
      );
      assert.equal(await countVulnerabilities(db.kysely, scanner, {}, 5), undefined, 'more than 5: not counted');
      assert.equal(await countVulnerabilities(db.kysely, scanner, {}, 10), expected);
    },
  );
