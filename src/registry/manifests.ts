import { BerthError } from '../shared/errors.js';
import { digestOf, parseDigest } from '../shared/digest.js';
import { isoNow, type Clock } from '../shared/clock.js';
import type { EventBus } from '../shared/events.js';
import type { Locks } from '../shared/locks.js';
import type { CachedContentReads } from './cache.js';
import { artifactTypeOf, parseManifest, referencedBlobs, type ParsedManifest } from './manifest.js';
import { parseReference } from './names.js';
import type { RegistryRepo, StoredManifest } from './repo.js';

export interface ManifestServiceDeps {
  repo: RegistryRepo;
  reads: CachedContentReads;
  locks: Locks;
  events: EventBus;
  clock: Clock;
  maxManifestBytes: number;
}

export interface PushedManifest {
  digest: string;
  subjectDigest?: string;
}

export function createManifestService({ repo, reads, locks, events, clock, maxManifestBytes }: ManifestServiceDeps) {
  async function resolve(repository: string, reference: string): Promise<StoredManifest> {
    const ref = parseReference(reference);
    const digest = ref.kind === 'digest' ? ref.digest : await repo.tagDigest(repository, ref.tag);
    const manifest = digest === undefined ? undefined : await reads.manifest(repository, digest);
    if (!manifest) throw new BerthError('MANIFEST_UNKNOWN', `manifest ${reference} unknown to repository ${repository}`, { detail: { reference } });
    return manifest;
  }

  /** Every blob a manifest names, and every child of an index, must already be in the repository. */
  async function checkReferences(repository: string, manifest: ParsedManifest): Promise<number> {
    const blobs = referencedBlobs(manifest);
    const linked = await repo.linkedBlobs(repository, blobs.map((b) => b.digest));
    const missingBlob = blobs.find((b) => !linked.has(b.digest));
    if (missingBlob) {
      throw new BerthError('MANIFEST_BLOB_UNKNOWN', `blob ${missingBlob.digest} is not in repository ${repository}`, { detail: { digest: missingBlob.digest } });
    }
    const children = await repo.presentManifests(repository, manifest.manifests.map((m) => m.digest));
    const missingChild = manifest.manifests.find((m) => !children.has(m.digest));
    if (missingChild) {
      throw new BerthError('MANIFEST_BLOB_UNKNOWN', `manifest ${missingChild.digest} is not in repository ${repository}`, { detail: { digest: missingChild.digest } });
    }
    return [...linked.values()].reduce((sum, size) => sum + size, 0);
  }

  return {
    resolve,

    /** GET: the manifest, recorded as pulled. */
    async pull(repository: string, reference: string): Promise<StoredManifest> {
      const manifest = await resolve(repository, reference);
      const ref = parseReference(reference);
      events.publish({ type: 'artifact.pulled', repository, digest: manifest.digest, ...(ref.kind === 'tag' ? { tag: ref.tag } : {}) });
      return manifest;
    },

    async push(repository: string, reference: string, bytes: Buffer, contentType: string | undefined): Promise<PushedManifest> {
      if (bytes.byteLength > maxManifestBytes) {
        throw new BerthError('SIZE_INVALID', `manifest of ${bytes.byteLength} bytes exceeds the limit of ${maxManifestBytes}`, { status: 413 });
      }
      const ref = parseReference(reference);
      const algorithm = ref.kind === 'digest' ? parseDigest(ref.digest).algorithm : 'sha256';
      const digest = digestOf(bytes, algorithm);
      if (ref.kind === 'digest' && ref.digest !== digest) {
        throw new BerthError('DIGEST_INVALID', `manifest digest is ${digest}, not ${ref.digest}`, { detail: { expected: ref.digest, actual: digest } });
      }
      const manifest = parseManifest(bytes, contentType);
      const blobBytes = await checkReferences(repository, manifest);
      const tag = ref.kind === 'tag' ? ref.tag : undefined;
      await locks.withLock(`tag:${repository}:${tag ?? digest}`, () =>
        repo.putManifest({
          repository,
          digest,
          mediaType: manifest.mediaType,
          bytes,
          artifactType: artifactTypeOf(manifest) ?? null,
          subjectDigest: manifest.subject?.digest ?? null,
          annotations: manifest.annotations,
          size: bytes.byteLength + blobBytes,
          blobDigests: referencedBlobs(manifest).map((b) => b.digest),
          children: manifest.manifests.map((m) => ({ digest: m.digest, platform: m.platform, annotations: m.annotations })),
          tag,
          now: isoNow(clock),
        }),
      );
      events.publish({ type: 'artifact.pushed', repository, digest, mediaType: manifest.mediaType, size: bytes.byteLength + blobBytes, ...(tag ? { tag } : {}) });
      return { digest, subjectDigest: manifest.subject?.digest };
    },

    /** DELETE by tag removes that tag only; by digest removes the artifact and its tags. */
    async delete(repository: string, reference: string): Promise<void> {
      const ref = parseReference(reference);
      if (ref.kind === 'tag') {
        const digest = await locks.withLock(`tag:${repository}:${ref.tag}`, () => repo.deleteTag(repository, ref.tag));
        if (digest === undefined) throw new BerthError('MANIFEST_UNKNOWN', `tag ${ref.tag} unknown to repository ${repository}`, { detail: { reference } });
        events.publish({ type: 'tag.deleted', repository, tag: ref.tag, digest });
        return;
      }
      const deleted = await repo.deleteArtifact(repository, ref.digest);
      if (deleted.length === 0) throw new BerthError('MANIFEST_UNKNOWN', `manifest ${ref.digest} unknown to repository ${repository}`, { detail: { reference } });
      for (const artifact of deleted) {
        reads.forgetManifest(repository, artifact.digest);
        events.publish({ type: 'artifact.deleted', repository, digest: artifact.digest, tags: artifact.tags });
      }
    },
  };
}

export type ManifestService = ReturnType<typeof createManifestService>;
