// `validate` for report pages: each query translated and planned on the empty planning database that
// `validate` builds for the models (so gold tables have their columns, and nothing is computed), then
// every column a component or a {row.column} names checked against its query's columns. A query with a
// problem of its own found before planning (an unknown table, not one SELECT) is not planned, but the page's
// other queries are, so one `validate` lists every problem of a page, not only the first kind found.
import type { Diagnostic } from '../errors.js';
import type { Warehouse } from '../warehouse/adapter.js';
import type { ReportFile } from './load.js';
import { planQueryColumns, ReportError } from './queries.js';
import { columnProblems } from './rules.js';

export async function planReports(warehouse: Warehouse, reports: readonly ReportFile[]): Promise<Diagnostic[]> {
  const out: Diagnostic[] = [];
  for (const report of reports) {
    const columns = new Map<string, string[]>();
    const params = report.param ? { [report.param]: '' } : {};
    const errorLines = report.diagnostics.filter((d) => d.severity === 'error').map((d) => d.line);
    for (const query of report.queries) {
      const lastLine = query.line + query.sql.split('\n').length - 1;
      if (errorLines.some((line) => line === query.at.line || (line >= query.line && line <= lastLine))) continue;
      try {
        columns.set(query.name, await planQueryColumns(warehouse, report.file, query, params));
      } catch (e) {
        if (!(e instanceof ReportError)) throw e;
        out.push(e.diagnostic);
      }
    }
    out.push(...columnProblems(report.file, report.columnUses, columns));
  }
  return out;
}
