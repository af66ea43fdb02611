import type { ImageFile } from '../../model.js';

// The layer that installed a package: the oldest version of its database file in which the
// package appears with the version it has now (a later upgrade rewrites the file, and the
// upgraded package's origin is the layer of the upgrade, not of the first install).

/** The key a package is found under across versions of a database file. */
export function packageKey(name: string, version: string): string {
  return `${name}\u0000${version}`;
}

/**
 * For each package key of the final version, the digest of the oldest layer whose version of
 * the file holds that key; the file's own layer when it has no history or the key is missing
 * from every earlier version. `keysOf` reads one version's keys and returns an empty set for a
 * version it cannot read (an older, corrupt copy does not hide the final one's packages).
 */
export function originLayers(file: ImageFile, keysOf: (content: Buffer) => Set<string>): (key: string) => string {
  // With one version (or none kept), every package came with the file's own layer: no need to parse it again.
  if (!file.history || file.history.length <= 1) return () => file.layer;
  const firstSeen = new Map<string, string>();
  for (const version of file.history) {
    for (const key of keysOf(version.content)) {
      if (!firstSeen.has(key)) firstSeen.set(key, version.layer);
    }
  }
  return (key) => firstSeen.get(key) ?? file.layer;
}
