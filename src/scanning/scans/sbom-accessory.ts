import { createHash } from 'node:crypto';
import type { Registry, StoredManifest } from '../../registry/index.js';
import type { EventActor } from '../../shared/events.js';
import type { Sbom } from '../sbom/index.js';

// An SBOM stored as Harbor stores it: an OCI artifact of type
// application/vnd.goharbor.harbor.sbom.v1 whose subject is the scanned image, so it is listed
// among the image's accessories, goes with it when it is deleted, and is pulled like any
// artifact. Its layers are the documents, SPDX 2.3 first (what Harbor's own SBOMs hold), then
// CycloneDX 1.5.

export const sbomArtifactType = 'application/vnd.goharbor.harbor.sbom.v1';
const emptyConfig = { mediaType: 'application/vnd.oci.empty.v1+json', bytes: Buffer.from('{}') };
const ociManifest = 'application/vnd.oci.image.manifest.v1+json';
/** Who writes SBOMs, in events and the audit log. */
export const scannerActor: EventActor = { actor: 'berth-scanner' };

const sha256 = (bytes: Buffer) => `sha256:${createHash('sha256').update(bytes).digest('hex')}`;

async function* once(bytes: Buffer): AsyncIterable<Uint8Array> {
  yield bytes;
}

/** Pushes the SBOM documents as an accessory of `subject` in `repository`; returns the accessory's digest. */
export async function pushSbomAccessory(
  registry: Pick<Registry, 'uploads' | 'manifests'>,
  repository: string,
  subject: StoredManifest,
  documents: (Sbom & { fileName: string })[],
  created: Date,
): Promise<string> {
  const blobs = [emptyConfig.bytes, ...documents.map((d) => d.content)];
  for (const bytes of blobs)
    await registry.uploads.monolithic(repository, sha256(bytes), once(bytes), scannerActor.actor);
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: ociManifest,
      artifactType: sbomArtifactType,
      config: { mediaType: emptyConfig.mediaType, digest: sha256(emptyConfig.bytes), size: emptyConfig.bytes.length },
      layers: documents.map((d) => ({
        mediaType: d.mediaType,
        digest: sha256(d.content),
        size: d.content.length,
        annotations: { 'org.opencontainers.image.title': d.fileName },
      })),
      subject: { mediaType: subject.mediaType, digest: subject.digest, size: subject.bytes.length },
      annotations: { 'org.opencontainers.image.created': created.toISOString(), 'created-by': 'Berth' },
    }),
  );
  const digest = sha256(manifest);
  await registry.manifests.push(repository, digest, manifest, ociManifest, scannerActor);
  return digest;
}
