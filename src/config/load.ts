import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { configSchema, type ParsedConfig } from './schema.js';
import { isIgnoredVariable, nearest, unknownKey } from './known-keys.js';

/** The resolved configuration: defaults that depend on other keys are filled in. */
export interface Config extends ParsedConfig {
  externalURL: string;
  database: ParsedConfig['database'] & { url: string };
  storage: ParsedConfig['storage'] & { filesystem: { rootdirectory: string } };
}

export class ConfigError extends Error {
  override name = 'ConfigError';
}

export interface LoadOptions {
  /** Path of a berth.yml; missing = defaults only. */
  file?: string;
  env?: NodeJS.ProcessEnv;
  /** CLI flags, which win over file and environment. */
  overrides?: Record<string, unknown>;
}

export function loadConfig(options: LoadOptions = {}): Config {
  const fromFile = options.file ? readConfigFile(options.file) : {};
  const env = options.env ?? process.env;
  checkKnownKeys(deepMerge(fromFile, options.overrides ?? {}), env);
  const merged = deepMerge(deepMerge(fromFile, envOverrides(env)), options.overrides ?? {});
  const result = configSchema.safeParse(merged);
  if (!result.success) {
    const issue = result.error.issues[0];
    const path = issue.path.map(String);
    const key = path.join('.') || '(root)';
    // Name the environment variable only when there is one: leaves, not whole sections.
    // An item of a list (http.trustedProxies.0) comes from its list's variable.
    const leafPath = path.filter((part, i) => i === 0 || !/^\d+$/.test(part));
    const isLeaf = configLeaves().some((leaf) => leaf.path.join('.') === leafPath.join('.'));
    throw new ConfigError(
      `invalid configuration: ${key}: ${issue.message}${isLeaf ? ` (env ${envName(leafPath)})` : ''}`,
    );
  }
  return resolveDefaults(result.data);
}

/** A misspelt key or variable stops the start, naming the nearest valid one. */
function checkKnownKeys(input: Record<string, unknown>, env: NodeJS.ProcessEnv): void {
  const unknown = unknownKey(configSchema, input);
  if (unknown)
    throw new ConfigError(
      `invalid configuration: ${unknown.key}: unknown key${unknown.suggestion ? `; did you mean ${unknown.suggestion}?` : ''}`,
    );
  const variables = configLeaves().map((leaf) => envName(leaf.path));
  for (const name of Object.keys(env).sort()) {
    if (!name.startsWith('BERTH_') || variables.includes(name) || isIgnoredVariable(name, env[name])) continue;
    const suggestion = nearest(name, variables);
    throw new ConfigError(
      `invalid configuration: ${name}: unknown variable${suggestion ? `; did you mean ${suggestion}?` : ''}`,
    );
  }
}

function resolveDefaults(parsed: ParsedConfig): Config {
  const dataDir = resolve(parsed.dataDir);
  return {
    ...parsed,
    dataDir,
    externalURL: (
      parsed.externalURL ?? `${parsed.tls.certificate ? 'https' : 'http'}://localhost:${parsed.http.port}`
    ).replace(/\/+$/, ''),
    database: { ...parsed.database, url: parsed.database.url ?? `sqlite://${resolve(dataDir, 'berth.db')}` },
    storage: {
      ...parsed.storage,
      filesystem: { rootdirectory: resolve(parsed.storage.filesystem.rootdirectory ?? resolve(dataDir, 'storage')) },
    },
  };
}

function readConfigFile(file: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new ConfigError(`cannot read config file ${file}: ${(err as Error).message}`);
  }
  let data: unknown;
  try {
    data = parseYaml(text);
  } catch (err) {
    throw new ConfigError(`config file ${file} is not valid YAML: ${(err as Error).message.split('\n')[0]}`);
  }
  if (data === null || data === undefined) return {};
  if (typeof data !== 'object' || Array.isArray(data))
    throw new ConfigError(`config file ${file} must hold a YAML mapping`);
  return data as Record<string, unknown>;
}

/** `externalURL` → `EXTERNAL_URL`, `storage.s3.accesskey` → `STORAGE_S3_ACCESSKEY`. */
export function envName(path: string[]): string {
  return 'BERTH_' + path.map((part) => part.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toUpperCase()).join('_');
}

type Leaf = { path: string[]; kind: 'string' | 'number' | 'boolean' | 'list' };

/** Every leaf key of the schema with its scalar kind, for mapping env variables. */
export function configLeaves(schema: z.ZodType = configSchema, path: string[] = []): Leaf[] {
  const inner = unwrap(schema);
  if (inner instanceof z.ZodObject) {
    return Object.entries(inner.shape as Record<string, z.ZodType>).flatMap(([key, child]) =>
      configLeaves(child, [...path, key]),
    );
  }
  const kind =
    inner instanceof z.ZodNumber
      ? 'number'
      : inner instanceof z.ZodBoolean
        ? 'boolean'
        : inner instanceof z.ZodArray
          ? 'list'
          : 'string';
  return [{ path, kind }];
}

function unwrap(schema: z.ZodType): z.ZodType {
  let current: z.ZodType = schema;
  for (;;) {
    if (current instanceof z.ZodDefault || current instanceof z.ZodPrefault || current instanceof z.ZodOptional) {
      current = current.unwrap() as z.ZodType;
    } else if (current instanceof z.ZodPipe) {
      current = current.in as z.ZodType;
    } else {
      return current;
    }
  }
}

function envOverrides(env: NodeJS.ProcessEnv): Record<string, unknown> {
  const result: Record<string, unknown> = {};
  for (const leaf of configLeaves()) {
    const raw = env[envName(leaf.path)];
    if (raw === undefined || raw === '') continue;
    setPath(result, leaf.path, coerce(raw, leaf));
  }
  return result;
}

function coerce(raw: string, leaf: Leaf): unknown {
  if (leaf.kind === 'number') {
    const value = Number(raw);
    if (!/^\s*-?\d+(\.\d+)?\s*$/.test(raw) || !Number.isFinite(value))
      throw new ConfigError(
        `invalid configuration: ${leaf.path.join('.')}: "${raw}" is not a number (env ${envName(leaf.path)})`,
      );
    return value;
  }
  // A list in one variable: comma-separated, spaces around items ignored.
  if (leaf.kind === 'list')
    return raw
      .split(',')
      .map((item) => item.trim())
      .filter((item) => item !== '');
  if (leaf.kind === 'boolean') {
    if (/^(true|1|yes)$/i.test(raw)) return true;
    if (/^(false|0|no)$/i.test(raw)) return false;
    throw new ConfigError(
      `invalid configuration: ${leaf.path.join('.')}: "${raw}" is not true or false (env ${envName(leaf.path)})`,
    );
  }
  return raw;
}

export function setPath(target: Record<string, unknown>, path: string[], value: unknown): void {
  let node = target;
  for (const key of path.slice(0, -1)) {
    const next = node[key];
    if (typeof next !== 'object' || next === null) node[key] = {};
    node = node[key] as Record<string, unknown>;
  }
  node[path[path.length - 1]] = value;
}

function deepMerge(base: Record<string, unknown>, over: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(over)) {
    const prev = out[key];
    out[key] = isPlainObject(prev) && isPlainObject(value) ? deepMerge(prev, value) : value;
  }
  return out;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
