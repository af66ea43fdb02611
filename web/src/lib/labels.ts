import type { Label } from '../api/types';

// Labels as the portal edits and shows them: a name, a description and a #RRGGBB color,
// global (scope g) or one project's (scope p).

/** Where a label lives: the system (global) or one project. */
export type LabelOwner = { scope: 'g' } | { scope: 'p'; projectId: number };

/** Harbor's label palette (its portal's LabelColor): greys, blues, purples, greens, reds and oranges. */
// prettier-ignore
export const labelPalette = [
  '#000000', '#61717D', '#737373', '#80746D', '#FFFFFF', '#A9B6BE', '#DDDDDD', '#BBB3A9',
  '#0065AB', '#343DAC', '#781DA0', '#9B0D54', '#0095D3', '#9DA3DB', '#BE90D6', '#F1428A',
  '#1D5100', '#006668', '#006690', '#004A70', '#48960C', '#00AB9A', '#00B7D6', '#0081A7',
  '#C92100', '#CD3517', '#C25400', '#D28F00', '#F52F52', '#FF5501', '#F57600', '#FFDC0B',
] as const;

export const defaultLabelColor = '#0065AB';

/** The API takes #RRGGBB. */
export function isHexColor(color: string): boolean {
  return /^#[0-9a-fA-F]{6}$/.test(color);
}

/** What a user types as a custom color: "c92100" or "#c92100" is #C92100. */
export function cleanColor(input: string): string {
  const trimmed = input.trim();
  return (trimmed.startsWith('#') ? trimmed : `#${trimmed}`).toUpperCase();
}

/** Black or white, whichever reads better on `color` (WCAG relative luminance); undefined for no color. */
export function textColorOn(color: string): 'black' | 'white' | undefined {
  if (!isHexColor(color)) return undefined;
  const [r, g, b] = [1, 3, 5].map((at) => {
    const channel = parseInt(color.slice(at, at + 2), 16) / 255;
    return channel <= 0.03928 ? channel / 12.92 : ((channel + 0.055) / 1.055) ** 2.4;
  }) as [number, number, number];
  const luminance = 0.2126 * r + 0.7152 * g + 0.0722 * b;
  // Contrast with black (L + 0.05) / 0.05 against white 1.05 / (L + 0.05): equal at L ≈ 0.179.
  return luminance > 0.179 ? 'black' : 'white';
}

/** What the label dialog holds. */
export interface LabelDraft {
  name: string;
  description: string;
  color: string;
}

export function draftOf(label?: Label): LabelDraft {
  if (!label) return { name: '', description: '', color: defaultLabelColor };
  return { name: label.name, description: label.description, color: label.color || defaultLabelColor };
}

export function isDraftComplete(draft: LabelDraft): boolean {
  return draft.name.trim() !== '' && isHexColor(draft.color);
}

/** POST /labels takes the owner too; PUT /labels/{id} reads only name, description and color. */
export interface LabelBody {
  name: string;
  description: string;
  color: string;
  scope?: 'g' | 'p';
  project_id?: number;
}

export function labelBody(draft: LabelDraft, owner?: LabelOwner): LabelBody {
  const fields = { name: draft.name.trim(), description: draft.description.trim(), color: draft.color };
  if (!owner) return fields;
  return owner.scope === 'g' ? { ...fields, scope: 'g' } : { ...fields, scope: 'p', project_id: owner.projectId };
}

/** Harbor's artifact filter on labels: `labels=(1 2)` lists the artifacts that carry all of them. */
export function labelsQuery(ids: number[]): string | undefined {
  return ids.length > 0 ? `labels=(${ids.join(' ')})` : undefined;
}

/** `q` terms joined as Harbor reads them (key=value,key=~value). */
export function joinQuery(...terms: (string | undefined)[]): string | undefined {
  const present = terms.filter((term): term is string => Boolean(term));
  return present.length > 0 ? present.join(',') : undefined;
}

/** A label's ids on an artifact, for the Add labels menu's check marks. */
export function labelIds(labels: Label[] | undefined): Set<number> {
  return new Set((labels ?? []).map((label) => label.id));
}
