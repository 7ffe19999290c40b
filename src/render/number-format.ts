// Number formats for the report site: tables, big numbers and chart axes share them, so a value reads the same
// everywhere. Fixed to en-US so a page reads the same whatever locale built it.
import { DataOpsError } from '../errors.js';
import { formatDuration } from '../report/format.js';

export type NumberFormat = 'integer' | 'number' | 'decimal1' | 'decimal2' | 'usd' | 'percent' | 'duration';

export const NUMBER_FORMATS: readonly NumberFormat[] = ['integer', 'number', 'decimal1', 'decimal2', 'usd', 'percent', 'duration'];

const MISSING = '—';

type Formatter = (value: number | bigint) => string;

const intl = (options: Intl.NumberFormatOptions): Formatter => {
  const format = new Intl.NumberFormat('en-US', options);
  return (value) => format.format(value);
};

const FORMATTERS: { [K in NumberFormat]: Formatter } = {
  integer: intl({ maximumFractionDigits: 0 }),
  number: intl({ maximumFractionDigits: 2 }),
  decimal1: intl({ minimumFractionDigits: 1, maximumFractionDigits: 1 }),
  decimal2: intl({ minimumFractionDigits: 2, maximumFractionDigits: 2 }),
  usd: intl({ style: 'currency', currency: 'USD' }),
  percent: intl({ style: 'percent', maximumFractionDigits: 1 }),
  duration: (value) => formatDuration(Number(value)),
};

// On an axis, whole dollars need no cents ("$2,000", not "$2,000.00").
const wholeDollars = intl({ style: 'currency', currency: 'USD', maximumFractionDigits: 0 });
const TICK_FORMATTERS: Partial<Record<NumberFormat, Formatter>> = {
  usd: (value) => (Number.isInteger(Number(value)) ? wholeDollars(value) : FORMATTERS.usd(value)),
};

/**
 * A number as en-US text in the given format (default 'number'); NULL, undefined and NaN read "—".
 * BigInts (DuckDB's BIGINT) and numeric strings (Snowflake's NUMBER) are formatted too; other values read as
 * their text.
 */
export function formatNumber(value: unknown, format: NumberFormat = 'number'): string {
  const number = toNumeric(value);
  if (number === undefined) return typeof value === 'string' ? value : MISSING;
  return FORMATTERS[formatOrThrow(format)](number);
}

/** An axis tick label: like formatNumber, shorter where the format allows it. */
export function formatTick(value: number, format: NumberFormat = 'number'): string {
  const tick = TICK_FORMATTERS[format];
  return tick ? tick(value) : formatNumber(value, format);
}

/** The number a value stands for, or undefined when it is missing or not a number. */
export function toNumeric(value: unknown): number | bigint | undefined {
  if (value === null || value === undefined) return undefined;
  if (typeof value === 'bigint') return value;
  if (typeof value === 'number') return Number.isFinite(value) ? normalZero(value) : undefined;
  if (typeof value === 'string' && value.trim() !== '') {
    const number = Number(value);
    return Number.isFinite(number) ? normalZero(number) : undefined;
  }
  return undefined;
}

// -0 would print as "-0".
const normalZero = (value: number): number => (Object.is(value, -0) ? 0 : value);

function formatOrThrow(format: string): NumberFormat {
  if (format in FORMATTERS) return format as NumberFormat;
  throw new DataOpsError(`unknown number format "${format}"; expected one of ${NUMBER_FORMATS.join(', ')}`);
}
