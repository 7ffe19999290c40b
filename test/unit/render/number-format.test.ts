import { describe, expect, it } from 'vitest';

import { formatNumber, formatTick, type NumberFormat } from '../../../src/render/number-format.js';

describe('formatNumber', () => {
  const cases: Array<[unknown, NumberFormat | undefined, string]> = [
    [1234.567, undefined, '1,234.57'],
    [1234.567, 'number', '1,234.57'],
    [1234.5, 'integer', '1,235'],
    [12n ** 20n, 'integer', '3,833,759,992,447,475,122,176'],
    ['98765.4321', 'decimal1', '98,765.4'],
    [2, 'decimal2', '2.00'],
    [1234.5, 'usd', '$1,234.50'],
    [-3, 'usd', '-$3.00'],
    [0.123, 'percent', '12.3%'],
    [1, 'percent', '100%'],
    [11_100, 'duration', '3h 5m'],
    [45, 'duration', '45s'],
    [-0, 'integer', '0'],
    [null, 'usd', '—'],
    [undefined, 'number', '—'],
    [Number.NaN, 'number', '—'],
    [Number.POSITIVE_INFINITY, 'number', '—'],
    ['n/a', 'number', 'n/a'],
  ];
  it.each(cases)('%s as %s reads %s', (value, format, expected) => {
    expect(formatNumber(value, format)).toBe(expected);
  });

  it('refuses an unknown format, naming the known ones', () => {
    expect(() => formatNumber(1, 'euro' as NumberFormat)).toThrow(/unknown number format "euro"; expected one of integer, number/);
  });
});

describe('formatTick', () => {
  it.each([
    [2000, 'usd', '$2,000'],
    [2.5, 'usd', '$2.50'],
    [0.25, 'percent', '25%'],
    [7200, 'duration', '2h'],
  ] as Array<[number, NumberFormat, string]>)('%s as %s reads %s', (value, format, expected) => {
    expect(formatTick(value, format)).toBe(expected);
  });
});
