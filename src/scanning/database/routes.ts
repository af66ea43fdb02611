import { randomUUID } from 'node:crypto';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Kysely } from 'kysely';
import type { Database } from '../../db/index.js';
import type { RouteKit } from '../../feature.js';
import type { JobService } from '../../jobs/index.js';
import { BerthError } from '../../shared/errors.js';
import type { BlobStore } from '../../storage/index.js';
import type { VulnDb } from '../model.js';
import { importJobType, uploadPrefix } from './job.js';

// The built-in scanner's vulnerability database over the API (Berth's own; Harbor's Trivy
// downloads its database): its state, and imports of an OSV archive an admin uploads, run as
// jobs with progress and a log. System admins only.

const base = '/vulnerability-database';
/** The largest archive accepted (osv.dev's all-ecosystems export is about 1 GiB). */
export const maxUploadBytes = 4 * 1024 ** 3;
const archiveTypes = ['application/zip', 'application/octet-stream', 'application/x-zip-compressed'];

export interface DatabaseRouteDeps {
  db: Kysely<Database>;
  vulnDb: Pick<VulnDb, 'status'>;
  store: BlobStore;
  jobs: () => JobService;
}

function sizeLimit(max: number): Transform {
  let seen = 0;
  return new Transform({
    transform(chunk: Buffer, _encoding, done) {
      seen += chunk.length;
      if (seen > max) done(new BerthError('BAD_REQUEST', `the archive is larger than ${String(max)} bytes`));
      else done(null, chunk);
    },
  });
}

async function importView(jobs: () => JobService, id: string) {
  const execution = await jobs().queue.get(id);
  if (!execution || execution.name !== importJobType)
    throw new BerthError('NOT_FOUND', `vulnerability database import ${id.slice(0, 64)} not found`);
  return {
    id: execution.id,
    status: execution.status,
    progress: execution.progress,
    source: typeof execution.params.source === 'string' ? execution.params.source : '',
    created_at: execution.createdAt,
    ...(execution.startedAt ? { started_at: execution.startedAt } : {}),
    ...(execution.finishedAt ? { finished_at: execution.finishedAt } : {}),
    ...(execution.error ? { error: execution.error } : {}),
  };
}

export function databaseRoutes(app: FastifyInstance, kit: RouteKit, deps: DatabaseRouteDeps): void {
  app.get(base, async (request) => {
    await kit.requireSystem(request, 'scanner', 'read');
    const status = await deps.vulnDb.status();
    const last = await deps.db.selectFrom('vuln_db_meta').selectAll().orderBy('id', 'desc').limit(1).executeTakeFirst();
    return {
      advisories: status.advisories,
      ecosystems: status.ecosystems,
      ...(status.importedAt ? { imported_at: status.importedAt } : {}),
      ...(status.updatedAt ? { updated_at: status.updatedAt } : {}),
      ...(last
        ? {
            last_import: {
              source: last.source,
              imported: last.imported,
              updated: last.updated,
              unchanged: last.unchanged,
              skipped: last.skipped,
              withdrawn: last.withdrawn,
            },
          }
        : {}),
    };
  });

  // The archive is the raw body, streamed to the blob store as it arrives.
  void app.register(async (scoped) => {
    scoped.addContentTypeParser(archiveTypes, (_request, _payload, done) => done(null, undefined));
    scoped.post(`${base}/imports`, async (request: FastifyRequest, reply) => {
      await kit.requireSystem(request, 'scanner', 'create');
      const type = (request.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
      if (!archiveTypes.includes(type))
        throw new BerthError(
          'BAD_REQUEST',
          `send the OSV archive as application/zip, not ${type || 'no content type'}`,
        );
      const declared = Number(request.headers['content-length'] ?? 0);
      if (declared > maxUploadBytes)
        throw new BerthError('BAD_REQUEST', `the archive is larger than ${String(maxUploadBytes)} bytes`);
      const object = `${uploadPrefix}/${randomUUID()}.zip`;
      const writer = await deps.store.writer(object);
      try {
        await pipeline(request.raw, sizeLimit(maxUploadBytes), async (source: AsyncIterable<Buffer>) => {
          for await (const chunk of source) await writer.write(chunk);
        });
        await writer.commit();
      } catch (err) {
        await writer.cancel().catch(() => undefined);
        throw err;
      }
      const name = (request.query as { source?: unknown }).source;
      const execution = await deps.jobs().queue.enqueue(importJobType, {
        object,
        source: typeof name === 'string' && name ? name : 'upload',
      });
      const path = request.url.split('?')[0]!.replace(/\/$/, '');
      return reply.code(202).header('location', `${path}/${execution.id}`).send({ id: execution.id });
    });
  });

  app.get(`${base}/imports/:id`, async (request) => {
    await kit.requireSystem(request, 'scanner', 'read');
    return importView(deps.jobs, (request.params as { id: string }).id);
  });

  app.get(`${base}/imports/:id/log`, async (request, reply) => {
    await kit.requireSystem(request, 'scanner', 'read');
    const { id } = request.params as { id: string };
    await importView(deps.jobs, id);
    const log = (await deps.jobs().queue.log(id)) ?? '';
    return reply.header('content-type', 'text/plain; charset=utf-8').send(log);
  });
}
