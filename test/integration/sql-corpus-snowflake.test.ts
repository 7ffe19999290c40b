// The other half of the SQL corpus's differential proof: every entry runs unchanged through the real
// snowflake-sdk against fakesnow (test/unit/sql/translate.test.ts runs the same entries translated on
// DuckDB). Both must give the rows Snowflake's documentation gives.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { corpus, type CorpusEntry } from '../fixtures/sql/corpus.js';
import { openSnowflakeFromEnv, type SnowflakeWarehouse } from '../../src/warehouse/snowflake.js';
import { startFakesnow, type Fakesnow } from '../helpers/fakesnow.js';

/**
 * Entries where fakesnow itself differs from Snowflake's documented behaviour: the test follows the
 * documentation, so these are not run against the emulator (the DuckDB side still checks them).
 */
const FAKESNOW_DIFFERS: Record<string, string> = {
  'casting text to VARIANT makes a JSON string, not parsed JSON': "fakesnow parses 'abc'::VARIANT as JSON and fails; Snowflake makes a JSON string",
  'ARRAY_SIZE and ARRAY_CONTAINS': 'fakesnow translates ARRAY_SIZE to array_length, which DuckDB does not define on JSON',
  'TYPEOF of VARIANT values': "fakesnow answers 'JSON' for every VARIANT; Snowflake names INTEGER, DECIMAL, VARCHAR, OBJECT, ARRAY, BOOLEAN, NULL_VALUE",
  'ARRAY_TO_STRING and OBJECT_KEYS': 'fakesnow cannot bind ARRAY_TO_STRING over a parsed JSON array',
  'LATERAL FLATTEN outer => TRUE keeps inputs without elements': 'fakesnow drops the input row with an empty array; Snowflake keeps it with NULL index and value when OUTER => TRUE',
  'LATERAL FLATTEN with path => and the PATH column': 'fakesnow ignores PATH => and flattens the whole object',
  'CREATE TABLE drops constraints Snowflake does not enforce': 'fakesnow enforces the PRIMARY KEY Snowflake only records',
  'TO_TIMESTAMP_NTZ from text and from epoch seconds': 'fakesnow reads epoch milliseconds in text as seconds; Snowflake scales by magnitude',
  'TRY_TO_DATE and TRY_TO_TIMESTAMP': 'fakesnow raises on unparsable text instead of returning NULL',
  'TO_VARCHAR of timestamps, dates and numbers': 'fakesnow prints timestamps without the default .FF3 fraction',
  'ARRAY_AGG WITHIN GROUP leaves NULLs out': 'fakesnow keeps NULLs in ARRAY_AGG; Snowflake leaves them out',
  'ARRAY_AGG DISTINCT and of no rows': 'fakesnow returns NULL for ARRAY_AGG of no rows; Snowflake returns []',
  'LISTAGG with a delimiter, WITHIN GROUP, DISTINCT and the empty default delimiter': "fakesnow's default LISTAGG delimiter is ','; Snowflake's is ''",
  'ARRAY_CONSTRUCT and array constants': 'fakesnow builds a typed list and cannot mix numbers and text',
  'session variables: SET then $name': 'fakesnow does not keep SET variables between statements',
  'a cast after CASE ... END applies to the whole CASE': "fakesnow casts a JSON null to the text 'null'; Snowflake gives NULL",
  'typed literals and array constants': 'fakesnow builds a typed list and cannot mix numbers and text',
  'silver-style typing of raw records': 'fakesnow has no TRY_TO_TIMESTAMP_NTZ',
  'gold-style aggregate over flattened lines': 'fakesnow ignores OUTER => TRUE in FLATTEN',
  'division of NUMBERs: the scale grows by 6 up to 12': "fakesnow divides NUMBERs in DOUBLE (2/7 is 0.2857142857142857); Snowflake's scale is max(S1, min(S1 + 6, 12))",
  'SELECT 1/3 shows six decimals; a chain of divisions grows the scale': 'fakesnow divides NUMBERs in DOUBLE (1/3 is 0.3333333333333333); Snowflake gives 0.333333',
  'an OBJECT as text has its keys sorted, at every level': 'fakesnow keeps object keys in insertion order in TO_JSON and ::VARCHAR; Snowflake sorts them',
  'DATEDIFF on text columns (implicit casts)': 'fakesnow cannot bind DATEDIFF on VARCHAR columns; Snowflake casts text implicitly',
  "TRY_CAST('05-Mar-2016' AS TIMESTAMP) reads DD-MON-YYYY": 'fakesnow reads only ISO text as a timestamp',
  "a DATE from '03-April-2024' (the month's full name)": 'fakesnow reads only ISO text as a date',
  'AUTO input formats DD-MON-YYYY and MM/DD/YYYY in casts, TO_DATE and DATEADD': "fakesnow reads only ISO text; Snowflake's AUTO formats include DD-MON-YYYY and MM/DD/YYYY",
  'CONDITIONAL_TRUE_EVENT on a number and on a condition': 'fakesnow has no CONDITIONAL_TRUE_EVENT',
  'CONDITIONAL_TRUE_EVENT on a NUMBER(11,2) balance': 'fakesnow has no CONDITIONAL_TRUE_EVENT',
  'STRTOK_TO_ARRAY never returns empty tokens': 'fakesnow cannot run STRTOK_TO_ARRAY',
  'an aggregate-only query with ORDER BY on the aggregated column': 'fakesnow passes the ORDER BY to DuckDB, which rejects it; Snowflake accepts it',
  'MERGE ... WHEN MATCHED THEN UPDATE ALL BY NAME / WHEN NOT MATCHED THEN INSERT ALL BY NAME': 'fakesnow cannot parse ALL BY NAME',
  'FLATTEN OUTER => TRUE of an empty array: one row, PATH empty, THIS the array': 'fakesnow ignores OUTER => TRUE in FLATTEN',
  'NEXT_DAY and PREVIOUS_DAY: strictly after or before': 'fakesnow has no NEXT_DAY or PREVIOUS_DAY',
  'CEIL, FLOOR and TRUNC with a scale, on FLOAT': 'fakesnow passes CEIL(n, scale) to DuckDB, which has no scale argument for ceil, floor or trunc on a BIGINT scale',
  'ARRAY_CONTAINS matches a JSON null element': "fakesnow parses the text elements of ARRAY_CONSTRUCT as JSON ('hola' fails)",
  'ARRAY_PREPEND puts the element first': 'fakesnow builds typed lists and cannot put text before numbers',
  'ARRAY_DISTINCT keeps the first occurrence of each value, in order': 'fakesnow cannot run ARRAY_DISTINCT',
  'PARSE_JSON reads keys without quotes': "fakesnow cannot run PARSE_JSON on Snowflake's relaxed JSON (keys without quotes)",
  'GET_IGNORE_CASE takes the exact key first, else the one key equal ignoring case': 'fakesnow has no GET_IGNORE_CASE',
  'IS_DECIMAL is true for integers and decimals, false for a number in exponent form': 'fakesnow has no IS_DECIMAL',
  'FLATTEN of a constant input has SEQ 1': 'fakesnow ignores PATH => in FLATTEN, and its SEQ is a hash of the input',
};

let fakesnow: Fakesnow;
let warehouse: SnowflakeWarehouse;

beforeAll(async () => {
  fakesnow = await startFakesnow();
  warehouse = await openSnowflakeFromEnv({
    SNOWFLAKE_ACCESS_URL: fakesnow.accessUrl,
    SNOWFLAKE_ACCOUNT: 'fakesnow',
    SNOWFLAKE_USER: 'DATAOPS_CI',
    SNOWFLAKE_DATABASE: 'CORPUS',
    SNOWFLAKE_AUTHENTICATOR: 'PROGRAMMATIC_ACCESS_TOKEN',
    SNOWFLAKE_TOKEN: 'pat-fakesnow-corpus-1',
  });
  await warehouse.execute('CREATE DATABASE IF NOT EXISTS CORPUS');
  await warehouse.execute('CREATE SCHEMA IF NOT EXISTS CORPUS.PUBLIC');
}, 300_000);

afterAll(async () => {
  await warehouse?.close();
  await fakesnow?.stop();
});

/** The adapter's plain values, shaped like the expected cell (the corpus's normal form). */
function like(expected: unknown, actual: unknown): unknown {
  if (actual === null || actual === undefined) return null;
  if (expected !== null && typeof expected === 'object' && typeof actual === 'string') {
    try {
      return JSON.parse(actual);
    } catch {
      return actual;
    }
  }
  // A VARIANT scalar arrives as its JSON text ('"Ann"', 'true'); the corpus holds the parsed value.
  if (typeof actual === 'string' && (typeof expected === 'boolean' || (typeof expected === 'string' && /^".*"$/s.test(actual)))) {
    try {
      return JSON.parse(actual);
    } catch {
      return actual;
    }
  }
  if (typeof expected === 'number' && typeof actual === 'string' && actual.trim() !== '' && !Number.isNaN(Number(actual))) return Number(actual);
  if (typeof expected === 'string' && typeof actual === 'string' && /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/.test(actual)) {
    return /^\d{4}-\d\d-\d\d$/.test(expected) ? actual.slice(0, 10) : actual.replace('T', ' ').replace('Z', '');
  }
  if (typeof expected === 'string' && typeof actual !== 'string') return typeof actual === 'object' ? JSON.stringify(actual) : String(actual);
  return actual;
}

async function run(entry: CorpusEntry): Promise<Array<Record<string, unknown>>> {
  for (const statement of entry.setup ?? []) await warehouse.execute(statement);
  const rows = await warehouse.query<Record<string, unknown>>(entry.sql);
  return rows.map((row, i) =>
    Object.fromEntries(
      Object.entries(row).map(([k, v]) => {
        const key = k.toLowerCase();
        return [key, like(entry.expected[i]?.[key], v)];
      }),
    ),
  );
}

describe('the SQL corpus through snowflake-sdk against fakesnow', () => {
  const runnable = corpus.filter((e) => !FAKESNOW_DIFFERS[e.name]);
  test('every difference listed is a corpus entry', () => {
    for (const name of Object.keys(FAKESNOW_DIFFERS)) expect(corpus.map((e) => e.name)).toContain(name);
    expect(runnable.length).toBeGreaterThanOrEqual(60);
  });
  test.each(runnable.map((e) => [e.name, e] as const))('%s', async (_name, entry) => {
    expect(await run(entry)).toEqual(entry.expected);
  });
});
