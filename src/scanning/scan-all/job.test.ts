import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase, type Db } from '../../db/index.js';
import { JobStoppedError, type JobContext, type JobQueue } from '../../jobs/index.js';
import { BerthError } from '../../shared/errors.js';
import type { StartedScan } from '../scans/service.js';
import { createExecutionsRepo } from './executions.js';
import { scanAllJob, type ScanAllJobParams } from './job.js';

// The SCAN_ALL walk over a real database: images and indexes of every project in id order,
// accessories and charts left out; a conflict skipped and a refusal counted, neither stopping
// the walk; a failed attempt resumed after the last artifact it walked; a stop between artifacts.

const now = '2026-01-01T00:00:00.000Z';
const clock = { now: () => new Date(now) };
const oci = 'application/vnd.oci.image.manifest.v1+json';
const index = 'application/vnd.oci.image.index.v1+json';

async function seed(db: Db): Promise<void> {
  const k = db.kysely;
  for (const name of ['alpha', 'beta'])
    await k
      .insertInto('projects')
      .values({ name, owner_id: null, registry_id: null, creation_time: now, update_time: now })
      .execute();
  const projects = await k.selectFrom('projects').select(['id', 'name']).execute();
  const idOf = (name: string) => projects.find((p) => p.name === name)!.id;
  for (const [name, project] of [
    ['alpha/app', 'alpha'],
    ['beta/tools/cli', 'beta'],
  ] as const)
    await k
      .insertInto('repositories')
      .values({ name, project_id: idOf(project), created_at: now, updated_at: now })
      .execute();
  const repos = await k.selectFrom('repositories').select(['id', 'name']).execute();
  const repo = (name: string) => repos.find((r) => r.name === name)!.id;
  const artifacts: [string, string, string, string | null][] = [
    ['alpha/app', 'sha256:a1', oci, null],
    ['alpha/app', 'sha256:sig', oci, 'sha256:a1'],
    ['beta/tools/cli', 'sha256:b1', index, null],
    ['beta/tools/cli', 'sha256:chart', 'application/vnd.cncf.helm.chart.content.v1.tar+gzip', null],
    ['alpha/app', 'sha256:a2', oci, null],
    ['beta/tools/cli', 'sha256:b2', oci, null],
  ];
  for (const [name, digest, mediaType, subject] of artifacts)
    await k
      .insertInto('artifacts')
      .values({
        repository_id: repo(name),
        digest,
        media_type: mediaType,
        artifact_type: null,
        size: 1,
        manifest: Buffer.from('{}'),
        manifest_size: 2,
        subject_digest: subject,
        annotations: null,
        push_time: now,
        pull_time: null,
      })
      .execute();
}

function context(id: string, params: ScanAllJobParams, attempt: number, signal = new AbortController().signal) {
  const lines: string[] = [];
  const progress: [number, number][] = [];
  const ctx: JobContext<ScanAllJobParams> = {
    id,
    attempt,
    params,
    signal,
    log: { info: (m) => lines.push(m), warn: (m) => lines.push(m), error: (m) => lines.push(m) },
    progress: (done, total) => progress.push([done, total]),
  };
  return { ctx, lines, progress };
}

test('SCAN_ALL walks every image and index, resumes after a failure, and stops between artifacts', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'berth-scan-all-'));
  const db = openDatabase(`sqlite://${join(dir, 'berth.db')}`);
  t.after(async () => {
    await db.close();
    rmSync(dir, { recursive: true, force: true });
  });
  await db.migrate();
  await seed(db);
  const executions = createExecutionsRepo(db.kysely, clock);
  const queue: Pick<JobQueue, 'get' | 'stop'> = { get: async () => undefined, stop: async () => true };

  const calls: string[] = [];
  let failOnce = true;
  const scans = {
    async scan(project: { name: string }, repositoryName: string, reference: string): Promise<StartedScan[]> {
      calls.push(`${project.name}/${repositoryName}@${reference}`);
      if (reference === 'sha256:b1') throw new BerthError('CONFLICT', 'a previous scan process is Running');
      if (reference === 'sha256:a2' && failOnce) {
        failOnce = false;
        throw new Error('database went away');
      }
      if (reference === 'sha256:b2') throw new BerthError('UNPROCESSABLE_ENTITY', 'nothing to scan');
      return [{ reportUuid: `report-${reference}`, jobId: `job-${reference}` }];
    },
  };
  const job = scanAllJob({ db: db.kysely, executions, scans, jobs: () => ({ queue }) });

  await t.test('a failed attempt leaves the run pending; the retry goes on after the last artifact', async () => {
    const executionId = await executions.create('MANUAL');
    const params = job.validate({ trigger: 'MANUAL', executionId });
    const first = context('job-1', params, 1);
    await assert.rejects(job.run(first.ctx), /database went away/);
    assert.deepEqual(calls, ['alpha/app@sha256:a1', 'beta/tools/cli@sha256:b1', 'alpha/app@sha256:a2']);
    const pending = await executions.get(executionId);
    assert.equal(pending?.status, 'Pending');
    assert.equal(pending?.artifacts, 2);
    assert.equal(pending?.skipped, 1);

    calls.length = 0;
    const second = context('job-1', params, 2);
    await job.run(second.ctx);
    assert.deepEqual(calls, ['alpha/app@sha256:a2', 'beta/tools/cli@sha256:b2'], 'resumed after sha256:b1');
    const done = await executions.get(executionId);
    assert.equal(done?.status, 'Success');
    assert.deepEqual([done?.artifacts, done?.skipped, done?.failed], [4, 1, 1]);
    assert.deepEqual(second.progress.at(-1), [4, 4], 'the charts and the accessory are not counted');
    assert.match(second.lines.join('\n'), /beta\/tools\/cli@sha256:b2: not scanned, nothing to scan/);
    const reports = await db.kysely
      .selectFrom('scan_all_reports')
      .select(['report_uuid', 'job_id'])
      .where('execution_id', '=', executionId)
      .orderBy('report_uuid')
      .execute();
    assert.deepEqual(reports, [
      { report_uuid: 'report-sha256:a1', job_id: 'job-sha256:a1' },
      { report_uuid: 'report-sha256:a2', job_id: 'job-sha256:a2' },
    ]);
    // A run that has ended does nothing when its job runs again.
    calls.length = 0;
    await job.run(context('job-1', params, 3).ctx);
    assert.deepEqual(calls, []);
  });

  await t.test('a stopped run ends Stopped between artifacts', async () => {
    const executionId = await executions.create('MANUAL');
    const params = job.validate({ trigger: 'MANUAL', executionId });
    const abort = new AbortController();
    calls.length = 0;
    const stopping = {
      scan: async (...args: Parameters<typeof scans.scan>) => {
        abort.abort('stop');
        return scans.scan(...args);
      },
    };
    const stoppable = scanAllJob({ db: db.kysely, executions, scans: stopping, jobs: () => ({ queue }) });
    await assert.rejects(stoppable.run(context('job-2', params, 1, abort.signal).ctx), JobStoppedError);
    assert.equal(calls.length, 1);
    assert.equal((await executions.get(executionId))?.status, 'Stopped');
  });

  await t.test('a manual run must name its execution', () => {
    assert.throws(() => job.validate({ trigger: 'MANUAL' }), /executionId/);
    assert.deepEqual(job.validate({ trigger: 'SCHEDULE', schedule_type: 'Daily' }), { trigger: 'SCHEDULE' });
  });
});
