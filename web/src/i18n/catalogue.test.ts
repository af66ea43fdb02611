import { describe, expect, test } from 'vitest';
import { en } from './en';
import { pluralizer } from './context';
import { zhCN } from './zh-CN';

describe('catalogues', () => {
  test('English and 简体中文 have exactly the same keys', () => {
    expect(Object.keys(zhCN).sort()).toEqual(Object.keys(en).sort());
  });

  test('every placeholder of an English message is in its 简体中文 one', () => {
    const placeholders = (text: string) => [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
    for (const key of Object.keys(en) as (keyof typeof en)[]) {
      expect(placeholders(zhCN[key]), key).toEqual(placeholders(en[key]));
    }
  });

  test('counts take the plural form their language asks for', () => {
    const english = pluralizer('en', en);
    expect(english('robots.permissionCount', 1)).toBe('1 permission');
    expect(english('robots.permissionCount', 2)).toBe('2 permissions');
    expect(english('robots.permissionCount', 0)).toBe('0 permissions');
    const chinese = pluralizer('zh-CN', zhCN);
    expect(chinese('robots.permissionCount', 1)).toBe('1 项权限');
    expect(chinese('robots.permissionCount', 2)).toBe('2 项权限');
  });
});
