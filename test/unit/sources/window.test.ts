// A backfill's window from --from/--to: dates are whole UTC days, timestamps are exact, and anything
// else is a usage error that names the option and what it takes.
import { describe, expect, test } from 'vitest';
import { UsageError } from '../../../src/errors.js';
import { cursorAfterBackfill } from '../../../src/ingest/bronze.js';
import { formatBound, isTimestampCursor, parseWindow, windowDays } from '../../../src/sources/window.js';

describe('parseWindow', () => {
  test.each([
    ['2026-11-20', '2026-11-21', '2026-11-20T00:00:00Z', '2026-11-22T00:00:00Z'],
    ['2026-11-20', '2026-11-20', '2026-11-20T00:00:00Z', '2026-11-21T00:00:00Z'],
    ['2026-11-20T06:00:00Z', '2026-11-20T18:30:00Z', '2026-11-20T06:00:00Z', '2026-11-20T18:30:00Z'],
    ['2026-11-20T06:00:00+02:00', '2026-11-20T06:00Z', '2026-11-20T04:00:00Z', '2026-11-20T06:00:00Z'],
    ['2026-11-20T06:00:00.250Z', '2026-11-21', '2026-11-20T06:00:00.250Z', '2026-11-22T00:00:00Z'],
    ['2024-02-29', '2024-02-29', '2024-02-29T00:00:00Z', '2024-03-01T00:00:00Z'],
  ])('--from %s --to %s is [%s, %s)', (from, to, start, end) => {
    const window = parseWindow(from, to);
    expect([formatBound(window.from), formatBound(window.to)]).toEqual([start, end]);
  });

  test.each([
    ['yesterday', '2026-11-21', /--from: expected a date \(YYYY-MM-DD, UTC\) or a timestamp with its offset .*, got "yesterday"/],
    ['2026-11-20', '2026-02-30', /--to: expected a date .*, got "2026-02-30"/],
    ['2026-11-20', '2026-13-01', /--to: expected a date/],
    ['2026-11-20T06:00:00', '2026-11-21', /--from: expected a date .*with its offset/],
    ['20261120', '2026-11-21', /--from: expected a date/],
    ['2026-11-21', '2026-11-20', /--from 2026-11-21 is not before --to 2026-11-20: the window \[2026-11-21T00:00:00Z, 2026-11-21T00:00:00Z\) is empty/],
    ['2026-11-20T06:00Z', '2026-11-20T06:00Z', /is not before --to/],
  ])('--from %s --to %s is a usage error', (from, to, message) => {
    const error = (() => {
      try {
        return parseWindow(from, to);
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(UsageError);
    expect(String((error as Error).message)).toMatch(message);
  });

  test('names the inputs it was given', () => {
    expect(() => parseWindow('x', '2026-11-20', { from: 'input backfill-from', to: 'input backfill-to' })).toThrow(/^input backfill-from: expected/);
  });
});

test('windowDays lists every UTC day the window touches', () => {
  expect(windowDays(parseWindow('2026-11-30', '2026-12-01'))).toEqual(['2026-11-30', '2026-12-01']);
  expect(windowDays(parseWindow('2026-11-20T23:00:00Z', '2026-11-21T00:00:01Z'))).toEqual(['2026-11-20', '2026-11-21']);
  expect(windowDays(parseWindow('2026-11-20T01:00:00Z', '2026-11-20T02:00:00Z'))).toEqual(['2026-11-20']);
});

test.each([
  ['2026-11-20T06:00:00Z', true],
  ['2026-11-20 06:00:00', true],
  ['2026-11-20', true],
  ['1732083600', false],
  ['12345678901234567890', false],
  ['abc', false],
])('isTimestampCursor(%s) is %s', (value, expected) => {
  expect(isTimestampCursor(value)).toBe(expected);
});

describe('where a backfill leaves the cursor: never back, and on only past what it fetched from the cursor on', () => {
  const window = parseWindow('2026-11-15', '2026-11-16');
  test.each([
    { case: 'a window before the cursor, records older than it', stored: '2026-11-20T12:00:00Z', newest: '2026-11-16T23:59:00Z', after: '2026-11-20T12:00:00Z' },
    { case: 'a window from before the cursor up to now, newer records', stored: '2026-11-15T12:00:00Z', newest: '2026-11-21T09:00:00Z', after: '2026-11-21T09:00:00Z' },
    { case: 'a window that starts at the cursor', stored: '2026-11-15T00:00:00Z', newest: '2026-11-16T10:00:00Z', after: '2026-11-16T10:00:00Z' },
    { case: 'a window that starts after the cursor (a gap the next run fetches)', stored: '2026-11-14T23:00:00Z', newest: '2026-11-16T10:00:00Z', after: '2026-11-14T23:00:00Z' },
    { case: 'no cursor yet (the first run starts from initial)', stored: undefined, newest: '2026-11-16T10:00:00Z', after: undefined },
    { case: 'nothing fetched', stored: '2026-11-15T12:00:00Z', newest: undefined, after: '2026-11-15T12:00:00Z' },
  ])('$case', ({ stored, newest, after }) => {
    expect(cursorAfterBackfill(stored, newest, window)).toBe(after);
  });
});
