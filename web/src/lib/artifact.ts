import type { MessageKey } from '../i18n/en';
import type { Artifact } from '../api/types';

// What the portal derives from an artifact: its type's name, whether helm pulls it.

const typeKeys: Record<string, MessageKey> = {
  IMAGE: 'type.image',
  CHART: 'type.chart',
  CNAB: 'type.cnab',
  WASM: 'type.wasm',
  'SIGNATURE.COSIGN': 'type.signature',
  SIGNATURE: 'type.signature',
};

const indexTypes = [
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
];

export function isIndex(artifact: Pick<Artifact, 'manifest_media_type'>): boolean {
  return indexTypes.includes(artifact.manifest_media_type);
}

/** The catalogue key of the artifact's kind: an index before its children's type. */
export function artifactTypeKey(
  artifact: Pick<Artifact, 'type' | 'manifest_media_type' | 'artifact_type'>,
): MessageKey {
  if (isIndex(artifact)) return 'type.index';
  if (artifact.artifact_type.includes('signature') || artifact.artifact_type.includes('.sig.')) return 'type.signature';
  return typeKeys[artifact.type.toUpperCase()] ?? 'type.other';
}

export function isChart(artifact: Pick<Artifact, 'type'>): boolean {
  return artifact.type.toUpperCase() === 'CHART';
}
