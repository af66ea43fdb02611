import { expectStatus, type Reply } from '../client.js';
import { loop, measure } from '../measure.js';
import { ensureImageBlobs, imageManifest, putManifest, tagName } from '../ops.js';
import { sideBySide, type Scenario } from '../scenario.js';
import { catalogScope, pullScope, type Target } from '../target.js';
import { tagsRepo } from './pushes.js';

// Listings: a repository's tags (whole, then walked 100 at a time by Link) and the
// catalog of all repositories.

async function tagCount(target: Target, repo: string): Promise<number> {
  const reply = await target.client.request('GET', `/v2/${repo}/tags/list`, {
    headers: await target.auth([pullScope(repo)]),
  });
  return reply.status === 200
    ? ((JSON.parse(reply.body.toString('utf8')) as { tags: string[] | null }).tags?.length ?? 0)
    : 0;
}

/** Pushes manifests tagged t000000… until `repo` has `count` tags. */
export async function seedTags(
  target: Target,
  repo: string,
  count: number,
  concurrency: number,
  progress?: (done: number) => void,
): Promise<void> {
  const have = await tagCount(target, repo);
  if (have >= count) return;
  const blobs = await ensureImageBlobs(target, repo);
  let done = have;
  await loop({ concurrency, count: count - have }, async (i) => {
    await putManifest(target, repo, tagName(have + i), imageManifest(blobs, have + i));
    progress?.(++done);
  });
}

/** Follows Link rel="next" from `path`; returns the number of pages. */
export async function walk(target: Target, path: string, headers: Record<string, string>): Promise<number> {
  let next: string | undefined = path;
  let pages = 0;
  while (next) {
    const reply: Reply = expectStatus(await target.client.request('GET', next, { headers }), `GET ${next}`, 200);
    pages++;
    const link = reply.headers.link;
    next = typeof link === 'string' ? /<([^>]+)>;\s*rel="next"/.exec(link)?.[1] : undefined;
  }
  return pages;
}

export const listingScenarios: Scenario[] = [
  {
    id: 'tags-list',
    title: 'tags list (500 tags)',
    targets: sideBySide,
    async run(target, options, admin) {
      await seedTags(admin, tagsRepo, options.manifestCount, options.concurrency);
      const headers = await target.auth([pullScope(tagsRepo)]);
      const count = options.quick ? 100 : 500;
      const whole = await measure(this.title, target.name, target.server.pid, () =>
        loop(
          { concurrency: 8, count },
          async () =>
            void expectStatus(
              await target.client.request('GET', `/v2/${tagsRepo}/tags/list`, { headers }),
              'tags',
              200,
            ),
        ),
      );
      let pages = 0;
      const paged = await measure('tags list, paged n=100 (one walk per op)', target.name, target.server.pid, () =>
        loop({ concurrency: 8, count: count / 5 }, async () => {
          pages = await walk(target, `/v2/${tagsRepo}/tags/list?n=100`, headers);
        }),
      );
      paged.note = `${pages} pages per walk`;
      return [whole, paged];
    },
  },
  {
    id: 'catalog',
    title: 'catalog',
    targets: sideBySide,
    async run(target, options, admin) {
      await loop({ concurrency: options.concurrency, count: options.catalogRepos }, async (i) => {
        const repo = `library/cat-${String(i).padStart(4, '0')}`;
        const own = await ensureImageBlobs(admin, repo);
        await putManifest(admin, repo, 'latest', imageManifest(own, i));
      });
      const headers = await target.auth([catalogScope]);
      let repositories = 0;
      const row = await measure(this.title, target.name, target.server.pid, () =>
        loop({ concurrency: 8, count: options.quick ? 100 : 300 }, async () => {
          const reply = expectStatus(await target.client.request('GET', '/v2/_catalog', { headers }), 'catalog', 200);
          repositories = (JSON.parse(reply.body.toString('utf8')) as { repositories: string[] }).repositories.length;
        }),
      );
      row.note = `${repositories} repositories`;
      return [row];
    },
  },
];
