// `warn_if` / `error_if`: a comparison of a check's failing rows with a count or with a percentage of
// the rows it looked at ("> 0", ">= 10", "> 1%"). `severity:` is the shorthand for "> 0" at one level.
export type ThresholdOp = '>' | '>=' | '<' | '<=' | '=' | '!=';

export interface Threshold {
  op: ThresholdOp;
  value: number;
  /** True when value is a percentage of the table's rows. */
  percent: boolean;
  /** As written, normalised: "> 1%". */
  text: string;
}

export const THRESHOLD_EXAMPLES = ['> 0', '>= 10', '> 1%'];
export const ANY_FAILING_ROW: Threshold = { op: '>', value: 0, percent: false, text: '> 0' };

/** What a bad threshold is told it should have been. */
export const THRESHOLD_EXPECTED = `expected a comparison (>, >=, <, <=, =, !=) with a count of failing rows or a percentage of the table's rows, e.g. ${THRESHOLD_EXAMPLES.map((e) => `"${e}"`).join(', ')}`;

const FORM = /^\s*(>=|<=|!=|=|>|<)\s*(\d+(?:\.\d+)?)\s*(%?)\s*$/;

/** The threshold, or a message that says what is wrong with it. */
export function parseThreshold(written: unknown): Threshold | string {
  const text = typeof written === 'number' ? `${written}` : written;
  const match = typeof text === 'string' ? FORM.exec(text) : null;
  if (!match) return `${JSON.stringify(written)} is not a threshold: ${THRESHOLD_EXPECTED}`;
  const [, op, value, percent] = match;
  if (percent && Number(value) > 100) return `${JSON.stringify(written)}: a percentage is at most 100%`;
  return { op: op as ThresholdOp, value: Number(value), percent: percent === '%', text: `${op} ${value}${percent}` };
}

/** True when the failing rows meet the threshold; a percentage of an empty table is 0%. */
export function meets(threshold: Threshold, failing: number, rows: number | null): boolean {
  const measured = threshold.percent ? percentOf(failing, rows) : failing;
  switch (threshold.op) {
    case '>':
      return measured > threshold.value;
    case '>=':
      return measured >= threshold.value;
    case '<':
      return measured < threshold.value;
    case '<=':
      return measured <= threshold.value;
    case '=':
      return measured === threshold.value;
    case '!=':
      return measured !== threshold.value;
  }
}

export function percentOf(failing: number, rows: number | null): number {
  return rows ? (failing / rows) * 100 : 0;
}

/** "0.25%": two significant decimals, enough to compare with a threshold like "> 0.1%". */
export function formatPercent(failing: number, rows: number | null): string {
  const p = percentOf(failing, rows);
  return `${p === 0 || p >= 10 ? p.toFixed(p % 1 === 0 ? 0 : 1) : Number(p.toPrecision(2))}%`;
}
