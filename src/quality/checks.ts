// A check is SQL that returns the failing rows: none means it passes. Results are kept with the
// run id in meta.check_results, and up to `samples` failing rows (masked) in meta.check_samples.
import type { DeclaredCheck, Pipeline } from '../config/types.js';
import { maskRecord, type SensitiveField } from '../governance/masking.js';
import { snowflakeString } from '../sql/tokenize.js';
import { duckdbErrorText } from '../sql/errors.js';
import type { CheckResult } from '../state/types.js';
import type { Warehouse } from '../warehouse/adapter.js';
import { formatPercent, meets, type Threshold } from './thresholds.js';
import { isAnomaly, profileAnomalyColumns, runAnomalyCheck } from './anomaly/check.js';
import { checkKind, checkName, failingRowsSql } from './check-kinds.js';
import { checkedRows, countChecks, type CheckCount } from './check-scan.js';
import { runFreshnessCheck, type CheckOutcome } from './freshness.js';

export { checkName, failingRowsSql } from './check-kinds.js';
export type { CheckOutcome } from './freshness.js';

export interface CheckContext {
  runId: string;
  /** The sensitive columns of a sample of `table`, masked before it is kept or shown. */
  sensitive(table: string): SensitiveField[];
}

/** Column names the one-scan query adds next to a failing row; no user column starts with _dataops_. */
const ROWS = '_dataops_rows';
const FAILING = '_dataops_failing';

/**
 * One check: its failing rows counted and sampled in one scan (a window count over the failing rows,
 * limited to the samples), next to the number of rows it looked at, then judged against its thresholds.
 * When it was counted already (`counted`, see check-scan.ts), its failing rows are read only to sample them.
 */
export async function runCheck(warehouse: Warehouse, pipeline: Pipeline, check: DeclaredCheck, context: CheckContext, counted?: CheckCount): Promise<CheckOutcome> {
  const kind = checkKind(check.spec);
  const scoped = check.scope === 'new' && kind.level === 'row';
  const file = check.file ?? pipeline.file;
  const rows = (quote: (v: string) => string) => checkedRows(check.table, { current: keepsHistory(pipeline, check.table), ...(scoped ? { newInRun: context.runId } : {}) }, quote);
  const source = rows(snowflakeString);
  const snowflakeSql =
    source === check.table ? kind.failingRowsSql(check.table, check.spec, snowflakeString) : `WITH checked_rows AS (SELECT * FROM ${source} AS r)
${kind.failingRowsSql('checked_rows', check.spec, snowflakeString)}`;
  const base = { pipeline: pipeline.name, file, line: check.line, table: check.table, check: checkName(check.spec), kind: check.spec.kind, severity: check.severity };
  const translated = warehouse.translate(snowflakeSql, file);
  const { sql } = translated;
  // What people read (the site, summaries, alerts) is the project's SQL, which pastes into Snowsight and
  // `dataops sql`; the translation is only what runs here.
  const shown = snowflakeSql;
  const cannotRun = (why: string): CheckOutcome => ({
    // A check that cannot fail a run (warn only) never fails it, not even when it cannot run.
    ...base, sql: shown, status: check.errorIf ? 'error' : 'warn', failing_rows: 0, table_rows: null, samples: [], message: `could not run: ${why}`,
  });
  const problem = translated.diagnostics.find((d) => d.severity === 'error');
  if (problem) return cannotRun(problem.message);
  const looked = rows((v) => warehouse.dialect.quote(v));
  let found: Array<Record<string, unknown>>;
  try {
    found = counted
      ? counted.failing > 0 && check.samples > 0 ? await warehouse.query<Record<string, unknown>>(`SELECT * FROM (${sql}
) AS f LIMIT ${check.samples}`) : []
      : await warehouse.query<Record<string, unknown>>(
          `SELECT t.${ROWS}, s.* FROM (SELECT COUNT(*) AS ${ROWS} FROM ${looked} AS looked) AS t
           LEFT JOIN (SELECT f.*, COUNT(*) OVER () AS ${FAILING} FROM (${sql}
) AS f LIMIT ${Math.max(check.samples, 1)}) AS s ON 1 = 1`,
        );
  } catch (e) {
    return cannotRun(duckdbErrorText((e as Error).message));
  }
  const lower = found.map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k.toLowerCase(), v])));
  const tableRows = counted ? counted.tableRows : Number(lower[0]?.[ROWS] ?? 0);
  const failing = counted ? counted.failing : Number(lower[0]?.[FAILING] ?? 0);
  const fields = context.sensitive(check.table);
  const samples = failing === 0 ? [] : lower.slice(0, check.samples).map(({ [ROWS]: _rows, [FAILING]: _failing, ...row }) => clipValues(maskRecord(row, fields).value as Record<string, unknown>));
  const status = check.errorIf && meets(check.errorIf, failing, tableRows) ? 'fail' : check.warnIf && meets(check.warnIf, failing, tableRows) ? 'warn' : 'pass';
  return { ...base, sql: shown, status, failing_rows: failing, table_rows: tableRows, samples, message: describeOutcome(check, status, failing, tableRows, samples) };
}

/** A table that keeps history (history: scd2) is checked as its readers see it: its current rows. */
function keepsHistory(pipeline: Pipeline, table: string): boolean {
  return pipeline.silver.some((t) => `silver.${t.name}` === table && t.history !== undefined);
}

/** A sample keeps the start of a long value: enough to recognise it, and meta stays small. */
const SAMPLE_VALUE_CHARS = 500;
function clipValues(row: Record<string, unknown>): Record<string, unknown> {
  const clip = (v: unknown) => {
    const text = typeof v === 'string' ? v : v !== null && typeof v === 'object' ? JSON.stringify(v) : undefined;
    return text !== undefined && text.length > SAMPLE_VALUE_CHARS ? `${text.slice(0, SAMPLE_VALUE_CHARS)}…` : v;
  };
  return Object.fromEntries(Object.entries(row).map(([k, v]) => [k, clip(v)]));
}

/** "3 failing rows of 1,200 (0.25%): over error_if > 0.1%; e.g. currency = "XX"". */
function describeOutcome(check: DeclaredCheck, status: CheckResult['status'], failing: number, tableRows: number, samples: Array<Record<string, unknown>>): string {
  if (check.spec.kind === 'row_count') return failing === 0 ? 'ok' : `1 failing row (the table has ${samples[0]?.row_count ?? tableRows} rows)`;
  const of = checkKind(check.spec).level === 'row' ? ` of ${tableRows.toLocaleString('en-US')}${check.scope === 'new' ? ' new' : ''} (${formatPercent(failing, tableRows)})` : '';
  const counted = `${failing.toLocaleString('en-US')} failing ${failing === 1 ? 'row' : 'rows'}${of}`;
  const shorthand = (t?: Threshold) => t === undefined || t.text === '> 0';
  // The thresholds it met, then those it stayed within; severity's "> 0" goes without saying.
  const met = status === 'fail' ? check.errorIf : status === 'warn' ? check.warnIf : undefined;
  const within = [status !== 'fail' && check.errorIf && `error_if ${check.errorIf.text}`, status === 'pass' && check.warnIf && `warn_if ${check.warnIf.text}`].filter(Boolean);
  const parts = [met && !shorthand(met) ? `${status === 'fail' ? 'error_if' : 'warn_if'} ${met.text}` : '', within.length ? `within ${within.join(', ')}` : ''].filter(Boolean);
  const verdict = parts.length ? `: ${parts.join(', ')}` : '';
  if (failing === 0) return 'ok';
  const column = checkKind(check.spec).exampleColumn?.(check.spec);
  const values = column ? [...new Set(samples.map((r) => JSON.stringify(r[column] ?? null)))].slice(0, 5) : [];
  return `${counted}${verdict}${values.length ? `; e.g. ${column} = ${values.join(', ')}` : ''}`;
}

export async function runPipelineChecks(warehouse: Warehouse, pipeline: Pipeline, context: CheckContext, now?: Date): Promise<CheckOutcome[]> {
  const outcomes: CheckOutcome[] = [];
  const profiles = await profileAnomalyColumns(warehouse, pipeline, context.runId);
  const counts = await countChecks(warehouse, pipeline.checks, context.runId, (table) => keepsHistory(pipeline, table));
  for (const check of pipeline.checks) {
    outcomes.push(isAnomaly(check) ? await runAnomalyCheck(warehouse, pipeline, check, { runId: context.runId, now, profiles }) : await runCheck(warehouse, pipeline, check, context, counts.get(check)));
  }
  for (const spec of pipeline.freshness) outcomes.push(await runFreshnessCheck(warehouse, pipeline, spec, now));
  const q = warehouse.dialect.quote;
  await warehouse.transaction(async () => {
    for (const o of outcomes) {
      await warehouse.execute(
        `INSERT INTO meta.check_results (run_id, pipeline, table_name, check_name, kind, severity, status, failing_rows, table_rows, message, sql_text, checked_at)
         VALUES (${[context.runId, o.pipeline, o.table, o.check, o.kind, o.severity, o.status].map(q).join(', ')},
          ${o.failing_rows}, ${o.table_rows ?? 'NULL'}, ${q(o.message)}, ${q(o.sql)}, ${warehouse.dialect.now})`,
      );
      if (o.samples.length === 0) continue;
      const rows = o.samples.map((sample, i) => `(${[context.runId, o.pipeline, o.table, o.check].map(q).join(', ')}, ${i}, ${q(JSON.stringify(sample))}, ${warehouse.dialect.now})`);
      await warehouse.execute(`INSERT INTO meta.check_samples (run_id, pipeline, table_name, check_name, sample_index, sample_row, sampled_at) VALUES ${rows.join(', ')}`);
    }
  });
  return outcomes;
}
