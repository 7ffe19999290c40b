// The same checks, written for each tool of the quality benchmark (bench/quality.ts): the product's pipeline
// file, a dbt project (sources with generic tests; range and pattern as custom generic tests) and a Soda
// checks file, all on the benchmark's DuckDB file, plus how to read back the SQL dbt and Soda ran.
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const STATUSES = ['paid', 'refunded', 'void', 'pending'];
export const AMOUNT = { min: 0, max: 1000 };
export const CODE_REGEX = 'OR-[0-9]{8}';

/**
 * The product's pipeline file; for the hourly run, `scope: new` on the row-level checks, with or without the
 * unique check (table-level: it always looks at the whole table).
 */
export function pipelineYaml(scope: 'all' | 'new', unique = true): string {
  const scoped = scope === 'new' ? ', scope: new' : '';
  return `name: shop
source:
  kind: http
  base_url: http://127.0.0.1:1
  resources:
    orders: { path: /orders }
    customers: { path: /customers }
silver:
  orders:
    from: orders
    key: [order_id]
    columns:
      order_id: { path: order_id, type: integer }
      customer_id: { path: customer_id, type: integer }
      status: { path: status, type: string }
      amount: { path: amount, type: "decimal(10,2)" }
      code: { path: code, type: string }
      ordered_at: { path: ordered_at, type: timestamp }
  customers:
    from: customers
    key: [customer_id]
    columns:
      customer_id: { path: customer_id, type: integer }
      name: { path: name, type: string }
checks:
  silver.orders:
    - { not_null: [order_id, ordered_at]${scoped} }
${unique ? '    - unique: order_id\n' : ''}    - { accepted_values: { column: status, values: [${STATUSES.join(', ')}] }${scoped} }
    - { range: { column: amount, min: ${AMOUNT.min}, max: ${AMOUNT.max} }${scoped} }
    - { pattern: { column: code, regex: '${CODE_REGEX}' }${scoped} }
    - { relationships: { column: customer_id, to: silver.customers.customer_id }${scoped} }
`;
}

/** A dbt project testing the two tables as sources; `dbt test` runs in `dir`. One thread, as `dbt init` sets. */
export function writeDbtProject(dir: string, database: string): void {
  mkdirSync(join(dir, 'models'), { recursive: true });
  mkdirSync(join(dir, 'tests', 'generic'), { recursive: true });
  writeFileSync(join(dir, 'dbt_project.yml'), `name: quality_bench\nversion: '1.0'\nconfig-version: 2\nprofile: quality_bench\n`);
  writeFileSync(join(dir, 'profiles.yml'), `quality_bench:\n  target: bench\n  outputs:\n    bench:\n      type: duckdb\n      path: ${JSON.stringify(database)}\n      threads: 1\n`);
  writeFileSync(
    join(dir, 'tests', 'generic', 'bench_tests.sql'),
    `{% test in_range(model, column_name, min_value, max_value) %}
select * from {{ model }} where {{ column_name }} < {{ min_value }} or {{ column_name }} > {{ max_value }}
{% endtest %}

{% test matches_pattern(model, column_name, regex) %}
select * from {{ model }} where {{ column_name }} is not null and not regexp_full_match(cast({{ column_name }} as varchar), '{{ regex }}')
{% endtest %}
`,
  );
  writeFileSync(
    join(dir, 'models', 'sources.yml'),
    `version: 2
sources:
  - name: silver
    schema: silver
    tables:
      - name: customers
      - name: orders
        columns:
          - name: order_id
            data_tests: [not_null, unique]
          - name: ordered_at
            data_tests: [not_null]
          - name: status
            data_tests:
              - accepted_values: { arguments: { values: [${STATUSES.join(', ')}] } }
          - name: amount
            data_tests:
              - in_range: { arguments: { min_value: ${AMOUNT.min}, max_value: ${AMOUNT.max} } }
          - name: code
            data_tests:
              - matches_pattern: { arguments: { regex: '${CODE_REGEX}' } }
          - name: customer_id
            data_tests:
              - relationships: { arguments: { to: "source('silver', 'customers')", field: customer_id } }
`,
  );
}

/** The statements dbt ran (target/run holds each test's SQL as executed). */
export function dbtStatements(dir: string): string[] {
  const found: string[] = [];
  const walk = (at: string) => {
    for (const name of readdirSync(at).sort()) {
      const path = join(at, name);
      if (statSync(path).isDirectory()) walk(path);
      else if (name.endsWith('.sql')) found.push(readFileSync(path, 'utf8'));
    }
  };
  walk(join(dir, 'target', 'run'));
  return found;
}

/** dbt's own timing of its test queries: the sum of each result's "execute" phase, in seconds. */
export function dbtExecuteSeconds(dir: string): number {
  const results = JSON.parse(readFileSync(join(dir, 'target', 'run_results.json'), 'utf8')) as { results: Array<{ status: string; timing: Array<{ name: string; started_at: string; completed_at: string }> }> };
  const failed = results.results.filter((r) => r.status !== 'pass');
  if (failed.length) throw new Error(`dbt test: ${failed.length} tests did not pass`);
  return results.results.reduce((sum, r) => sum + r.timing.filter((t) => t.name === 'execute').reduce((s, t) => s + (Date.parse(t.completed_at) - Date.parse(t.started_at)) / 1000, 0), 0);
}

/** Soda's data source and checks files; `soda scan -d bench -c configuration.yml checks.yml` in `dir`, HOME=dir. */
export function writeSodaFiles(dir: string, database: string): void {
  mkdirSync(dir, { recursive: true });
  // Soda's usage statistics off (they are read from $HOME/.soda/config.yml; the scan runs with HOME=dir).
  mkdirSync(join(dir, '.soda'), { recursive: true });
  writeFileSync(join(dir, '.soda', 'config.yml'), 'send_anonymous_usage_stats: false\n');
  writeFileSync(join(dir, 'configuration.yml'), `data_source bench:\n  type: duckdb\n  path: ${JSON.stringify(database)}\n  read_only: true\n  schema: silver\n`);
  writeFileSync(
    join(dir, 'checks.yml'),
    `checks for orders:
  - missing_count(order_id) = 0
  - duplicate_count(order_id) = 0
  - missing_count(ordered_at) = 0
  - invalid_count(status) = 0:
      valid values: [${STATUSES.join(', ')}]
  - invalid_count(amount) = 0:
      valid min: ${AMOUNT.min}
      valid max: ${AMOUNT.max}
  - invalid_count(code) = 0:
      valid regex: ^${CODE_REGEX}$
  - values in (customer_id) must exist in customers (customer_id)
`,
  );
}

/**
 * The statements Soda ran, from `soda scan -V`'s log, which prints each query's SQL after a line
 * "[hh:mm:ss] Query <n>.<data source>.<name>:" up to the next timestamped line.
 */
export function sodaStatements(verboseLog: string): string[] {
  const statements: string[] = [];
  const lines = verboseLog.split('\n');
  for (let i = 0; i < lines.length; i++) {
    if (!/^\[\d\d:\d\d:\d\d\] Query [^:]*:\s*$/.test(lines[i])) continue;
    const sql: string[] = [];
    for (i++; i < lines.length && !/^\[\d\d:\d\d:\d\d\]/.test(lines[i]); i++) sql.push(lines[i]);
    i--;
    const text = sql.join('\n').trim();
    if (text) statements.push(text);
  }
  return statements;
}

/** Soda's own timing of its queries: the sum of the durations in the log's "Scan summary", in seconds. */
export function sodaQuerySeconds(verboseLog: string): number {
  let sum = 0;
  for (const m of verboseLog.matchAll(/^\[\d\d:\d\d:\d\d\]\s+\S+ \[OK\] (\d+):(\d\d):(\d\d(?:\.\d+)?)\s*$/gm)) sum += Number(m[1]) * 3600 + Number(m[2]) * 60 + Number(m[3]);
  return sum;
}
