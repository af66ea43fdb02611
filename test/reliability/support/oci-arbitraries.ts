import { createHash } from 'node:crypto';
import fc from 'fast-check';
import type { Exchange } from './http.js';

// Generators of /v2 requests: names, references, digests, Range and Content-Range,
// content negotiation and manifests (valid, broken, nested, oversized, dangling).

/** Real objects in the fuzzed server, so generated requests reach past the 404s. */
export interface World {
  repository: string;
  tag: string;
  manifestDigest: string;
  manifestSize: number;
  configDigest: string;
  configSize: number;
  layerDigest: string;
  layerSize: number;
  /** An index whose children exist. */
  indexDigest: string;
}

const hex = fc.string({ unit: fc.constantFrom(...'0123456789abcdef'), minLength: 0, maxLength: 70 });
const junkUnit = fc.constantFrom(...'aZ09._-/:@%+~!$&\'()*,;=[]{}|^`"<>\\#?');
const junk = (maxLength: number) => fc.string({ unit: junkUnit, maxLength });
/** Path-safe junk: percent-encoded where node:http would refuse the raw byte. */
const pathJunk = (maxLength: number) =>
  fc.oneof(
    junk(maxLength).map((s) => s.replace(/[#?\s"<>\\^`{|}]/g, (c) => encodeURIComponent(c))),
    fc.constantFrom('%', '%E0%A4%A', '%00', '%2F', '%252F', '..', '.', '%C0%AE', '%ff%fe', ''),
  );

export const repositoryNames = (world: World) =>
  fc.oneof(
    { weight: 3, arbitrary: fc.constant(world.repository) },
    { weight: 2, arbitrary: fc.stringMatching(/^library\/[a-z0-9]+([._-][a-z0-9]+){0,2}(\/[a-z0-9]+){0,3}$/) },
    { weight: 1, arbitrary: fc.stringMatching(/^[a-z0-9]{1,12}\/[a-z0-9._-]{0,30}$/) },
    { weight: 1, arbitrary: fc.constantFrom('library', 'nosuchproject/x', 'library/' + 'a'.repeat(300), 'LIBRARY/A') },
    { weight: 2, arbitrary: pathJunk(40).map((s) => `library/${s}`) },
    { weight: 1, arbitrary: pathJunk(40) },
  );

export const digests = (world: World) =>
  fc.oneof(
    fc.constantFrom(world.manifestDigest, world.configDigest, world.layerDigest, world.indexDigest),
    hex.map((h) => `sha256:${h}`),
    fc.stringMatching(/^sha256:[0-9a-f]{64}$/),
    fc.stringMatching(/^sha512:[0-9a-f]{128}$/),
    fc.constantFrom('sha256:', 'sha256', 'md5:abc', 'sha256:' + 'A'.repeat(64), 'blake3:' + '0'.repeat(64), ':'),
    hex.map((h) => `${h.slice(0, 6)}:${h}`),
    pathJunk(80),
  );

export const references = (world: World) =>
  fc.oneof(
    fc.constantFrom(world.tag, 'latest', 'v1.0.0', '_x', '-bad', 'a'.repeat(129)),
    fc.stringMatching(/^[A-Za-z0-9_][A-Za-z0-9._-]{0,40}$/),
    digests(world),
  );

const byteOffset = fc.oneof(
  fc.nat(4096),
  fc.constantFrom(0, 1, 2 ** 31, 2 ** 53, Number.MAX_SAFE_INTEGER),
  fc.bigInt({ min: 0n, max: 10n ** 30n }),
);
const rangeValue = fc.oneof(
  fc.tuple(byteOffset, fc.option(byteOffset)).map(([a, b]) => `bytes=${a}-${b ?? ''}`),
  fc.tuple(byteOffset, byteOffset).map(([a, b]) => `bytes=${a}-${b},${b}-${a}`),
  fc.nat(5000).map((n) => `bytes=-${n}`),
  fc.constantFrom('bytes=', 'bytes=-', 'bytes=abc', 'items=0-1', 'bytes=1-0', 'bytes=0-0,0-0,0-0', '0-10'),
  junk(30),
);
const contentRangeValue = fc.oneof(
  fc.tuple(byteOffset, byteOffset).map(([a, b]) => `${a}-${b}`),
  fc.tuple(byteOffset, byteOffset, fc.oneof(byteOffset, fc.constant('*'))).map(([a, b, t]) => `bytes ${a}-${b}/${t}`),
  fc.constantFrom('-', '0-', '-1', '1-0', '0--1', '00-01', ' 0-1', 'bytes */0'),
  junk(30),
);

export const mediaTypeValues = fc.oneof(
  fc.constantFrom(
    'application/vnd.oci.image.manifest.v1+json',
    'application/vnd.oci.image.index.v1+json',
    'application/vnd.docker.distribution.manifest.v2+json',
    'application/vnd.docker.distribution.manifest.list.v2+json',
    'application/vnd.docker.distribution.manifest.v1+prettyjws',
    'application/octet-stream',
    'application/json',
    'application/json; charset=utf-8',
    'text/plain',
    '*/*',
    'application/*',
    '',
    ';;;',
    'application/vnd.oci.image.manifest.v1+json;q=0.5, */*;q=abc',
  ),
  fc.stringMatching(/^[a-z]{1,10}\/[a-z0-9.+-]{1,40}(; ?[a-z]+=[a-z0-9"]{0,10})?$/),
  junk(40),
);

const headerValues = {
  range: rangeValue,
  'content-range': contentRangeValue,
  'content-type': mediaTypeValues,
  accept: fc.array(mediaTypeValues, { maxLength: 4 }).map((a) => a.join(', ')),
  'if-none-match': fc.oneof(fc.constant('*'), fc.stringMatching(/^"sha256:[0-9a-f]{0,64}"$/), junk(20)),
  'docker-content-digest': fc.stringMatching(/^sha256:[0-9a-f]{0,64}$/),
};

export const ociHeaders = fc.record(headerValues, { requiredKeys: [] });

/** Every /v2 route shape with generated parameters (and some paths no route has). */
export const ociPaths = (world: World) =>
  fc.oneof(
    fc.constantFrom('/v2/', '/v2', '/v2//', '/v2/_catalog', '/v2/_catalog?n=0', '/v2/_catalog?n=-1&last=%'),
    fc
      .tuple(fc.oneof(fc.integer(), fc.constantFrom('1e300', 'abc', '', '-0')), pathJunk(20))
      .map(([n, last]) => `/v2/_catalog?n=${n}&last=${last}`),
    fc
      .tuple(repositoryNames(world), fc.option(fc.oneof(fc.integer(), fc.constant('1e300'))), fc.option(pathJunk(20)))
      .map(([r, n, last]) => `/v2/${r}/tags/list?${n === null ? '' : `n=${n}&`}${last === null ? '' : `last=${last}`}`),
    fc.tuple(repositoryNames(world), references(world)).map(([r, ref]) => `/v2/${r}/manifests/${ref}`),
    fc.tuple(repositoryNames(world), digests(world)).map(([r, d]) => `/v2/${r}/blobs/${d}`),
    fc
      .tuple(repositoryNames(world), fc.option(digests(world)), fc.option(repositoryNames(world)))
      .map(([r, digest, from]) => {
        const query = [digest && `digest=${digest}`, digest && from && `mount=${digest}&from=${from}`].filter(Boolean);
        return `/v2/${r}/blobs/uploads/${query.length ? `?${query.join('&')}` : ''}`;
      }),
    fc
      .tuple(repositoryNames(world), fc.oneof(fc.uuid(), pathJunk(40)), fc.option(digests(world)))
      .map(([r, uuid, d]) => `/v2/${r}/blobs/uploads/${uuid}${d ? `?digest=${d}` : ''}`),
    fc
      .tuple(repositoryNames(world), digests(world), fc.option(pathJunk(30)))
      .map(([r, d, t]) => `/v2/${r}/referrers/${d}${t === null ? '' : `?artifactType=${t}`}`),
    pathJunk(60).map((s) => `/v2/${s}`),
  );

const descriptor = (world: World) =>
  fc.record(
    {
      mediaType: mediaTypeValues,
      digest: digests(world),
      size: fc.oneof(fc.nat(), fc.integer(), fc.constantFrom(world.layerSize, 1e300, -1, 2 ** 63)),
      urls: fc.array(fc.webUrl(), { maxLength: 2 }),
      annotations: fc.dictionary(fc.string({ maxLength: 10 }), fc.string({ maxLength: 10 }), { maxKeys: 3 }),
      platform: fc.record({ architecture: fc.string({ maxLength: 8 }), os: fc.string({ maxLength: 8 }) }),
      artifactType: mediaTypeValues,
    },
    { requiredKeys: ['digest'] },
  );

const goodLayer = (world: World) => ({
  mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip',
  digest: world.layerDigest,
  size: world.layerSize,
});

/** A manifest body nested `depth` levels deep (objects and arrays), written as text: too deep to stringify. */
const nested = (depth: number): string =>
  `{"schemaVersion":2,"layers":${'{"a":['.repeat(depth)}1${']}'.repeat(depth)}}`;

const manifestJSON = (world: World) =>
  fc.oneof(
    fc
      .record(
        {
          schemaVersion: fc.oneof(fc.constant(2), fc.integer(), fc.string({ maxLength: 3 })),
          mediaType: mediaTypeValues,
          artifactType: mediaTypeValues,
          config: fc.oneof(descriptor(world), fc.constant(null), fc.string({ maxLength: 5 })),
          layers: fc.oneof(
            fc.array(fc.oneof(descriptor(world), fc.constant(goodLayer(world))), { maxLength: 4 }),
            fc.constant(null),
            fc.dictionary(fc.string({ maxLength: 3 }), fc.nat(), { maxKeys: 2 }),
          ),
          subject: fc.oneof(descriptor(world), fc.constant({ ...goodLayer(world), digest: world.manifestDigest })),
          annotations: fc.oneof(fc.dictionary(fc.string(), fc.jsonValue({ maxDepth: 2 })), fc.constant([])),
        },
        { requiredKeys: [] },
      )
      .map((m) => JSON.stringify(m)),
    fc
      .record(
        {
          schemaVersion: fc.constant(2),
          mediaType: fc.constantFrom(
            'application/vnd.oci.image.index.v1+json',
            'application/vnd.docker.distribution.manifest.list.v2+json',
            'application/vnd.oci.image.manifest.v1+json',
          ),
          manifests: fc.array(
            fc.oneof(descriptor(world), fc.constant({ ...goodLayer(world), digest: world.manifestDigest })),
            { maxLength: 4 },
          ),
          subject: descriptor(world),
        },
        { requiredKeys: ['manifests'] },
      )
      .map((m) => JSON.stringify(m)),
    fc.integer({ min: 1, max: 20_000 }).map(nested),
    fc.jsonValue({ maxDepth: 4 }).map((v) => JSON.stringify(v)),
    fc.string({ maxLength: 200 }),
    fc.constantFrom('', '{', '[]', 'null', '{"schemaVersion":2', '\u0000', '{"a":1}{"b":2}', '\ufeff{}'),
    fc
      .integer({ min: 1, max: 6 })
      .map((mib) => JSON.stringify({ schemaVersion: 2, pad: 'x'.repeat(mib * 1024 * 1024) })),
  );

/** Manifests that are valid but for one generated part: subject, children, annotations, artifactType. */
const nearlyValidManifest = (world: World) => {
  const config = {
    mediaType: 'application/vnd.oci.image.config.v1+json',
    digest: world.configDigest,
    size: world.configSize,
  };
  const subject = fc.oneof(
    fc.constant({
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      digest: world.manifestDigest,
      size: world.manifestSize,
    }),
    fc
      .stringMatching(/^sha256:[0-9a-f]{64}$/)
      .map((digest) => ({ mediaType: 'application/vnd.oci.image.manifest.v1+json', digest, size: 10 })),
    descriptor(world),
  );
  const child = fc.oneof(
    fc.constant({
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      digest: world.manifestDigest,
      size: world.manifestSize,
    }),
    fc.constant({ mediaType: 'application/vnd.oci.image.index.v1+json', digest: world.indexDigest, size: 1 }),
    descriptor(world),
  );
  const image = fc
    .record(
      {
        subject,
        artifactType: mediaTypeValues,
        annotations: fc.dictionary(fc.string({ maxLength: 20 }), fc.string({ maxLength: 40 })),
      },
      { requiredKeys: [] },
    )
    .map((extra) => ({
      contentType: 'application/vnd.oci.image.manifest.v1+json',
      body: {
        schemaVersion: 2,
        mediaType: 'application/vnd.oci.image.manifest.v1+json',
        config,
        layers: [goodLayer(world)],
        ...extra,
      },
    }));
  const index = fc
    .record({ manifests: fc.array(child, { maxLength: 5 }), subject }, { requiredKeys: ['manifests'] })
    .map((extra) => ({
      contentType: 'application/vnd.oci.image.index.v1+json',
      body: { schemaVersion: 2, mediaType: 'application/vnd.oci.image.index.v1+json', ...extra },
    }));
  return fc.oneof(image, index);
};

/** Nearly valid manifests PUT by tag or by digest; most are accepted and reach the subject/referrers code. */
export const nearlyValidManifestPuts = (world: World): fc.Arbitrary<Exchange> =>
  fc
    .tuple(
      fc.constantFrom(world.repository, 'library/fuzz-other'),
      fc.option(fc.stringMatching(/^[a-z0-9][a-z0-9._-]{0,10}$/)),
      nearlyValidManifest(world),
    )
    .map(([repository, tag, { contentType, body }]): Exchange => {
      const bytes = Buffer.from(JSON.stringify(body));
      return {
        method: 'PUT',
        path: `/v2/${repository}/manifests/${tag ?? `sha256:${createHash('sha256').update(bytes).digest('hex')}`}`,
        headers: { 'content-type': contentType },
        body: bytes,
      };
    });

/** Manifest PUTs: generated bodies under generated or mismatched Content-Types. */
export const manifestPuts = (world: World): fc.Arbitrary<Exchange> =>
  fc
    .tuple(repositoryNames(world), references(world), manifestJSON(world), fc.option(mediaTypeValues))
    .map(([repository, reference, body, contentType]): Exchange => ({
      method: 'PUT',
      path: `/v2/${repository}/manifests/${reference}`,
      headers: contentType === null ? {} : { 'content-type': contentType },
      body: Buffer.from(body),
    }));

const methods = fc.constantFrom('GET', 'HEAD', 'PUT', 'POST', 'PATCH', 'DELETE');
const smallBody = fc.option(fc.oneof(fc.uint8Array({ maxLength: 2048 }), fc.string({ maxLength: 200 })), {
  freq: 2,
});

/** Any method on any /v2 route with generated headers and a small body or none. */
export const ociRequests = (world: World): fc.Arbitrary<Exchange> =>
  fc.tuple(methods, ociPaths(world), ociHeaders, smallBody).map(([method, path, headers, body]) => ({
    method,
    path,
    headers: headers as Record<string, string>,
    body: body === null || method === 'GET' || method === 'HEAD' ? undefined : Buffer.from(body),
  }));

/** Requests against a live upload session: the executor fills in `{upload}` with a fresh Location. */
export const uploadRequests = (world: World): fc.Arbitrary<Exchange> =>
  fc
    .tuple(
      fc.constantFrom('GET', 'PATCH', 'PUT', 'DELETE'),
      fc.option(digests(world)),
      fc.record({ 'content-range': contentRangeValue, 'content-type': mediaTypeValues }, { requiredKeys: [] }),
      smallBody,
    )
    .map(([method, digest, headers, body]) => ({
      method,
      path: `{upload}${digest ? `${'{sep}'}digest=${digest}` : ''}`,
      headers: headers as Record<string, string>,
      body: body === null || method === 'GET' ? undefined : Buffer.from(body),
    }));
