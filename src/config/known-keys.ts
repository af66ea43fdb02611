import { z } from 'zod';

// A misspelt key would otherwise be dropped silently and its default used: every key of
// berth.yml and every BERTH_* variable must be one the schema knows.

/**
 * BERTH_* variables that are not configuration keys but are set legitimately around Berth.
 * BERTH_TEST_* (the test harness) and Kubernetes service links are recognised by pattern below.
 */
const notConfigVariables: Record<string, string> = {
  BERTH_SECRET_KEY: 'the Helm chart passes its secretKey (Harbor values layout) to every container',
  BERTH_PORT: 'deploy/docker/compose.yaml: the published host port',
  BERTH_IMAGE: 'deploy/docker/compose.yaml: the image to run',
  BERTH_URL: 'the portal dev server: the Berth it proxies to',
  BERTH_PORTAL_ROWS: 'the portal paging test: rows it creates',
  BERTH_S3_DIR: 'the storage bench: its local S3 directory',
};

/** Variables Kubernetes injects for a Service named berth-*: BERTH_CORE_SERVICE_HOST, BERTH_CORE_PORT_80_TCP_ADDR, … */
const kubernetesServiceLink =
  /^BERTH_([A-Z0-9_]+_)?(SERVICE_HOST|SERVICE_PORT(_[A-Z0-9_]+)?|PORT_\d+_(TCP|UDP|SCTP)(_(ADDR|PORT|PROTO))?)$/;
/** …and BERTH_CORE_PORT=tcp://10.0.0.1:80: recognised by its value, so a misspelt BERTH_HTPP_PORT=5000 is not. */
const kubernetesPortLink = /^(tcp|udp|sctp):\/\//;

export function isIgnoredVariable(name: string, value: string | undefined): boolean {
  if (name in notConfigVariables || name.startsWith('BERTH_TEST_') || kubernetesServiceLink.test(name)) return true;
  return name.endsWith('_PORT') && kubernetesPortLink.test(value ?? '');
}

/** The dotted paths of every key the schema knows, sections and leaves. */
export function knownKeyPaths(schema: z.ZodType, path: string[] = []): string[] {
  const inner = unwrapObject(schema);
  if (!inner) return [];
  return Object.entries(inner.shape as Record<string, z.ZodType>).flatMap(([key, child]) => [
    [...path, key].join('.'),
    ...knownKeyPaths(child, [...path, key]),
  ]);
}

/** The first key of `value` (at any depth) that the schema does not know, with the nearest known one. */
export function unknownKey(
  schema: z.ZodType,
  value: Record<string, unknown>,
  known: string[] = knownKeyPaths(schema),
  path: string[] = [],
): { key: string; suggestion?: string } | undefined {
  const inner = unwrapObject(schema);
  if (!inner) return undefined;
  const shape = inner.shape as Record<string, z.ZodType>;
  for (const [key, child] of Object.entries(value)) {
    const keyPath = [...path, key];
    if (!(key in shape)) return { key: keyPath.join('.'), suggestion: nearest(keyPath.join('.'), known) };
    if (typeof child === 'object' && child !== null && !Array.isArray(child)) {
      const found = unknownKey(shape[key]!, child as Record<string, unknown>, known, keyPath);
      if (found) return found;
    }
  }
  return undefined;
}

/** The closest candidate by edit distance, if close enough to be a likely typo. */
export function nearest(word: string, candidates: string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of candidates) {
    const distance = editDistance(word.toLowerCase(), candidate.toLowerCase());
    if (distance < bestDistance) [best, bestDistance] = [candidate, distance];
  }
  return bestDistance <= Math.max(2, Math.floor(word.length / 4)) ? best : undefined;
}

/** Levenshtein distance, one row at a time. */
function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++)
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    previous = current;
  }
  return previous[b.length]!;
}

function unwrapObject(schema: z.ZodType): z.ZodObject | undefined {
  let current: z.ZodType = schema;
  for (;;) {
    if (current instanceof z.ZodDefault || current instanceof z.ZodPrefault || current instanceof z.ZodOptional)
      current = current.unwrap() as z.ZodType;
    else if (current instanceof z.ZodPipe) current = current.in as z.ZodType;
    else return current instanceof z.ZodObject ? current : undefined;
  }
}
