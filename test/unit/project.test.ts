import { execFileSync } from 'node:child_process';
import { mkdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { ConfigError, formatDiagnostic } from '../../src/errors.js';
import { validateProject } from '../../src/validate.js';
import { copyProject } from '../helpers/project.js';
import { DUCKDB_WORDING } from '../helpers/duckdb-wording.js';

const env = { DEMO_API_URL: 'http://127.0.0.1:1', DEMO_API_TOKEN: 'x' };
let dir: string;
beforeEach(async () => {
  dir = await copyProject();
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});
const errors = async () => (await validateProject(dir, env)).diagnostics.filter((d) => d.severity === 'error').map(formatDiagnostic);

describe('validate over the whole project', () => {
  test('the example project is valid, and its models are in dependency order', async () => {
    const v = await validateProject(dir, env);
    expect(v.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    const order = v.project.graph.nodes('gold').map((n) => n.name);
    expect(order.indexOf('gold.fact_sales')).toBeLessThan(order.indexOf('gold.daily_sales_summary'));
    expect(order.indexOf('gold.dim_store')).toBeLessThan(order.indexOf('gold.daily_sales_summary'));
    expect(v.project.pipelines.map((p) => p.name)).toEqual(['catalog', 'inventory', 'retail_pos', 'stores']);
  });

  test('SQL that reads a table that does not exist names the file, line and column', async () => {
    await writeFile(join(dir, 'sql/gold/bad.sql'), '-- a model\nSELECT *\nFROM silver.transactionz\n');
    expect(await errors()).toEqual([expect.stringMatching(/^sql\/gold\/bad\.sql:3:6: unknown table "silver\.transactionz" \(known: .*silver\.transactions/)]);
  });

  test('a typo in a model\'s options is the one error, not one more for each check, model and page that reads the model', async () => {
    const file = join(dir, 'sql/gold/dim_store.sql');
    await writeFile(file, `-- materialised: view\n${await readFile(file, 'utf8')}`);
    expect(await errors()).toEqual([expect.stringMatching(/^sql\/gold\/dim_store\.sql:1:4: unknown model option "materialised" \(options: materialized: /)]);
    // A table that is declared nowhere is still an error wherever it is read.
    await writeFile(join(dir, 'sql/gold/bad.sql'), 'SELECT * FROM gold.dim_stores\n');
    expect(await errors()).toEqual([
      expect.stringMatching(/^sql\/gold\/bad\.sql:1:15: unknown table "gold\.dim_stores"/),
      expect.stringMatching(/^sql\/gold\/dim_store\.sql:1:4: unknown model option "materialised"/),
    ]);
  });

  test('an incremental model\'s unique_key and time_column must be columns it gives, named at their lines', async () => {
    await writeFile(join(dir, 'sql/gold/inc.sql'), '-- materialized: incremental\n-- unique_key: [store_key, nope]\n-- time_column: opened\nSELECT store_id AS store_key, opened_on FROM silver.stores\n');
    expect(await errors()).toEqual([
      'sql/gold/inc.sql:2:1: unique_key: "nope" is not a column of gold.inc (columns: store_key, opened_on)',
      'sql/gold/inc.sql:3:1: time_column: "opened" is not a column of gold.inc (columns: store_key, opened_on)',
    ]);
  });

  test('a model\'s sensitive columns must be columns it gives, named at their line; an unknown rule is an error there too', async () => {
    await writeFile(join(dir, 'sql/gold/people.sql'), '-- Stores, with a contact.\n-- sensitive: store_key (hash), contact\nSELECT store_id AS store_key, opened_on FROM silver.stores\n');
    expect(await errors()).toEqual(['sql/gold/people.sql:2:1: sensitive: "contact" is not a column of gold.people (columns: store_key, opened_on)']);
    await writeFile(join(dir, 'sql/gold/rules.sql'), '-- sensitive: store_key (scramble)\nSELECT store_id AS store_key FROM silver.stores\n');
    expect(await errors()).toEqual([
      'sql/gold/rules.sql:1:4: sensitive: unknown mask rule "scramble" for store_key (expected one of: redact, hash, partial, null, clear)',
    ]);
  });

  test('a table name inside a comment or string is not a dependency', async () => {
    await writeFile(join(dir, 'sql/gold/ok.sql'), "-- reads silver.nothing\nSELECT 'gold.nothing' AS label FROM silver.stores\n");
    expect(await errors()).toEqual([]);
  });

  test('a SQL error is placed at its line', async () => {
    await writeFile(join(dir, 'sql/gold/typo.sql'), 'SELECT\n    store_id,\n    no_such_column\nFROM silver.stores\n');
    expect(await errors()).toEqual(["sql/gold/typo.sql:3:5: invalid identifier 'NO_SUCH_COLUMN'; columns with similar names: \"_batch_id\", \"opened_on\""]);
  });

  test("what DuckDB would refuse only on a row is refused by its types, in the user's terms", async () => {
    // The stores table is empty here: before, the product of too many decimals failed only on a row.
    await writeFile(join(dir, 'sql/gold/scaled.sql'), '-- a model\nSELECT\n    store_id,\n    0.5 * 0.0000000000001 AS tiny\nFROM silver.stores\n');
    await writeFile(join(dir, 'sql/gold/cast.sql'), 'SELECT\n    store_id,\n    SUM(opened_on) AS total\nFROM silver.stores\nGROUP BY store_id\n');
    const found = await errors();
    expect(found).toEqual([
      "sql/gold/cast.sql:3:5: invalid argument types for function 'SUM': (DATE); cast the arguments to the types the function takes, e.g. x::NUMBER or x::VARCHAR",
      'sql/gold/scaled.sql:4:9: 0.5 * 0.0000000000001: the product of NUMBERs with 1 and 13 decimals has more than 12 decimals, which Snowflake cuts to 13; ROUND one side first',
    ]);
    for (const message of found) expect(message).not.toMatch(DUCKDB_WORDING);
  });

  test('models that read each other in a cycle are refused with the cycle', async () => {
    await writeFile(join(dir, 'sql/gold/a.sql'), 'SELECT * FROM gold.b\n');
    await writeFile(join(dir, 'sql/gold/b.sql'), 'SELECT * FROM gold.a\n');
    expect(await errors()).toEqual([expect.stringContaining('models depend on each other in a cycle: gold.a -> gold.b -> gold.a')]);
  });

  test('a check on an unknown table or column, and a duplicate silver table', async () => {
    const file = join(dir, 'pipelines/stores.yml');
    let text = await readFile(file, 'utf8');
    text = text.replace('    - not_null: [name, region]', '    - not_null: [name, regoin]').replace('  gold.dim_store:', '  gold.dim_stor:');
    await writeFile(file, text);
    await writeFile(join(dir, 'pipelines/zz_copy.yml'), (await readFile(file, 'utf8')).replace('name: stores', 'name: stores_copy'));
    const found = await errors();
    expect(found).toContainEqual(expect.stringMatching(/^pipelines\/stores\.yml:\d+:1: checks\.silver\.stores: unknown column "regoin" \(columns: store_id, name, city, region/));
    expect(found).toContainEqual(expect.stringMatching(/^pipelines\/stores\.yml:\d+:3: checks: unknown table "gold\.dim_stor"/));
    expect(found).toContainEqual(expect.stringMatching(/^pipelines\/zz_copy\.yml:\d+:3: silver table "stores" is already defined in pipelines\/stores\.yml/));
  });

  test('a check may name the history columns of a table with history: scd2, and only of such a table', async () => {
    const catalog = join(dir, 'pipelines/catalog.yml');
    await writeFile(catalog, (await readFile(catalog, 'utf8')).replace('    - unique: customer_id\n', '    - unique: customer_id\n    - unique: [customer_id, valid_from]\n'));
    const stores = join(dir, 'pipelines/stores.yml');
    await writeFile(stores, (await readFile(stores, 'utf8')).replace('    - unique: store_id\n', '    - unique: store_id\n    - not_null: valid_from\n'));
    expect(await errors()).toEqual([expect.stringMatching(/^pipelines\/stores\.yml:\d+:1: checks\.silver\.stores: unknown column "valid_from"/)]);
  });

  test('a check on a gold column that the model does not produce', async () => {
    const file = join(dir, 'pipelines/retail_pos.yml');
    await writeFile(file, (await readFile(file, 'utf8')).replace('range: { column: quantity, min: 1 }', 'range: { column: qty, min: 1 }'));
    expect(await errors()).toEqual([expect.stringMatching(/^pipelines\/retail_pos\.yml:\d+:1: checks\.gold\.fact_sales: unknown column "qty" \(columns: transaction_id, line_no/)]);
  });
});

describe('custom SQL checks (sql/checks) and checks on gold', () => {
  const check = (name: string, text: string) => mkdir(join(dir, 'sql/checks'), { recursive: true }).then(() => writeFile(join(dir, 'sql/checks', name), text));

  test('a check file is attached to the pipeline that builds its table, with its thresholds', async () => {
    await check('big_days.sql', '-- Days with implausible revenue.\n-- table: gold.daily_sales_summary\n-- pipeline: retail_pos\n-- error_if: > 5%\n-- samples: 3\nSELECT * FROM gold.daily_sales_summary WHERE net_revenue > 1e9;\n');
    const v = await validateProject(dir, env);
    expect(v.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    const found = v.project.pipelines.flatMap((p) => p.checks.map((c) => ({ pipeline: p.name, c }))).filter(({ c }) => c.file === 'sql/checks/big_days.sql');
    expect(found).toEqual([{ pipeline: 'retail_pos', c: expect.objectContaining({ table: 'gold.daily_sales_summary', severity: 'error', samples: 3, file: 'sql/checks/big_days.sql', errorIf: expect.objectContaining({ text: '> 5%' }) }) }]);
    expect(v.project.graph.get('check:sql/checks/big_days.sql:1')?.parents).toEqual(['gold.daily_sales_summary']);
  });

  test.each([
    ['no_table.sql', 'SELECT 1 AS x FROM silver.stores\n', /^sql\/checks\/no_table\.sql:1:1: a check names the table it is about in its leading comment block \(e\.g\. -- table: gold\.daily_sales\)/],
    ['bad_threshold.sql', '-- table: silver.stores\n-- error_if: lots\nSELECT * FROM silver.stores\n', /^sql\/checks\/bad_threshold\.sql:2:4: error_if: "lots" is not a threshold: expected a comparison/],
    ['unknown_option.sql', '-- table: silver.stores\n-- severty: warn\nSELECT * FROM silver.stores\n', /^sql\/checks\/unknown_option\.sql:2:4: unknown check option "severty" \(options: table: gold\.daily_sales; severity: warn;/],
    ['whose.sql', '-- table: gold.daily_sales_summary\nSELECT * FROM gold.daily_sales_summary\n', /^sql\/checks\/whose\.sql:1:1: gold\.daily_sales_summary is built from several pipelines \(retail_pos, stores\): say whose run checks it \(e\.g\. -- pipeline: retail_pos\)$/],
    ['unknown_table.sql', '-- table: silver.nope\nSELECT * FROM silver.stores\n', /^sql\/checks\/unknown_table\.sql:1:1: table: unknown table "silver\.nope"/],
    ['two.sql', '-- table: silver.stores\nSELECT 1; SELECT 2\n', /^sql\/checks\/two\.sql:1:1: expected exactly one SELECT statement, found 2$/],
    ['typo.sql', '-- table: silver.stores\nSELECT store_id\nFROM silver.stores\nWHERE regoin = 1\n', /^sql\/checks\/typo\.sql:4:7: .*regoin/i],
    ['not_snowflake.sql', "-- table: silver.stores\nSELECT * FROM silver.stores\nWHERE name REGEXP 'x'\n", /^sql\/checks\/not_snowflake\.sql:3:12: the REGEXP operator is not supported/],
  ])('%s is refused at its file:line:col', async (name, text, expected) => {
    await check(name, text);
    expect(await errors()).toEqual([expect.stringMatching(expected)]);
  });

  test('an expression check that does not plan is refused at its line in the pipeline', async () => {
    const file = join(dir, 'pipelines/retail_pos.yml');
    await writeFile(file, (await readFile(file, 'utf8')).replace('expression: "updated_at >= sold_at"', 'expression: "updated >= sold_at"'));
    expect(await errors()).toEqual([expect.stringMatching(/^pipelines\/retail_pos\.yml:\d+:1: checks\.silver\.transactions: expression\(updated >= sold_at\): .*updated/)]);
  });

  test('a freshness SLA on a gold table names one of its columns', async () => {
    const file = join(dir, 'pipelines/retail_pos.yml');
    await writeFile(file, (await readFile(file, 'utf8')).replace('gold.fact_sales: { field: sold_at', 'gold.fact_sales: { field: sold'));
    expect(await errors()).toEqual([expect.stringMatching(/^pipelines\/retail_pos\.yml:\d+:1: freshness\.gold\.fact_sales\.field: "sold" is not a column of gold\.fact_sales \(columns: transaction_id/)]);
  });
});

describe('hostile files: bounded work, bounded output', () => {
  const pipelineWith = (lines: string) =>
    `name: hostile\nsource:\n  kind: http\n  base_url: http://127.0.0.1:1\n  resources:\n    items:\n      path: /items\n${lines}silver:\n  items:\n    from: items\n    key: [id]\n    columns:\n      id: { path: id, type: integer }\n`;

  test('thousands of unknown keys: the first 50 by line, then one line with the count of the rest', async () => {
    const keys = Array.from({ length: 5_000 }, (_, i) => `      unknown_${i}: 1\n`).join('');
    await writeFile(join(dir, 'pipelines/hostile.yml'), pipelineWith(keys));
    const shown = (await validateProject(dir, env)).diagnostics.filter((d) => d.file === 'pipelines/hostile.yml');
    expect(shown).toHaveLength(51);
    expect(shown.slice(0, 50).map((d) => d.line)).toEqual(Array.from({ length: 50 }, (_, i) => 8 + i));
    expect(formatDiagnostic(shown[50])).toBe('pipelines/hostile.yml:58:7: ... and 4950 more problems in this file (only the first 50 are shown)');
    // Capped again (as run does with validate's errors), the count stays right.
    expect(new ConfigError(shown).diagnostics).toEqual(shown);
    expect(new ConfigError([...shown, { ...shown[0], line: 9_999, message: 'one more' }]).diagnostics.at(-1)!.message).toMatch(/^\.\.\. and 4951 more problems/);
  });

  test('a SQL model naming thousands of unknown tables is capped the same way', async () => {
    const sql = `SELECT 1 AS one\n${Array.from({ length: 5_000 }, (_, i) => `UNION ALL SELECT 1 FROM silver.missing_${i}\n`).join('')}`;
    await writeFile(join(dir, 'sql/gold/hostile.sql'), sql);
    const shown = (await validateProject(dir, env)).diagnostics.filter((d) => d.file === 'sql/gold/hostile.sql');
    expect(shown).toHaveLength(51);
    expect(formatDiagnostic(shown[0])).toMatch(/^sql\/gold\/hostile\.sql:2:25: unknown table "silver\.missing_0" \(known: /);
    expect(shown[50].message).toBe('... and 4950 more problems in this file (only the first 50 are shown)');
  });

  test.each([
    ['a pipeline over 1 MB', 'pipelines/big.yml', 1_234_567, /^pipelines\/big\.yml:1:1: pipelines\/big\.yml is 1\.2 MB; pipeline files are limited to 1 MB$/],
    ['a pipeline one byte over', 'pipelines/big.yml', 1_000_001, /^pipelines\/big\.yml:1:1: pipelines\/big\.yml is 1,000,001 bytes; pipeline files are limited to 1 MB \(1,000,000 bytes\)$/],
    ['a SQL model over 1 MB', 'sql/gold/big.sql', 12_300_000, /^sql\/gold\/big\.sql:1:1: sql\/gold\/big\.sql is 12\.3 MB; SQL model files are limited to 1 MB$/],
  ])('%s is refused before it is read', async (_name, file, bytes, expected) => {
    // A comment: the file would be valid at any size.
    const comment = file.endsWith('.sql') ? '--' : '#';
    await writeFile(join(dir, file), `${comment}${'x'.repeat(bytes - comment.length - 1)}\n`);
    expect(await errors()).toEqual([expect.stringMatching(expected)]);
  });

  test('a pipeline that is not a regular file, or a link out of the project, is named and not read', async () => {
    await mkdir(join(dir, 'pipelines/folder.yml'));
    execFileSync('mkfifo', [join(dir, 'pipelines/pipe.yml')]);
    await symlink('/etc/passwd', join(dir, 'pipelines/passwd.yml'));
    await symlink('../sql/gold/dim_store.sql', join(dir, 'pipelines/inside.yml'));
    expect(await errors()).toEqual([
      'pipelines/folder.yml:1:1: pipelines/folder.yml is a directory, not a regular file',
      // A link inside the project is read like any file.
      expect.stringMatching(/^pipelines\/inside\.yml:1:1: pipeline: expected object, got string "-- One row per store/),
      'pipelines/passwd.yml:1:1: pipelines/passwd.yml links to a file outside the project; configuration files must be inside it',
      'pipelines/pipe.yml:1:1: pipelines/pipe.yml is a named pipe, not a regular file',
    ]);
  });
});
