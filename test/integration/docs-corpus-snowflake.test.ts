// The documented examples (test/fixtures/sql/docs-corpus) unchanged through the real snowflake-sdk against
// fakesnow, the Snowflake emulator the other differential tests use. The documentation is the reference:
// where fakesnow answers otherwise (other rows, or an error where Snowflake gives rows) that is fakesnow's
// difference, recorded, never a failure; docs/sql-dialect.md ("Where the emulator differs from Snowflake")
// lists them. DOCS_CORPUS_EMULATOR_REPORT=<file> writes that list. Each example runs in a schema of its own,
// so pages that reuse a table name do not meet.
import { writeFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { compareRows, ordersRows } from '../fixtures/sql/docs-corpus/compare.js';
import { docsCorpus, type DocExample } from '../fixtures/sql/docs-corpus/index.js';
import { openSnowflakeFromEnv, type SnowflakeWarehouse } from '../../src/warehouse/snowflake.js';
import { startFakesnow, type Fakesnow } from '../helpers/fakesnow.js';

let fakesnow: Fakesnow;
let warehouse: SnowflakeWarehouse;
const differences = new Map<string, string>();
let agreed = 0;

beforeAll(async () => {
  fakesnow = await startFakesnow();
  warehouse = await openSnowflakeFromEnv({
    SNOWFLAKE_ACCESS_URL: fakesnow.accessUrl,
    SNOWFLAKE_ACCOUNT: 'fakesnow',
    SNOWFLAKE_USER: 'DATAOPS_CI',
    SNOWFLAKE_DATABASE: 'DOCS',
    SNOWFLAKE_AUTHENTICATOR: 'PROGRAMMATIC_ACCESS_TOKEN',
    SNOWFLAKE_TOKEN: 'pat-fakesnow-docs-corpus-1',
  });
  await warehouse.execute('CREATE DATABASE IF NOT EXISTS DOCS');
}, 300_000);

afterAll(async () => {
  await warehouse?.close();
  await fakesnow?.stop();
  console.log(`docs corpus on fakesnow: ${agreed} as documented, ${differences.size} differ`);
  const holdout = docsCorpus.filter((e) => e.holdout);
  const holdoutDiffer = holdout.filter((e) => differences.has(e.id)).length;
  console.log(`hold-out on fakesnow: ${holdout.length - holdoutDiffer} as documented, ${holdoutDiffer} differ`);
  if (process.env.DOCS_CORPUS_EMULATOR_REPORT) await writeFile(process.env.DOCS_CORPUS_EMULATOR_REPORT, report());
});

function report(): string {
  const lines = docsCorpus.filter((e) => differences.has(e.id)).map((e) => `- \`${e.id}\` (${e.source}): ${differences.get(e.id)}`);
  return `${lines.join('\n')}\n`;
}

/** '' when fakesnow answers as the documentation shows, else how it differs. */
async function difference(example: DocExample, index: number): Promise<string> {
  const schema = `DOCS.E${index}`;
  let rows: Array<Record<string, unknown>>;
  try {
    await warehouse.execute(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
    await warehouse.execute(`USE SCHEMA ${schema}`);
    for (const statement of example.setup ?? []) await warehouse.execute(statement);
    rows = await warehouse.query<Record<string, unknown>>(example.sql);
  } catch (e) {
    if (!Array.isArray(example.expected)) return '';
    const message = (e as Error).message.split('\n')[0];
    return `fails: ${message.length > 160 ? `${message.slice(0, 157)}...` : message}`;
  }
  if (!Array.isArray(example.expected)) return 'returns rows where Snowflake rejects the statement';
  const differs = compareRows(example.expected, rows.map((r) => Object.values(r)), ordersRows(example.sql));
  return differs.replace(/\s+/g, ' ').slice(0, 200);
}

describe('the documented examples through snowflake-sdk against fakesnow', () => {
  test.each(docsCorpus.map((e, i) => [e.id, e, i] as const))('%s', async (_id, example, index) => {
    const differs = await difference(example, index);
    if (differs) differences.set(example.id, differs);
    else agreed++;
  });

  test('the emulator answered as documented often enough to be worth the comparison', () => {
    expect(agreed + differences.size).toBe(docsCorpus.length);
    expect(agreed).toBeGreaterThan(docsCorpus.length / 4);
  });
});
