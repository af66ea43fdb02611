import { assertHarborSchema } from './harbor-schema.js';

// Harbor's swagger types every ExtraAttrs value as an object, yet Harbor itself sends
// strings there ("architecture": "amd64", a chart's "version"); Berth sends what Harbor
// sends, so extra_attrs is checked by the tests themselves and the rest by the schema.

function withoutExtraAttrs(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutExtraAttrs);
  if (typeof value === 'object' && value !== null && 'extra_attrs' in value) return { ...value, extra_attrs: {} };
  return value;
}

export function assertArtifactSchema(method: string, template: string, status: number, body: unknown): void {
  assertHarborSchema(method, template, status, withoutExtraAttrs(body));
}
