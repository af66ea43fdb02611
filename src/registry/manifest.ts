import { BerthError } from '../shared/errors.js';
import { tryParseDigest } from '../shared/digest.js';

// Parsing and validating the manifest formats the registry accepts: Docker schema2 and
// manifest lists, OCI image manifests, indexes and artifacts (image-spec v1.1).

export const mediaTypes = {
  dockerManifest: 'application/vnd.docker.distribution.manifest.v2+json',
  dockerManifestList: 'application/vnd.docker.distribution.manifest.list.v2+json',
  ociManifest: 'application/vnd.oci.image.manifest.v1+json',
  ociIndex: 'application/vnd.oci.image.index.v1+json',
  ociEmpty: 'application/vnd.oci.empty.v1+json',
} as const;

const imageTypes = new Set<string>([mediaTypes.dockerManifest, mediaTypes.ociManifest]);
const indexTypes = new Set<string>([mediaTypes.dockerManifestList, mediaTypes.ociIndex]);
const schema1Types = new Set([
  'application/vnd.docker.distribution.manifest.v1+json',
  'application/vnd.docker.distribution.manifest.v1+prettyjws',
]);
export const manifestMediaTypes: readonly string[] = [...imageTypes, ...indexTypes];

export function isManifestMediaType(mediaType: string): boolean {
  return imageTypes.has(mediaType) || indexTypes.has(mediaType);
}

export interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
  urls?: string[];
  annotations?: Record<string, string>;
  artifactType?: string;
  platform?: Record<string, unknown>;
}

export interface ParsedManifest {
  mediaType: string;
  kind: 'image' | 'index';
  config?: Descriptor;
  layers: Descriptor[];
  /** Children of an index. */
  manifests: Descriptor[];
  subject?: Descriptor;
  artifactType?: string;
  annotations?: Record<string, string>;
}

/**
 * Parses manifest bytes sent with `contentType`. The media type comes from the
 * Content-Type header, else from the manifest's own `mediaType`, else from its shape.
 */
export function parseManifest(bytes: Uint8Array, contentType: string | undefined): ParsedManifest {
  let body: unknown;
  try {
    body = JSON.parse(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8'));
  } catch {
    throw invalid('manifest is not valid JSON');
  }
  if (!isObject(body)) throw invalid('manifest must be a JSON object');
  const declared = body.mediaType;
  if (declared !== undefined && typeof declared !== 'string') throw invalid('mediaType must be a string');
  const header = contentType?.split(';')[0].trim().toLowerCase();

  if ((header && schema1Types.has(header)) || body.schemaVersion === 1) {
    throw invalid('Docker schema1 manifests are not supported; push with schema2 or OCI');
  }
  if (body.schemaVersion !== 2) throw invalid('schemaVersion must be 2');

  let mediaType: string;
  if (header && isManifestMediaType(header)) {
    // image-spec: when present, mediaType MUST match the descriptor's (here: the request's) media type.
    if (declared !== undefined && declared !== header)
      throw invalid(`mediaType "${declared}" does not match Content-Type "${header}"`);
    mediaType = header;
  } else if (declared !== undefined) {
    if (!isManifestMediaType(declared)) throw invalid(`unsupported manifest media type "${declared}"`);
    mediaType = declared;
  } else if (Array.isArray(body.manifests)) {
    mediaType = mediaTypes.ociIndex;
  } else if (body.config !== undefined) {
    mediaType = mediaTypes.ociManifest;
  } else {
    throw invalid('cannot tell the manifest media type: set Content-Type');
  }

  const subject = body.subject === undefined ? undefined : descriptor(body.subject, 'subject');
  const annotations = stringMap(body.annotations, 'annotations');
  const artifactType = optionalMediaType(body.artifactType, 'artifactType');

  if (indexTypes.has(mediaType)) {
    if (!Array.isArray(body.manifests)) throw invalid('an index must have a "manifests" array');
    const manifests = body.manifests.map((entry, i) => descriptor(entry, `manifests[${i}]`));
    return { mediaType, kind: 'index', layers: [], manifests, subject, artifactType, annotations };
  }

  if (body.config === undefined) throw invalid('an image manifest must have a "config" descriptor');
  const config = descriptor(body.config, 'config');
  if (body.layers !== undefined && !Array.isArray(body.layers)) throw invalid('"layers" must be an array');
  if (mediaType === mediaTypes.dockerManifest && !Array.isArray(body.layers))
    throw invalid('a schema2 manifest must have a "layers" array');
  const layers = ((body.layers as unknown[] | undefined) ?? []).map((entry, i) => descriptor(entry, `layers[${i}]`));
  return { mediaType, kind: 'image', config, layers, manifests: [], subject, artifactType, annotations };
}

/** The blobs a manifest needs in its repository; non-distributable layers with URLs live elsewhere. */
export function referencedBlobs(manifest: ParsedManifest): Descriptor[] {
  if (manifest.kind === 'index' || !manifest.config) return [];
  const layers = manifest.layers.filter(
    (layer) => !(isForeignLayer(layer.mediaType) && layer.urls && layer.urls.length > 0),
  );
  return [manifest.config, ...layers];
}

function isForeignLayer(mediaType: string): boolean {
  return (
    mediaType === 'application/vnd.docker.image.rootfs.foreign.diff.tar.gzip' ||
    mediaType.startsWith('application/vnd.oci.image.layer.nondistributable.')
  );
}

/** The artifact type shown by the referrers API: `artifactType`, else the config's media type. */
export function artifactTypeOf(manifest: ParsedManifest): string | undefined {
  if (manifest.artifactType) return manifest.artifactType;
  if (manifest.kind === 'image' && manifest.config) return manifest.config.mediaType;
  return undefined;
}

function descriptor(value: unknown, where: string): Descriptor {
  if (!isObject(value)) throw invalid(`${where} must be a descriptor object`);
  const { mediaType, digest, size } = value;
  if (typeof mediaType !== 'string' || mediaType === '' || mediaType.length > maxMediaTypeLength) {
    throw invalid(`${where}.mediaType must be a media type of 1 to ${maxMediaTypeLength} characters`);
  }
  if (typeof digest !== 'string' || !tryParseDigest(digest))
    throw invalid(`${where}.digest "${String(digest).slice(0, 150)}" is not a valid digest`);
  if (typeof size !== 'number' || !Number.isSafeInteger(size) || size < 0)
    throw invalid(`${where}.size must be a non-negative integer`);
  const result: Descriptor = { mediaType, digest, size };
  if (value.urls !== undefined) {
    if (!Array.isArray(value.urls) || !value.urls.every((u) => typeof u === 'string'))
      throw invalid(`${where}.urls must be an array of strings`);
    result.urls = value.urls as string[];
  }
  const annotations = stringMap(value.annotations, `${where}.annotations`);
  if (annotations) result.annotations = annotations;
  const artifactType = optionalMediaType(value.artifactType, `${where}.artifactType`);
  if (artifactType) result.artifactType = artifactType;
  if (value.platform !== undefined) result.platform = platformOf(value.platform, where);
  return result;
}

// image-spec index "platform" fields. Only these are kept: anything else stays in the manifest
// bytes, and an arbitrarily nested value would overflow the stack when serialised for storage.
const platformFields = ['architecture', 'os', 'os.version', 'os.features', 'variant', 'features'];

function platformOf(value: unknown, where: string): Record<string, string | string[]> {
  if (!isObject(value)) throw invalid(`${where}.platform must be an object`);
  const platform: Record<string, string | string[]> = {};
  for (const field of platformFields) {
    const entry = value[field];
    if (typeof entry === 'string' || (Array.isArray(entry) && entry.every((item) => typeof item === 'string')))
      platform[field] = entry;
  }
  return platform;
}

function stringMap(value: unknown, where: string): Record<string, string> | undefined {
  if (value === undefined || value === null) return undefined;
  if (!isObject(value) || !Object.values(value).every((v) => typeof v === 'string'))
    throw invalid(`${where} must map strings to strings`);
  return value as Record<string, string>;
}

/** RFC 6838 §4.2: type and subtype names are at most 127 characters each. */
const maxMediaTypeLength = 255;

function optionalMediaType(value: unknown, where: string): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || value.length > maxMediaTypeLength)
    throw invalid(`${where} must be a media type of at most ${maxMediaTypeLength} characters`);
  return value;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function invalid(message: string): BerthError {
  return new BerthError('MANIFEST_INVALID', message);
}
