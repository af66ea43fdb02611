import { BerthError } from '../../shared/errors.js';

// Project metadata: string values keyed by Harbor's names (src/pkg/project/models/pro_meta.go).
// Stored now, read by later features (scan on push, pull blocking, cosign enforcement).

export type Metadata = Record<string, string>;

const booleanKeys = new Set([
  'public',
  'enable_content_trust',
  'enable_content_trust_cosign',
  'prevent_vul',
  'auto_scan',
  'auto_sbom_generation',
  'reuse_sys_cve_allowlist',
]);

const severities = new Set(['none', 'low', 'medium', 'high', 'critical']);

/** The keys Berth stores; a project request's other keys (proxy-cache settings) are ignored, as Harbor does for non-proxy projects. */
export const metadataKeys: readonly string[] = [...booleanKeys, 'severity'];

export function isMetadataKey(key: string): boolean {
  return booleanKeys.has(key) || key === 'severity';
}

// Go's strconv.ParseBool, which Harbor's metadata API uses.
const truthy = new Set(['1', 't', 'T', 'TRUE', 'true', 'True']);
const falsy = new Set(['0', 'f', 'F', 'FALSE', 'false', 'False']);

/** The canonical stored value of `key`, or a 400 naming what is wrong. */
export function normalizeMetadata(key: string, value: unknown): string {
  if (!isMetadataKey(key))
    throw new BerthError('BAD_REQUEST', `invalid key: ${key.slice(0, 100)}; allowed: ${metadataKeys.join(', ')}`);
  if (booleanKeys.has(key)) {
    if (typeof value === 'boolean') return String(value);
    if (typeof value === 'string' && truthy.has(value)) return 'true';
    if (typeof value === 'string' && falsy.has(value)) return 'false';
    throw new BerthError(
      'BAD_REQUEST',
      `invalid value of ${key}: ${String(value).slice(0, 100)}; expected "true" or "false"`,
    );
  }
  const severity = typeof value === 'string' ? value.toLowerCase() : '';
  if (!severities.has(severity)) {
    throw new BerthError(
      'BAD_REQUEST',
      `invalid value of severity: ${String(value).slice(0, 100)}; expected one of ${[...severities].join(', ')}`,
    );
  }
  return severity;
}

/**
 * The metadata of a ProjectReq: known keys normalised, null values skipped, unknown
 * keys dropped; a non-empty retention_id is refused as Harbor does.
 */
export function metadataFromRequest(input: unknown): Metadata {
  if (input === undefined || input === null) return {};
  if (typeof input !== 'object' || Array.isArray(input))
    throw new BerthError('BAD_REQUEST', 'metadata must be an object of strings');
  const out: Metadata = {};
  for (const [key, value] of Object.entries(input as Record<string, unknown>)) {
    if (value === null || value === undefined) continue;
    if (key === 'retention_id') {
      if (value !== '')
        throw new BerthError(
          'BAD_REQUEST',
          "the retention_id in the request's payload should be omitted, alternatively passing an empty string",
        );
      continue;
    }
    if (!isMetadataKey(key)) continue;
    out[key] = normalizeMetadata(key, value);
  }
  return out;
}
