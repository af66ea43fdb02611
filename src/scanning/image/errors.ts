// A layer the walker cannot read: its blob is not the archive its media type promises, or is cut
// short. The scan fails with this message (naming the layer) rather than reporting an image it
// could read only in part as clean.

export class ImageLayerError extends Error {
  override name = 'ImageLayerError';
  readonly code = 'LAYER_UNREADABLE';

  constructor(
    readonly layer: string,
    reason: string,
    options: { cause?: unknown } = {},
  ) {
    super(`layer ${layer} cannot be read: ${reason}`, options);
  }
}
