// `dataops diff` on DuckDB: two database files built here with known differences, compared through the
// engine function and through the compiled CLI in a child process.
import { execFile } from 'node:child_process';
import { copyFile, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { DUCKDB_BASE_ALIAS } from '../../src/diff/project-diff.js';
import { diffTables, type TableDiff } from '../../src/diff/table-diff.js';
import { DuckDBWarehouse } from '../../src/warehouse/duckdb.js';
import { BIN, ensureBuild } from '../helpers/build.js';
import { baseStatements, changedStatements, FIXTURE_KEYS, runStatements, writeFixtureProject } from '../helpers/diff-fixture.js';

let dir: string;
let basePath: string;
let changedPath: string;
let diffs: Map<string, TableDiff>;

const TABLES = ['silver.customers', 'silver.order_lines', 'silver.events', 'gold.daily', 'gold.retired', 'gold.launched'];

async function buildDatabase(path: string, statements: string[]): Promise<void> {
  const w = await DuckDBWarehouse.open(path);
  try {
    await runStatements(w, statements);
  } finally {
    await w.close();
  }
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'dataops-diff-'));
  basePath = join(dir, 'prod.duckdb');
  changedPath = join(dir, '.dataops', 'pr_7.duckdb');
  await buildDatabase(basePath, baseStatements());
  await buildDatabase(changedPath, changedStatements());
  await writeFixtureProject(dir);
  const w = await DuckDBWarehouse.open(changedPath);
  try {
    await w.attachReadOnly(DUCKDB_BASE_ALIAS, basePath);
    const result = await diffTables(w, { catalog: DUCKDB_BASE_ALIAS }, TABLES.map((table) => ({ table, key: FIXTURE_KEYS[table] })));
    diffs = new Map(result.map((d) => [d.table, d]));
  } finally {
    await w.close();
  }
  await ensureBuild();
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('diffTables on two DuckDB files', () => {
  test.each([
    // table, rows base -> changed, added, removed, changed, unchanged
    ['silver.customers', 5, 5, 1, 1, 2, 2],
    ['silver.order_lines', 3, 3, 0, 0, 2, 1],
    ['silver.events', 5, 6, 0, 0, 1, 1],
    ['gold.daily', 4, 4, 1, 1, null, 3],
  ])('%s: rows %i -> %i; added %i, removed %i, changed %s, unchanged %i', (table, base, changed, added, removed, rowsChanged, unchanged) => {
    const d = diffs.get(table)!;
    expect(d.exists).toEqual({ base: true, changed: true });
    expect(d.rows).toEqual({ base, changed });
    expect([d.rows_added, d.rows_removed, d.rows_changed, d.rows_unchanged]).toEqual([added, removed, rowsChanged, unchanged]);
    expect(d.differs).toBe(true);
  });

  test('NULL on either side is a change; NULL on both is not; meta columns are left out', () => {
    const d = diffs.get('silver.customers')!;
    expect(d.compared_columns).toEqual(['email', 'name', 'total']);
    expect(d.ignored_columns).toEqual(['_batch_id', '_loaded_at']);
    expect(d.column_changes).toEqual({ email: 0, name: 2, total: 1 });
    expect(d.samples).toEqual([
      { kind: 'changed', key: { customer_id: '2' }, changes: [{ column: 'name', before: null, after: 'Bob' }] },
      {
        kind: 'changed',
        key: { customer_id: '5' },
        changes: [
          { column: 'name', before: 'Eve', after: null },
          { column: 'total', before: '50.00', after: '55.00' },
        ],
      },
    ]);
    expect(d.schema).toEqual({ added: [], removed: [], retyped: [] });
  });

  test('schema changes; added and removed columns are left out, retyped ones compared by value', () => {
    const d = diffs.get('silver.order_lines')!;
    expect(d.key).toEqual(['order_id', 'line_no']);
    expect(d.schema).toEqual({
      added: [{ column: 'discount', type: 'DECIMAL(5,2)' }],
      removed: [{ column: 'legacy_flag', type: 'BOOLEAN' }],
      retyped: [
        { column: 'amount', base_type: 'DECIMAL(12,2)', changed_type: 'DOUBLE' },
        { column: 'code', base_type: 'INTEGER', changed_type: 'VARCHAR' },
      ],
    });
    expect(d.compared_columns).toEqual(['amount', 'code']);
    // 12.50 as DECIMAL equals 12.5 as DOUBLE, and 7 equals '7': only the real changes count.
    expect(d.column_changes).toEqual({ amount: 1, code: 1 });
    expect(d.samples).toEqual([
      { kind: 'changed', key: { order_id: '1', line_no: '2' }, changes: [{ column: 'amount', before: '3.00', after: '4.0' }] },
      { kind: 'changed', key: { order_id: '2', line_no: '1' }, changes: [{ column: 'code', before: '9', after: '10' }] },
    ]);
    expect(d.notes.join('\n')).toMatch(/compared on the 2 shared columns: added and removed columns are left out/);
  });

  test('duplicate and NULL keys are reported and their rows left out, not miscounted', () => {
    const d = diffs.get('silver.events')!;
    expect(d.duplicate_keys).toEqual({ base: { keys: 1, rows: 2 }, changed: { keys: 1, rows: 2 } });
    expect(d.null_keys).toEqual({ base: 0, changed: 1 });
    expect(d.samples).toEqual([{ kind: 'changed', key: { event_id: '2' }, changes: [{ column: 'kind', before: 'click', after: 'tap' }] }]);
    expect(d.notes.join('\n')).toMatch(/duplicate keys: 1 key in 2 rows on the base side, 1 key in 2 rows on the changed side; the rows of a key duplicated on either side \(3 on the base side, 3 on the changed side\) are left out/);
    expect(d.notes.join('\n')).toMatch(/NULL key \(0 on the base side, 1 on the changed side\)/);
  });

  test('without a key, rows are compared whole as multisets, NULLs equal to NULLs', () => {
    const d = diffs.get('gold.daily')!;
    expect(d.key).toBeNull();
    expect(d.column_changes).toBeNull();
    expect(d.samples).toEqual([
      { kind: 'removed', row: { day: '2026-01-02', orders: '2', revenue: '20.0' }, copies: 1 },
      { kind: 'added', row: { day: '2026-01-04', orders: '1', revenue: '10.0' }, copies: 1 },
    ]);
  });

  test.each([
    ['gold.retired', { base: true, changed: false }, { base: 2, changed: null }, 0, 2, /only on the base side/],
    ['gold.launched', { base: false, changed: true }, { base: null, changed: 1 }, 1, 0, /only on the changed side/],
  ])('%s is on one side only', (table, exists, rows, added, removed, note) => {
    const d = diffs.get(table)!;
    expect([d.exists, d.rows, d.rows_added, d.rows_removed, d.differs]).toEqual([exists, rows, added, removed, true]);
    expect(d.notes.join('\n')).toMatch(note);
  });

  test('a table compared with itself does not differ', async () => {
    const w = await DuckDBWarehouse.open(join(dir, 'copy-check.duckdb'));
    try {
      await runStatements(w, changedStatements());
      await w.attachReadOnly(DUCKDB_BASE_ALIAS, changedPath);
      const same = await diffTables(w, { catalog: DUCKDB_BASE_ALIAS }, TABLES.slice(0, 4).map((table) => ({ table, key: FIXTURE_KEYS[table] })));
      for (const d of same) {
        expect([d.table, d.rows_added, d.rows_removed, d.rows_changed ?? 0, d.samples]).toEqual([d.table, 0, 0, 0, []]);
      }
      // Duplicated keys are still reported (they are in the data), but nothing differs.
      expect(same.map((d) => d.differs)).toEqual([false, false, false, false]);
    } finally {
      await w.close();
    }
  });
});

const TOKEN = 'tok-diff-7f3a9c1e55';

async function dataops(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const env = { ...process.env, DATAOPS_DATABASE: changedPath, SHOP_TOKEN: TOKEN };
    const { stdout, stderr } = await promisify(execFile)('node', [BIN, '-C', dir, ...args], { env });
    return { code: 0, stdout, stderr };
  } catch (e) {
    const err = e as { code: number; stdout: string; stderr: string };
    return { code: err.code, stdout: err.stdout, stderr: err.stderr };
  }
}

describe('dataops diff (the CLI in a child process)', () => {
  test('--json: every silver and gold table of the project on either side, keys from the pipeline file', async () => {
    const run = await dataops(['diff', '--base', 'prod.duckdb', '--json']);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const report = JSON.parse(run.stdout) as { base: string; changed: string; tables: TableDiff[] };
    expect(report.base).toBe(basePath);
    expect(report.changed).toBe(changedPath);
    // Silver in pipeline order, then gold models by file name; never_built is declared but on neither side.
    expect(report.tables.map((t) => t.table)).toEqual(['silver.customers', 'silver.order_lines', 'silver.events', 'gold.daily', 'gold.launched', 'gold.retired']);
    for (const table of report.tables) expect(table).toEqual(diffs.get(table.table));
  });

  test('text: what a reviewer reads in a terminal', async () => {
    const run = await dataops(['diff', '--base', basePath, 'silver.customers', 'gold.daily', '--samples', '1']);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(`${changedPath} compared with ${basePath}: 2 of 2 tables differ`);
    expect(run.stdout).toContain('silver.customers (key customer_id)\n  rows: 5 → 5\n  added 1, removed 1, changed 2, unchanged 2\n  changed columns: name (2), total (1)');
    expect(run.stdout).toContain('  sample changed rows:\n    customer_id=2\n      name: NULL -> Bob\n');
    expect(run.stdout).not.toContain('customer_id=5');
    expect(run.stdout).toContain('gold.daily (no key)');
    expect(run.stdout).toContain('    - day=2026-01-02 orders=2 revenue=20.0');
  });

  test.each([
    [['diff', '--base', 'nowhere.duckdb'], 2, /--base nowhere.duckdb: no DuckDB database at .*nowhere\.duckdb/],
    [['diff', '--base', 'prod.duckdb', 'customers'], 2, /table "customers": expected schema\.table/],
    [['diff', '--base', 'prod.duckdb', 'silver.nosuch'], 2, /silver\.nosuch: on neither side/],
    [['diff', '--base', 'prod.duckdb', '--samples', 'many'], 2, /--samples: expected a whole number from 0 to 1000, got "many"/],
    [['diff'], 2, /required option '--base <file or database>' not specified/],
  ])('%j exits %i with a clear error', async (args, code, message) => {
    const run = await dataops(args);
    expect(run.code).toBe(code);
    expect(run.stderr).toMatch(message);
    expect(run.stderr).not.toMatch(/\n\s+at /);
  });

  test('the database being compared is refused as its own base', async () => {
    const run = await dataops(['diff', '--base', changedPath]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('is the database being compared');
  });

  test('the base file is only read: it is unchanged afterwards', async () => {
    const before = join(dir, 'prod-before.duckdb');
    await copyFile(basePath, before);
    await dataops(['diff', '--base', 'prod.duckdb']);
    expect(Buffer.compare(await readFile(basePath), await readFile(before))).toBe(0);
  });

  test('a base file another process holds is named, with its pid, and the command gives up at once', async () => {
    const holder = await DuckDBWarehouse.open(basePath);
    try {
      const run = await dataops(['diff', '--base', 'prod.duckdb']);
      expect(run.code).toBe(1);
      expect(run.stderr).toContain(`error: cannot open the base database ${basePath} read-only: another process (pid ${process.pid}) has it open`);
    } finally {
      await holder.close();
    }
  });

  test("the source's token is masked where the data holds it, in text and in JSON", async () => {
    const [base, changed] = [join(dir, 'notes-base.duckdb'), join(dir, 'notes-pr.duckdb')];
    await buildDatabase(base, ['CREATE SCHEMA silver', "CREATE TABLE silver.notes (id INTEGER, note VARCHAR)", "INSERT INTO silver.notes VALUES (1, 'ok')"]);
    await buildDatabase(changed, ['CREATE SCHEMA silver', "CREATE TABLE silver.notes (id INTEGER, note VARCHAR)", `INSERT INTO silver.notes VALUES (1, 'Bearer ${TOKEN}')`]);
    for (const format of [[], ['--json']]) {
      const run = await dataops(['--database', changed, 'diff', '--base', base, 'silver.notes', ...format]);
      expect(run.code).toBe(0);
      expect(run.stdout).toContain('Bearer ***');
      expect(run.stdout).not.toContain(TOKEN);
    }
  });

  test('a table the warehouse cannot read is named with the reason, the others are still shown, and the command fails', async () => {
    const [base, changed] = [join(dir, 'broken-base.duckdb'), join(dir, 'broken-pr.duckdb')];
    const tables = ['CREATE SCHEMA silver', 'CREATE TABLE silver.notes (id INTEGER, note VARCHAR)', "INSERT INTO silver.notes VALUES (1, 'a')", 'CREATE TABLE silver.broken (x INTEGER)'];
    await buildDatabase(base, tables);
    // A view whose table is gone: listed in information_schema, fails when read.
    await buildDatabase(changed, [...tables.slice(0, 3), 'CREATE TABLE silver.gone (x INTEGER)', 'CREATE VIEW silver.broken AS SELECT x FROM silver.gone', 'DROP TABLE silver.gone']);
    const run = await dataops(['--database', changed, 'diff', '--base', base, 'silver.notes', 'silver.broken', '--json']);
    expect(run.code).toBe(1);
    const report = JSON.parse(run.stdout) as { tables: TableDiff[] };
    expect(report.tables.map((t) => [t.table, t.error === null])).toEqual([['silver.notes', true], ['silver.broken', false]]);
    expect(report.tables[1].error).toMatch(/^could not compare silver\.broken: .*gone/);
    expect(run.stderr).toMatch(/^error: could not compare silver\.broken: .*gone.*$/m);
    expect(run.stderr).not.toMatch(/in SQL:|\n\s+at /);
  });
});
