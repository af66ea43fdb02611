import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { exec } from './tools.js';

// Tiny OCI images for the real-client tests, built with umoci into an OCI image layout
// (image-spec image-layout.md), and readers for what a client writes back into one.

export interface Platform {
  architecture: string;
  os: string;
}

export interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
  platform?: Platform;
  annotations?: Record<string, string>;
}

export interface ImageManifest {
  mediaType?: string;
  config: Descriptor;
  layers: Descriptor[];
}

export interface ImageIndex {
  mediaType?: string;
  manifests: Descriptor[];
}

export interface ImageSpec {
  /** Paths inside the image → file content; they all go into one layer. */
  files: Record<string, string>;
  env?: string[];
  cmd?: string[];
  architecture?: string;
}

const refName = 'org.opencontainers.image.ref.name';

/** Builds a one-layer image into the layout `layout` (created if missing) under `tag`; returns its manifest descriptor. */
export async function buildImage(layout: string, tag: string, spec: ImageSpec): Promise<Descriptor> {
  if (!existsSync(join(layout, 'oci-layout'))) await exec('umoci', ['init', '--layout', layout]);
  const image = `${layout}:${tag}`;
  const bundle = `${layout}.bundle-${tag}`;
  await exec('umoci', ['new', '--image', image]);
  // unpack + repack rather than `umoci insert`: umoci 0.4.7's insert writes a tar without
  // its end-of-archive blocks, which strict readers reject.
  await exec('umoci', ['unpack', '--rootless', '--image', image, bundle]);
  try {
    for (const [path, content] of Object.entries(spec.files)) {
      const target = join(bundle, 'rootfs', path);
      mkdirSync(dirname(target), { recursive: true });
      writeFileSync(target, content);
    }
    await exec('umoci', ['repack', '--image', image, bundle]);
  } finally {
    rmSync(bundle, { recursive: true, force: true });
  }
  const config = ['config', '--image', image, '--os', 'linux', '--architecture', spec.architecture ?? 'amd64'];
  for (const env of spec.env ?? []) config.push('--config.env', env);
  for (const cmd of spec.cmd ?? []) config.push('--config.cmd', cmd);
  await exec('umoci', config);
  await exec('umoci', ['gc', '--layout', layout]);
  return resolveTag(layout, tag);
}

/** Writes an image index over images already in `layout` and tags it, as `docker buildx` would push a multi-arch image. */
export function writeIndex(layout: string, tag: string, children: { tag: string; platform: Platform }[]): Descriptor {
  const index: ImageIndex & { schemaVersion: 2 } = {
    schemaVersion: 2,
    mediaType: 'application/vnd.oci.image.index.v1+json',
    manifests: children.map(({ tag: child, platform }) => {
      const { mediaType, digest, size } = resolveTag(layout, child);
      return { mediaType, digest, size, platform };
    }),
  };
  const bytes = Buffer.from(JSON.stringify(index));
  const digest = `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
  writeFileSync(blobPath(layout, digest), bytes);
  const top = readJson<ImageIndex & { schemaVersion: 2 }>(join(layout, 'index.json'));
  const descriptor: Descriptor = {
    mediaType: index.mediaType ?? '',
    digest,
    size: bytes.length,
    annotations: { [refName]: tag },
  };
  top.manifests = [...top.manifests.filter((d) => d.annotations?.[refName] !== tag), descriptor];
  writeFileSync(join(layout, 'index.json'), JSON.stringify(top));
  return descriptor;
}

/** The descriptor that the layout's index.json holds for `tag`. */
export function resolveTag(layout: string, tag: string): Descriptor {
  const index = readJson<ImageIndex>(join(layout, 'index.json'));
  const found = index.manifests.find((d) => d.annotations?.[refName] === tag);
  if (!found) throw new Error(`${layout} has no image tagged ${tag}`);
  return found;
}

export function blobPath(layout: string, digest: string): string {
  const [algorithm, hex] = digest.split(':');
  return join(layout, 'blobs', algorithm, hex);
}

export function readBlob(layout: string, digest: string): Buffer {
  return readFileSync(blobPath(layout, digest));
}

export function readJsonBlob<T>(layout: string, digest: string): T {
  return JSON.parse(readBlob(layout, digest).toString('utf8')) as T;
}

/** The files of a gzipped tar layer, by path without a leading `./` or `/`. */
export function layerFiles(gzippedTar: Buffer): Map<string, Buffer> {
  const tar = gunzipSync(gzippedTar);
  const files = new Map<string, Buffer>();
  for (let offset = 0; offset + 512 <= tar.length;) {
    const header = tar.subarray(offset, offset + 512);
    if (header.every((byte) => byte === 0)) break;
    const name = cString(header.subarray(0, 100));
    const prefix = cString(header.subarray(345, 500));
    const size = parseInt(cString(header.subarray(124, 136)).trim() || '0', 8);
    const type = String.fromCharCode(header[156]);
    const path = (prefix ? `${prefix}/${name}` : name).replace(/^(\.\/|\/)+/, '');
    if (type === '0' || type === '\0') files.set(path, tar.subarray(offset + 512, offset + 512 + size));
    offset += 512 + Math.ceil(size / 512) * 512;
  }
  return files;
}

function cString(bytes: Buffer): string {
  const end = bytes.indexOf(0);
  return bytes.subarray(0, end === -1 ? bytes.length : end).toString('utf8');
}

function readJson<T>(path: string): T {
  return JSON.parse(readFileSync(path, 'utf8')) as T;
}
