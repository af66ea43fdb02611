// The parts of an OSV record (https://ossf.github.io/osv-schema/) the database keeps, and the
// validation of an imported record against the schema's essentials: a record that fails is
// skipped with its reason, never half-imported.

export type RangeType = 'ECOSYSTEM' | 'SEMVER' | 'GIT';

/** One event of a range: exactly one of the four keys (schema: "Only a single type … in each event"). */
export type OsvEvent = { introduced: string } | { fixed: string } | { last_affected: string } | { limit: string };

export interface OsvRange {
  type: RangeType;
  events: OsvEvent[];
}

export interface OsvSeverity {
  type: string;
  score: string;
}

export interface OsvAffected {
  package: { ecosystem: string; name: string; purl?: string };
  severity?: OsvSeverity[];
  ranges: OsvRange[];
  versions: string[];
  ecosystem_specific?: Record<string, unknown>;
  database_specific?: Record<string, unknown>;
}

export interface OsvAdvisory {
  id: string;
  modified: string;
  published?: string;
  withdrawn?: string;
  /** `aliases` and `upstream` (the CVEs a distribution's advisory fixes). */
  aliases: string[];
  summary: string;
  details: string;
  severity: OsvSeverity[];
  affected: OsvAffected[];
  references: { type?: string; url: string }[];
  database_specific?: Record<string, unknown>;
}

export class InvalidAdvisory extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InvalidAdvisory';
  }
}

const rangeTypes = new Set<string>(['ECOSYSTEM', 'SEMVER', 'GIT']);
const eventKeys = ['introduced', 'fixed', 'last_affected', 'limit'] as const;

type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

function requireString(record: Json, key: string, where: string): string {
  const value = record[key];
  if (typeof value !== 'string' || value === '') throw new InvalidAdvisory(`${where}${key} is missing or not a string`);
  return value;
}

function optionalString(record: Json, key: string, where: string): string | undefined {
  const value = record[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw new InvalidAdvisory(`${where}${key} is not a string`);
  return value;
}

function stringList(record: Json, key: string, where: string): string[] {
  const value = record[key];
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value) || !value.every((v) => typeof v === 'string'))
    throw new InvalidAdvisory(`${where}${key} is not a list of strings`);
  return value as string[];
}

function optionalObject(record: Json, key: string): Json | undefined {
  const value = record[key];
  return isObject(value) ? value : undefined;
}

function timestamp(record: Json, key: string, required: boolean): string | undefined {
  const value = required ? requireString(record, key, '') : optionalString(record, key, '');
  if (value === undefined) return undefined;
  const time = Date.parse(value);
  if (Number.isNaN(time)) throw new InvalidAdvisory(`${key} is not an RFC 3339 time: "${value.slice(0, 40)}"`);
  return new Date(time).toISOString();
}

function parseEvent(value: unknown, where: string): OsvEvent {
  if (!isObject(value)) throw new InvalidAdvisory(`${where} is not an object`);
  const keys = eventKeys.filter((k) => value[k] !== undefined);
  if (keys.length !== 1) throw new InvalidAdvisory(`${where} must have exactly one of ${eventKeys.join(', ')}`);
  const key = keys[0]!;
  const version = requireString(value, key, `${where}.`);
  return { [key]: version } as OsvEvent;
}

function parseRange(value: unknown, where: string): OsvRange {
  if (!isObject(value)) throw new InvalidAdvisory(`${where} is not an object`);
  const type = requireString(value, 'type', `${where}.`);
  if (!rangeTypes.has(type))
    throw new InvalidAdvisory(`${where}.type "${type.slice(0, 40)}" is not ECOSYSTEM, SEMVER or GIT`);
  const events = value.events;
  if (!Array.isArray(events) || events.length === 0) throw new InvalidAdvisory(`${where}.events is missing or empty`);
  const parsed = events.map((e, i) => parseEvent(e, `${where}.events[${i}]`));
  if (!parsed.some((e) => 'introduced' in e)) throw new InvalidAdvisory(`${where}.events has no introduced event`);
  return { type: type as RangeType, events: parsed };
}

function parseSeverities(record: Json, where: string): OsvSeverity[] {
  const value = record.severity;
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw new InvalidAdvisory(`${where}severity is not a list`);
  return value.map((s, i) => {
    if (!isObject(s)) throw new InvalidAdvisory(`${where}severity[${i}] is not an object`);
    return {
      type: requireString(s, 'type', `${where}severity[${i}].`),
      score: requireString(s, 'score', `${where}severity[${i}].`),
    };
  });
}

function parseAffected(value: unknown, where: string): OsvAffected {
  if (!isObject(value)) throw new InvalidAdvisory(`${where} is not an object`);
  const pkg = value.package;
  if (!isObject(pkg)) throw new InvalidAdvisory(`${where}.package is missing`);
  const ranges = value.ranges ?? [];
  if (!Array.isArray(ranges)) throw new InvalidAdvisory(`${where}.ranges is not a list`);
  return {
    package: {
      ecosystem: requireString(pkg, 'ecosystem', `${where}.package.`),
      name: requireString(pkg, 'name', `${where}.package.`),
      purl: optionalString(pkg, 'purl', `${where}.package.`),
    },
    severity: parseSeverities(value, `${where}.`),
    ranges: ranges.map((r, i) => parseRange(r, `${where}.ranges[${i}]`)),
    versions: stringList(value, 'versions', `${where}.`),
    ecosystem_specific: optionalObject(value, 'ecosystem_specific'),
    database_specific: optionalObject(value, 'database_specific'),
  };
}

function parseReferences(record: Json): OsvAdvisory['references'] {
  const value = record.references;
  if (!Array.isArray(value)) return [];
  return value.flatMap((r) =>
    isObject(r) && typeof r.url === 'string'
      ? [{ url: r.url, type: typeof r.type === 'string' ? r.type : undefined }]
      : [],
  );
}

/** Checks a parsed JSON document against OSV's essentials; throws InvalidAdvisory saying what is wrong. */
export function parseAdvisory(document: unknown): OsvAdvisory {
  if (!isObject(document)) throw new InvalidAdvisory('not a JSON object');
  const id = requireString(document, 'id', '');
  try {
    const affected = document.affected ?? [];
    if (!Array.isArray(affected)) throw new InvalidAdvisory('affected is not a list');
    return {
      id,
      modified: timestamp(document, 'modified', true)!,
      published: timestamp(document, 'published', false),
      withdrawn: timestamp(document, 'withdrawn', false),
      // Red Hat's records name the CVEs they fix in `upstream` (schema 1.7), not in `aliases`.
      aliases: [...new Set([...stringList(document, 'aliases', ''), ...stringList(document, 'upstream', '')])],
      summary: optionalString(document, 'summary', '') ?? '',
      details: optionalString(document, 'details', '') ?? '',
      severity: parseSeverities(document, ''),
      affected: affected.map((a, i) => parseAffected(a, `affected[${i}]`)),
      references: parseReferences(document),
      database_specific: optionalObject(document, 'database_specific'),
    };
  } catch (err) {
    if (err instanceof InvalidAdvisory) throw new InvalidAdvisory(`${id.slice(0, 80)}: ${err.message}`);
    throw err;
  }
}
