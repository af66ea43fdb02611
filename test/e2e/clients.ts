import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { adminCredentials } from '../helpers/berth.js';
import { exec } from '../helpers/tools.js';

// Settings shared by the containers/image clients (skopeo, buildah, podman), kept inside the
// test's temporary directory so that no test reads or changes the machine's configuration.

/** Writes a signature policy that accepts anything (the Debian default, which a host may have changed). */
export function writePolicy(dir: string): string {
  const path = join(dir, 'policy.json');
  writeFileSync(path, JSON.stringify({ default: [{ type: 'insecureAcceptAnything' }] }));
  return path;
}

/** Writes a registries.conf with no mirrors, no search registries and no insecure entries. */
export function writeRegistriesConf(dir: string): string {
  const path = join(dir, 'registries.conf');
  writeFileSync(path, 'unqualified-search-registries = []\n');
  return path;
}

/** Environment that points containers/image at the test's registries.conf. */
export function containersEnv(workDir: string): NodeJS.ProcessEnv {
  return { CONTAINERS_REGISTRIES_CONF: writeRegistriesConf(workDir) };
}

/** Runs skopeo with the test's own signature policy and registries.conf; resolves with stdout. */
export function skopeoIn(workDir: string): (args: string[]) => Promise<string> {
  const policy = writePolicy(workDir);
  const env = containersEnv(workDir);
  return async (args) => (await exec('skopeo', ['--policy', policy, ...args], { env })).stdout;
}

/** A containers/storage image store under `dir` (vfs: no kernel overlay support needed). */
function storageFlags(dir: string): string[] {
  mkdirSync(join(dir, 'root'), { recursive: true });
  return ['--storage-driver', 'vfs', '--root', join(dir, 'root'), '--runroot', join(dir, 'runroot')];
}

/**
 * Runs buildah with its image store in `workDir/buildah`. Commands that pull or push also
 * need `--signature-policy <policy>` (hidden in buildah 1.28's help, still accepted).
 */
export function buildahIn(workDir: string): { buildah: (args: string[]) => Promise<string>; policy: string } {
  const flags = storageFlags(join(workDir, 'buildah'));
  const env = containersEnv(workDir);
  return {
    buildah: async (args) => (await exec('buildah', [...flags, ...args], { env })).stdout,
    policy: writePolicy(workDir),
  };
}

/**
 * Runs podman with its image store and state in `workDir/podman`. No container runs, so no
 * cgroups, events journal or network are needed: the flags keep podman off the host's.
 */
export function podmanIn(workDir: string): { podman: (args: string[]) => Promise<string>; policy: string } {
  const dir = join(workDir, 'podman');
  const flags = [
    ...storageFlags(dir),
    '--tmpdir',
    join(dir, 'tmp'),
    '--network-config-dir',
    join(dir, 'networks'),
    '--events-backend=file',
    '--cgroup-manager=cgroupfs',
  ];
  const env = containersEnv(workDir);
  return {
    podman: async (args) => (await exec('podman', [...flags, ...args], { env })).stdout,
    policy: writePolicy(workDir),
  };
}

/** skopeo's arguments to push `tag` of an OCI layout to `host/target` as admin, digests kept. */
export function skopeoPushArgs(layout: string, tag: string, host: string, target: string): string[] {
  return [
    'copy',
    '--preserve-digests',
    '--dest-tls-verify=false',
    '--dest-creds',
    adminCredentials,
    `oci:${layout}:${tag}`,
    `docker://${host}/${target}`,
  ];
}
