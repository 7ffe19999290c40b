// One run of the product's checks on the benchmark's DuckDB file, in its own process (bench/quality.ts
// starts it): the pipeline file is loaded and validated, the file opened, the checks run and their results
// written to meta, as the check step of `dataops run` does. Prints one JSON line: the check time measured
// inside (every check query, and writing the results) and each check's result.
//
//   node build/bench/quality-product.js <file.duckdb> <pipeline.yml> <run id> [--alone]
// --alone runs each check by itself (runCheck without the shared counts): the code before the one-scan change.
import { readFileSync } from 'node:fs';
import { loadPipeline } from '../src/config/pipeline.js';
import { formatDiagnostic } from '../src/errors.js';
import { runCheck, runPipelineChecks, type CheckOutcome } from '../src/quality/checks.js';
import { DuckDBWarehouse } from '../src/warehouse/duckdb.js';

const [db, pipelineFile, runId] = process.argv.slice(2);
const alone = process.argv.includes('--alone');
const { pipeline, diagnostics } = loadPipeline(pipelineFile, readFileSync(pipelineFile, 'utf8'), {});
if (!pipeline || diagnostics.some((d) => d.severity === 'error')) throw new Error(diagnostics.map(formatDiagnostic).join('\n'));
const warehouse = await DuckDBWarehouse.open(db);
const context = { runId, sensitive: () => [] };
const started = performance.now();
let outcomes: CheckOutcome[];
if (alone) {
  outcomes = [];
  for (const check of pipeline.checks) outcomes.push(await runCheck(warehouse, pipeline, check, context));
} else {
  outcomes = await runPipelineChecks(warehouse, pipeline, context);
}
const checkSeconds = (performance.now() - started) / 1000;
await warehouse.close();
console.log(JSON.stringify({ checkSeconds, results: outcomes.map((o) => ({ check: `${o.table} ${o.check}`, status: o.status, failing: o.failing_rows, rows: o.table_rows })) }));
