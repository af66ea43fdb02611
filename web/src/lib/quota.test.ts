import { describe, expect, test } from 'vitest';
import { configuredNumber, formatSize, quotaBytes, quotaDraft, usageLevel, usagePercent } from './quota';

describe('quota sizes', () => {
  test('sizes in binary units with one decimal, as Harbor shows them', () => {
    expect(formatSize(0)).toBe('0 B');
    expect(formatSize(512)).toBe('512 B');
    expect(formatSize(1.2 * 1024 ** 3)).toBe('1.2 GiB');
    expect(formatSize(10 * 1024 ** 3)).toBe('10 GiB');
    expect(formatSize(1536 * 1024)).toBe('1.5 MiB');
  });

  test('a hard limit opens in the largest unit it is a whole number of; -1 is unlimited', () => {
    expect(quotaDraft(-1)).toEqual({ unlimited: true, amount: '', unit: 'GiB' });
    expect(quotaDraft(10 * 1024 ** 3)).toEqual({ unlimited: false, amount: 10, unit: 'GiB' });
    expect(quotaDraft(2 * 1024 ** 4)).toEqual({ unlimited: false, amount: 2, unit: 'TiB' });
    expect(quotaDraft(1536 * 1024 ** 2)).toEqual({ unlimited: false, amount: 1536, unit: 'MiB' });
  });

  test('a draft in bytes: unlimited or -1 typed is -1, a missing number is nothing to send', () => {
    expect(quotaBytes({ unlimited: false, amount: 3, unit: 'GiB' })).toBe(3 * 1024 ** 3);
    expect(quotaBytes({ unlimited: false, amount: 0.5, unit: 'TiB' })).toBe(512 * 1024 ** 3);
    expect(quotaBytes({ unlimited: true, amount: 3, unit: 'GiB' })).toBe(-1);
    expect(quotaBytes({ unlimited: false, amount: -1, unit: 'MiB' })).toBe(-1);
    expect(quotaBytes({ unlimited: false, amount: '', unit: 'MiB' })).toBeUndefined();
  });

  test('usage turns orange from 85% and red from 100%; unlimited never does', () => {
    expect(usageLevel(84, 100)).toBe('normal');
    expect(usageLevel(85, 100)).toBe('warning');
    expect(usageLevel(100, 100)).toBe('danger');
    expect(usageLevel(10 ** 12, -1)).toBe('normal');
    expect(usagePercent(50, 200)).toBe(25);
    expect(usagePercent(300, 200)).toBe(100);
    expect(usagePercent(300, -1)).toBe(0);
  });

  test("storage_per_project's value from its configuration item", () => {
    expect(configuredNumber({ value: 1024, editable: true })).toBe(1024);
    expect(configuredNumber(undefined)).toBeUndefined();
    expect(configuredNumber({ value: 'x' })).toBeUndefined();
  });
});
