import type { Readable } from 'node:stream';
import type { Headers } from 'tar-stream';
import type { Analyzer, FileVersion, ImageFile, ImageSource } from '../model.js';
import { normaliseEntryPath } from './paths.js';
import { readContent, readLayer } from './reader.js';
import type { FileNode, FileView, LayerTree, Version } from './tree.js';

// After the last layer: which files of the final filesystem each analyzer gets, the content
// the first pass could not keep (files reached only through a symlink, hard links to files
// nobody wanted), read in a second pass over just the layers that hold it, and the ImageFiles.

/** The content kept in memory, against its bound. */
export interface Budget {
  kept: number;
  max: number;
}

export type FilePlan = Map<Analyzer, FileView[]>;

/**
 * Each analyzer's wanted files of the final filesystem, each file once: by its own path when
 * the analyzer wants that, else by the first path through symlinks it wants (merged-/usr's
 * 'lib/…' and 'usr/lib/…' must not report a package twice).
 */
export function planFiles(tree: LayerTree, analyzers: Analyzer[], notes: Set<string>): FilePlan {
  const chosen = new Map(analyzers.map((analyzer) => [analyzer, new Map<FileNode, FileView>()]));
  for (const view of tree.files()) {
    const final = view.file.versions[view.file.versions.length - 1];
    for (const analyzer of analyzers) {
      if (!analyzer.wants(view.path)) continue;
      if (final.size > analyzer.maxFileSize) {
        notes.add(
          `${view.path} (${final.size} bytes) is larger than ${analyzer.name}'s limit of ${analyzer.maxFileSize} bytes; skipped`,
        );
        continue;
      }
      const byFile = chosen.get(analyzer) as Map<FileNode, FileView>;
      const earlier = byFile.get(view.file);
      if (!earlier || (earlier.viaSymlink && !view.viaSymlink)) byFile.set(view.file, view);
    }
  }
  if (tree.symlinkPathsTruncated) {
    notes.add(
      'paths through symlinked directories are too many; files reached only through some of them are not analysed',
    );
  }
  return new Map([...chosen].map(([analyzer, byFile]) => [analyzer, [...byFile.values()]]));
}

/** Reads the content of planned versions the first pass did not keep, one pass per layer holding some. */
export async function fetchMissing(
  plan: FilePlan,
  source: ImageSource,
  budget: Budget,
  notes: Set<string>,
  signal?: AbortSignal,
): Promise<void> {
  const missing = missingByLayer(plan);
  for (const layerIndex of [...missing.keys()].sort((a, b) => a - b)) {
    const byPath = missing.get(layerIndex) as Map<string, Version[]>;
    await readLayer(source, source.layers[layerIndex], (header, content) => fill(byPath, header, content), {
      signal,
    });
  }

  async function fill(byPath: Map<string, Version[]>, header: Headers, content: Readable): Promise<void> {
    const versions = byPath.get(normaliseEntryPath(header.name)?.join('/') ?? '');
    const size = header.size ?? 0;
    const regular = header.type === 'file' || header.type === 'contiguous-file' || !header.type;
    if (versions && regular && versions[0].size === size) {
      if (budget.kept + size <= budget.max) {
        const bytes = await readContent(content, size);
        budget.kept += size;
        for (const version of versions) version.content = bytes;
      } else {
        notes.add(`${header.name} skipped: the files kept for analysis would exceed ${budget.max} bytes`);
      }
    }
    content.resume();
  }
}

function missingByLayer(plan: FilePlan): Map<number, Map<string, Version[]>> {
  const missing = new Map<number, Map<string, Version[]>>();
  for (const [analyzer, views] of plan) {
    for (const { file, realPath } of views) {
      const versions = analyzer.history ? file.versions : file.versions.slice(-1);
      for (const version of versions) {
        if (version.content || version.overBudget || version.size > analyzer.maxFileSize) continue;
        const { layerIndex, path } = version.origin ?? { layerIndex: version.layerIndex, path: realPath };
        let byPath = missing.get(layerIndex);
        if (!byPath) missing.set(layerIndex, (byPath = new Map()));
        byPath.set(path, [...(byPath.get(path) ?? []), version]);
      }
    }
  }
  return missing;
}

/** The ImageFiles of the plan, each analyzer's sorted by path. */
export function imageFiles(plan: FilePlan, source: ImageSource, notes: Set<string>): Map<Analyzer, ImageFile[]> {
  const digestOf = (version: Version) => source.layers[version.layerIndex].digest;
  const files = new Map<Analyzer, ImageFile[]>();
  for (const [analyzer, views] of plan) {
    const list: ImageFile[] = [];
    for (const { path, file } of views) {
      const final = file.versions[file.versions.length - 1];
      if (!final.content) {
        // Over the bound on kept content: a note already names it.
        if (!final.overBudget) notes.add(`${path} could not be read for ${analyzer.name}; skipped`);
        continue;
      }
      const imageFile: ImageFile = { path, layer: digestOf(final), content: final.content };
      if (analyzer.history) {
        imageFile.history = file.versions
          .filter((version) => version.content && version.size <= analyzer.maxFileSize)
          .map((version): FileVersion => ({ layer: digestOf(version), content: version.content as Buffer }));
      }
      list.push(imageFile);
    }
    files.set(
      analyzer,
      list.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0)),
    );
  }
  return files;
}
