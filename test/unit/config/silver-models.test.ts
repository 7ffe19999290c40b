// SQL models in sql/silver: what a user writes, and each mistake, named at its file and line. A model
// incremental by batch is read batch by batch, so SQL that combines rows across batches is refused.
import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { parseModel } from '../../../src/config/sql-model.js';
import { formatDiagnostic } from '../../../src/errors.js';
import { restrictToBatches } from '../../../src/models/batch-model.js';
import { validateProject } from '../../../src/validate.js';
import { copyProject } from '../../helpers/project.js';

const BATCH = '-- materialized: incremental_by_batch\n';
const errorsOf = (sql: string) => parseModel('sql/silver/m.sql', sql).diagnostics.map(formatDiagnostic);

describe('the SQL of a model incremental by batch', () => {
  test.each([
    ['a row-wise SELECT with a path, a cast and a filter', `${BATCH}SELECT _record:id::int AS id, _batch_id\nFROM bronze.shop_orders\nWHERE _record:status::string <> 'void'`],
    ['an alias and LATERAL FLATTEN (one row per element of one record)', `${BATCH}SELECT b._record:id::int AS id, f.value:sku::string AS sku, b._batch_id\nFROM bronze.shop_orders AS b, LATERAL FLATTEN(input => b._record:lines) AS f`],
    ['a CTE that reads the bronze table once', `${BATCH}WITH o AS (SELECT * FROM bronze.shop_orders)\nSELECT _record:id::int AS id, _batch_id FROM o`],
    ['keywords as JSON keys and names', `${BATCH}SELECT _record:limit::int AS lim, _record:count::int AS n, _record:s::string AS sample, _batch_id AS fetch FROM bronze.shop_orders`],
  ])('%s is accepted', (_what, sql) => {
    expect(errorsOf(sql)).toEqual([]);
  });

  test.each([
    ['GROUP BY', `${BATCH}SELECT _record:id::int AS id\nFROM bronze.shop_orders\nGROUP BY 1`, 'sql/silver/m.sql:4:1: GROUP BY gives other rows read batch by batch than read at once'],
    ['DISTINCT', `${BATCH}SELECT DISTINCT _record:id::int AS id FROM bronze.shop_orders`, 'sql/silver/m.sql:2:8: DISTINCT gives other rows read batch by batch than read at once'],
    ['an aggregate, even in a subquery', `${BATCH}SELECT _batch_id,\n  (SELECT COUNT(DISTINCT value) FROM TABLE(FLATTEN(_record:lines))) AS n FROM bronze.shop_orders`, 'sql/silver/m.sql:3:11: the aggregate COUNT() gives other rows read batch by batch than read at once'],
    ['a window function', `${BATCH}SELECT ROW_NUMBER() OVER (ORDER BY _fetched_at) AS n FROM bronze.shop_orders`, 'sql/silver/m.sql:2:21: a window function (OVER) gives other rows read batch by batch than read at once'],
    ['QUALIFY', `${BATCH}SELECT _record FROM bronze.shop_orders\nQUALIFY _fetched_at = _fetched_at`, 'sql/silver/m.sql:3:1: QUALIFY gives other rows read batch by batch than read at once'],
    ['LIMIT', `${BATCH}SELECT _record FROM bronze.shop_orders LIMIT 10`, 'sql/silver/m.sql:2:40: LIMIT gives other rows read batch by batch than read at once'],
    ['a sample', `${BATCH}SELECT _record FROM bronze.shop_orders SAMPLE (10)`, 'sql/silver/m.sql:2:40: SAMPLE gives other rows read batch by batch than read at once'],
    ['a set operation', `${BATCH}SELECT _record FROM bronze.shop_orders\nUNION ALL SELECT NULL`, 'sql/silver/m.sql:3:1: UNION gives other rows read batch by batch than read at once'],
  ])('%s is refused at its line', (_what, sql, error) => {
    expect(errorsOf(sql)).toEqual([`${error}: an incremental_by_batch model reads only the new bronze batches, so each row it gives must come from one bronze row; use materialized: table (or view) for this model`]);
  });

  test.each([
    ['a join with a silver table', `${BATCH}SELECT b._record FROM bronze.shop_orders AS b\nJOIN silver.customers AS c ON c.id = b._record:customer_id::int`,
      'sql/silver/m.sql:3:6: silver.customers: an incremental_by_batch model reads one bronze table and nothing else (each batch would be joined to silver.customers as it is then, not as a full build sees it); use materialized: table'],
    ['two bronze tables', `${BATCH}SELECT 1 FROM bronze.shop_orders,\n  bronze.shop_customers`,
      'sql/silver/m.sql:3:3: bronze.shop_customers: an incremental_by_batch model reads one bronze table (it already reads bronze.shop_orders at line 2); use materialized: table'],
    ['the bronze table named twice', `${BATCH}SELECT bronze.shop_orders._record FROM bronze.shop_orders`,
      'sql/silver/m.sql:2:40: bronze.shop_orders is named again (first at line 2): an incremental_by_batch model reads its bronze table once; name its columns through an alias (FROM bronze.shop_orders AS b ... b._record)'],
    ['no bronze table', `${BATCH}SELECT 1 AS one`, 'sql/silver/m.sql:1:1: an incremental_by_batch model reads one bronze table (bronze.<pipeline>_<resource>); this one reads none'],
  ])('%s is refused', (_what, sql, error) => {
    expect(errorsOf(sql)).toEqual([error]);
  });

  test('a table model in sql/silver may combine rows: it is built from everything', () => {
    expect(errorsOf('SELECT _record:id::int AS id, COUNT(*) AS versions FROM bronze.shop_orders GROUP BY 1')).toEqual([]);
    expect(parseModel('sql/silver/m.sql', 'SELECT 1 AS one FROM bronze.x').model).toMatchObject({ name: 'silver.m', layer: 'silver' });
  });
});

describe('reading only some batches', () => {
  const model = (sql: string) => parseModel('sql/silver/m.sql', `${BATCH}${sql}`).model!;
  const restricted = (sql: string) => {
    const m = model(sql);
    return restrictToBatches(m.select, m.references[0], ['b1', "it's"]).slice(BATCH.length);
  };

  test.each([
    ['no alias: the table\'s own name', 'SELECT x._record FROM bronze.x\nWHERE TRUE', "SELECT x._record FROM (SELECT * FROM bronze.x WHERE _batch_id IN ('b1', 'it''s')) AS x\nWHERE TRUE"],
    ['an alias with AS', 'SELECT b._record FROM bronze.x AS b', "SELECT b._record FROM (SELECT * FROM bronze.x WHERE _batch_id IN ('b1', 'it''s')) AS b"],
    ['a bare alias', 'SELECT b._record FROM bronze.x b, LATERAL FLATTEN(b._record:lines) f', "SELECT b._record FROM (SELECT * FROM bronze.x WHERE _batch_id IN ('b1', 'it''s')) b, LATERAL FLATTEN(b._record:lines) f"],
    ['a clause after it, and the lines kept', 'SELECT _record FROM Bronze .\n X LATERAL FLATTEN(_record:lines)', "SELECT _record FROM (SELECT * FROM bronze.x WHERE _batch_id IN ('b1', 'it''s')) AS x\n LATERAL FLATTEN(_record:lines)"],
  ])('%s', (_what, sql, expected) => {
    expect(restricted(sql)).toBe(expected);
  });
});

describe('silver models in the example project', () => {
  let dir: string;
  const env = { DEMO_API_URL: 'http://127.0.0.1:1', DEMO_API_TOKEN: 'x' };
  beforeEach(async () => {
    dir = await copyProject();
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });
  const errors = async () => (await validateProject(dir, env)).diagnostics.filter((d) => d.severity === 'error').map(formatDiagnostic);
  const model = (name: string, sql: string) => writeFile(join(dir, 'sql/silver', `${name}.sql`), sql);

  test('a silver model belongs to the pipeline whose bronze it reads, directly or through silver; gold may read it', async () => {
    await model('card_payments', "SELECT transaction_id, card_last4 FROM silver.payments WHERE payment_method = 'card'");
    await writeFile(join(dir, 'sql/gold/payment_mix.sql'), 'SELECT payment_method, COUNT(*) AS sales FROM silver.payments GROUP BY payment_method');
    const v = await validateProject(dir, env);
    expect(v.diagnostics.filter((d) => d.severity === 'error').map(formatDiagnostic)).toEqual([]);
    const { graph } = v.project;
    expect(graph.get('silver.payments')).toMatchObject({ layer: 'silver', kind: 'incremental_by_batch', pipeline: 'retail_pos', parents: ['bronze.retail_pos_transactions'] });
    expect(graph.ownerOf('silver.card_payments')).toBe('retail_pos');
    const order = graph.order;
    expect(order.indexOf('bronze.retail_pos_transactions')).toBeLessThan(order.indexOf('silver.payments'));
    expect(order.indexOf('silver.payments')).toBeLessThan(order.indexOf('silver.card_payments'));
    expect(order.indexOf('silver.card_payments')).toBeLessThan(order.indexOf('gold.dim_store'));
    expect(order.indexOf('silver.payments')).toBeLessThan(order.indexOf('gold.payment_mix'));
  });

  test('a name a pipeline\'s mapping already has is an error at both places', async () => {
    await model('stores', 'SELECT _record:id::int AS store_id FROM bronze.stores_stores');
    expect(await errors()).toEqual([
      expect.stringMatching(/^pipelines\/stores\.yml:\d+:3: silver table "stores" is also declared by sql\/silver\/stores\.sql: a table is declared once, by a mapping or by a SQL model$/),
      'sql/silver/stores.sql:1:1: silver.stores is also a silver table of pipeline stores (pipelines/stores.yml): a table is declared once, by a mapping or by a SQL model',
    ]);
  });

  test.each([
    ['tables of two pipelines', 'SELECT p.transaction_id, s.name\nFROM silver.payments AS p\nJOIN silver.stores AS s ON TRUE',
      'sql/silver/m.sql:3:6: silver.m reads tables of several pipelines: retail_pos (silver.payments), stores (silver.stores); a silver model belongs to one pipeline, whose run builds it: read the others\' tables from a model in sql/gold'],
    ['no bronze at all', 'SELECT 1 AS one',
      'sql/silver/m.sql:1:1: silver.m reads no pipeline\'s bronze table, directly or through silver: a silver model is built by the run of the pipeline whose bronze it reads; a model over other models belongs in sql/gold'],
    ['a gold table', 'SELECT store_key\nFROM gold.dim_store',
      'sql/silver/m.sql:2:6: gold.dim_store: a silver model reads bronze and silver tables; gold is built from silver, after it'],
  ])('a silver model that reads %s is refused', async (_what, sql, error) => {
    await model('m', sql);
    expect(await errors()).toContain(error);
  });

  test('validate plans a model as each run reads it: _batch_id, unique_key and latest_by must be columns it gives', async () => {
    const file = join(dir, 'sql/silver/payments.sql');
    const text = await readFile(file, 'utf8');
    await writeFile(file, text.replace('    _batch_id\n', '    1 AS one\n').replace('-- latest_by: updated_at', '-- latest_by: updated'));
    expect(await errors()).toEqual([
      'sql/silver/payments.sql:4:1: materialized: incremental_by_batch: silver.payments must give bronze\'s _batch_id as a column (SELECT ..., _batch_id FROM bronze...): it says which batch each row came from, so a batch read again replaces its own rows and the later batch\'s version of a key wins',
      expect.stringMatching(/^sql\/silver\/payments\.sql:6:1: latest_by: "updated" is not a column of silver\.payments \(columns: transaction_id, payment_method, .*one\)$/),
    ]);
  });

  test('a SQL error in a silver model is placed at its line', async () => {
    await model('typo', 'SELECT\n    _record:id::int AS id,\n    no_such_column\nFROM bronze.retail_pos_transactions\n');
    expect(await errors()).toEqual([expect.stringMatching(/^sql\/silver\/typo\.sql:3:5: .*no_such_column/i)]);
  });
});
