// Harbor's words for quotas: sizes as its quota errors print them (src/pkg/quota/types/format.go)
// and the refusal a client shows (src/pkg/quota/errors.go, wrapped by the quota controller).

/** Bytes in binary units with one decimal ("20.3 MiB"), plain bytes under 1 KiB ("512 B"). */
export function displaySize(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  const units = 'KMGTPE';
  let div = 1024;
  let exp = 0;
  for (let n = Math.floor(bytes / 1024); n >= 1024 && exp < units.length - 1; n = Math.floor(n / 1024)) {
    div *= 1024;
    exp++;
  }
  return `${(bytes / div).toFixed(1)} ${units[exp]}iB`;
}

/**
 * The refusal of a push that would pass the limit, exactly as Harbor words it:
 * "Quota exceeded when processing the request of adding 20.3 MiB of storage resource, which
 * when updated to current usage of 300.0 GiB will exceed the configured upper limit of 300.0 GiB."
 */
export function overflowMessage(overflow: { adding: number; used: number; hard: number }): string {
  return (
    'Quota exceeded when processing the request of ' +
    `adding ${displaySize(overflow.adding)} of storage resource, which when updated to current usage of ` +
    `${displaySize(overflow.used)} will exceed the configured upper limit of ${displaySize(overflow.hard)}.`
  );
}

/** Harbor's warning level: the portal's bar turns orange and `quota.warning` is published from here. */
export const warningRatio = 0.85;
