import { randomBytes } from 'node:crypto';
import { loop, measure } from '../measure.js';
import { ensureImageBlobs, imageManifest, pushBlob, putManifest, sha256, tagName } from '../ops.js';
import { sideBySide, type Scenario } from '../scenario.js';

// Many small writes: a storm of 4 KiB blobs (POST + PUT each) and manifest pushes by
// tag, both at the bench concurrency.

export const tagsRepo = 'library/tags';

export const pushScenarios: Scenario[] = [
  {
    id: 'blob-storm',
    title: 'small blob push storm',
    targets: sideBySide,
    async run(target, options) {
      const repo = 'library/storm';
      const blobs = Array.from({ length: options.stormCount }, () => randomBytes(4096));
      const digests = blobs.map(sha256);
      await target.auth([`repository:${repo}:pull,push`]);
      const row = await measure(this.title, target.name, target.server.pid, () =>
        loop({ concurrency: options.concurrency, count: blobs.length }, (i) =>
          pushBlob(target, repo, blobs[i], digests[i]),
        ),
      );
      return [row];
    },
  },
  {
    id: 'manifest-push',
    title: 'manifest push',
    targets: sideBySide,
    async run(target, options) {
      const blobs = await ensureImageBlobs(target, tagsRepo);
      const bodies = Array.from({ length: options.manifestCount }, (_, i) => imageManifest(blobs, i));
      const row = await measure(this.title, target.name, target.server.pid, () =>
        loop({ concurrency: options.concurrency, count: bodies.length }, (i) =>
          putManifest(target, tagsRepo, tagName(i), bodies[i]),
        ),
      );
      return [row];
    },
  },
];
