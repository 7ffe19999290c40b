// A model's options in its leading comment block: what users write, and the mistakes they make, each with
// the file and line.
import { describe, expect, test } from 'vitest';
import { parseModelOptions } from '../../../src/config/model-options.js';
import { formatDiagnostic } from '../../../src/errors.js';

const parse = (text: string, layer: 'silver' | 'gold' = 'gold') => {
  const { options, diagnostics } = parseModelOptions(`sql/${layer}/m.sql`, text, layer);
  return { options, errors: diagnostics.map(formatDiagnostic) };
};

describe('model options', () => {
  test.each([
    ['none: a table', '-- Revenue per day.\nSELECT 1 AS a', { materialized: 'table' }],
    ['a view', '-- materialized: view\nSELECT 1 AS a', { materialized: 'view' }],
    [
      'incremental with every option',
      '-- The sales fact.\n-- materialized: incremental\n-- unique_key: [Transaction_ID, line_no]\n-- time_column: sold_at\n-- lookback: 2 days\nSELECT 1',
      { materialized: 'incremental', unique_key: ['transaction_id', 'line_no'], time_column: 'sold_at', lookback_seconds: 172_800 },
    ],
    ['a one-column key and a short lookback', '-- materialized: incremental\n-- unique_key: id\n-- time_column: t\n-- lookback: 6h\nSELECT 1', { materialized: 'incremental', unique_key: ['id'], time_column: 't', lookback_seconds: 21_600 }],
    ['prose with a capitalised "Word:" stays prose', '-- Grain: one row per sale.\nSELECT 1', { materialized: 'table' }],
    ['options after the first SQL line are not read', 'SELECT 1\n-- materialized: view', { materialized: 'table' }],
  ])('%s', (_what, text, options) => {
    expect(parse(text)).toEqual({ options, errors: [] });
  });

  test.each([
    ['an unknown option', '-- materialised: view\nSELECT 1', 'sql/gold/m.sql:1:4: unknown model option "materialised" (options: materialized: incremental; unique_key: [sales_date, store_key]; time_column: sold_at; latest_by: updated_at; sensitive: email (partial), phone (redact); lookback: 2 days); a comment line that starts with "word:" is read as an option'],
    ['an unknown kind', '-- materialized: ephemeral\nSELECT 1', 'sql/gold/m.sql:1:4: materialized: "ephemeral" is not one of table, view, incremental, incremental_by_batch'],
    ['a bad key list', '-- unique_key: [a b]\nSELECT 1', 'sql/gold/m.sql:1:4: unique_key: expected a column or a list such as [a, b], got "[a b]"'],
    ['a bad lookback', '-- materialized: incremental\n-- unique_key: id\n-- time_column: t\n-- lookback: two days\nSELECT 1', 'sql/gold/m.sql:4:4: lookback: expected a duration such as 2 days, 6 hours or 30 minutes, got "two days"'],
    ['incremental without a time column', '-- materialized: incremental\n-- unique_key: id\nSELECT 1', 'sql/gold/m.sql:2:1: materialized: incremental needs time_column (e.g. -- time_column: sold_at)'],
    ['a lookback on a table', '-- lookback: 2 days\nSELECT 1', 'sql/gold/m.sql:1:1: lookback applies to materialized: incremental only (this model is table)'],
  ])('%s is an error at its line', (_what, text, error) => {
    expect(parse(text).errors).toEqual([error]);
  });
});

describe('a silver model\'s options', () => {
  test.each([
    ['incremental by batch, appended', '-- materialized: incremental_by_batch\nSELECT 1', { materialized: 'incremental_by_batch' }],
    [
      'incremental by batch, merged by key, latest by a column',
      '-- materialized: incremental_by_batch\n-- unique_key: Transaction_ID\n-- latest_by: Updated_At\nSELECT 1',
      { materialized: 'incremental_by_batch', unique_key: ['transaction_id'], latest_by: 'updated_at' },
    ],
    ['a view', '-- materialized: view\nSELECT 1', { materialized: 'view' }],
  ])('%s', (_what, text, options) => {
    expect(parse(text, 'silver')).toEqual({ options, errors: [] });
  });

  test.each([
    ['incremental by time in silver', 'silver', '-- materialized: incremental\n-- unique_key: id\n-- time_column: t\nSELECT 1',
      'sql/silver/m.sql:1:4: materialized: incremental is not for sql/silver models (silver kinds: table, view, incremental_by_batch); a silver model reads bronze, which grows by batches: use incremental_by_batch'],
    ['incremental by batch in gold', 'gold', '-- materialized: incremental_by_batch\nSELECT 1',
      'sql/gold/m.sql:1:4: materialized: incremental_by_batch is not for sql/gold models (gold kinds: table, view, incremental); a model incremental by batch reads bronze: it belongs in sql/silver'],
    ['latest_by without a key', 'silver', '-- materialized: incremental_by_batch\n-- latest_by: updated_at\nSELECT 1',
      'sql/silver/m.sql:2:1: latest_by applies to materialized: incremental_by_batch with a unique_key only (it picks the latest version of each key)'],
    ['latest_by on a table', 'silver', '-- unique_key: id\n-- latest_by: updated_at\nSELECT 1',
      'sql/silver/m.sql:2:1: latest_by applies to materialized: incremental_by_batch with a unique_key only (it picks the latest version of each key)'],
    ['a bad latest_by', 'silver', '-- materialized: incremental_by_batch\n-- unique_key: id\n-- latest_by: updated at\nSELECT 1',
      'sql/silver/m.sql:3:4: latest_by: expected a column name, got "updated at"'],
  ] as const)('%s is an error at its line', (_what, layer, text, error) => {
    expect(parse(text, layer).errors).toEqual([error]);
  });
});
