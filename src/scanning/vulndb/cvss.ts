// CVSS base scores from vector strings: v3.0/v3.1 per FIRST's specification (section 7.1, the
// base equations, and Appendix A's Roundup) and v2 per the v2 guide (section 3.2.1). Temporal
// and environmental metrics in a vector are ignored: Harbor reports base scores.

export interface CvssScore {
  score: number;
  vector: string;
}

/** Splits 'AV:N/AC:L/…' into metric → value; undefined when a part is not metric:value. */
function metrics(parts: string[]): Map<string, string> | undefined {
  const map = new Map<string, string>();
  for (const part of parts) {
    const [key, value, extra] = part.split(':');
    if (!key || !value || extra !== undefined || map.has(key)) return undefined;
    map.set(key, value);
  }
  return map;
}

const v3Weights = {
  AV: { N: 0.85, A: 0.62, L: 0.55, P: 0.2 },
  AC: { L: 0.77, H: 0.44 },
  UI: { N: 0.85, R: 0.62 },
  CIA: { H: 0.56, L: 0.22, N: 0 },
} as const;

// Privileges Required weighs more when the scope changes (specification, table 16).
const v3Privileges = { U: { N: 0.85, L: 0.62, H: 0.27 }, C: { N: 0.85, L: 0.68, H: 0.5 } } as const;

function weight<T extends Record<string, number>>(table: T, value: string | undefined): number | undefined {
  return value !== undefined && Object.hasOwn(table, value) ? table[value as keyof T] : undefined;
}

/** CVSS v3.1 Appendix A: the smallest one-decimal number ≥ input, robust to floating-point error. */
function roundUp31(value: number): number {
  const integer = Math.round(value * 100000);
  return integer % 10000 === 0 ? integer / 100000 : (Math.floor(integer / 10000) + 1) / 10;
}

/** CVSS v3.0 section 7.1: Roundup as the specification first defined it. */
function roundUp30(value: number): number {
  return Math.ceil(value * 10) / 10;
}

/** The base score of a CVSS v3.0 or v3.1 vector ('CVSS:3.1/AV:N/…'); undefined when it is not one. */
export function cvss3BaseScore(vector: string): number | undefined {
  const [prefix, ...parts] = vector.trim().split('/');
  if (prefix !== 'CVSS:3.0' && prefix !== 'CVSS:3.1') return undefined;
  const m = metrics(parts);
  if (!m) return undefined;
  const scope = m.get('S');
  if (scope !== 'U' && scope !== 'C') return undefined;
  const av = weight(v3Weights.AV, m.get('AV'));
  const ac = weight(v3Weights.AC, m.get('AC'));
  const pr = weight(v3Privileges[scope], m.get('PR'));
  const ui = weight(v3Weights.UI, m.get('UI'));
  const c = weight(v3Weights.CIA, m.get('C'));
  const i = weight(v3Weights.CIA, m.get('I'));
  const a = weight(v3Weights.CIA, m.get('A'));
  if (av === undefined || ac === undefined || pr === undefined || ui === undefined) return undefined;
  if (c === undefined || i === undefined || a === undefined) return undefined;
  const iss = 1 - (1 - c) * (1 - i) * (1 - a);
  const impact = scope === 'U' ? 6.42 * iss : 7.52 * (iss - 0.029) - 3.25 * Math.pow(iss - 0.02, 15);
  const exploitability = 8.22 * av * ac * pr * ui;
  if (impact <= 0) return 0;
  const roundUp = prefix === 'CVSS:3.1' ? roundUp31 : roundUp30;
  return scope === 'U'
    ? roundUp(Math.min(impact + exploitability, 10))
    : roundUp(Math.min(1.08 * (impact + exploitability), 10));
}

const v2Weights = {
  AV: { L: 0.395, A: 0.646, N: 1.0 },
  AC: { H: 0.35, M: 0.61, L: 0.71 },
  Au: { M: 0.45, S: 0.56, N: 0.704 },
  CIA: { N: 0, P: 0.275, C: 0.66 },
} as const;

/** The base score of a CVSS v2 vector ('AV:N/AC:L/Au:N/C:P/I:P/A:P', optionally '(…)'-wrapped); undefined when it is not one. */
export function cvss2BaseScore(vector: string): number | undefined {
  const body = vector
    .trim()
    .replace(/^\((.*)\)$/, '$1')
    .replace(/^CVSS:2\.0\//, '');
  const m = metrics(body.split('/'));
  if (!m) return undefined;
  const av = weight(v2Weights.AV, m.get('AV'));
  const ac = weight(v2Weights.AC, m.get('AC'));
  const au = weight(v2Weights.Au, m.get('Au'));
  const c = weight(v2Weights.CIA, m.get('C'));
  const i = weight(v2Weights.CIA, m.get('I'));
  const a = weight(v2Weights.CIA, m.get('A'));
  if (av === undefined || ac === undefined || au === undefined) return undefined;
  if (c === undefined || i === undefined || a === undefined) return undefined;
  const impact = 10.41 * (1 - (1 - c) * (1 - i) * (1 - a));
  const exploitability = 20 * av * ac * au;
  const f = impact === 0 ? 0 : 1.176;
  // round_to_1_decimal; the epsilon keeps x.x5 computed as x.x4999… rounding up as the guide's tables do.
  return Math.round((0.6 * impact + 0.4 * exploitability - 1.5) * f * 10 + 1e-9) / 10;
}
