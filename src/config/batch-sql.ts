// An `incremental_by_batch` model reads only the bronze batches it has not seen: the engine puts a filtered
// subquery where the SELECT names its bronze table, and leaves the rest of the SQL as written. That equals a
// build over all of bronze only when each row the SELECT gives comes from one bronze row, so the SQL must
// read exactly one table, a bronze one, once, and combine no rows (no GROUP BY, DISTINCT, aggregate,
// window, LIMIT or set operation, even in a subquery). What does is refused with its line: a wrong answer
// is worse than a refusal, and `materialized: table` builds the same SQL over everything.
import type { Diagnostic } from '../errors.js';
import { tokenize, type Token } from '../sql/tokenize.js';

/** Words that combine rows across batches, by what a message calls them. */
const COMBINING_WORDS: Record<string, string> = {
  distinct: 'DISTINCT',
  having: 'HAVING',
  qualify: 'QUALIFY',
  limit: 'LIMIT',
  union: 'UNION',
  intersect: 'INTERSECT',
  except: 'EXCEPT',
  minus: 'MINUS',
};

/** Snowflake's aggregate functions (each also a window function with OVER). */
const AGGREGATES = new Set([
  'count', 'count_if', 'sum', 'avg', 'min', 'max', 'min_by', 'max_by', 'any_value', 'median', 'mode',
  'listagg', 'array_agg', 'arrayagg', 'array_union_agg', 'array_unique_agg', 'object_agg', 'booland_agg',
  'boolor_agg', 'boolxor_agg', 'bitand_agg', 'bitor_agg', 'bitxor_agg', 'stddev', 'stddev_pop', 'stddev_samp',
  'variance', 'variance_pop', 'variance_samp', 'var_pop', 'var_samp', 'corr', 'covar_pop', 'covar_samp',
  'kurtosis', 'skew', 'percentile_cont', 'percentile_disc', 'approx_count_distinct', 'approx_percentile',
  'approx_top_k', 'hll', 'hash_agg', 'regr_slope', 'regr_intercept', 'regr_count', 'regr_r2',
]);

const WHY = 'an incremental_by_batch model reads only the new bronze batches, so each row it gives must come from one bronze row';

/** What keeps a model's SQL from being built batch by batch, each at its line. */
/** `references`: the tables the SQL names, with where (sql-model.ts finds them). */
export function batchSqlProblems(file: string, text: string, references: ReadonlyArray<{ table: string; offset: number }>): Diagnostic[] {
  const out: Diagnostic[] = [];
  const tokens = significant(tokenize(text));
  const at = (t: { line: number; col: number }, message: string) => out.push({ file, line: t.line, col: t.col, severity: 'error', message });
  const position = (offset: number) => tokens.find((t) => t.offset >= offset) ?? { line: 1, col: 1 };

  const bronze = references.filter((r) => r.table.startsWith('bronze.'));
  for (const r of references.filter((r) => !r.table.startsWith('bronze.'))) {
    at(position(r.offset), `${r.table}: an incremental_by_batch model reads one bronze table and nothing else (each batch would be joined to ${r.table} as it is then, not as a full build sees it); use materialized: table`);
  }
  if (bronze.length === 0) at({ line: 1, col: 1 }, 'an incremental_by_batch model reads one bronze table (bronze.<pipeline>_<resource>); this one reads none');
  for (const r of bronze.slice(1)) {
    const first = position(bronze[0].offset);
    at(position(r.offset), r.table === bronze[0].table
      ? `${r.table} is named again (first at line ${first.line}): an incremental_by_batch model reads its bronze table once; name its columns through an alias (FROM ${r.table} AS b ... b._record)`
      : `${r.table}: an incremental_by_batch model reads one bronze table (it already reads ${bronze[0].table} at line ${first.line}); use materialized: table`);
  }

  tokens.forEach((t, i) => {
    if (t.kind !== 'word') return;
    const word = t.text.toLowerCase();
    const before = tokens[i - 1];
    const next = tokens[i + 1];
    // A path key (_record:limit) or a qualified name (t.count) is not the keyword.
    if (before && (before.text === ':' || before.text === '.')) return;
    const calls = next?.text === '(';
    // COUNT(DISTINCT x) is one construct: the aggregate says it.
    if (word === 'distinct' && before?.text === '(') return;
    const construct =
      word === 'group' && next?.kind === 'word' && next.text.toLowerCase() === 'by' ? 'GROUP BY'
      : word === 'over' && calls ? 'a window function (OVER)'
      : word === 'top' && before?.kind === 'word' && before.text.toLowerCase() === 'select' ? 'TOP'
      // Words that may also name a column are the construct only where the construct's next word follows.
      : word === 'fetch' && /^(first|next)$/i.test(next?.text ?? '') ? 'FETCH'
      : (word === 'sample' || word === 'tablesample') && (calls || /^(bernoulli|row|system|block)$/i.test(next?.text ?? '')) ? word.toUpperCase()
      : AGGREGATES.has(word) && calls ? `the aggregate ${word.toUpperCase()}()`
      : COMBINING_WORDS[word];
    if (construct) at(t, `${construct} gives other rows read batch by batch than read at once: ${WHY}; use materialized: table (or view) for this model`);
  });
  return out;
}

export function significant(tokens: Token[]): Token[] {
  return tokens.filter((t) => t.kind !== 'ws' && t.kind !== 'comment');
}
