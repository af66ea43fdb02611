import { subscriber } from '../shared/events.js';
import type { Feature } from '../feature.js';
import type { PullRecorder } from './pulls.js';

export {
  createArtifactsRepo,
  type ArtifactFacts,
  type ArtifactFilter,
  type Paging,
  type RepositoryFilter,
  type RepositorySearchRow,
  type Sort,
  type TextMatch,
} from './repo.js';
export {
  createArtifactService,
  parseCopySource,
  type ArtifactLabelSource,
  type ArtifactScanSource,
  type ArtifactOptions,
  type ArtifactService,
} from './service.js';
export { createPullRecorder, type PullRecorder } from './pulls.js';
export { blobStream } from './blob-stream.js';
export { harborArtifactType } from './types.js';
export type { Addition } from './additions.js';
export { accessorySortKeys, type AccessoryFilter } from './accessories.js';
export { neverPulled, type HarborArtifact, type HarborRepository, type HarborTag } from './view.js';

/** Artifacts as a feature: pull times and counts recorded from pull events, in batches. */
export function artifactsFeature(pulls: PullRecorder): Feature {
  return {
    name: 'artifacts',
    subscribers: [
      subscriber({
        name: 'pull-times',
        events: ['artifact.pulled'],
        delivery: 'local',
        handle: (e) => pulls.onEvent(e),
      }),
    ],
    close: () => pulls.close(),
  };
}
