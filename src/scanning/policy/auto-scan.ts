import type { Kysely } from 'kysely';
import type { Database } from '../../db/index.js';
import { parseManifest, type Registry } from '../../registry/index.js';
import { subscriber, type Subscriber } from '../../shared/events.js';
import { BerthError } from '../../shared/errors.js';
import type { Logger } from '../../shared/logger.js';
import { manifestMediaTypes } from '../scanners/adapter.js';
import type { ScanService } from '../scans/service.js';

// Scan on push (Harbor's project metadata auto_scan) and SBOM on push (auto_sbom_generation):
// every image pushed to such a project is scanned, or has its SBOM generated, once, by one
// replica (a 'once' delivery on the job service). Accessories (signatures, SBOMs) and indexes
// are not: an index's images arrive as pushes of their own.

export interface AutoScanDeps {
  db: Kysely<Database>;
  registry: Pick<Registry, 'manifests'>;
  scans: Pick<ScanService, 'scan'>;
  logger: Logger;
}

/** The project with the scans its metadata asks for on push; undefined when none. */
async function autoScanProject(
  db: Kysely<Database>,
  name: string,
): Promise<{ id: number; name: string; types: ('vulnerability' | 'sbom')[] } | undefined> {
  const rows = await db
    .selectFrom('projects as p')
    .innerJoin('project_metadata as m', (join) =>
      join.onRef('m.project_id', '=', 'p.id').on('m.name', 'in', ['auto_scan', 'auto_sbom_generation']),
    )
    .select(['p.id', 'p.name', 'm.name as key'])
    .where('p.name', '=', name)
    .where('m.value', '=', 'true')
    .orderBy('m.name', 'desc')
    .execute();
  const first = rows[0];
  if (!first) return undefined;
  // auto_scan first: the vulnerability report is what pulls wait for.
  const types = rows.map((r) => (r.key === 'auto_scan' ? 'vulnerability' : 'sbom') as 'vulnerability' | 'sbom');
  return { id: first.id, name: first.name, types };
}

export function autoScanSubscriber({ db, registry, scans, logger }: AutoScanDeps): Subscriber {
  return subscriber({
    name: 'scan-on-push',
    events: ['artifact.pushed'],
    delivery: 'once',
    async handle(payload) {
      if (!manifestMediaTypes.includes(payload.mediaType)) return;
      const slash = payload.repository.indexOf('/');
      const project = await autoScanProject(db, payload.repository.slice(0, slash));
      if (!project) return;
      const stored = await registry.manifests.resolve(payload.repository, payload.digest).catch(() => undefined);
      if (!stored) return; // deleted since
      const manifest = parseManifest(stored.bytes, stored.mediaType);
      if (manifest.subject) return;
      for (const scanType of project.types) {
        try {
          await scans.scan(project, payload.repository.slice(slash + 1), payload.digest, { scan_type: scanType });
        } catch (err) {
          // Already being scanned (pushed under two tags at once), or nothing to scan: nothing to do.
          if (!(err instanceof BerthError) || err.status >= 500) throw err;
          logger.debug(
            { err, repository: payload.repository, digest: payload.digest, scanType },
            'scan on push skipped',
          );
        }
      }
    },
  });
}
