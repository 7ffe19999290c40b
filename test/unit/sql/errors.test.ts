// Every DuckDB error about a user's SQL reaches the user in Snowflake's terms (src/sql/errors.ts): the
// function as written, Snowflake's type names, file:line:col and a hint; never DuckDB's classes, types or the
// translation's internal names. The statements run through `dataops sql` on a real in-memory DuckDB.
import { describe, expect, it } from 'vitest';
import { main } from '../../../src/cli/main.js';
import { ownRefusal, rephraseDuckDBError, sqlErrorDiagnostic } from '../../../src/sql/errors.js';
import { DuckDBWarehouse } from '../../../src/warehouse/duckdb.js';
import { DUCKDB_WORDING } from '../../helpers/duckdb-wording.js';

async function sqlError(query: string): Promise<string> {
  let err = '';
  const code = await main(['--database', ':memory:', 'sql', '-q', query], { out: () => undefined, err: (t) => (err += `${t}\n`), env: {} });
  expect(code, err).toBe(1);
  return err.trim();
}

describe('errors raised while translated SQL runs, through dataops sql', () => {
  it.each([
    // [what, Snowflake SQL, the whole message]
    ['text that is not a number, in the second statement', "SELECT 1;\nSELECT 'abc'::INT",
      "error: <query>:2:13: Numeric value 'abc' is not recognized; the text cannot be read as NUMBER: use TRY_TO_NUMBER (or TRY_CAST) to get NULL for such values, or fix the data"],
    ['an aggregate over text that is not a number', "SELECT SUM(x) FROM (SELECT 'a' AS x)",
      "error: <query>:1:12: Numeric value 'a' is not recognized; the text cannot be read as FLOAT: use TRY_TO_DOUBLE (or TRY_CAST) to get NULL for such values, or fix the data"],
    ['an aggregate over a type it does not take', "SELECT SUM(x) FROM (SELECT DATE '2024-01-01' AS x)",
      "error: <query>:1:8: invalid argument types for function 'SUM': (DATE); cast the arguments to the types the function takes, e.g. x::NUMBER or x::VARCHAR"],
    ['text that is not JSON, at the PARSE_JSON call', "SELECT 1 AS a,\n  parse_json('[1, 2') AS b",
      "error: <query>:2:3: Error parsing JSON: unexpected end of data, pos 6 in '[1, 2'; use TRY_PARSE_JSON to get NULL for text that is not JSON, or fix the data"],
    ['an unknown column', 'SELECT nope FROM (SELECT 1 AS a)',
      `error: <query>:1:8: invalid identifier 'NOPE'; columns with similar names: "a"`],
    ['an unknown table, in the third statement', 'SELECT 1;\nSELECT 2;\n  SELECT * FROM nothere.t',
      "error: <query>:3:17: Object 'nothere.t' does not exist; create the table first, or check its schema-qualified name"],
    ['a timestamp out of range', "SELECT '2024-13-45 10:00:00'::TIMESTAMP_NTZ",
      "error: <query>:1:8: Timestamp '2024-13-45 10:00:00' is not recognized; use TRY_TO_TIMESTAMP to get NULL for such values, or fix the data"],
    ['text that is not a timestamp, at the literal', "SELECT DATEADD(day, 1, x) FROM (SELECT 'abc' AS x)",
      "error: <query>:1:40: Timestamp 'abc' is not recognized; use TRY_TO_TIMESTAMP to get NULL for such values, or fix the data"],
  ])('%s', async (_what, query, expected) => {
    const message = await sqlError(query);
    expect(message).toBe(expected);
    expect(message).not.toMatch(DUCKDB_WORDING);
  });
});

describe("DuckDB's messages in Snowflake's words", () => {
  it.each([
    ['Conversion Error: Could not convert string \'x\' to INT64', "Numeric value 'x' is not recognized"],
    ['Conversion Error: Could not convert string \'x\' to DOUBLE', "Numeric value 'x' is not recognized"],
    ['Conversion Error: Could not convert string \'maybe\' to BOOL', "Boolean value 'maybe' is not recognized"],
    ['Invalid Input Error: Malformed JSON at byte 2 of input: unexpected character.  Input: "[{r:255}]"', "Error parsing JSON: unexpected character, pos 3 in '[{r:255}]'"],
    ['Conversion Error: Date out of range: 2004-0-1', "Date '2004-0-1' is out of range"],
    ['Conversion Error: timestamp field value "2024-05-09 08:50:57.891 -0700" has a timestamp that is not UTC.\nUse the TIMESTAMPTZ type', "Timestamp '2024-05-09 08:50:57.891 -0700' has a UTC offset, which a TIMESTAMP_NTZ value cannot keep here"],
    ["Binder Error: No function matches the given name and argument types 'list_concat(JSON[], STRING_LITERAL)'. You might need to add explicit type casts.\n\tCandidate functions:", "invalid argument types for function 'list_concat': (ARRAY, VARCHAR)"],
    ["Binder Error: No function matches the given name and argument types 'avg(VARCHAR)'.", "invalid argument types for function 'avg': (VARCHAR)"],
    ['Catalog Error: Scalar Function with name bitshiftleft does not exist!\nDid you mean "isinf"?', 'Unknown function BITSHIFTLEFT'],
    ['Binder Error: Macro sf_add_days() has multiple overloads that match the supplied arguments.', "cannot tell the type of an argument of 'sf_add_days'"],
    ['Parser Error: syntax error at or near "COLLATE"\n\nLINE 1: SELECT COLLATE', "syntax error: unexpected 'COLLATE'"],
    ['Out of Range Error: Overflow in multiplication of INT64 (9223372036854775807 * 2)!', 'Number out of representable range: multiplication of NUMBER (9223372036854775807 * 2)'],
    ['Binder Error: Cannot compare values of type DATE and type INTEGER - an explicit cast is required', 'cannot compare DATE with NUMBER'],
    ['Binder Error: window function calls cannot be nested', 'a window function inside another window function is not supported here'],
    ['Binder Error: STAR expression is only allowed as the root element of an expression. Use COLUMNS(*) instead.', '* with ILIKE, EXCLUDE or a table name inside a function call is not supported here'],
    ['Invalid Input Error: something DuckDB says', 'something DuckDB says'],
    // DuckDB drops the schema of a missing table; its echo of the statement keeps it.
    ['Catalog Error: Table with name orders does not exist!\nDid you mean "information_schema.character_sets"?\n\nLINE 1: SELECT count(*) FROM silver.orders WHERE x\n                             ^', "Object 'silver.orders' does not exist"],
    ['Catalog Error: Table with name orders does not exist!\n\nLINE 1: SELECT count(*) FROM orders\n                             ^', "Object 'orders' does not exist"],
  ])('%s', (raw, expected) => {
    expect(rephraseDuckDBError(raw).message).toBe(expected);
  });

  it("names the user's function, as written, where the message names DuckDB's or the translation's", () => {
    const text = 'SELECT\n  list_a,\n  array_cat(list_a, 1) AS both_lists\nFROM t';
    const d = sqlErrorDiagnostic("Binder Error: No function matches the given name and argument types 'list_concat(JSON[], INTEGER_LITERAL)'.", { file: 'sql/gold/x.sql', text });
    expect(d).toMatchObject({ file: 'sql/gold/x.sql', line: 3, col: 3 });
    expect(d.message).toMatch(/^invalid argument types for function 'ARRAY_CAT': \(ARRAY, NUMBER\)/);
    expect(d.message).not.toMatch(DUCKDB_WORDING);
  });

  it("keeps the place a macro's own error() gives, and says it without DuckDB's class", () => {
    const d = sqlErrorDiagnostic('Invalid Input Error: <query>:1:37: n1 * n2: the product has more than 12 decimals', { file: '<query>', text: 'SELECT 1' });
    expect(d).toMatchObject({ line: 1, col: 37, message: 'n1 * n2: the product has more than 12 decimals' });
  });

  it('leaves a message Snowflake gave as it is', () => {
    const d = sqlErrorDiagnostic("SQL compilation error: error line 2 at position 4\ninvalid identifier 'X'", { file: 'a.sql', text: 'SELECT\n    x' });
    expect(d).toMatchObject({ line: 2, col: 5, message: "SQL compilation error: error line 2 at position 4 invalid identifier 'X'" });
  });
});

describe("the translation's own refusals", () => {
  // One mechanism (sf_refuse) and one decoder (ownRefusal): the DuckDB warehouse reports a refusal the inputs'
  // types decide (raised while DuckDB binds, so on no rows too) and one a row decides in the translator's words.
  it.each([
    ['the types decide, on no rows', 'SELECT 0.5 * 0.0000000000001 AS p FROM (SELECT 1) WHERE FALSE', 'm.sql:1:12: 0.5 * 0.0000000000001: the product of NUMBERs with 1 and 13 decimals'],
    ["the types decide, in ROUND's mode", "SELECT ROUND(1.5::FLOAT, 0, 'HALF_TO_EVEN') AS r", 'm.sql:1:8: ROUND with a rounding mode takes a NUMBER, not a FLOAT'],
    ['a row decides', "SELECT PARSE_JSON(column1) AS j FROM VALUES ('[1,,2]')", 'm.sql:1:8: PARSE_JSON(...): JSON text with an empty element'],
  ])('%s', async (_what, sql, message) => {
    const w = await DuckDBWarehouse.open(':memory:');
    try {
      const error = await w.query(w.translate(sql, 'm.sql').sql).then(() => undefined, (e: Error) => e.message);
      expect(error).toMatch(new RegExp(`^${message.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
      expect(ownRefusal(`Conversion Error: Could not convert string '${error}' to BOOL`)).toBe(error);
    } finally {
      await w.close();
    }
  });

  it('is not a user cast of text to BOOLEAN', () => {
    expect(ownRefusal("Conversion Error: Could not convert string 'yes' to BOOL")).toBeUndefined();
  });
});
