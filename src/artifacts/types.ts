// Harbor's artifact types, derived from what a manifest says it holds
// (goharbor/harbor src/controller/artifact/processor: image, chart, cnab, sbom, default).

export const configMediaTypes = {
  dockerImage: 'application/vnd.docker.container.image.v1+json',
  ociImage: 'application/vnd.oci.image.config.v1+json',
  helmChart: 'application/vnd.cncf.helm.config.v1+json',
  cnab: 'application/vnd.cnab.manifest.v1',
  /** Harbor's SBOM accessory (its processor/sbom registers this type as "SBOM"). */
  harborSbom: 'application/vnd.goharbor.harbor.sbom.v1',
} as const;

export const imageConfigTypes: readonly string[] = [configMediaTypes.dockerImage, configMediaTypes.ociImage];
export const indexMediaTypes: readonly string[] = [
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
];

/** The annotation CNAB bundles put on their index (Harbor's CNAB processor keys on it). */
export const artifactTypeAnnotation = 'org.opencontainers.artifactType';

// Harbor's default processor: `application/vnd.<type>.config.v<n>+json` → "<TYPE>".
const defaultTypePattern = /^application\/vnd\.([^.]+)\.config\.v\d+\+json$/;

export type ArtifactKind = 'IMAGE' | 'CHART' | 'CNAB' | string;

/**
 * `manifestMediaType` is the manifest's own type; `configType` is its artifactType or
 * config media type (the registry's `artifact_type` column).
 */
export function harborArtifactType(
  manifestMediaType: string,
  configType: string | null,
  annotations: Record<string, string> | undefined,
): ArtifactKind {
  if (indexMediaTypes.includes(manifestMediaType)) {
    return annotations?.[artifactTypeAnnotation] === configMediaTypes.cnab ? 'CNAB' : 'IMAGE';
  }
  if (configType === null) return 'UNKNOWN';
  if (imageConfigTypes.includes(configType)) return 'IMAGE';
  if (configType === configMediaTypes.helmChart) return 'CHART';
  if (configType === configMediaTypes.harborSbom) return 'SBOM';
  const match = defaultTypePattern.exec(configType);
  return match ? match[1].toUpperCase() : 'UNKNOWN';
}
