// Masking at read on DuckDB: each rule's SQL shows what its TypeScript rule shows, a query's reference to a
// table with sensitive columns reads the masked values (under its alias, or its own name), and a model's
// columns are declared in its leading comment or inherited by name from the tables it reads.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { parseModel, type SqlModel } from '../../../src/config/sql-model.js';
import { parseModelOptions } from '../../../src/config/model-options.js';
import { fingerprintOf, modelDefinition } from '../../../src/graph/fingerprint.js';
import { MASK_RULE_NAMES, MASK_RULES, type MaskRuleName } from '../../../src/governance/masking.js';
import { maskedColumnSql, maskSensitiveReads, readMaskerFor, sensitiveTables, type SensitiveTables } from '../../../src/governance/read-masking.js';
import { sensitiveColumnsOf } from '../../../src/governance/sensitive-fields.js';
import { DuckDBWarehouse } from '../../../src/warehouse/duckdb.js';

let w: DuckDBWarehouse;
beforeAll(async () => {
  w = await DuckDBWarehouse.open(':memory:');
  await w.query(`CREATE SCHEMA gold; CREATE TABLE gold.people (id INTEGER, email VARCHAR, phone VARCHAR, score BIGINT, born DATE, ok BOOLEAN, tags VARCHAR[]);
    INSERT INTO gold.people VALUES (1, 'ann@example.com', '+1 555 010 1234', 12345678901, DATE '1990-01-02', true, ['ann@example.com']), (2, '  BOB@Mail.Example.ORG ', 'short', 42, NULL, false, []), (3, NULL, NULL, NULL, NULL, NULL, NULL), (4, 'a@b@c.example.net', '0123456789', 7, DATE '2000-01-01', true, ['x'])`);
});
afterAll(() => w.close());

const model = (file: string, text: string): SqlModel => {
  const parsed = parseModel(file, text);
  if (!parsed.model) throw new Error(parsed.diagnostics.map((d) => d.message).join('; '));
  return parsed.model;
};

describe('each rule in SQL shows what its TypeScript rule shows', () => {
  test.each(MASK_RULE_NAMES.flatMap((rule) => ['email', 'phone', 'score', 'born', 'ok', 'tags'].map((column) => [rule, column] as const)))('%s of %s', async (rule, column) => {
    const rows = await w.query<{ clear: unknown; masked: unknown }>(`SELECT ${column} AS clear, ${maskedColumnSql(rule, column)} AS masked FROM gold.people ORDER BY id`);
    for (const row of rows) {
      // The TypeScript rule is given what the client gives: a BIGINT arrives as a bigint.
      const clear = row.clear;
      const expected = clear === null ? null : MASK_RULES[rule].mask(clear);
      // A list hashes as its text in SQL, as its JSON in TypeScript: masked either way.
      if (column === 'tags' && clear !== null && rule === 'hash') expect(row.masked).toEqual(expect.stringMatching(/^sha256:[0-9a-f]{12}$/));
      else expect(row.masked, `${rule} of ${JSON.stringify(clear)}`).toEqual(expected);
    }
  });
});

describe('maskSensitiveReads', () => {
  const sensitive: SensitiveTables = new Map([['gold.people', new Map<string, MaskRuleName>([['email', 'partial'], ['phone', 'redact'], ['gone', 'hash']])]]);
  const columnsOf = async () => ['id', 'email', 'phone', 'score', 'born', 'ok', 'tags'];
  const run = async (sql: string) => w.query(await maskSensitiveReads(sql, sensitive, columnsOf));

  test.each([
    ['no alias', 'SELECT email, phone FROM gold.people WHERE id = 1'],
    ['an alias', 'SELECT p.email, p.phone FROM gold.people p WHERE p.id = 1'],
    ['AS alias', 'SELECT p.email, p.phone FROM gold.people AS p WHERE p.id = 1'],
    ['the table name as qualifier', 'SELECT people.email, people.phone FROM Gold . People WHERE people.id = 1'],
    ['a join', 'SELECT a.email, b.phone FROM gold.people a JOIN gold.people b ON a.id = b.id WHERE a.id = 1'],
    ['star', 'SELECT * EXCLUDE (id, score, born, ok, tags) FROM gold.people WHERE id = 1'],
    ['a CTE', 'WITH x AS (SELECT email, phone FROM gold.people) SELECT * FROM x WHERE email LIKE \'%example.com\' LIMIT 1'],
  ])('%s: the values are masked before the query sees them', async (_, sql) => {
    expect(await run(sql)).toEqual([{ email: '••••@example.com', phone: '••••' }]);
  });

  test('a WHERE on the clear value finds nothing: the query never sees it', async () => {
    expect(await run("SELECT id FROM gold.people WHERE email = 'ann@example.com'")).toEqual([]);
  });

  test('names in strings and comments are left alone, and the lines are kept', async () => {
    const sql = "SELECT 'gold.people' AS t, -- gold.people\n  email\nFROM gold.people\nWHERE id = 1";
    const masked = await maskSensitiveReads(sql, sensitive, columnsOf);
    expect(masked.split('\n')).toHaveLength(4);
    expect(await w.query(masked)).toEqual([{ t: 'gold.people', email: '••••@example.com' }]);
  });

  test('a table without sensitive columns is read as it is', async () => {
    expect(await maskSensitiveReads('SELECT * FROM gold.other', sensitive, columnsOf)).toBe('SELECT * FROM gold.other');
  });

  test('the masker reads the table columns from the warehouse, and is identity where nothing is sensitive', async () => {
    const people = model('sql/gold/people.sql', '-- sensitive: email (hash)\nSELECT id, email FROM silver.x');
    const mask = readMaskerFor(w, { pipelines: [], models: [people] });
    const [row] = await w.query<{ email: string }>(await mask('SELECT email FROM gold.people WHERE id = 1'));
    expect(row.email).toBe(MASK_RULES.hash.mask('ann@example.com'));
    expect(await readMaskerFor(w, { pipelines: [], models: [] })('SELECT email FROM gold.people')).toBe('SELECT email FROM gold.people');
  });
});

describe('a model declares its sensitive columns, or inherits them by name', () => {
  test.each([
    ['email (partial), phone (redact)', { email: 'partial', phone: 'redact' }],
    ['email', { email: 'redact' }],
    ['Email (hash) , notes(null)', { email: 'hash', notes: 'null' }],
    ['email (clear)', { email: 'clear' }],
  ])('-- sensitive: %s', (value, expected) => {
    const { options, diagnostics } = parseModelOptions('sql/gold/x.sql', `-- sensitive: ${value}\nSELECT 1`);
    expect(diagnostics).toEqual([]);
    expect(options.sensitive).toEqual(expected);
  });

  test.each([
    ['email (mask)', 'sensitive: unknown mask rule "mask" for email (expected one of: redact, hash, partial, null, clear)'],
    ['email partial', 'sensitive: expected columns each with an optional mask rule in parentheses, such as email (partial), phone; got "email partial"'],
    ['email,', 'sensitive: expected columns each with an optional mask rule in parentheses, such as email (partial), phone; got "email,"'],
  ])('-- sensitive: %s is an error at its line', (value, message) => {
    const { diagnostics } = parseModelOptions('sql/gold/x.sql', `-- A model.\n-- sensitive: ${value}\nSELECT 1`);
    expect(diagnostics).toEqual([{ file: 'sql/gold/x.sql', line: 2, col: 4, severity: 'error', message }]);
  });

  test('inherited through models by name, overridden or cleared where declared, not followed through a rename', () => {
    const models = [
      model('sql/silver/people.sql', '-- sensitive: email (partial), phone\nSELECT * FROM bronze.x'),
      model('sql/gold/dim.sql', 'SELECT email, phone AS contact FROM silver.people'),
      model('sql/gold/top.sql', '-- sensitive: phone (hash)\nSELECT * FROM gold.dim'),
      model('sql/gold/open.sql', '-- sensitive: email (clear)\nSELECT * FROM gold.dim'),
    ];
    const found = sensitiveTables([], models);
    expect(Object.fromEntries([...found].map(([t, c]) => [t, Object.fromEntries(c)]))).toEqual({
      'silver.people': { email: 'partial', phone: 'redact' },
      'gold.dim': { email: 'partial', phone: 'redact' },
      'gold.top': { email: 'partial', phone: 'hash' },
      'gold.open': { phone: 'redact' },
    });
    // A failing-row sample of a model is masked by its columns.
    expect(sensitiveColumnsOf([], 'gold.top', models).map((f) => `${f.column}:${f.rule}`)).toEqual(['gold.top.email:partial', 'gold.top.phone:hash']);
  });

  test('declaring a model column sensitive is not a change of its definition: it rebuilds nothing', () => {
    const clear = model('sql/gold/dim.sql', '-- materialized: table\nSELECT email FROM silver.people');
    const masked = model('sql/gold/dim.sql', '-- materialized: table\n-- sensitive: email (hash)\nSELECT email FROM silver.people');
    expect(fingerprintOf(modelDefinition(masked))).toBe(fingerprintOf(modelDefinition(clear)));
    expect(fingerprintOf(modelDefinition(model('sql/gold/dim.sql', '-- materialized: view\nSELECT email FROM silver.people')))).not.toBe(fingerprintOf(modelDefinition(clear)));
  });
});
