import type { MessageKey } from '../../i18n/en';

// Harbor's severities, most severe first, with the colours its severity bar gives them.

export const severities = ['Critical', 'High', 'Medium', 'Low', 'Unknown'] as const;
export type Severity = (typeof severities)[number];

export const severityColor: Record<Severity, string> = {
  Critical: 'red.9',
  High: 'red.6',
  Medium: 'orange.5',
  Low: 'yellow.4',
  Unknown: 'gray.5',
};

export function isSeverity(value: string | undefined): value is Severity {
  return (severities as readonly string[]).includes(value ?? '');
}

/** Unknown for anything the list does not name (Negligible, None, a scanner's own word). */
export function severityOf(value: string | undefined): Severity {
  return isSeverity(value) ? value : 'Unknown';
}

/** 0 for Critical, up to 4 for Unknown: sorting by it puts the most severe first. */
export function severityRank(value: string | undefined): number {
  return severities.indexOf(severityOf(value));
}

export function severityKey(severity: Severity): MessageKey {
  return `scan.severity.${severity}`;
}
