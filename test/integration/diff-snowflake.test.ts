// The diff's SQL on Snowflake: the same fixture in two databases of one fakesnow server (production and
// a pull request's clone), compared through the real snowflake-sdk, gives the DuckDB files' result.
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { DUCKDB_BASE_ALIAS } from '../../src/diff/project-diff.js';
import { diffTables, type TableDiff } from '../../src/diff/table-diff.js';
import { DuckDBWarehouse } from '../../src/warehouse/duckdb.js';
import { openSnowflakeFromEnv } from '../../src/warehouse/snowflake.js';
import { BIN, ensureBuild } from '../helpers/build.js';
import { baseStatements, changedStatements, FIXTURE_KEYS, runStatements, writeFixtureProject } from '../helpers/diff-fixture.js';
import { fakesnowUnavailable, startFakesnow, type Fakesnow } from '../helpers/fakesnow.js';

const unavailable = fakesnowUnavailable();
if (unavailable) console.warn(`skipping the Snowflake diff tests: ${unavailable}`);

const TABLES = ['silver.customers', 'silver.order_lines', 'silver.events', 'gold.daily', 'gold.retired', 'gold.launched'];
const requests = TABLES.map((table) => ({ table, key: FIXTURE_KEYS[table] }));

test('fakesnow can run here', (ctx) => {
  ctx.skip(!!unavailable, unavailable);
});

describe.skipIf(!!unavailable)('dataops diff on Snowflake (fakesnow) gives the DuckDB result', () => {
  let fakesnow: Fakesnow;
  let dir: string;
  let env: Record<string, string>;
  let snowflake: TableDiff[];
  let duckdb: TableDiff[];

  beforeAll(async () => {
    fakesnow = await startFakesnow();
    dir = await mkdtemp(join(tmpdir(), 'dataops-diff-sf-'));
    env = {
      SNOWFLAKE_ACCESS_URL: fakesnow.accessUrl,
      SNOWFLAKE_ACCOUNT: 'fakesnow',
      SNOWFLAKE_USER: 'DATAOPS_CI',
      SNOWFLAKE_DATABASE: 'ANALYTICS_PR_7',
      SNOWFLAKE_WAREHOUSE: 'TRANSFORMING',
      SNOWFLAKE_AUTHENTICATOR: 'PROGRAMMATIC_ACCESS_TOKEN',
      SNOWFLAKE_TOKEN: 'pat-fakesnow-diff-5f1c9e',
    };
    const setup = await openSnowflakeFromEnv(env);
    try {
      await setup.execute('CREATE DATABASE IF NOT EXISTS ANALYTICS');
      await setup.execute('CREATE DATABASE IF NOT EXISTS ANALYTICS_PR_7');
      await runStatements(setup, baseStatements('ANALYTICS.'));
      await runStatements(setup, changedStatements('ANALYTICS_PR_7.'));
    } finally {
      await setup.close();
    }
    // A session of the clone, as `dataops diff` opens it: production is read by name.
    const clone = await openSnowflakeFromEnv(env);
    try {
      snowflake = await diffTables(clone, { catalog: 'ANALYTICS' }, requests);
    } finally {
      await clone.close();
    }
    const base = join(dir, 'prod.duckdb');
    const changed = join(dir, 'pr_7.duckdb');
    for (const [path, statements] of [[base, baseStatements()], [changed, changedStatements()]] as const) {
      const w = await DuckDBWarehouse.open(path);
      await runStatements(w, statements).finally(() => w.close());
    }
    const w = await DuckDBWarehouse.open(changed);
    try {
      await w.attachReadOnly(DUCKDB_BASE_ALIAS, base);
      duckdb = await diffTables(w, { catalog: DUCKDB_BASE_ALIAS }, requests);
    } finally {
      await w.close();
    }
  });

  afterAll(async () => {
    await fakesnow?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  /** Types are spelled per warehouse (NUMBER(12,2) and DECIMAL(12,2)); numbers as text too (4 and 4.0). */
  function comparableDiff(d: TableDiff): unknown {
    const number = (v: string | null) => (v !== null && /^-?\d+(\.\d+)?$/.test(v) ? Number(v) : v);
    const values = (row: Record<string, string | null>) => Object.fromEntries(Object.entries(row).map(([k, v]) => [k, number(v)]));
    return {
      ...d,
      schema: {
        added: d.schema.added.map((c) => c.column),
        removed: d.schema.removed.map((c) => c.column),
        retyped: d.schema.retyped.map((c) => c.column),
      },
      samples: d.samples.map((s) =>
        s.kind === 'changed'
          ? { ...s, key: values(s.key), changes: s.changes.map((c) => ({ ...c, before: number(c.before), after: number(c.after) })) }
          : { ...s, row: values(s.row) },
      ),
    };
  }

  test.each(TABLES)('%s', (table) => {
    const sf = snowflake.find((d) => d.table === table)!;
    const db = duckdb.find((d) => d.table === table)!;
    expect(comparableDiff(sf)).toEqual(comparableDiff(db));
  });

  test('schema changes name Snowflake types', () => {
    const lines = snowflake.find((d) => d.table === 'silver.order_lines')!;
    expect(lines.schema).toEqual({
      added: [{ column: 'discount', type: 'NUMBER(5,2)' }],
      removed: [{ column: 'legacy_flag', type: 'BOOLEAN' }],
      retyped: [
        { column: 'amount', base_type: 'NUMBER(12,2)', changed_type: 'FLOAT' },
        { column: 'code', base_type: 'NUMBER(38,0)', changed_type: 'VARCHAR' },
      ],
    });
  });

  test('the CLI with --target snowflake: --base names the production database', async () => {
    await ensureBuild();
    await writeFixtureProject(dir);
    const run = async (args: string[]) => {
      try {
        const { stdout, stderr } = await promisify(execFile)('node', [BIN, '-C', dir, '--target', 'snowflake', ...args], { env: { ...process.env, ...env } });
        return { code: 0, stdout, stderr };
      } catch (e) {
        return e as { code: number; stdout: string; stderr: string };
      }
    };
    const ok = await run(['diff', '--base', 'analytics', '--json']);
    expect(ok.code).toBe(0);
    const report = JSON.parse(ok.stdout) as { base: string; tables: TableDiff[] };
    expect(report.base).toBe('Snowflake database ANALYTICS');
    for (const d of report.tables) expect(d).toEqual(snowflake.find((s) => s.table === d.table));
    expect(report.tables.map((d) => d.table).sort()).toEqual([...TABLES].sort());

    const same = await run(['diff', '--base', 'ANALYTICS_PR_7']);
    expect([same.code, same.stderr]).toEqual([2, expect.stringContaining('is the database being compared')]);
    const missing = await run(['diff', '--base', 'NOSUCH']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/cannot read the columns of the base database NOSUCH/);
  });
});
