// The layer walker: an image's layers applied in order, keeping only the files analyzers want.

export { walkImage, defaultMaxEntries, defaultMaxTotalBytes, type WalkOptions, type WalkResult } from './walk.js';
export { ImageLayerError } from './errors.js';
