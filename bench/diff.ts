// The time of `dataops diff` on two DuckDB files: a table of N rows (id + 6 columns) on the base side, and
// the same table with about 1% of its rows changed on the other (updates, inserts, deletes), compared by
// key through the engine's diffTables, as `dataops diff` runs it. Against it, the least work that could
// find the same rows: one FULL OUTER JOIN counting the rows that differ, with nothing else.
//
//   npm run bench:diff -- [--rows 10000000] [--sizes 1000000,10000000] [--repeat 3] [--no-key] [--duplicate-keys] [--json]
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DUCKDB_BASE_ALIAS } from '../src/diff/project-diff.js';
import { diffTables, type TableDiff } from '../src/diff/table-diff.js';
import { DuckDBWarehouse } from '../src/warehouse/duckdb.js';
import { flag, hasFlag } from './flags.js';

const sizes = flag('sizes', flag('rows', '10000000')).split(',').map(Number);
const repeat = Number(flag('repeat', '3'));
const withKey = !hasFlag('no-key');
/** A few keys repeated on the changed side: the diff then groups each side by key first. */
const duplicateKeys = hasFlag('duplicate-keys');

const COLUMNS = ['c_int', 'c_double', 'c_text', 'c_date', 'c_ts', 'c_decimal'];

/** Base rows: id and 6 columns of common types, a few of them NULL. */
function baseSql(rows: number): string {
  return `CREATE TABLE silver.facts AS
    SELECT i AS id,
           (i * 7) % 1000 AS c_int,
           CASE WHEN i % 97 = 0 THEN NULL ELSE (i % 10000) / 100.0 END::DOUBLE AS c_double,
           'customer-' || (i % 250000) AS c_text,
           DATE '2024-01-01' + CAST(i % 1000 AS INTEGER) AS c_date,
           TIMESTAMP '2024-01-01 00:00:00' + (i % 86400) * INTERVAL 1 SECOND AS c_ts,
           CAST((i % 100000) / 100.0 AS DECIMAL(12,2)) AS c_decimal
    FROM range(${rows}) t(i)`;
}

/**
 * The changed side: 0.5% of rows updated (one or two columns, some to or from NULL), 0.25% deleted and
 * 0.25% inserted, so about 1% of rows differ.
 */
function changedSql(rows: number): string {
  return `CREATE TABLE silver.facts AS
    SELECT id,
           CASE WHEN id % 200 = 1 THEN c_int + 1 ELSE c_int END AS c_int,
           CASE WHEN id % 400 = 1 THEN NULL ELSE c_double END AS c_double,
           CASE WHEN id % 200 = 101 THEN c_text || '-renamed' ELSE c_text END AS c_text,
           c_date, c_ts, c_decimal
    FROM ${DUCKDB_BASE_ALIAS}.silver.facts WHERE id % 400 <> 3
    UNION ALL
    SELECT ${rows} + i, i % 1000, NULL, 'new-' || i, DATE '2025-01-01', TIMESTAMP '2025-01-01 00:00:00', 1.00
    FROM range(${Math.floor(rows / 400)}) t(i)${duplicateKeys ? `
    UNION ALL
    SELECT id, c_int, c_double, c_text || '-copy', c_date, c_ts, c_decimal FROM ${DUCKDB_BASE_ALIAS}.silver.facts WHERE id < 10` : ''}`;
}

/** The least work: one join, one count of the rows that differ. */
function bareJoinSql(): string {
  const distinct = COLUMNS.map((c) => `b.${c} IS DISTINCT FROM c.${c}`).join(' OR ');
  return `SELECT COUNT(*) AS n FROM ${DUCKDB_BASE_ALIAS}.silver.facts b FULL OUTER JOIN silver.facts c ON b.id = c.id
          WHERE b.id IS NULL OR c.id IS NULL OR ${distinct}`;
}

interface Figures {
  rows: number;
  buildSeconds: number;
  diff: number[];
  bare: number[];
  result: TableDiff;
}

async function measure(rows: number): Promise<Figures> {
  const dir = await mkdtemp(join(tmpdir(), 'dataops-bench-diff-'));
  try {
    const base = join(dir, 'prod.duckdb');
    const changed = join(dir, 'pr.duckdb');
    let started = performance.now();
    const b = await DuckDBWarehouse.open(base);
    await b.execute('CREATE SCHEMA silver');
    await b.execute(baseSql(rows));
    await b.close();
    const c = await DuckDBWarehouse.open(changed);
    await c.execute('CREATE SCHEMA silver');
    await c.attachReadOnly(DUCKDB_BASE_ALIAS, base);
    await c.execute(changedSql(rows));
    await c.close();
    const buildSeconds = (performance.now() - started) / 1000;

    const figures: Figures = { rows, buildSeconds, diff: [], bare: [], result: undefined as unknown as TableDiff };
    for (let r = 0; r < repeat; r++) {
      // Each round opens the files as `dataops diff` does: a fresh process would also start cold.
      const w = await DuckDBWarehouse.open(changed);
      try {
        await w.attachReadOnly(DUCKDB_BASE_ALIAS, base);
        started = performance.now();
        const [result] = await diffTables(w, { catalog: DUCKDB_BASE_ALIAS }, [{ table: 'silver.facts', key: withKey ? ['id'] : undefined }]);
        figures.diff.push((performance.now() - started) / 1000);
        figures.result = result;
        started = performance.now();
        await w.query(bareJoinSql());
        figures.bare.push((performance.now() - started) / 1000);
      } finally {
        await w.close();
      }
    }
    return figures;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

const all: Figures[] = [];
for (const rows of sizes) all.push(await measure(rows));

const best = (xs: number[]) => Math.min(...xs);
const fmt = (n: number) => n.toFixed(2);
const count = (n: number) => n.toLocaleString('en-US');
console.log(`dataops diff on DuckDB, ${withKey ? 'by key (id)' : 'without a key (whole rows)'}${duplicateKeys ? ', 10 keys duplicated on the changed side' : ''}; id + ${COLUMNS.length} columns; best of ${repeat}; ${(await import('node:os')).cpus().length} CPUs

| rows per side | rows that differ | diff (s) | bare join (s) | diff vs bare join | built in (s) |
|---:|---:|---:|---:|---:|---:|
${all
  .map((f) => {
    const d = f.result;
    const differ = d.rows_added + d.rows_removed + (d.rows_changed ?? 0);
    return `| ${count(f.rows)} | ${count(differ)} | ${fmt(best(f.diff))} | ${fmt(best(f.bare))} | ${fmt(best(f.diff) / best(f.bare))}x | ${fmt(f.buildSeconds)} |`;
  })
  .join('\n')}

All runs (s): ${all.map((f) => `${count(f.rows)}: diff ${f.diff.map(fmt).join(', ')}; bare ${f.bare.map(fmt).join(', ')}`).join('; ')}.`);
for (const f of all) {
  const d = f.result;
  console.log(`${count(f.rows)}: added ${count(d.rows_added)}, removed ${count(d.rows_removed)}, changed ${d.rows_changed === null ? '-' : count(d.rows_changed)}, unchanged ${count(d.rows_unchanged ?? 0)}; column changes ${JSON.stringify(d.column_changes)}`);
}
if (hasFlag('json')) console.log(JSON.stringify(all, null, 2));
