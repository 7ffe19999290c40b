import { expect, test } from 'vitest';
import { modelDiagnostic } from '../../../src/models/gold.js';
import { parseModel } from '../../../src/config/sql-model.js';

const { model } = parseModel('sql/gold/typo.sql', 'SELECT\n    store_id,\n    no_such_column\nFROM silver.stores\n');

test("a Snowflake compilation error is placed at the model's line and column", () => {
  const message = "Snowflake error 000904 (42000): SQL compilation error: error line 3 at position 4\ninvalid identifier 'NO_SUCH_COLUMN'\n  in SQL: CREATE ...";
  expect(modelDiagnostic(model!, message, 'CREATE OR REPLACE TABLE gold.typo AS '.length)).toMatchObject({
    file: 'sql/gold/typo.sql',
    line: 3,
    col: 5,
    message: "Snowflake error 000904 (42000): SQL compilation error: error line 3 at position 4 invalid identifier 'NO_SUCH_COLUMN'",
  });
  // On line 1 the statement's prefix is not part of the file.
  expect(modelDiagnostic(model!, 'SQL compilation error: syntax error line 1 at position 44 unexpected', 37)).toMatchObject({ line: 1, col: 8 });
});

test("a DuckDB error's LINE and caret are placed the same way", () => {
  const message = 'Binder Error: Referenced column "no_such_column" not found\n\nLINE 3:     no_such_column\n            ^';
  expect(modelDiagnostic(model!, message)).toMatchObject({ line: 3, col: 5, message: "invalid identifier 'NO_SUCH_COLUMN'; check the column name" });
});
