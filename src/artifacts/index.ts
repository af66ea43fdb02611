export {
  createArtifactsRepo,
  type ArtifactFilter,
  type Paging,
  type RepositoryFilter,
  type Sort,
  type TextMatch,
} from './repo.js';
export { createArtifactService, parseCopySource, type ArtifactOptions, type ArtifactService } from './service.js';
export { createPullRecorder, type PullRecorder } from './pulls.js';
export { harborArtifactType } from './types.js';
export type { Addition } from './additions.js';
export { accessorySortKeys, type AccessoryFilter } from './accessories.js';
export { neverPulled, type HarborArtifact, type HarborRepository, type HarborTag } from './view.js';
