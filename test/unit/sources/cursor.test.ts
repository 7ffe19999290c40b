import { describe, expect, test } from 'vitest';
import { maxCursor } from '../../../src/sources/cursor.js';

describe('maxCursor', () => {
  test.each([
    ['timestamps as text', '2026-01-02T00:00:00Z', '2026-01-10T00:00:00Z', '2026-01-10T00:00:00Z'],
    ['numbers by value, not as text', '9', '10', '10'],
    ['numbers in any form', '1e3', '999', '1e3'],
    ['integers past 2^53 exactly', '9223372036854775807', '9223372036854775806', '9223372036854775807'],
    ['integers past 2^53 exactly, the other way', '9223372036854775806', '9223372036854775807', '9223372036854775807'],
    ['a long integer against a short one', '-12345678901234567890', '5', '5'],
    ['none yet', undefined, '7', '7'],
    ['none now', '7', undefined, '7'],
  ])('%s', (_name, a, b, newest) => {
    expect(maxCursor(a, b)).toBe(newest);
  });
});
