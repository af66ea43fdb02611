import { resolveLinkTarget } from './paths.js';

// The image's filesystem as the layers build it, one node per path: metadata for every entry
// (so whiteouts, opaque directories, hard links and symlinks resolve), content only for the
// versions the walker chose to keep. Layers are numbered from 0 (the base).

/** Where a version's bytes are in the image: the tar entry of that path in that layer. */
export interface Origin {
  path: string;
  layerIndex: number;
}

/** One version of a regular file. */
export interface Version {
  layerIndex: number;
  size: number;
  /** A hard link's: its target's entry. Absent for the file's own entry in layer `layerIndex` (most files). */
  origin?: Origin;
  /** Present when kept (an analyzer wants the path, within the size bounds). */
  content?: Buffer;
  /** Not kept because the bound on kept content was reached (a note says so; not read again). */
  overBudget?: boolean;
}

export interface FileNode {
  kind: 'file';
  layerIndex: number;
  /** Oldest first; only the last one unless an analyzer wants the path's history. */
  versions: Version[];
}

export interface DirNode {
  kind: 'dir';
  /** The newest layer that wrote this directory or anything under it (for opaque whiteouts). */
  layerIndex: number;
  children: Map<string, TreeNode>;
}

export interface SymlinkNode {
  kind: 'symlink';
  layerIndex: number;
  target: string;
}

/** Devices, fifos and the like: they occupy a path but are never files to analyse. */
export interface OtherNode {
  kind: 'other';
  layerIndex: number;
}

export type TreeNode = FileNode | DirNode | SymlinkNode | OtherNode;

/** A path as an analyzer sees it (possibly through symlinks) and the file it reaches. */
export interface FileView {
  path: string;
  file: FileNode;
  /** Whether the path passes through a symlink (the file also has a path of its own). */
  viaSymlink: boolean;
  /** The file's own path, without symlinks. */
  realPath: string;
}

// Linux gives up after 40 symlinks in one lookup (ELOOP); so do we.
const maxSymlinkHops = 40;
// Symlinked directories can multiply paths (a hostile image nests links to links): enough for
// merged-/usr's bin, lib and sbin over a large /usr, not for an explosion.
const maxPathsViaSymlinks = 1_000_000;

export class LayerTree {
  readonly root: DirNode = { kind: 'dir', layerIndex: -1, children: new Map() };
  /** Set when files() stopped following symlinked directories at maxPathsViaSymlinks. */
  symlinkPathsTruncated = false;
  private pathsViaSymlinks = 0;

  /** `onRemoved` hears of every subtree a later layer deletes or replaces (to release kept bytes). */
  constructor(private readonly onRemoved: (node: TreeNode) => void) {}

  get(parts: string[]): TreeNode | undefined {
    let node: TreeNode = this.root;
    for (const part of parts) {
      if (node.kind !== 'dir') return undefined;
      const child = node.children.get(part);
      if (!child) return undefined;
      node = child;
    }
    return node;
  }

  /** Sets the node at `parts`, creating parent directories (a lower non-directory in the way is replaced). */
  set(parts: string[], node: TreeNode): void {
    const parent = this.parentDir(parts, node.layerIndex);
    const name = parts[parts.length - 1];
    const existing = parent.children.get(name);
    if (existing?.kind === 'dir' && node.kind === 'dir') {
      // A directory written again keeps what lower layers put in it.
      existing.layerIndex = Math.max(existing.layerIndex, node.layerIndex);
      return;
    }
    if (existing && existing !== node) this.onRemoved(existing);
    parent.children.set(name, node);
  }

  /** Deletes `parts` and everything under it when a lower layer wrote it (image-spec layer.md, whiteouts). */
  whiteout(parts: string[], layerIndex: number): void {
    const parent = this.get(parts.slice(0, -1));
    if (parent?.kind !== 'dir') return;
    const name = parts[parts.length - 1];
    const existing = parent.children.get(name);
    if (!existing || existing.layerIndex >= layerIndex) return;
    parent.children.delete(name);
    this.onRemoved(existing);
    this.touch(parts.slice(0, -1), layerIndex);
  }

  /** Hides every lower-layer entry under the directory `parts`, keeping the layer's own (opaque whiteout). */
  opaque(parts: string[], layerIndex: number): void {
    const dir = this.parentDir([...parts, ''], layerIndex);
    this.hideLower(dir, layerIndex);
  }

  /**
   * Every path of the final filesystem that reaches a regular file, including those reached
   * through symlinked directories and symlinks to files ('lib/x' when 'lib -> usr/lib').
   * A directory already on the way is not entered again, so symlink loops end.
   */
  *files(): Generator<FileView> {
    this.pathsViaSymlinks = 0;
    yield* this.walkDir(this.root, { view: '', real: '' }, new Set([this.root]), false);
  }

  /** Follows symlinks (in every component) from the root: the node `parts` names and its own path. */
  private resolve(parts: string[]): { node: TreeNode; real: string[] } | undefined {
    let hops = 0;
    const pending = [...parts];
    const here: string[] = [];
    let node: TreeNode = this.root;
    while (pending.length > 0) {
      if (node.kind !== 'dir') return undefined;
      const part = pending.shift() as string;
      const child = node.children.get(part);
      if (!child) return undefined;
      if (child.kind === 'symlink') {
        if (++hops > maxSymlinkHops) return undefined;
        pending.unshift(...resolveLinkTarget(here, child.target));
        here.length = 0;
        node = this.root;
        continue;
      }
      here.push(part);
      node = child;
    }
    return { node, real: here };
  }

  private *walkDir(
    dir: DirNode,
    prefix: { view: string; real: string },
    onTheWay: Set<DirNode>,
    viaSymlink: boolean,
  ): Generator<FileView> {
    for (const [name, child] of dir.children) {
      const path = prefix.view + name;
      const throughLink = viaSymlink || child.kind === 'symlink';
      if (throughLink && ++this.pathsViaSymlinks > maxPathsViaSymlinks) {
        this.symlinkPathsTruncated = true;
        continue;
      }
      const resolved = child.kind === 'symlink' ? this.resolve(pathParts(path)) : { node: child, real: undefined };
      const node = resolved?.node;
      const realPath = resolved?.real?.join('/') ?? prefix.real + name;
      if (node?.kind === 'file') yield { path, file: node, viaSymlink: throughLink, realPath };
      else if (node?.kind === 'dir' && !onTheWay.has(node)) {
        onTheWay.add(node);
        yield* this.walkDir(node, { view: `${path}/`, real: `${realPath}/` }, onTheWay, throughLink);
        onTheWay.delete(node);
      }
    }
  }

  private parentDir(parts: string[], layerIndex: number): DirNode {
    let dir = this.root;
    dir.layerIndex = Math.max(dir.layerIndex, layerIndex);
    for (const part of parts.slice(0, -1)) {
      let child = dir.children.get(part);
      if (child?.kind !== 'dir') {
        if (child) this.onRemoved(child);
        child = { kind: 'dir', layerIndex, children: new Map() };
        dir.children.set(part, child);
      }
      child.layerIndex = Math.max(child.layerIndex, layerIndex);
      dir = child;
    }
    return dir;
  }

  private touch(parts: string[], layerIndex: number): void {
    let node: TreeNode | undefined = this.root;
    for (let i = 0; node?.kind === 'dir'; i++) {
      node.layerIndex = Math.max(node.layerIndex, layerIndex);
      if (i === parts.length) return;
      node = node.children.get(parts[i]);
    }
  }

  private hideLower(dir: DirNode, layerIndex: number): void {
    for (const [name, child] of dir.children) {
      if (child.layerIndex < layerIndex) {
        dir.children.delete(name);
        this.onRemoved(child);
      } else if (child.kind === 'dir') {
        this.hideLower(child, layerIndex);
      }
    }
  }
}

export function pathParts(path: string): string[] {
  return path === '' ? [] : path.split('/');
}
