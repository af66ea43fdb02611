import { BerthError } from '../shared/errors.js';
import { digestOf, parseDigest } from '../shared/digest.js';
import { isoNow, type Clock } from '../shared/clock.js';
import type { EventActor, EventBus } from '../shared/events.js';
import type { Locks } from '../shared/locks.js';
import type { CachedContentReads } from './cache.js';
import { artifactTypeOf, parseManifest, referencedBlobs, type ParsedManifest } from './manifest.js';
import { isValidTag, lookupReference, parseReference, type Reference } from './names.js';
import type { RegistryRepo, StoredManifest } from './repo.js';
import { immutableTagError, noTagProtection, type TagProtection } from './tag-protection.js';

export interface ManifestServiceDeps {
  repo: RegistryRepo;
  reads: CachedContentReads;
  locks: Locks;
  events: EventBus;
  clock: Clock;
  maxManifestBytes: number;
  /** Tag immutability: tags that may not move to another artifact or go. */
  tagProtection?: TagProtection;
}

export interface PushedManifest {
  digest: string;
  subjectDigest?: string;
  /** The tags now pointing at the manifest. */
  tags: string[];
}

/** Tags one push by digest may apply; the spec asks for at least 10 and allows 414 beyond a limit. */
export const maxTagsPerPush = 100;

/** Runs `fn` holding every lock of `keys`, taken in the given order. */
function withLocks<T>(locks: Locks, keys: string[], fn: () => Promise<T>): Promise<T> {
  const [first, ...rest] = keys;
  return first === undefined ? fn() : locks.withLock(first, () => withLocks(locks, rest, fn));
}

export function createManifestService({
  repo,
  reads,
  locks,
  events,
  clock,
  maxManifestBytes,
  tagProtection = noTagProtection,
}: ManifestServiceDeps) {
  function unknown(repository: string, reference: string): BerthError {
    return new BerthError(
      'MANIFEST_UNKNOWN',
      `manifest ${reference.slice(0, 150)} unknown to repository ${repository}`,
      {
        detail: { reference },
      },
    );
  }

  async function resolve(repository: string, reference: string): Promise<StoredManifest> {
    const ref = lookupReference(reference);
    if (!ref) throw unknown(repository, reference);
    const digest = ref.kind === 'digest' ? ref.digest : await repo.tagDigest(repository, ref.tag);
    const manifest = digest === undefined ? undefined : await reads.manifest(repository, digest);
    if (!manifest) throw unknown(repository, reference);
    return manifest;
  }

  /** Publishes that `digest` was served for `reference` (a tag names the pull's tag). */
  function recordPull(repository: string, reference: string, digest: string, by: EventActor = {}): void {
    const ref = lookupReference(reference);
    events.publish({
      type: 'artifact.pulled',
      repository,
      digest,
      ...(ref?.kind === 'tag' ? { tag: ref.tag } : {}),
      ...by,
    });
  }

  /** Validates the tags a push by digest applies (`?tag=`, distribution spec "Pushing Manifests with tags"). */
  function pushTags(ref: Reference, extraTags: string[]): string[] {
    if (ref.kind === 'tag') return [ref.tag];
    if (extraTags.length > maxTagsPerPush)
      throw new BerthError('TAG_INVALID', `at most ${maxTagsPerPush} tags can be pushed at once`, { status: 414 });
    const invalid = extraTags.find((tag) => !isValidTag(tag));
    if (invalid !== undefined)
      throw new BerthError('TAG_INVALID', `invalid tag "${invalid.slice(0, 150)}"`, { detail: { tag: invalid } });
    return [...new Set(extraTags)];
  }

  /** Every blob a manifest names, and every child of an index, must already be in the repository; returns the blobs' sizes. */
  async function checkReferences(repository: string, manifest: ParsedManifest): Promise<Map<string, number>> {
    const blobs = referencedBlobs(manifest);
    const linked = await repo.linkedBlobs(
      repository,
      blobs.map((b) => b.digest),
    );
    const missingBlob = blobs.find((b) => !linked.has(b.digest));
    if (missingBlob) {
      throw new BerthError('MANIFEST_BLOB_UNKNOWN', `blob ${missingBlob.digest} is not in repository ${repository}`, {
        detail: { digest: missingBlob.digest },
      });
    }
    const children = await repo.presentManifests(
      repository,
      manifest.manifests.map((m) => m.digest),
    );
    const missingChild = manifest.manifests.find((m) => !children.has(m.digest));
    if (missingChild) {
      throw new BerthError(
        'MANIFEST_BLOB_UNKNOWN',
        `manifest ${missingChild.digest} is not in repository ${repository}`,
        { detail: { digest: missingChild.digest } },
      );
    }
    return linked;
  }

  /** 412 when one of `tags` of `repository` is immutable. */
  async function refuseProtected(repository: string, tags: string[]): Promise<void> {
    if (tags.length === 0) return;
    const isProtected = await tagProtection.protectedTags(repository);
    const tag = tags.find(isProtected);
    if (tag !== undefined) throw immutableTagError(repository, tag);
  }

  return {
    resolve,
    refuseProtected,

    /** GET: the manifest, recorded as pulled (by `by`, when the caller knows who). */
    async pull(repository: string, reference: string, by: EventActor = {}): Promise<StoredManifest> {
      const manifest = await resolve(repository, reference);
      recordPull(repository, reference, manifest.digest, by);
      return manifest;
    },

    recordPull,

    /** The image an index lists for `platform` (first match), when the repository has it. */
    async platformImage(
      repository: string,
      index: StoredManifest,
      platform: { os: string; architecture: string },
    ): Promise<StoredManifest | undefined> {
      let parsed: ParsedManifest;
      try {
        parsed = parseManifest(index.bytes, index.mediaType);
      } catch {
        return undefined;
      }
      const entry = parsed.manifests.find(
        (m) => m.platform?.os === platform.os && m.platform?.architecture === platform.architecture,
      );
      return entry && (await reads.manifest(repository, entry.digest));
    },

    async push(
      repository: string,
      reference: string,
      bytes: Buffer,
      contentType: string | undefined,
      by: EventActor = {},
      extraTags: string[] = [],
    ): Promise<PushedManifest> {
      if (bytes.byteLength > maxManifestBytes) {
        throw new BerthError(
          'SIZE_INVALID',
          `manifest of ${bytes.byteLength} bytes exceeds the limit of ${maxManifestBytes}`,
          { status: 413 },
        );
      }
      const ref = parseReference(reference);
      const algorithm = ref.kind === 'digest' ? parseDigest(ref.digest).algorithm : 'sha256';
      const digest = digestOf(bytes, algorithm);
      if (ref.kind === 'digest' && ref.digest !== digest) {
        throw new BerthError('DIGEST_INVALID', `manifest digest is ${digest}, not ${ref.digest}`, {
          detail: { expected: ref.digest, actual: digest },
        });
      }
      const tags = pushTags(ref, extraTags);
      const manifest = parseManifest(bytes, contentType);
      const linked = await checkReferences(repository, manifest);
      const blobBytes = [...linked.values()].reduce((sum, size) => sum + size, 0);
      const lockKeys = (tags.length > 0 ? [...tags].sort() : [digest]).map((key) => `tag:${repository}:${key}`);
      const isProtected = tags.length > 0 ? await tagProtection.protectedTags(repository) : () => false;
      await withLocks(locks, lockKeys, async () => {
        // An immutable tag stays where it is; pushing the very manifest it names again changes nothing.
        for (const tag of tags.filter(isProtected)) {
          const current = await repo.tagDigest(repository, tag);
          if (current !== undefined && current !== digest) throw immutableTagError(repository, tag);
        }
        await repo.putManifest({
          repository,
          digest,
          mediaType: manifest.mediaType,
          bytes,
          artifactType: artifactTypeOf(manifest) ?? null,
          subjectDigest: manifest.subject?.digest ?? null,
          annotations: manifest.annotations,
          size: bytes.byteLength + blobBytes,
          blobs: [...linked].map(([blobDigest, size]) => ({ digest: blobDigest, size })),
          children: manifest.manifests.map((m) => ({
            digest: m.digest,
            platform: m.platform,
            annotations: m.annotations,
          })),
          tags,
          now: isoNow(clock),
        });
      });
      events.publish({
        type: 'artifact.pushed',
        repository,
        digest,
        mediaType: manifest.mediaType,
        size: bytes.byteLength + blobBytes,
        ...(tags[0] ? { tag: tags[0] } : {}),
        ...by,
      });
      for (const tag of tags.slice(1)) events.publish({ type: 'tag.created', repository, tag, digest, ...by });
      return { digest, subjectDigest: manifest.subject?.digest, tags };
    },

    /** DELETE by tag removes that tag only; by digest removes the artifact and its tags. */
    async delete(repository: string, reference: string, by: EventActor = {}): Promise<void> {
      const ref = lookupReference(reference);
      if (!ref) throw unknown(repository, reference);
      if (ref.kind === 'tag') {
        const isProtected = await tagProtection.protectedTags(repository);
        const digest = await locks.withLock(`tag:${repository}:${ref.tag}`, async () => {
          if (isProtected(ref.tag) && (await repo.tagDigest(repository, ref.tag)) !== undefined)
            throw immutableTagError(repository, ref.tag);
          return repo.deleteTag(repository, ref.tag);
        });
        if (digest === undefined)
          throw new BerthError('MANIFEST_UNKNOWN', `tag ${ref.tag} unknown to repository ${repository}`, {
            detail: { reference },
          });
        events.publish({ type: 'tag.deleted', repository, tag: ref.tag, digest, ...by });
        return;
      }
      await refuseProtected(repository, await repo.tagNames(repository, ref.digest));
      const deleted = await repo.deleteArtifact(repository, ref.digest);
      // Harbor's answer (controller/artifact deleteDeeply): an index child goes only with its index.
      if (deleted === 'referenced')
        throw new BerthError('VIOLATE_FOREIGN_KEY_CONSTRAINT', 'the deleting artifact is referenced by others', {
          detail: { digest: ref.digest },
        });
      if (deleted.length === 0)
        throw new BerthError('MANIFEST_UNKNOWN', `manifest ${ref.digest} unknown to repository ${repository}`, {
          detail: { reference },
        });
      for (const artifact of deleted) {
        reads.forgetManifest(repository, artifact.digest);
        events.publish({ type: 'artifact.deleted', repository, digest: artifact.digest, tags: artifact.tags, ...by });
      }
    },

    /**
     * Garbage collection's delete: the artifact goes (with its orphaned index children) only
     * if it is still untagged, no index lists it and no accessory names it. Returns what went.
     */
    async deleteUntagged(repository: string, digest: string, by: EventActor = {}): Promise<string[]> {
      const deleted = await repo.deleteArtifact(repository, digest, { untaggedOnly: true });
      if (deleted === 'referenced') return [];
      for (const artifact of deleted) {
        reads.forgetManifest(repository, artifact.digest);
        events.publish({ type: 'artifact.deleted', repository, digest: artifact.digest, tags: artifact.tags, ...by });
      }
      return deleted.map((artifact) => artifact.digest);
    },

    /** Adds `tag` to the artifact `digest`; CONFLICT when the repository already has that tag. */
    async tag(repository: string, digest: string, tag: string, by: EventActor = {}): Promise<void> {
      if (!isValidTag(tag)) throw new BerthError('BAD_REQUEST', `invalid tag name "${tag.slice(0, 150)}"`);
      const outcome = await locks.withLock(`tag:${repository}:${tag}`, () =>
        repo.createTag(repository, digest, tag, isoNow(clock)),
      );
      if (outcome === 'no-artifact') throw new BerthError('NOT_FOUND', `artifact ${repository}@${digest} not found`);
      if (outcome === 'exists')
        throw new BerthError('CONFLICT', `tag ${tag} already exists in repository ${repository}`);
      events.publish({ type: 'tag.created', repository, tag, digest, ...by });
    },

    /**
     * Copies an artifact (with its index children, blob links and tags) into `target`.
     * NOT_FOUND when the source is unknown, CONFLICT when the target already has it.
     */
    async copy(source: string, reference: string, target: string, by: EventActor = {}): Promise<{ digest: string }> {
      const { digest } = await resolve(source, reference).catch((err: unknown) => {
        if (err instanceof BerthError && err.code === 'MANIFEST_UNKNOWN')
          throw new BerthError('NOT_FOUND', `artifact ${source}:${reference} not found`);
        throw err;
      });
      // The copy brings the source's tags: none of them may take an immutable tag from another artifact.
      const isProtected = await tagProtection.protectedTags(target);
      for (const tag of (await repo.tagNames(source, digest)).filter(isProtected)) {
        const current = await repo.tagDigest(target, tag);
        if (current !== undefined && current !== digest) throw immutableTagError(target, tag);
      }
      const outcome = await repo.copyArtifact(source, digest, target, isoNow(clock));
      if (outcome.kind === 'source-missing')
        throw new BerthError('NOT_FOUND', `artifact ${source}@${digest} not found`);
      if (outcome.kind === 'exists')
        throw new BerthError('CONFLICT', `the artifact ${target}@${digest} already exists`);
      const tag = outcome.tags[0];
      events.publish({
        type: 'artifact.pushed',
        repository: target,
        digest,
        mediaType: outcome.mediaType,
        size: outcome.size,
        ...(tag ? { tag } : {}),
        ...by,
      });
      return { digest };
    },
  };
}

export type ManifestService = ReturnType<typeof createManifestService>;
