import { randomUUID } from 'node:crypto';
import { Enums, Models, Serialize, Spec } from '@cyclonedx/cyclonedx-library';
import type { Analysis, OsInfo, Package } from '../model.js';
import { isSingleLicense, renderLicenseExpression } from './license-expression.js';
import { LicenseRefs, declaredExpression, declaredLicenses } from './licenses.js';
import { UniqueIds, checkSubject, imagePurl, sortedPackages, type SbomOptions } from './subject.js';

// An image's SBOM as a CycloneDX 1.5 JSON document, built with the CycloneDX library's models and
// serialised by its JSON serializer: the image as the metadata's container component that
// depends on every component, its operating system, and every package found as a library
// with its Package URL and, as properties, the layer that installed it and the file it was in.

/** Property names for where a package was found (Trivy writes aquasecurity:trivy:LayerDigest). */
export const layerDigestProperty = 'berth:layer:digest';
export const packagePathProperty = 'berth:package:path';

const serializer = new Serialize.JsonSerializer(new Serialize.JSON.Normalize.Factory(Spec.Spec1dot5));

/** The CycloneDX 1.5 JSON for an analysed image; only the serial number and the time differ between two runs. */
export function cyclonedxJson(analysis: Analysis, options: SbomOptions): string {
  checkSubject(options.subject);
  return serializer.serialize(cyclonedxBom(analysis, options), { sortLists: true, space: 2 });
}

export function cyclonedxBom(analysis: Analysis, options: SbomOptions): Models.Bom {
  const { subject } = options;
  const purl = imagePurl(subject);
  const image = new Models.Component(Enums.ComponentType.Container, subject.repository, {
    bomRef: purl,
    version: subject.digest,
    purl,
  });
  const bom = new Models.Bom({
    serialNumber: `urn:uuid:${randomUUID()}`,
    metadata: new Models.Metadata({ timestamp: options.created, component: image }),
  });
  bom.metadata.tools.components.add(
    new Models.Component(Enums.ComponentType.Application, 'berth', { version: options.toolVersion }),
  );
  if (options.organization) bom.metadata.supplier = new Models.OrganizationalEntity({ name: options.organization });

  const bomRefs = new UniqueIds('#');
  bomRefs.take(purl);
  const refs = new LicenseRefs();
  const components = [
    ...(analysis.os ? [osComponent(analysis.os, bomRefs)] : []),
    ...sortedPackages(analysis.packages).map((pkg) => packageComponent(pkg, bomRefs, refs)),
  ];
  for (const component of components) {
    bom.components.add(component);
    image.dependencies.add(component.bomRef);
  }
  return bom;
}

function osComponent(os: OsInfo, bomRefs: UniqueIds): Models.Component {
  return new Models.Component(Enums.ComponentType.OperatingSystem, os.id, {
    bomRef: bomRefs.take(`berth:os:${os.id}@${os.versionId}`),
    version: os.versionId,
    ...(os.prettyName ? { description: os.prettyName } : {}),
  });
}

function packageComponent(pkg: Package, bomRefs: UniqueIds, refs: LicenseRefs): Models.Component {
  // The same Package URL found in two places (two copies of a library) gets "#2", … as its bom-ref.
  return new Models.Component(Enums.ComponentType.Library, pkg.name, {
    bomRef: bomRefs.take(pkg.purl),
    version: pkg.version,
    purl: pkg.purl,
    licenses: new Models.LicenseRepository(componentLicenses(pkg, refs)),
    properties: new Models.PropertyRepository([
      new Models.Property(layerDigestProperty, pkg.layer),
      new Models.Property(packagePathProperty, pkg.path),
    ]),
  });
}

/**
 * CycloneDX takes either listed licences and named ones, or a single expression (1.5
 * `licenseChoice`): one of each licence as the package names it when every one is a single
 * listed identifier or a name; otherwise one expression of them all.
 */
function componentLicenses(pkg: Package, refs: LicenseRefs): Models.License[] {
  const declared = declaredLicenses(pkg);
  if (declared.every((license) => license.kind === 'name' || isSingleLicense(license.node)))
    return declared.map((license) =>
      license.kind === 'name'
        ? new Models.NamedLicense(license.name)
        : new Models.SpdxLicense(renderLicenseExpression(license.node)),
    );
  const expression = declaredExpression(declared, refs);
  return expression ? [new Models.LicenseExpression(renderLicenseExpression(expression))] : [];
}
