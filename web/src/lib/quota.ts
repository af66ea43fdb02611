// Storage sizes as Harbor's quota pages show and edit them: binary units, one decimal, -1 for unlimited.

/** Harbor's "unlimited" hard limit. */
export const unlimited = -1;

const sizeUnits = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];

/** 1288490188 → "1.2 GiB"; whole bytes below 1 KiB ("512 B"). */
export function formatSize(bytes: number): string {
  if (!Number.isFinite(bytes) || bytes < 0) return '-';
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < sizeUnits.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${value} B` : `${Number(value.toFixed(1))} ${sizeUnits[unit]}`;
}

/** The units Harbor's quota dialogs offer. */
export const quotaUnits = { MiB: 1024 ** 2, GiB: 1024 ** 3, TiB: 1024 ** 4 } as const;
export type QuotaUnit = keyof typeof quotaUnits;

export function isQuotaUnit(value: string): value is QuotaUnit {
  return Object.hasOwn(quotaUnits, value);
}

/** What a quota dialog edits: a number and a unit, or unlimited. */
export interface QuotaDraft {
  unlimited: boolean;
  amount: number | '';
  unit: QuotaUnit;
}

/** A hard limit in bytes as the dialog shows it: the largest unit it is a whole number of (else MiB). */
export function quotaDraft(bytes: number | undefined): QuotaDraft {
  if (bytes === undefined || bytes < 0) return { unlimited: true, amount: '', unit: 'GiB' };
  const units = (Object.keys(quotaUnits) as QuotaUnit[]).reverse();
  const unit = units.find((u) => bytes >= quotaUnits[u] && bytes % quotaUnits[u] === 0) ?? 'MiB';
  return { unlimited: false, amount: Number((bytes / quotaUnits[unit]).toFixed(2)), unit };
}

/** The draft in bytes (-1 when unlimited); undefined while the number is missing. */
export function quotaBytes(draft: QuotaDraft): number | undefined {
  // Harbor's dialogs take -1 typed in the number as unlimited too.
  if (draft.unlimited || draft.amount === unlimited) return unlimited;
  if (draft.amount === '' || draft.amount < 0) return undefined;
  return Math.round(draft.amount * quotaUnits[draft.unit]);
}

export type UsageLevel = 'normal' | 'warning' | 'danger';

/** Harbor colours a quota orange from 85% used and red from 100%; an unlimited quota stays normal. */
export function usageLevel(used: number, hard: number): UsageLevel {
  if (hard < 0) return 'normal';
  if (hard === 0) return used > 0 ? 'danger' : 'normal';
  const ratio = used / hard;
  return ratio >= 1 ? 'danger' : ratio >= 0.85 ? 'warning' : 'normal';
}

/** Used as a percentage of the hard limit, 0 to 100 (0 when unlimited). */
export function usagePercent(used: number, hard: number): number {
  if (hard < 0) return 0;
  if (hard === 0) return used > 0 ? 100 : 0;
  return Math.min(100, (used / hard) * 100);
}

/** The value of an integer configuration item ({value, editable}), such as storage_per_project. */
export function configuredNumber(item: unknown): number | undefined {
  if (typeof item !== 'object' || item === null || !('value' in item)) return undefined;
  return typeof item.value === 'number' ? item.value : undefined;
}
