// Paths inside a layer's tar, made relative to the image's root. A hostile or sloppy archive may
// write './etc/passwd', '/etc/passwd', 'usr//lib' or '../../etc/passwd': the first three name the
// same file, the last would escape the root when extracted and is refused (never clamped to root,
// which would turn it into the image's own etc/passwd).

/** The path's components relative to the root, or undefined when it climbs out of the root. */
export function normaliseEntryPath(name: string): string[] | undefined {
  const parts: string[] = [];
  for (const part of name.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') {
      if (parts.length === 0) return undefined;
      parts.pop();
    } else {
      parts.push(part);
    }
  }
  return parts;
}

/**
 * Resolves a symlink's target against the directory holding the link, as the kernel does inside
 * the image's root: an absolute target starts at the root and '..' at the root stays there.
 */
export function resolveLinkTarget(linkDir: string[], target: string): string[] {
  const parts = target.startsWith('/') ? [] : [...linkDir];
  for (const part of target.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') parts.pop();
    else parts.push(part);
  }
  return parts;
}

// image-spec layer.md, "Whiteouts": '.wh.<name>' deletes <name>; '.wh..wh..opq' makes its directory opaque.
const whiteoutPrefix = '.wh.';
const opaqueMarker = '.wh..wh..opq';

export type WhiteoutKind =
  { kind: 'opaque' } | { kind: 'delete'; name: string } | { kind: 'metadata' } | { kind: 'none' };

export function whiteoutOf(baseName: string): WhiteoutKind {
  if (baseName === opaqueMarker) return { kind: 'opaque' };
  if (!baseName.startsWith(whiteoutPrefix)) return { kind: 'none' };
  const name = baseName.slice(whiteoutPrefix.length);
  // Other '.wh..wh.' names are AUFS metadata (e.g. '.wh..wh.plnk'), not files of the image.
  if (name === '' || name.startsWith(whiteoutPrefix)) return { kind: 'metadata' };
  return { kind: 'delete', name };
}
