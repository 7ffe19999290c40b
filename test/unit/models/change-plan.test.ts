// The plan of a pull request, from the repository alone: its graph against the base commit's, table by
// table, with the category, the reasons and what a breaking change rebuilds. Cases from what users edit.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { loadPipeline } from '../../../src/config/pipeline.js';
import { parseModel } from '../../../src/config/sql-model.js';
import { buildGraph } from '../../../src/graph/graph.js';
import { compareGraphs, compareProjects, formatChangedTable, touchedTables, type ChangedTable } from '../../../src/models/change-plan.js';
import { loadProject } from '../../../src/project.js';

interface Files {
  pipelines: Record<string, string>;
  models: Record<string, string>;
}

const column = (name: string, extra = '') => `      ${name}: { path: ${name}, type: string${extra} }`;

/** A small project: one pipeline with two silver tables, and models reading them, one through another. */
function baseFiles(): Files {
  return {
    pipelines: {
      'pipelines/shop.yml': [
        'name: shop',
        '# the shop\'s orders and customers',
        'source:',
        '  kind: http',
        '  base_url: http://127.0.0.1:1',
        '  resources:',
        '    orders: { path: /orders }',
        '    customers: { path: /customers }',
        'silver:',
        '  orders:',
        '    from: orders',
        '    key: [id]',
        '    columns:',
        column('id'),
        column('email', ', normalize: [trim]'),
        '  customers:',
        '    from: customers',
        '    key: [id]',
        '    columns:',
        column('id'),
        '',
      ].join('\n'),
    },
    models: {
      'sql/gold/daily.sql': 'SELECT id, email FROM silver.orders',
      'sql/gold/top.sql': 'SELECT id FROM gold.daily',
      'sql/gold/cust.sql': 'SELECT id FROM silver.customers',
    },
  };
}

function graphOf(files: Files) {
  const pipelines = Object.entries(files.pipelines).map(([file, text]) => {
    const loaded = loadPipeline(file, text, {});
    expect(loaded.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    return loaded.pipeline!;
  });
  const models = Object.entries(files.models).map(([file, text]) => parseModel(file, text).model!);
  return buildGraph(pipelines, models);
}

function edit(change: (f: Files) => void): Files {
  const files = baseFiles();
  change(files);
  return files;
}

const SHOP = 'pipelines/shop.yml';
const replaceIn = (f: Files, from: string, to: string) => {
  expect(f.pipelines[SHOP]).toContain(from);
  f.pipelines[SHOP] = f.pipelines[SHOP].replace(from, to);
};

describe('the plan of a change: the head graph against the base graph', () => {
  test.each<[string, Files, ChangedTable[]]>([
    [
      'nothing that changes a table (a comment, spacing, a model\'s layout)',
      edit((f) => {
        replaceIn(f, "# the shop's orders and customers", '# orders and customers, from the shop');
        f.models['sql/gold/daily.sql'] = '-- the orders\nselect id,\n       email\n  from silver.orders';
      }),
      [],
    ],
    [
      'a column added to a silver table: non-breaking, rebuilds nothing else',
      edit((f) => replaceIn(f, column('email', ', normalize: [trim]'), `${column('email', ', normalize: [trim]')}\n${column('total')}`)),
      [{ table: 'silver.orders', layer: 'silver', change: 'non_breaking', reasons: ['column total added'], rebuilds: [] }],
    ],
    [
      'a normalizer changed: breaking, rebuilds the models downstream, in build order',
      edit((f) => replaceIn(f, 'normalize: [trim]', 'normalize: [trim, lower]')),
      [{ table: 'silver.orders', layer: 'silver', change: 'breaking', reasons: ['column email: normalize [trim] -> [trim, lower]'], rebuilds: ['gold.daily', 'gold.top'] }],
    ],
    [
      'the key changed',
      edit((f) => replaceIn(f, '    from: orders\n    key: [id]', '    from: orders\n    key: [id, email]')),
      [{ table: 'silver.orders', layer: 'silver', change: 'breaking', reasons: ['key: [id] -> [id, email]'], rebuilds: ['gold.daily', 'gold.top'] }],
    ],
    [
      'a column appended to a model: non-breaking',
      edit((f) => (f.models['sql/gold/daily.sql'] = 'SELECT id, email, 1 AS one FROM silver.orders')),
      [{ table: 'gold.daily', layer: 'gold', change: 'non_breaking', reasons: ['column added: 1 as one'], rebuilds: [] }],
    ],
    [
      'a filter added to a model: breaking, rebuilds what reads it',
      edit((f) => (f.models['sql/gold/daily.sql'] = "SELECT id, email FROM silver.orders WHERE email <> ''")),
      [{ table: 'gold.daily', layer: 'gold', change: 'breaking', reasons: ['the query changed after its select list (FROM, JOIN, WHERE, GROUP BY, ...)'], rebuilds: ['gold.top'] }],
    ],
    [
      'a model materialised as a view instead of a table: the same rows, non-breaking',
      edit((f) => (f.models['sql/gold/top.sql'] = '-- materialized: view\nSELECT id FROM gold.daily')),
      [{ table: 'gold.top', layer: 'gold', change: 'non_breaking', reasons: ['materialized: table -> view'], rebuilds: [] }],
    ],
    [
      'a breaking change under a model the change adds: the new model is built, not rebuilt',
      edit((f) => {
        replaceIn(f, 'normalize: [trim]', 'normalize: [trim, lower]');
        f.models['sql/gold/emails.sql'] = 'SELECT DISTINCT email FROM silver.orders';
      }),
      [
        { table: 'silver.orders', layer: 'silver', change: 'breaking', reasons: ['column email: normalize [trim] -> [trim, lower]'], rebuilds: ['gold.daily', 'gold.top'] },
        { table: 'gold.emails', layer: 'gold', change: 'added', reasons: ['new in sql/gold/emails.sql'], rebuilds: [] },
      ],
    ],
    [
      'a model added, and one removed',
      edit((f) => {
        f.models['sql/gold/fresh.sql'] = 'SELECT id FROM silver.customers';
        delete f.models['sql/gold/top.sql'];
      }),
      [
        { table: 'gold.fresh', layer: 'gold', change: 'added', reasons: ['new in sql/gold/fresh.sql'], rebuilds: [] },
        { table: 'gold.top', layer: 'gold', change: 'removed', reasons: ['no longer declared (was in sql/gold/top.sql)'], rebuilds: [] },
      ],
    ],
    [
      'a silver table removed with the model that read it',
      edit((f) => {
        replaceIn(f, `  customers:\n    from: customers\n    key: [id]\n    columns:\n${column('id')}\n`, '');
        delete f.models['sql/gold/cust.sql'];
      }),
      [
        { table: 'silver.customers', layer: 'silver', change: 'removed', reasons: ['no longer declared (was in pipelines/shop.yml)'], rebuilds: [] },
        { table: 'gold.cust', layer: 'gold', change: 'removed', reasons: ['no longer declared (was in sql/gold/cust.sql)'], rebuilds: [] },
      ],
    ],
    [
      'a mapping and a model changed at once: silver first, each with its own category',
      edit((f) => {
        replaceIn(f, 'normalize: [trim]', 'normalize: [trim, upper]');
        f.models['sql/gold/cust.sql'] = 'SELECT id, id + 1 AS next_id FROM silver.customers';
      }),
      [
        { table: 'silver.orders', layer: 'silver', change: 'breaking', reasons: ['column email: normalize [trim] -> [trim, upper]'], rebuilds: ['gold.daily', 'gold.top'] },
        { table: 'gold.cust', layer: 'gold', change: 'non_breaking', reasons: ['column added: id + 1 as next_id'], rebuilds: [] },
      ],
    ],
  ])('%s', (_what, head, expected) => {
    expect(compareGraphs(graphOf(baseFiles()), graphOf(head))).toEqual(expected);
  });

  const MAPPING = `  orders:\n    from: orders\n    key: [id]\n    columns:\n${column('id')}\n${column('email', ', normalize: [trim]')}\n`;
  const SQL_ORDERS = "-- materialized: incremental_by_batch\n-- unique_key: id\nSELECT _record:id::string AS id, trim(_record:email::string) AS email, _batch_id FROM bronze.shop_orders";
  const withSqlOrders = (sql = SQL_ORDERS) => edit((f) => {
    replaceIn(f, MAPPING, '');
    f.models['sql/silver/orders.sql'] = sql;
  });

  test.each<[string, Files, Files, ChangedTable[]]>([
    [
      'a mapping\'s table declared by a SQL model instead: breaking, rebuilds what reads it',
      baseFiles(),
      withSqlOrders(),
      [{ table: 'silver.orders', layer: 'silver', change: 'breaking', reasons: ["declared by a SQL model now (was a pipeline's mapping)"], rebuilds: ['gold.daily', 'gold.top'] }],
    ],
    [
      'a column appended to a silver model: non-breaking',
      withSqlOrders(),
      withSqlOrders(SQL_ORDERS.replace(', _batch_id FROM', ', _batch_id, _record:total::number AS total FROM')),
      [{ table: 'silver.orders', layer: 'silver', change: 'non_breaking', reasons: ['column added: _record:total::number as total'], rebuilds: [] }],
    ],
    [
      'a silver model keyed now (it appended): which version of a key is kept changed, breaking',
      edit((f) => {
        replaceIn(f, MAPPING, '');
        f.models['sql/silver/orders.sql'] = SQL_ORDERS.replace('-- unique_key: id\n', '');
      }),
      withSqlOrders(),
      [{ table: 'silver.orders', layer: 'silver', change: 'breaking', reasons: ['which version of each key is kept changed', 'unique_key: none -> [id]'], rebuilds: ['gold.daily', 'gold.top'] }],
    ],
    [
      'a silver model\'s latest_by changed: breaking',
      withSqlOrders(),
      withSqlOrders(SQL_ORDERS.replace('-- unique_key: id\n', '-- unique_key: id\n-- latest_by: email\n')),
      [{ table: 'silver.orders', layer: 'silver', change: 'breaking', reasons: ['which version of each key is kept changed', 'latest_by: none -> email'], rebuilds: ['gold.daily', 'gold.top'] }],
    ],
    [
      'a silver model added: built by the pipeline it reads',
      baseFiles(),
      edit((f) => (f.models['sql/silver/emails.sql'] = 'SELECT _record:email::string AS email FROM bronze.shop_orders')),
      [{ table: 'silver.emails', layer: 'silver', change: 'added', reasons: ['new in sql/silver/emails.sql'], rebuilds: [] }],
    ],
  ])('%s', (_what, base, head, expected) => {
    expect(compareGraphs(graphOf(base), graphOf(head))).toEqual(expected);
  });

  test('touched tables: each changed table, then what it rebuilds, once each', () => {
    const changes = compareGraphs(graphOf(baseFiles()), graphOf(edit((f) => {
      replaceIn(f, 'normalize: [trim]', 'normalize: [trim, lower]');
      f.models['sql/gold/daily.sql'] = "SELECT id, email FROM silver.orders WHERE email <> ''";
    })));
    expect(touchedTables(changes)).toEqual(['silver.orders', 'gold.daily', 'gold.top']);
    expect(formatChangedTable(changes[0])).toBe('breaking     silver.orders: column email: normalize [trim] -> [trim, lower]; rebuilds gold.daily, gold.top');
  });
});

describe('comparing two project folders', () => {
  async function writeProject(dir: string, files: Files): Promise<void> {
    for (const [file, text] of Object.entries({ ...files.pipelines, ...files.models })) {
      await mkdir(join(dir, file, '..'), { recursive: true });
      await writeFile(join(dir, file), text);
    }
  }

  test('a table whose file does not load on one side is left out, not called removed or added', async () => {
    const root = await mkdtemp(join(tmpdir(), 'dataops-change-plan-'));
    try {
      await writeProject(join(root, 'base'), baseFiles());
      await writeProject(join(root, 'head'), edit((f) => {
        // The pipeline file breaks (validation reports it); a model really is removed.
        f.pipelines[SHOP] = f.pipelines[SHOP].replace('silver:', 'silver: [');
        delete f.models['sql/gold/top.sql'];
      }));
      const [base, head] = [await loadProject(join(root, 'base'), {}), await loadProject(join(root, 'head'), {})];
      expect(head.diagnostics.some((d) => d.file === SHOP && d.severity === 'error')).toBe(true);
      expect(compareProjects(base, head).map((c) => [c.table, c.change])).toEqual([['gold.top', 'removed']]);
      expect(compareProjects(head, base).map((c) => [c.table, c.change])).toEqual([['gold.top', 'added']]);
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });
});
