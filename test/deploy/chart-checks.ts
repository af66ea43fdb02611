import assert from 'node:assert/strict';
import { claimTemplates, matches, secretData, workloads, type K8sObject, type Render } from './render.js';
import { validateObject } from './k8s-schema.js';
import type { ExternalSecrets } from './berth-config.js';

// Checks every render must pass, whatever the values.

export async function assertValidAgainstKubernetesSchemas(r: Render): Promise<void> {
  for (const object of r.objects) await validateObject(object);
}

export function assertUniqueNames(r: Render): void {
  const seen = new Set<string>();
  for (const o of r.objects) {
    const id = `${o.kind}/${o.metadata.name}`;
    assert.ok(!seen.has(id), `${id} is rendered twice`);
    seen.add(id);
  }
}

/** Secrets, ConfigMaps and claims that pods use exist in the render or are declared external. */
export function assertReferencesResolve(
  r: Render,
  external: { secrets?: ExternalSecrets; claims?: string[] } = {},
): void {
  for (const { object, template } of workloads(r)) {
    const where = `${object.kind}/${object.metadata.name}`;
    const volumes = template.spec.volumes ?? [];
    for (const volume of volumes) {
      if (volume.configMap)
        assert.ok(
          r.find('ConfigMap', volume.configMap.name),
          `${where}: ConfigMap ${volume.configMap.name} is missing`,
        );
      if (volume.secret) {
        const name = volume.secret.secretName;
        assert.ok(r.find('Secret', name) || external.secrets?.[name], `${where}: Secret ${name} is missing`);
      }
      if (volume.persistentVolumeClaim) {
        const claim = volume.persistentVolumeClaim.claimName;
        assert.ok(
          r.find('PersistentVolumeClaim', claim) || external.claims?.includes(claim),
          `${where}: PVC ${claim} is neither rendered nor declared external`,
        );
      }
    }
    const volumeNames = new Set([...volumes.map((v) => v.name), ...claimTemplates(object)]);
    for (const container of template.spec.containers) {
      for (const mount of container.volumeMounts ?? []) {
        assert.ok(
          volumeNames.has(mount.name),
          `${where}/${container.name}: mount ${mount.mountPath} uses volume ${mount.name}, which the pod lacks`,
        );
      }
      for (const variable of container.env ?? []) {
        const ref = variable.valueFrom?.secretKeyRef;
        if (!ref) continue;
        const rendered = r.find('Secret', ref.name);
        const data = rendered ? secretData(rendered) : external.secrets?.[ref.name];
        assert.ok(data, `${where}/${container.name}: env ${variable.name} needs Secret ${ref.name}`);
        assert.ok(ref.key in data, `${where}/${container.name}: Secret ${ref.name} lacks key ${ref.key}`);
      }
    }
  }
}

/** Workload selectors match their pod labels; each Service selects exactly one workload and its target port exists. */
export function assertSelectorsAndPorts(r: Render): void {
  const all = workloads(r);
  for (const { object, template } of all) {
    if (object.kind === 'Job') continue;
    const selector = (object.spec as { selector: { matchLabels: Record<string, string> } }).selector.matchLabels;
    assert.ok(
      matches(selector, template.metadata.labels),
      `${object.kind}/${object.metadata.name}: selector does not match its pod labels`,
    );
  }
  for (const service of r.all('Service')) {
    const spec = service.spec as {
      selector: Record<string, string>;
      ports: { name?: string; port: number; targetPort: string | number }[];
    };
    const selected = all.filter(
      ({ object, template }) => object.kind !== 'Job' && matches(spec.selector, template.metadata.labels),
    );
    assert.equal(selected.length, 1, `Service ${service.metadata.name} selects ${selected.length} workloads`);
    const ports = selected[0].template.spec.containers.flatMap((c) => c.ports ?? []);
    for (const port of spec.ports) {
      const target = ports.find((p) =>
        typeof port.targetPort === 'string' ? p.name === port.targetPort : p.containerPort === port.targetPort,
      );
      assert.ok(
        target,
        `Service ${service.metadata.name} port ${port.port} targets ${port.targetPort}, which ${selected[0].object.metadata.name} does not expose`,
      );
    }
  }
  for (const ingress of r.all('Ingress')) {
    const rules = (
      ingress.spec as {
        rules: {
          http: { paths: { backend: { service: { name: string; port: { name?: string; number?: number } } } }[] };
        }[];
      }
    ).rules;
    for (const path of rules.flatMap((rule) => rule.http.paths)) {
      const backend = path.backend.service;
      const service = r.get('Service', backend.name);
      const ports = (service.spec as { ports: { name?: string; port: number }[] }).ports;
      assert.ok(
        ports.some((p) => p.name === backend.port.name || p.port === backend.port.number),
        `Ingress backend port ${JSON.stringify(backend.port)} is not on Service ${backend.name}`,
      );
    }
  }
  for (const pdb of r.all('PodDisruptionBudget')) {
    const selector = (pdb.spec as { selector: { matchLabels: Record<string, string> } }).selector.matchLabels;
    assert.ok(
      all.some(({ template }) => matches(selector, template.metadata.labels)),
      `PodDisruptionBudget ${pdb.metadata.name} selects no pods`,
    );
  }
  for (const hpa of r.all('HorizontalPodAutoscaler')) {
    const target = (hpa.spec as { scaleTargetRef: { kind: string; name: string } }).scaleTargetRef;
    assert.ok(
      r.find(target.kind, target.name),
      `HPA ${hpa.metadata.name} targets missing ${target.kind}/${target.name}`,
    );
  }
}

/** No empty names, images, label values or env values; no leaked template errors. */
export function assertNothingRendersEmpty(r: Render): void {
  const text = JSON.stringify(r.objects);
  assert.doesNotMatch(text, /<nil>|%!|<no value>/, 'a template printed a Go nil or format error');
  for (const o of r.objects) {
    const where = `${o.kind}/${o.metadata.name}`;
    assert.ok(o.metadata.name, `${o.kind} without a name`);
    for (const [k, v] of Object.entries(o.metadata.labels ?? {}))
      assert.ok(v !== '' && v !== null, `${where}: label ${k} is empty`);
    for (const { template } of workloads(r).filter((w) => w.object === o)) {
      for (const c of template.spec.containers) {
        assert.match(c.image, /^[^:\s]+(:[^:\s]+)+$/, `${where}/${c.name}: image ${c.image} has no tag`);
        for (const e of c.env ?? [])
          assert.ok(
            e.valueFrom || (e.value !== undefined && e.value !== ''),
            `${where}/${c.name}: env ${e.name} is empty`,
          );
      }
    }
  }
}

export function assertStandardChecks(
  r: Render,
  external: { secrets?: ExternalSecrets; claims?: string[] } = {},
): Promise<void> {
  assertUniqueNames(r);
  assertReferencesResolve(r, external);
  assertSelectorsAndPorts(r);
  assertNothingRendersEmpty(r);
  return assertValidAgainstKubernetesSchemas(r);
}

export function mountsOf(
  object: K8sObject,
  r: Render,
): { container: string; claim: string; mountPath: string; subPath?: string }[] {
  const found = workloads(r).find((w) => w.object === object);
  if (!found) return [];
  const volumes = found.template.spec.volumes ?? [];
  return found.template.spec.containers.flatMap((c) =>
    (c.volumeMounts ?? []).flatMap((m) => {
      const claim = volumes.find((v) => v.name === m.name)?.persistentVolumeClaim?.claimName;
      return claim ? [{ container: c.name, claim, mountPath: m.mountPath, subPath: m.subPath }] : [];
    }),
  );
}
