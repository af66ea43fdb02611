import { createHash } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import Sqlite from 'better-sqlite3';
import pg from 'pg';

// Seeds a stopped Berth for the garbage collection bench, straight into its database and
// blob store: `count` referenced blobs (artifacts of `blobsPerArtifact` blobs each, spread
// over `repositoryCount` repositories of project library, one tag per artifact) and `count`
// unreferenced blobs (linked to those repositories, as after their images were deleted),
// every row last used a day ago, so a collection with time_window 0 takes exactly the latter.

export const repositoryCount = 100;
export const blobsPerArtifact = 10;
export const gcRepository = (i: number) => `library/gc-${String(i).padStart(3, '0')}`;
export const gcTag = (i: number) => `t${String(i).padStart(6, '0')}`;

export interface SeedBlob {
  digest: string;
  bytes: Buffer;
}

export interface GcSeed {
  referenced: SeedBlob[];
  unreferenced: SeedBlob[];
  /** Tag i of artifact i, in repository `gcRepository(i % repositoryCount)`. */
  artifacts: number;
}

/** Inserts rows of one table; `rows` hold the values in `columns` order. */
interface Writer {
  insert(table: string, columns: string[], rows: unknown[][]): Promise<void>;
  query<T>(sql: string, params?: unknown[]): Promise<T[]>;
  close(): Promise<void>;
}

const sha256 = (bytes: Buffer) => `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
const seedBlob = (text: string): SeedBlob => {
  const bytes = Buffer.from(text);
  return { digest: sha256(bytes), bytes };
};

export function gcSeed(count: number): GcSeed {
  return {
    referenced: Array.from({ length: count }, (_, i) => seedBlob(`berth gc bench, referenced blob ${i}\n`)),
    unreferenced: Array.from({ length: count }, (_, i) => seedBlob(`berth gc bench, unreferenced blob ${i}\n`)),
    artifacts: Math.floor(count / blobsPerArtifact),
  };
}

function sqliteWriter(file: string): Writer {
  const db = new Sqlite(file);
  return {
    async insert(table, columns, rows) {
      const statement = db.prepare(
        `INSERT INTO ${table} (${columns.join(', ')}) VALUES (${columns.map(() => '?').join(', ')})`,
      );
      db.transaction(() => {
        for (const row of rows) statement.run(...row);
      })();
    },
    async query<T>(sql: string, params: unknown[] = []) {
      const statement = db.prepare(sql);
      if (statement.reader) return statement.all(...params) as T[];
      statement.run(...params);
      return [];
    },
    async close() {
      db.close();
    },
  };
}

async function postgresWriter(url: string): Promise<Writer> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  return {
    async insert(table, columns, rows) {
      // Multi-row INSERTs under PostgreSQL's 65,535 bound parameters, in one transaction.
      const perStatement = Math.floor(30_000 / columns.length);
      await client.query('BEGIN');
      for (let from = 0; from < rows.length; from += perStatement) {
        const part = rows.slice(from, from + perStatement);
        const values = part.map((_, r) => `(${columns.map((__, c) => `$${r * columns.length + c + 1}`).join(', ')})`);
        await client.query(`INSERT INTO ${table} (${columns.join(', ')}) VALUES ${values.join(', ')}`, part.flat());
      }
      await client.query('COMMIT');
    },
    async query<T>(sql: string, params: unknown[] = []) {
      const numbered = sql.split('?').reduce((out, piece, i) => (i === 0 ? piece : `${out}$${i}${piece}`), '');
      return (await client.query(numbered, params)).rows as T[];
    },
    async close() {
      await client.end();
    },
  };
}

/** The manifest of artifact `i`: an OCI image whose config and layers are its referenced blobs. */
function manifestOf(seed: GcSeed, i: number): { bytes: Buffer; blobs: SeedBlob[] } {
  const blobs = seed.referenced.slice(i * blobsPerArtifact, (i + 1) * blobsPerArtifact);
  const [config, ...layers] = blobs;
  const descriptor = (mediaType: string, blob: SeedBlob) => ({
    mediaType,
    digest: blob.digest,
    size: blob.bytes.length,
  });
  const bytes = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      config: descriptor('application/vnd.oci.image.config.v1+json', config!),
      layers: layers.map((l) => descriptor('application/vnd.oci.image.layer.v1.tar+gzip', l)),
    }),
  );
  return { bytes, blobs };
}

async function seedRows(db: Writer, seed: GcSeed, aDayAgo: string): Promise<void> {
  const [project] = await db.query<{ id: number }>("SELECT id FROM projects WHERE name = 'library'");
  if (!project) throw new Error('project library is missing: start Berth once before seeding');
  const projectId = Number(project.id);
  const names = Array.from({ length: repositoryCount }, (_, i) => gcRepository(i));
  await db.insert(
    'repositories',
    ['name', 'project_id', 'created_at', 'updated_at'],
    names.map((name) => [name, projectId, aDayAgo, aDayAgo]),
  );
  const repoIds = new Map(
    (
      await db.query<{ id: number; name: string }>("SELECT id, name FROM repositories WHERE name LIKE 'library/gc-%'")
    ).map((r) => [r.name, Number(r.id)]),
  );
  const repoOf = (i: number) => repoIds.get(gcRepository(i % repositoryCount))!;

  const all = [...seed.referenced, ...seed.unreferenced];
  await db.insert(
    'blobs',
    ['digest', 'size', 'media_type', 'created_at', 'status', 'updated_at'],
    all.map((b) => [b.digest, b.bytes.length, null, aDayAgo, 'ok', aDayAgo]),
  );
  // Blob b belongs to artifact floor(b / blobsPerArtifact); unreferenced ones to repositories in turn.
  await db.insert(
    'repository_blobs',
    ['repository_id', 'digest', 'created_at'],
    [
      ...seed.referenced.map((b, i) => [repoOf(Math.floor(i / blobsPerArtifact)), b.digest, aDayAgo]),
      ...seed.unreferenced.map((b, i) => [repoOf(i), b.digest, aDayAgo]),
    ],
  );

  const manifests = Array.from({ length: seed.artifacts }, (_, i) => manifestOf(seed, i));
  await db.insert(
    'artifacts',
    ['repository_id', 'digest', 'media_type', 'artifact_type', 'size', 'manifest', 'manifest_size', 'push_time'],
    manifests.map((m, i) => [
      repoOf(i),
      sha256(m.bytes),
      'application/vnd.oci.image.manifest.v1+json',
      'application/vnd.oci.image.config.v1+json',
      m.bytes.length + m.blobs.reduce((sum, b) => sum + b.bytes.length, 0),
      m.bytes,
      m.bytes.length,
      aDayAgo,
    ]),
  );
  const artifactIds = new Map(
    (
      await db.query<{ id: number; digest: string }>(
        "SELECT a.id, a.digest FROM artifacts a JOIN repositories r ON r.id = a.repository_id WHERE r.name LIKE 'library/gc-%'",
      )
    ).map((r) => [r.digest, Number(r.id)]),
  );
  const idOf = (i: number) => artifactIds.get(sha256(manifests[i]!.bytes))!;
  await db.insert(
    'artifact_blobs',
    ['artifact_id', 'digest'],
    manifests.flatMap((m, i) => m.blobs.map((b) => [idOf(i), b.digest])),
  );
  await db.insert(
    'tags',
    ['repository_id', 'artifact_id', 'name', 'push_time'],
    manifests.map((_, i) => [repoOf(i), idOf(i), gcTag(i), aDayAgo]),
  );
  await seedAccounting(db, projectId, seed, manifests);
}

/** The project's dedup-aware usage, as the registry keeps it: each blob and manifest counted once. */
async function seedAccounting(db: Writer, projectId: number, seed: GcSeed, manifests: { bytes: Buffer }[]) {
  const items = [
    ...seed.referenced.map((b) => [projectId, b.digest, b.bytes.length, 1]),
    ...manifests.map((m) => [projectId, sha256(m.bytes), m.bytes.length, 1]),
  ];
  await db.insert('project_blobs', ['project_id', 'digest', 'size', 'refs'], items);
  await db.query('DELETE FROM project_storage WHERE project_id = ?', [projectId]);
  await db.query(
    'INSERT INTO project_storage (project_id, used) SELECT ?, SUM(size) FROM project_blobs WHERE project_id = ?',
    [projectId, projectId],
  );
}

/** Writes every blob's bytes under `<storage>/blobs/sha256/<2 hex>/<hex>`, `pool` files at a time. */
async function seedFiles(storage: string, blobs: SeedBlob[], pool = 16): Promise<void> {
  const dirs = new Set(blobs.map((b) => b.digest.slice(7, 9)));
  for (const dir of dirs) mkdirSync(join(storage, 'blobs', 'sha256', dir), { recursive: true });
  let next = 0;
  const worker = async () => {
    while (next < blobs.length) {
      const blob = blobs[next++]!;
      const hex = blob.digest.slice(7);
      await writeFile(join(storage, 'blobs', 'sha256', hex.slice(0, 2), hex), blob.bytes);
    }
  };
  await Promise.all(Array.from({ length: pool }, worker));
}

/** Seeds the database (the SQLite file in `dataDir`, or `postgresUrl`) and the blob store of a stopped Berth. */
export async function seedGarbage(dataDir: string, seed: GcSeed, postgresUrl?: string): Promise<void> {
  const db = postgresUrl ? await postgresWriter(postgresUrl) : sqliteWriter(join(dataDir, 'berth.db'));
  try {
    await seedRows(db, seed, new Date(Date.now() - 86_400_000).toISOString());
    // The statistics autovacuum would have gathered on a live server (the bench's may run without
    // it): without them the planner takes GC's page query for selective and reads every blob per page.
    if (postgresUrl) await db.query('ANALYZE');
  } finally {
    await db.close();
  }
  await seedFiles(join(dataDir, 'storage'), [...seed.referenced, ...seed.unreferenced]);
}
