import { configLeaves, envName, loadConfig, type Config } from '../../src/config/index.js';
import { parse as parseYaml } from 'yaml';
import { secretData, writeTemp, type Container, type K8sObject, type PodTemplate, type Render } from './render.js';

// The configuration a Berth container receives: berth.yml from the mounted ConfigMap,
// BERTH_* variables resolved from the rendered (or declared external) Secrets with
// Kubernetes' $(VAR) expansion, and --role from the arguments; loaded by Berth's loader.

/** Keys the chart renders ahead of Berth's schema (issue 4 adds them); Berth ignores them until then. */
export const pendingKeys = new Set([
  // harbor-helm's secretKey: reserved for encrypting stored credentials (replication endpoints), not read yet.
  'secretKey',
]);

export type ExternalSecrets = Record<string, Record<string, string>>;

export interface ReceivedConfig {
  config: Config;
  env: Record<string, string>;
  fileText: string;
}

export function receivedConfig(
  r: Render,
  template: PodTemplate,
  container: Container,
  external: ExternalSecrets = {},
): ReceivedConfig {
  const configArg = container.args?.[container.args.indexOf('--config') + 1];
  if (!configArg) throw new Error(`${container.name} has no --config argument`);
  const mount = container.volumeMounts?.find((m) => configArg.startsWith(m.mountPath + '/'));
  const volume = template.spec.volumes?.find((v) => v.name === mount?.name);
  if (!volume?.configMap) throw new Error(`${configArg} of ${container.name} is not on a ConfigMap volume`);
  const configMap = r.get('ConfigMap', volume.configMap.name);
  const fileText = (configMap.data as Record<string, string>)[configArg.slice(mount!.mountPath.length + 1)];
  if (fileText === undefined) throw new Error(`ConfigMap ${volume.configMap.name} has no ${configArg}`);
  const env = resolveEnv(r, container, external);
  const roleArg = container.args?.includes('--role') ? container.args[container.args.indexOf('--role') + 1] : undefined;
  const config = loadConfig({
    file: writeTemp('berth.yml', fileText),
    env,
    overrides: roleArg ? { role: roleArg } : {},
  });
  return { config, env, fileText };
}

function resolveEnv(r: Render, container: Container, external: ExternalSecrets): Record<string, string> {
  const env: Record<string, string> = {};
  for (const variable of container.env ?? []) {
    if (variable.value !== undefined) {
      // Kubernetes expands $(NAME) from variables defined earlier in the list.
      env[variable.name] = variable.value.replace(
        /\$\(([A-Za-z_][A-Za-z0-9_]*)\)/g,
        (whole, name: string) => env[name] ?? whole,
      );
      continue;
    }
    const ref = variable.valueFrom?.secretKeyRef;
    if (!ref) throw new Error(`env ${variable.name} of ${container.name} has neither value nor secretKeyRef`);
    const rendered = r.find('Secret', ref.name);
    const data = rendered ? secretData(rendered) : external[ref.name];
    if (!data)
      throw new Error(
        `env ${variable.name} of ${container.name} refers to Secret ${ref.name}, neither rendered nor declared external`,
      );
    if (data[ref.key] === undefined)
      throw new Error(`Secret ${ref.name} has no key ${ref.key} (env ${variable.name} of ${container.name})`);
    env[variable.name] = data[ref.key];
  }
  return env;
}

/** Keys of berth.yml and BERTH_* variables that Berth's schema does not know (and are not pending). */
export function unknownKeys(received: ReceivedConfig): string[] {
  const known = new Set(configLeaves().map((leaf) => leaf.path.join('.')));
  const knownEnv = new Map(configLeaves().map((leaf) => [envName(leaf.path), leaf.path.join('.')]));
  const fileKeys = leafPaths(parseYaml(received.fileText) as Record<string, unknown>);
  const unknownFile = fileKeys.filter((key) => !known.has(key) && !pendingKeys.has(key));
  const unknownEnv = Object.keys(received.env)
    .filter((name) => name.startsWith('BERTH_') && !knownEnv.has(name))
    .filter((name) => ![...pendingKeys].some((key) => envName(key.split('.')) === name));
  return [...unknownFile, ...unknownEnv];
}

function leafPaths(value: Record<string, unknown>, prefix: string[] = []): string[] {
  return Object.entries(value).flatMap(([key, child]) =>
    child !== null && typeof child === 'object' && !Array.isArray(child)
      ? leafPaths(child as Record<string, unknown>, [...prefix, key])
      : [[...prefix, key].join('.')],
  );
}

export function berthContainers(r: Render): { object: K8sObject; template: PodTemplate; container: Container }[] {
  return r.objects.flatMap((object) => {
    const template = (object.spec as { template?: PodTemplate } | undefined)?.template;
    if (!template || !['Deployment', 'Job'].includes(object.kind)) return [];
    return template.spec.containers
      .filter((c) => c.command?.[0] === 'berth')
      .map((container) => ({ object, template, container }));
  });
}
