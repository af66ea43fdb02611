import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import { LRUCache } from 'lru-cache';
import { extract } from 'tar-stream';
import { parse as parseYaml } from 'yaml';
import { BerthError } from '../shared/errors.js';
import type { Registry, ParsedManifest } from '../registry/index.js';
import { configMediaTypes, imageConfigTypes } from './types.js';
import { blobStream } from './blob-stream.js';

// Harbor's artifact additions (src/controller/artifact/processor): an image's build
// history from its config, a Helm chart's values.yaml, README.md and dependencies from
// its chart archive. Each answer is derived from content-addressed blobs, so it is cached.

export interface Addition {
  contentType: string;
  content: string;
}

/** The names Harbor's API accepts (swagger getAddition enum); the others are a 422 there too. */
export const additionNames: readonly string[] = [
  'build_history',
  'values.yaml',
  'readme.md',
  'dependencies',
  'sbom',
  'license',
  'files',
];

/** Berth's extra addition: the manifest bytes as pushed (the portal's manifest view; not a pull). */
export const manifestAddition = 'manifest';

/** Harbor's SBOM accessory type: its `sbom` addition is the first document (layer) of the accessory. */
export const sbomAccessoryType = 'application/vnd.goharbor.harbor.sbom.v1';

/** Berth's extra additions of an SBOM accessory: each of its documents by format (the portal's downloads). */
export const sbomDocumentAdditions: Readonly<Record<string, string>> = {
  'sbom.spdx': 'application/spdx+json',
  'sbom.cyclonedx': 'application/vnd.cyclonedx+json',
};

export const chartContentMediaType = 'application/vnd.cncf.helm.chart.content.v1.tar+gzip';

const json = 'application/json; charset=utf-8';

// Helm's own loader limits (pkg/chart/loader): 100 MiB a chart, 5 MiB a file.
const maxChartBytes = 100 * 1024 * 1024;
const maxFileBytes = 5 * 1024 * 1024;
const maxConfigBytes = 4 * 1024 * 1024;
const maxSbomBytes = 64 * 1024 * 1024;

export interface AdditionReaderDeps {
  registry: Registry;
  /** Bytes of additions kept in memory. */
  cacheBytes?: number;
}

export function createAdditionReader({ registry, cacheBytes = 16 * 1024 * 1024 }: AdditionReaderDeps) {
  const cache = new LRUCache<string, Addition>({
    maxSize: cacheBytes,
    sizeCalculation: (a) => Math.max(1, Buffer.byteLength(a.content)),
  });

  async function buildHistory(repository: string, manifest: ParsedManifest): Promise<Addition> {
    const config = manifest.config;
    if (!config) throw noSuch('build_history', 'the image has no config');
    const { size, stream } = await blobStream(registry, repository, config.digest);
    if (size > maxConfigBytes) {
      stream.destroy();
      throw new BerthError('UNPROCESSABLE_ENTITY', `the image config is larger than ${maxConfigBytes} bytes`);
    }
    const parsed = parseJson(await readAll(stream, maxConfigBytes), 'the image config');
    const history = Array.isArray(parsed.history) ? parsed.history : [];
    return { contentType: json, content: JSON.stringify(history.map(historyEntry)) };
  }

  async function chartAddition(repository: string, manifest: ParsedManifest, name: string): Promise<Addition> {
    const layer = manifest.layers.find((l) => l.mediaType === chartContentMediaType);
    if (!layer) throw noSuch(name, `the chart has no ${chartContentMediaType} layer`);
    const { stream } = await blobStream(registry, repository, layer.digest);
    const files = await chartFiles(stream, new Set(['Chart.yaml', 'values.yaml', 'README.md', 'requirements.yaml']));
    if (name === 'values.yaml')
      return { contentType: 'text/plain; charset=utf-8', content: files.get('values.yaml') ?? '' };
    if (name === 'readme.md')
      return { contentType: 'text/markdown; charset=utf-8', content: files.get('README.md') ?? '' };
    return { contentType: json, content: JSON.stringify(chartDependencies(files)) };
  }

  /** A document of an SBOM accessory: the first layer (Harbor's `sbom`), or the layer of `mediaType`. */
  async function sbomDocument(repository: string, manifest: ParsedManifest, name: string): Promise<Addition> {
    const wanted = sbomDocumentAdditions[name];
    const layer = wanted ? manifest.layers.find((l) => l.mediaType === wanted) : manifest.layers[0];
    if (!layer) throw noSuch(name, wanted ? `the SBOM has no ${wanted} document` : 'the SBOM has no document');
    const { stream } = await blobStream(registry, repository, layer.digest);
    // Harbor answers its `sbom` addition under the accessory's type; each format under its own media type.
    const contentType = wanted ?? sbomAccessoryType;
    return { contentType, content: (await readAll(stream, maxSbomBytes)).toString('utf8') };
  }

  return {
    /**
     * The addition `name` of the artifact `digest` in `repository`, whose manifest is
     * `manifest`; NOT_FOUND when this kind of artifact has none of that name.
     */
    async read(repository: string, digest: string, manifest: ParsedManifest, name: string): Promise<Addition> {
      const isSbom = manifest.kind === 'image' && manifest.artifactType === sbomAccessoryType;
      if (name === 'sbom' || name in sbomDocumentAdditions) {
        if (!isSbom) throw noSuch(name, `only an SBOM accessory (${sbomAccessoryType}) has its documents`);
        const key = `${digest}:${name}`;
        const hit = cache.get(key) ?? (await sbomDocument(repository, manifest, name));
        cache.set(key, hit);
        return hit;
      }
      if (!additionNames.includes(name))
        throw new BerthError(
          'UNPROCESSABLE_ENTITY',
          `addition in path should be one of [${[...additionNames, manifestAddition].join(' ')}]`,
        );
      const configType = manifest.kind === 'image' ? manifest.config?.mediaType : undefined;
      const isImage = configType !== undefined && imageConfigTypes.includes(configType);
      const isChart = configType === configMediaTypes.helmChart;
      if (
        !(isImage && name === 'build_history') &&
        !(isChart && ['values.yaml', 'readme.md', 'dependencies'].includes(name))
      ) {
        throw noSuch(
          name,
          manifest.kind === 'index'
            ? 'an index has no additions'
            : `only ${isChart ? 'values.yaml, readme.md and dependencies' : isImage ? 'build_history' : 'images and charts have additions'}`,
        );
      }
      const key = `${digest}:${name}`;
      const hit = cache.get(key);
      if (hit) return hit;
      const addition = isImage
        ? await buildHistory(repository, manifest)
        : await chartAddition(repository, manifest, name);
      cache.set(key, addition);
      return addition;
    },
  };
}

export type AdditionReader = ReturnType<typeof createAdditionReader>;

function noSuch(name: string, why: string): BerthError {
  return new BerthError('NOT_FOUND', `the artifact has no addition ${name}: ${why}`);
}

async function readAll(stream: Readable, limit: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) {
      stream.destroy();
      throw new BerthError('UNPROCESSABLE_ENTITY', `a file in the artifact is larger than ${limit} bytes`);
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

function parseJson(bytes: Buffer, what: string): Record<string, unknown> {
  try {
    const parsed: unknown = JSON.parse(bytes.toString('utf8'));
    if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed))
      return parsed as Record<string, unknown>;
  } catch {
    // reported below
  }
  throw new BerthError('UNPROCESSABLE_ENTITY', `${what} is not a JSON object`);
}

/** One entry of image-spec's config `history`, with the fields and omissions of Harbor's (Go's v1.History). */
function historyEntry(raw: unknown): Record<string, unknown> {
  const entry = typeof raw === 'object' && raw !== null ? (raw as Record<string, unknown>) : {};
  const out: Record<string, unknown> = {};
  for (const key of ['created', 'created_by', 'author', 'comment'] as const) {
    if (typeof entry[key] === 'string' && entry[key] !== '') out[key] = entry[key];
  }
  if (entry.empty_layer === true) out.empty_layer = true;
  return out;
}

/**
 * The files named in `wanted` at the top of a chart archive (`<chart>/<file>`), as
 * Helm's loader reads them; 422 when the archive is not a gzipped tar or too large.
 */
async function chartFiles(stream: Readable, wanted: ReadonlySet<string>): Promise<Map<string, string>> {
  const files = new Map<string, string>();
  const extractor = extract();
  const unpacked = pipeline(stream, createGunzip(), extractor);
  let total = 0;
  try {
    for await (const entry of extractor) {
      total += entry.header.size ?? 0;
      if (total > maxChartBytes)
        throw new BerthError('UNPROCESSABLE_ENTITY', `the chart archive unpacks to more than ${maxChartBytes} bytes`);
      const path = entry.header.name.replace(/^\.\//, '').split('/');
      const file = path.length === 2 ? path[1] : '';
      if (entry.header.type === 'file' && wanted.has(file) && !files.has(file))
        files.set(file, (await readAll(entry, maxFileBytes)).toString('utf8'));
      else entry.resume();
    }
    await unpacked;
  } catch (err) {
    stream.destroy();
    await unpacked.catch(() => undefined);
    if (err instanceof BerthError) throw err;
    throw new BerthError(
      'UNPROCESSABLE_ENTITY',
      `the chart layer is not a gzipped tar archive: ${(err as Error).message}`,
    );
  }
  return files;
}

/** Helm's chart.Dependency as JSON: name and repository always, the rest when set. */
function chartDependencies(files: Map<string, string>): Record<string, unknown>[] {
  const chart = yamlObject(files.get('Chart.yaml'), 'Chart.yaml');
  // apiVersion v1 charts list them in requirements.yaml, v2 in Chart.yaml.
  const source = chart.apiVersion === 'v1' ? yamlObject(files.get('requirements.yaml'), 'requirements.yaml') : chart;
  const list = Array.isArray(source.dependencies) ? source.dependencies : [];
  return list.map((raw: unknown) => {
    const dep = typeof raw === 'object' && raw !== null ? (raw as Record<string, unknown>) : {};
    const text = (key: string) =>
      typeof dep[key] === 'string' ? dep[key] : dep[key] === undefined || dep[key] === null ? '' : String(dep[key]);
    const out: Record<string, unknown> = { name: text('name') };
    if (text('version')) out.version = text('version');
    out.repository = text('repository');
    if (text('condition')) out.condition = text('condition');
    if (Array.isArray(dep.tags) && dep.tags.length > 0) out.tags = dep.tags.map(String);
    if (dep.enabled === true) out.enabled = true;
    if (Array.isArray(dep['import-values']) && dep['import-values'].length > 0)
      out['import-values'] = dep['import-values'];
    if (text('alias')) out.alias = text('alias');
    return out;
  });
}

function yamlObject(text: string | undefined, name: string): Record<string, unknown> {
  if (text === undefined) return {};
  try {
    const parsed: unknown = parseYaml(text);
    return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)
      ? (parsed as Record<string, unknown>)
      : {};
  } catch (err) {
    throw new BerthError(
      'UNPROCESSABLE_ENTITY',
      `the chart's ${name} is not valid YAML: ${(err as Error).message.split('\n', 1)[0]}`,
    );
  }
}
