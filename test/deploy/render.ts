import { writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { exec } from '../helpers/tools.js';

// Renders deploy/helm/berth with the real helm binary and gives typed access to the objects.

export const chartDir = new URL('../../deploy/helm/berth', import.meta.url).pathname;
export const fixturesDir = new URL('./fixtures', import.meta.url).pathname;

export type Obj = Record<string, unknown>;
export interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  [key: string]: unknown;
}

export interface Render {
  objects: K8sObject[];
  find(kind: string, name: string): K8sObject | undefined;
  get(kind: string, name: string): K8sObject;
  all(kind: string): K8sObject[];
}

/** helm template berth <chart> -n berth with the given values files / inline values. */
export async function helmTemplate(helm: string, values: { files?: string[]; inline?: string } = {}): Promise<Render> {
  const args = ['template', 'berth', chartDir, '--namespace', 'berth'];
  for (const file of values.files ?? []) args.push('-f', file);
  if (values.inline !== undefined) args.push('-f', writeTemp('values.yaml', values.inline));
  const { stdout } = await exec(helm, args);
  const objects = parseAllDocuments(stdout)
    .map((doc) => {
      if (doc.errors.length > 0) throw new Error(`helm rendered invalid YAML: ${doc.errors[0].message}`);
      return doc.toJS() as K8sObject | null;
    })
    .filter((o): o is K8sObject => o !== null);
  const find = (kind: string, name: string) => objects.find((o) => o.kind === kind && o.metadata.name === name);
  return {
    objects,
    find,
    get(kind, name) {
      const found = find(kind, name);
      if (!found)
        throw new Error(
          `${kind}/${name} is not in the render (have: ${objects.map((o) => `${o.kind}/${o.metadata.name}`).join(', ')})`,
        );
      return found;
    },
    all: (kind) => objects.filter((o) => o.kind === kind),
  };
}

export function writeTemp(name: string, text: string): string {
  const file = join(mkdtempSync(join(tmpdir(), 'berth-chart-')), name);
  writeFileSync(file, text);
  return file;
}

// --- typed views of the parts the tests read ---

export interface EnvVar {
  name: string;
  value?: string;
  valueFrom?: { secretKeyRef?: { name: string; key: string }; configMapKeyRef?: { name: string; key: string } };
}
export interface VolumeMount {
  name: string;
  mountPath: string;
  subPath?: string;
  readOnly?: boolean;
}
export interface Probe {
  httpGet?: { path: string; port: string | number; scheme?: string };
  exec?: { command: string[] };
}
export interface Container {
  name: string;
  image: string;
  command?: string[];
  args?: string[];
  env?: EnvVar[];
  ports?: { name?: string; containerPort: number }[];
  volumeMounts?: VolumeMount[];
  startupProbe?: Probe;
  livenessProbe?: Probe;
  readinessProbe?: Probe;
}
export interface Volume {
  name: string;
  persistentVolumeClaim?: { claimName: string };
  configMap?: { name: string };
  secret?: { secretName: string };
  emptyDir?: Obj;
}
export interface PodSpec {
  containers: Container[];
  volumes?: Volume[];
  affinity?: Obj;
}
export interface PodTemplate {
  metadata: { labels: Record<string, string>; annotations?: Record<string, string> };
  spec: PodSpec;
}

/** Workloads that carry a pod template: Deployment, StatefulSet, Job. */
export function podTemplate(o: K8sObject): PodTemplate | undefined {
  const spec = o.spec as { template?: PodTemplate } | undefined;
  return ['Deployment', 'StatefulSet', 'Job'].includes(o.kind) ? spec?.template : undefined;
}

export function workloads(r: Render): { object: K8sObject; template: PodTemplate }[] {
  return r.objects.flatMap((object) => {
    const template = podTemplate(object);
    return template ? [{ object, template }] : [];
  });
}

/** The names of volumeClaimTemplates of a StatefulSet. */
export function claimTemplates(o: K8sObject): string[] {
  const spec = o.spec as { volumeClaimTemplates?: { metadata: { name: string } }[] };
  return (spec.volumeClaimTemplates ?? []).map((t) => t.metadata.name);
}

export function secretData(secret: K8sObject): Record<string, string> {
  const data = (secret.data ?? {}) as Record<string, string>;
  return Object.fromEntries(Object.entries(data).map(([k, v]) => [k, Buffer.from(v, 'base64').toString('utf8')]));
}

export function matches(selector: Record<string, string>, labels: Record<string, string>): boolean {
  return Object.entries(selector).every(([k, v]) => labels[k] === v);
}
