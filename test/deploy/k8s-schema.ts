import type { K8sObject } from './render.js';

// Kubernetes API schemas from the npm package kubernetes-models (generated from the
// Kubernetes OpenAPI spec, validated by ajv via @kubernetes-models/validate) and
// @kubernetes-models/prometheus-operator for ServiceMonitor. Shipped in the packages:
// nothing is downloaded at test time.

interface Validatable {
  validate(): void;
}
type ModelClass = new (data: unknown) => Validatable;

const crdModules: Record<string, string> = {
  'monitoring.coreos.com/v1': '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1',
};

function modulePath(apiVersion: string): string {
  return crdModules[apiVersion] ?? `kubernetes-models/${apiVersion}`;
}

/** Throws with the object's kind/name and the schema errors when it does not validate. */
export async function validateObject(object: K8sObject): Promise<void> {
  const module = (await import(modulePath(object.apiVersion))) as Record<string, unknown>;
  const Model = module[object.kind] as ModelClass | undefined;
  if (typeof Model !== 'function') throw new Error(`no schema for ${object.apiVersion} ${object.kind}`);
  try {
    new Model(object).validate();
  } catch (err) {
    throw new Error(
      `${object.kind}/${object.metadata.name} does not match the Kubernetes schema: ${(err as Error).message}`,
      { cause: err },
    );
  }
}
