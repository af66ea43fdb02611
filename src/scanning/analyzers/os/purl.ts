// Package URLs (https://github.com/package-url/purl-spec) for the distributions' packages.

/** Percent-encodes a purl component as packageurl-python does: everything but unreserved characters and ':'. */
function encodeComponent(text: string): string {
  return encodeURIComponent(text).replace(/%3A/gi, ':');
}

/**
 * `pkg:<type>/<namespace>/<name>@<version>?<qualifiers>`, qualifiers sorted by key and empty
 * ones left out, as the spec's canonical form asks.
 */
export function packageUrl(parts: {
  type: string;
  namespace?: string;
  name: string;
  version: string;
  qualifiers?: Record<string, string | undefined>;
}): string {
  const namespace = parts.namespace ? `${encodeComponent(parts.namespace.toLowerCase())}/` : '';
  const qualifiers = Object.entries(parts.qualifiers ?? {})
    .filter((entry): entry is [string, string] => entry[1] !== undefined && entry[1] !== '')
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([key, value]) => `${key}=${encodeComponent(value)}`);
  const query = qualifiers.length > 0 ? `?${qualifiers.join('&')}` : '';
  return `pkg:${parts.type}/${namespace}${encodeComponent(parts.name)}@${encodeComponent(parts.version)}${query}`;
}
