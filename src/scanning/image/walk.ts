import type { Readable } from 'node:stream';
import type { Headers } from 'tar-stream';
import type { Analyzer, ImageFile, ImageSource } from '../model.js';
import { fetchMissing, imageFiles, planFiles, type Budget } from './collect.js';
import { normaliseEntryPath, whiteoutOf } from './paths.js';
import { readContent, readLayer } from './reader.js';
import { LayerTree, type TreeNode, type Version } from './tree.js';

// The layer walker: applies an image's layers in order (image-spec layer.md, "Applying
// Changesets") to a tree of metadata, keeping in memory only the content of files analyzers
// want, then hands each analyzer the wanted files of the final filesystem.

export interface WalkOptions {
  signal?: AbortSignal;
  /** Bound on the content kept in memory, all files and versions together (default 512 MiB). */
  maxTotalBytes?: number;
  /**
   * Bound on the entries whose metadata is tracked (default 500,000): past it only wanted
   * files are, so a layer of millions of empty files cannot exhaust memory.
   */
  maxEntries?: number;
  /** Bytes of layer blobs read so far, of the layers' total size. */
  onProgress?: (done: number, total: number) => void;
}

export interface WalkResult {
  /** Per analyzer, the files of the final filesystem it wants, by path. */
  files: Map<Analyzer, ImageFile[]>;
  /** What was skipped, and why. */
  notes: string[];
}

export const defaultMaxTotalBytes = 512 * 1024 * 1024;
// Some 300 bytes of metadata each: 500,000 entries hold about 150 MB, more files than large images have.
export const defaultMaxEntries = 500_000;
// Linux's PATH_MAX: no longer path can exist in a container's filesystem.
const maxPathLength = 4096;

/** What every layer's applier shares. */
interface WalkState {
  tree: LayerTree;
  analyzers: Analyzer[];
  budget: Budget;
  notes: Set<string>;
  entries: number;
  maxEntries: number;
}

export async function walkImage(
  source: ImageSource,
  analyzers: Analyzer[],
  options: WalkOptions = {},
): Promise<WalkResult> {
  const notes = new Set<string>();
  const budget: Budget = { kept: 0, max: options.maxTotalBytes ?? defaultMaxTotalBytes };
  const tree = new LayerTree((node) => release(node, budget));
  const state: WalkState = {
    tree,
    analyzers,
    budget,
    notes,
    entries: 0,
    maxEntries: options.maxEntries ?? defaultMaxEntries,
  };
  const total = source.layers.reduce((sum, layer) => sum + layer.size, 0);
  let done = 0;
  const onBytes = options.onProgress ? (bytes: number) => options.onProgress?.((done += bytes), total) : undefined;

  for (const [layerIndex, layer] of source.layers.entries()) {
    const apply = new LayerApplier(state, layerIndex, layer.digest);
    const isTar = await readLayer(source, layer, (header, content) => apply.entry(header, content), {
      signal: options.signal,
      onBytes,
    });
    if (!isTar) notes.add(`layer ${layer.digest} is not a tar archive (media type ${layer.mediaType}); skipped`);
  }
  const plan = planFiles(tree, analyzers, notes);
  await fetchMissing(plan, source, budget, notes, options.signal);
  return { files: imageFiles(plan, source, notes), notes: [...notes] };
}

/** Applies one layer's entries to the tree. */
class LayerApplier {
  private readonly tree: LayerTree;
  private readonly analyzers: Analyzer[];
  private readonly budget: Budget;
  private readonly notes: Set<string>;

  constructor(
    private readonly state: WalkState,
    private readonly layerIndex: number,
    private readonly digest: string,
  ) {
    ({ tree: this.tree, analyzers: this.analyzers, budget: this.budget, notes: this.notes } = state);
  }

  async entry(header: Headers, content: Readable): Promise<void> {
    const parts = normaliseEntryPath(header.name);
    if (!parts) {
      this.notes.add(`layer ${this.digest}: entry ${header.name} lies outside the image's root; ignored`);
    } else if (header.name.length > maxPathLength) {
      this.notes.add(
        `layer ${this.digest}: entry ${header.name.slice(0, 64)}… is longer than ${maxPathLength} bytes; ignored`,
      );
    } else if (parts.length > 0) {
      await this.apply(parts, header, content);
    }
    // Whatever was not read is skipped without being buffered.
    content.resume();
  }

  private async apply(parts: string[], header: Headers, content: Readable): Promise<void> {
    const { layerIndex, tree } = this;
    const dir = parts.slice(0, -1);
    const whiteout = whiteoutOf(parts[parts.length - 1]);
    if (whiteout.kind === 'opaque') return tree.opaque(dir, layerIndex);
    if (whiteout.kind === 'delete') return tree.whiteout([...dir, whiteout.name], layerIndex);
    if (whiteout.kind === 'metadata' || !this.tracks(parts, header)) return;
    switch (header.type) {
      case 'directory':
        return tree.set(parts, { kind: 'dir', layerIndex, children: new Map() });
      case 'symlink':
        return tree.set(parts, { kind: 'symlink', layerIndex, target: header.linkname ?? '' });
      case 'link':
        return this.hardLink(parts, header.linkname ?? '');
      case 'file':
      case 'contiguous-file':
      case null:
      case undefined:
        return this.regularFile(parts, header.size ?? 0, content);
      default:
        return tree.set(parts, { kind: 'other', layerIndex });
    }
  }

  private async regularFile(parts: string[], size: number, content: Readable): Promise<void> {
    const path = parts.join('/');
    const version: Version = { layerIndex: this.layerIndex, size };
    const keep = this.keeps(path, size);
    if (keep === 'keep') {
      version.content = await readContent(content, size);
      this.budget.kept += size;
    }
    if (keep === 'over budget') version.overBudget = true;
    this.setFile(parts, version);
  }

  /** A hard link is its target's content at this point of the walk (same layer or lower). */
  private hardLink(parts: string[], linkName: string): void {
    const targetParts = normaliseEntryPath(linkName);
    const target = targetParts && this.tree.get(targetParts);
    if (target?.kind !== 'file') {
      this.notes.add(
        `layer ${this.digest}: hard link ${parts.join('/')} -> ${linkName} has no file to link to; ignored`,
      );
      return;
    }
    const { size, origin, content, layerIndex } = target.versions[target.versions.length - 1];
    const version: Version = {
      layerIndex: this.layerIndex,
      size,
      origin: origin ?? { path: (targetParts as string[]).join('/'), layerIndex },
    };
    if (content && this.keeps(parts.join('/'), size) === 'keep') {
      version.content = content;
      this.budget.kept += size;
    }
    this.setFile(parts, version);
  }

  /** Whether the entry gets a node: always below maxEntries, past it only when it is a wanted file. */
  private tracks(parts: string[], header: Headers): boolean {
    const { state } = this;
    if (state.entries < state.maxEntries) {
      state.entries++;
      return true;
    }
    this.notes.add(`the image has more than ${state.maxEntries} entries; past them, only wanted files are tracked`);
    const file = ['file', 'contiguous-file', 'link', null, undefined].includes(header.type);
    const path = parts.join('/');
    return file && this.analyzers.some((analyzer) => analyzer.wants(path));
  }

  private setFile(parts: string[], version: Version): void {
    const existing = this.tree.get(parts);
    if (existing?.kind !== 'file') {
      this.tree.set(parts, { kind: 'file', layerIndex: this.layerIndex, versions: [version] });
      return;
    }
    // A later layer's file replaces the earlier one; its earlier versions are kept as history
    // (their content only when an analyzer asked for history).
    if (!this.wantsHistory(parts.join('/'))) {
      for (const old of existing.versions) releaseVersion(old, this.budget);
    }
    existing.versions.push(version);
    existing.layerIndex = this.layerIndex;
    this.tree.set(parts, existing);
  }

  /** Whether to keep this content: some analyzer wants the path and it fits their size and the total bound. */
  private keeps(path: string, size: number): 'keep' | 'unwanted' | 'over budget' {
    const wanting = this.analyzers.filter((analyzer) => analyzer.wants(path));
    if (!wanting.some((analyzer) => size <= analyzer.maxFileSize)) return 'unwanted';
    if (this.budget.kept + size <= this.budget.max) return 'keep';
    this.notes.add(`${path} skipped: the files kept for analysis would exceed ${this.budget.max} bytes`);
    return 'over budget';
  }

  private wantsHistory(path: string): boolean {
    return this.analyzers.some((analyzer) => analyzer.history && analyzer.wants(path));
  }
}

function releaseVersion(version: Version, budget: Budget): void {
  if (!version.content) return;
  budget.kept -= version.size;
  delete version.content;
}

/** Releases the content kept under a node a later layer deleted or replaced. */
function release(node: TreeNode, budget: Budget): void {
  if (node.kind === 'file') for (const version of node.versions) releaseVersion(version, budget);
  if (node.kind === 'dir') for (const child of node.children.values()) release(child, budget);
}
