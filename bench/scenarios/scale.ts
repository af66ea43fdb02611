import { expectStatus } from '../client.js';
import { loop, measure } from '../measure.js';
import type { Scenario } from '../scenario.js';
import { adminBasic, pullScope } from '../target.js';
import { seedTags } from './listings.js';

// Berth only: one repository holding many artifacts (100k in a full run), seeded by
// pushing tiny tagged manifests at the bench concurrency (the seeding is a row too),
// then Harbor's artifact list API and the /v2 tags list read at that size.

const project = 'library';
const name = 'scale';
const repo = `${project}/${name}`;

export const scaleScenarios: Scenario[] = [
  {
    id: 'scale',
    title: 'scale',
    targets: ['berth'],
    async run(target, options) {
      const n = options.scaleArtifacts;
      const label = (what: string) => `${what} @ ${n / 1000}k artifacts`;
      const seed = await measure(label('seed: manifest push'), target.name, target.server.pid, async () => {
        const started = performance.now();
        const step = Math.max(1000, Math.floor(n / 10));
        await seedTags(target, repo, n, options.concurrency, (done) => {
          if (done % step === 0)
            process.stderr.write(`    seeded ${done} of ${n} artifacts (${((done / n) * 100).toFixed(0)}%)\n`);
        });
        return { ops: n, latenciesMs: [performance.now() - started], note: 'p50/p99 = whole seeding' };
      });
      const api = { authorization: adminBasic };
      const list = (page: number) =>
        `/api/v2.0/projects/${project}/repositories/${name}/artifacts?page_size=100&page=${page}`;
      const get = async (path: string, headers: Record<string, string>) =>
        void expectStatus(await target.client.request('GET', path, { headers }), path, 200);
      // At 100k artifacts a list page takes about a second on a loaded machine: 50 samples keep the run short.
      const count = options.quick ? 20 : 50;
      // Three unmeasured requests first, as the hot loops warm up: the first one after the
      // seeding prepares the statements and reads the indexes into SQLite's page cache.
      const listRow = async (page: number) => {
        await loop({ concurrency: 1, count: 3 }, () => get(list(page), api));
        return measure(label(`artifact list, page ${page}`), target.name, target.server.pid, () =>
          loop({ concurrency: 1, count }, () => get(list(page), api)),
        );
      };
      const first = await listRow(1);
      const deep = await listRow(Math.max(1, Math.floor(n / 100 / 2)));
      const v2 = await target.auth([pullScope(repo)]);
      const tags = await measure(label('tags list, whole'), target.name, target.server.pid, () =>
        loop({ concurrency: 1, count: options.quick ? 5 : 20 }, () => get(`/v2/${repo}/tags/list`, v2)),
      );
      const tagsPage = await measure(label('tags list, n=100 after the middle'), target.name, target.server.pid, () =>
        loop({ concurrency: 1, count }, () =>
          get(`/v2/${repo}/tags/list?n=100&last=t${String(Math.floor(n / 2)).padStart(6, '0')}`, v2),
        ),
      );
      return [seed, first, deep, tags, tagsPage];
    },
  },
];
