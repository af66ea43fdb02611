import { createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { Kysely } from 'kysely';
import type { Database } from '../../db/index.js';
import type { Job, JobContext, JobParams } from '../../jobs/index.js';
import type { Clock } from '../../shared/clock.js';
import { BerthError } from '../../shared/errors.js';
import type { BlobStore } from '../../storage/index.js';
import { describeImport, importAdvisories } from '../vulndb/index.js';

// VULNDB_IMPORT on the job service: an OSV archive an admin uploaded, kept in the blob store
// (so any replica's worker can import it), copied to a temporary file (a zip is read by its
// central directory, at the end), imported with progress, and deleted afterwards.

export const importJobType = 'VULNDB_IMPORT';

/** Where uploads wait in the blob store: outside the registry's paths, which GC never lists. */
export const uploadPrefix = 'scanning/vulndb-uploads';

export interface ImportJobParams extends JobParams {
  /** The upload's path in the blob store. */
  object: string;
  /** What the admin uploaded (a file name), for the log. */
  source: string;
}

export interface ImportJobDeps {
  db: Kysely<Database>;
  store: BlobStore;
  clock: Clock;
}

const maxFails = 2;
const isTransient = (err: unknown) => !(err instanceof BerthError) || err.status >= 500;

export function importJob(deps: ImportJobDeps): Job<ImportJobParams> {
  return {
    name: importJobType,
    maxFails,
    shouldRetry: isTransient,
    concurrency: 1,
    validate(params) {
      const object = params.object;
      if (typeof object !== 'string' || !object.startsWith(`${uploadPrefix}/`) || object.includes('..'))
        throw new BerthError('BAD_REQUEST', 'object must name an upload of the vulnerability database');
      return { object, source: typeof params.source === 'string' ? params.source.slice(0, 200) : 'upload' };
    },
    run: (ctx) => runImport(deps, ctx),
  };
}

async function runImport(deps: ImportJobDeps, ctx: JobContext<ImportJobParams>): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'berth-vulndb-'));
  const file = join(dir, 'advisories.zip');
  try {
    ctx.log.info(`copying ${ctx.params.source} from the blob store`);
    await pipeline(await deps.store.reader(ctx.params.object), createWriteStream(file), { signal: ctx.signal });
    const summary = await importAdvisories(deps.db, file, {
      clock: deps.clock,
      source: ctx.params.source,
      onProgress: (done, total) => {
        ctx.signal.throwIfAborted();
        ctx.progress(done, total);
      },
    });
    for (const reason of summary.skippedReasons) ctx.log.warn(`skipped ${reason}`);
    ctx.log.info(describeImport(summary));
    await deps.store.delete(ctx.params.object).catch(() => undefined);
  } catch (err) {
    // The upload goes unless another attempt will read it.
    const retried = !ctx.signal.aborted && isTransient(err) && ctx.attempt < maxFails;
    if (!retried) await deps.store.delete(ctx.params.object).catch(() => undefined);
    throw err;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
