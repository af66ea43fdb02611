import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
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
