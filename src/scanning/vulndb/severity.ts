import { severities, type Severity } from '../model.js';
import { cvss2BaseScore, cvss3BaseScore } from './cvss.js';
import type { OsvAdvisory, OsvSeverity } from './osv.js';

// An advisory's severity as Harbor shows it: from its CVSS v3 base score when it gives a
// vector (Harbor's bands: None 0, Low 0.1-3.9, Medium 4-6.9, High 7-8.9, Critical 9-10), else
// from CVSS v2, else from the words the source database uses (GHSA's database_specific, Debian's
// urgency, Ubuntu's priority), else Unknown. CVSS v4 vectors are not scored: their base score
// needs the specification's macro-vector table; an advisory with only v4 falls to the words.

export interface AdvisorySeverity {
  severity: Severity;
  cvss: { scoreV3?: number; vectorV3?: string; scoreV2?: number; vectorV2?: string };
}

/** Harbor's band for a CVSS v3 base score. */
export function severityOfScore(score: number): Severity {
  if (score === 0) return 'None';
  if (score < 4) return 'Low';
  if (score < 7) return 'Medium';
  if (score < 9) return 'High';
  return 'Critical';
}

/** NVD's CVSS v2 bands (v2 has no Critical). */
function severityOfV2Score(score: number): Severity {
  if (score === 0) return 'None';
  return score < 4 ? 'Low' : score < 7 ? 'Medium' : 'High';
}

const words: Record<string, Severity> = {
  none: 'None',
  negligible: 'Low',
  unimportant: 'Low',
  low: 'Low',
  medium: 'Medium',
  moderate: 'Medium',
  high: 'High',
  important: 'High',
  critical: 'Critical',
  'not yet assigned': 'Unknown',
  untriaged: 'Unknown',
};

/** A severity word ('MODERATE', Debian's 'low**', 'not yet assigned'); undefined when not one. */
export function severityOfWord(word: string): Severity | undefined {
  return words[word.trim().toLowerCase().replace(/\*+$/, '')];
}

function wordsOf(advisory: OsvAdvisory): string[] {
  const found: string[] = [];
  const push = (value: unknown) => typeof value === 'string' && found.push(value);
  push(advisory.database_specific?.severity);
  for (const affected of advisory.affected) {
    push(affected.ecosystem_specific?.severity);
    push(affected.ecosystem_specific?.urgency);
    push(affected.database_specific?.severity);
  }
  for (const s of allSeverities(advisory)) if (s.type === 'Ubuntu') push(s.score);
  return found;
}

function allSeverities(advisory: OsvAdvisory): OsvSeverity[] {
  return [...advisory.severity, ...advisory.affected.flatMap((a) => a.severity ?? [])];
}

/** Scores the advisory's CVSS vectors (the first valid of each version) and picks its severity. */
export function advisorySeverity(advisory: OsvAdvisory): AdvisorySeverity {
  const cvss: AdvisorySeverity['cvss'] = {};
  for (const { type, score: vector } of allSeverities(advisory)) {
    if (type === 'CVSS_V3' && cvss.scoreV3 === undefined) {
      const score = cvss3BaseScore(vector);
      if (score !== undefined) Object.assign(cvss, { scoreV3: score, vectorV3: vector });
    } else if (type === 'CVSS_V2' && cvss.scoreV2 === undefined) {
      const score = cvss2BaseScore(vector);
      if (score !== undefined) Object.assign(cvss, { scoreV2: score, vectorV2: vector });
    }
  }
  if (cvss.scoreV3 !== undefined) return { severity: severityOfScore(cvss.scoreV3), cvss };
  if (cvss.scoreV2 !== undefined) return { severity: severityOfV2Score(cvss.scoreV2), cvss };
  // The most severe word any part of the record gives ('Unknown' ranks below every known one).
  let severity: Severity = 'Unknown';
  for (const word of wordsOf(advisory)) {
    const s = severityOfWord(word);
    if (s && rank(s) > rank(severity)) severity = s;
  }
  return { severity, cvss };
}

/** Severities by rank, lowest first, as model.ts lists them. */
export function rank(severity: Severity): number {
  return severities.indexOf(severity);
}
