import { parentPort, workerData } from 'node:worker_threads';
import type { Kysely } from 'kysely';
import { openSqliteConnection, type Database } from '../db/index.js';
import { createBlobStore } from '../storage/index.js';
import { localGcBackend, type GcBackend } from './gc-backend.js';
import { createGcQueries } from './gc-queries.js';
import type { GcThreadRequest, GcThreadResponse, GcWorkerData } from './gc-thread.js';

// The worker thread of a collection on SQLite (gc-thread.ts starts it): the collection's
// statements and the blob store's deletes, on a connection and a store of its own.

const port = parentPort!;
const { sqlitePath, storage, pageSize } = workerData as GcWorkerData;

function reply(response: GcThreadResponse): void {
  port.postMessage(response);
}

function failure(err: unknown): { name: string; message: string } {
  const e = err instanceof Error ? err : new Error(String(err));
  return { name: e.name, message: e.message };
}

let db: Kysely<Database>;
let backend: GcBackend;
try {
  db = openSqliteConnection(sqlitePath);
  backend = localGcBackend(createGcQueries(db), await createBlobStore(storage), pageSize);
} catch (err) {
  // Request 0 is the start: the thread says why it could not, and goes.
  reply({ id: 0, error: failure(err) });
  process.exit(1);
}

port.on('message', (request: GcThreadRequest) => {
  void (async () => {
    try {
      if (request.method === 'close') {
        await db.destroy();
        reply({ id: request.id, result: undefined });
        return;
      }
      const method = backend[request.method] as (...args: unknown[]) => Promise<unknown>;
      reply({ id: request.id, result: await method(...request.args) });
    } catch (err) {
      reply({ id: request.id, error: failure(err) });
    }
  })();
});
reply({ id: 0, result: 'ready' });
