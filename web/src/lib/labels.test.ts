import { describe, expect, test } from 'vitest';
import type { Label } from '../api/types';
import {
  cleanColor,
  draftOf,
  isDraftComplete,
  joinQuery,
  labelBody,
  labelPalette,
  labelsQuery,
  textColorOn,
} from './labels';

const stored: Label = {
  id: 4,
  name: 'prod',
  description: 'In production',
  color: '#C92100',
  scope: 'p',
  project_id: 9,
  creation_time: '2026-12-07T10:00:00.000Z',
  update_time: '2026-12-07T10:00:00.000Z',
};

describe('labels', () => {
  test('a new label is global or names its project; an edit sends only its fields', () => {
    const draft = { name: ' prod ', description: '', color: '#C92100' };
    expect(labelBody(draft, { scope: 'g' })).toEqual({ name: 'prod', description: '', color: '#C92100', scope: 'g' });
    expect(labelBody(draft, { scope: 'p', projectId: 9 })).toMatchObject({ scope: 'p', project_id: 9 });
    expect(labelBody(draftOf(stored))).toEqual({ name: 'prod', description: 'In production', color: '#C92100' });
  });

  test('a label needs a name and a #RRGGBB color; a typed color gains its # and capitals', () => {
    expect(isDraftComplete(draftOf())).toBe(false);
    expect(isDraftComplete({ ...draftOf(), name: 'qa' })).toBe(true);
    expect(isDraftComplete({ name: 'qa', description: '', color: '#C921' })).toBe(false);
    expect(cleanColor(' c92100 ')).toBe('#C92100');
    expect(draftOf({ ...stored, color: '' }).color).toBe('#0065AB');
  });

  test('chips read in black on light colors and in white on dark ones', () => {
    expect(labelPalette).toHaveLength(32);
    expect(textColorOn('#FFFFFF')).toBe('black');
    expect(textColorOn('#FFDC0B')).toBe('black');
    expect(textColorOn('#000000')).toBe('white');
    expect(textColorOn('#0065AB')).toBe('white');
    expect(textColorOn('')).toBeUndefined();
  });

  test("the artifact list's label filter is Harbor's q=labels=(ids), beside a tag search", () => {
    expect(labelsQuery([3])).toBe('labels=(3)');
    expect(labelsQuery([3, 7])).toBe('labels=(3 7)');
    expect(labelsQuery([])).toBeUndefined();
    expect(joinQuery('tags=~v1', labelsQuery([3]))).toBe('tags=~v1,labels=(3)');
    expect(joinQuery(undefined, undefined)).toBeUndefined();
  });
});
