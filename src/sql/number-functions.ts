// Number functions with Snowflake's rounding and parsing: ROUND with a rounding mode, TO_NUMBER / TO_DECIMAL.
import { type Handler, arity, call, lit, sourceOf } from './function-calls.js';

/** ROUND(x[, n[, mode]]): NUMBER rounds half away from zero on both sides; HALF_TO_EVEN has a macro. */
export const ROUND: Handler = (c) => {
  if (!arity(c, 1, 3)) return '';
  const [x, n, mode] = c.args;
  if (mode === undefined) return call('round', ...c.args.map((a) => a.text));
  const m = mode.string?.toUpperCase();
  if (m === 'HALF_AWAY_FROM_ZERO') return call('round', x.text, n.text);
  if (m !== 'HALF_TO_EVEN') {
    c.r.error(mode.nodes.find((k) => k.kind !== 'ws') ?? c.nameToken, `ROUND: the rounding mode must be 'HALF_AWAY_FROM_ZERO' or 'HALF_TO_EVEN', got ${sourceOf(mode)}`);
    return '';
  }
  if (n.number === undefined || !Number.isInteger(n.number) || n.number < 0) {
    c.r.error(n.nodes.find((k) => k.kind !== 'ws') ?? c.nameToken, `ROUND with 'HALF_TO_EVEN' needs the scale as a whole number 0 or more, e.g. ROUND(x, 2, 'HALF_TO_EVEN'); got ${sourceOf(n)}`);
    return '';
  }
  return call('sf_round_half_even', x.text, n.text, c.r.placeLiteral(c.nameToken, c.nameToken.text.toUpperCase()));
};

export function toNumber(tryIt: boolean, fixed?: string): Handler {
  return (c) => {
    if (fixed) return arity(c, 1) ? `${tryIt ? 'TRY_CAST' : 'CAST'}(${c.args[0].text} AS ${fixed})` : '';
    if (!arity(c, 1, 4)) return '';
    const [x, ...rest] = c.args;
    if (rest[0]?.string !== undefined) {
      c.r.error(c.nameToken, `${c.name}: number format models such as ${lit(rest[0].string)} are not supported on DuckDB; strip the symbols and give precision and scale, e.g. ${c.name}(REPLACE(x, ',', ''), 12, 2)`);
      return '';
    }
    const [p, s] = rest.map((a) => a.text.trim());
    return `${tryIt ? 'TRY_CAST' : 'CAST'}(${x.text} AS DECIMAL(${p ?? '38'}, ${s ?? '0'}))`;
  };
}
