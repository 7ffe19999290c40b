// The project as one graph: the example project's nodes and edges, the fingerprints that tell a real
// change from an edit that changes nothing, and the order every command builds in.
import { describe, expect, test } from 'vitest';
import { loadProject } from '../../../src/project.js';
import { buildGraph, checkNodeName, resourceNodeName } from '../../../src/graph/graph.js';
import { fingerprintOf, normalizeSql, silverDefinition } from '../../../src/graph/fingerprint.js';
import { parseModel } from '../../../src/config/sql-model.js';
import { REPO } from '../../helpers/project.js';

const env = { DEMO_API_URL: 'http://127.0.0.1:1', DEMO_API_TOKEN: 'token-for-tests', DEMO_REFERENCE_DB: '/tmp/none.duckdb' };

describe('the example project as a graph', () => {
  test('every resource, bronze, silver, gold and check is a node with its parents', async () => {
    const { graph } = await loadProject(REPO, env);
    const pos = graph.get('silver.transactions')!;
    expect(pos).toMatchObject({ layer: 'silver', kind: 'merge_by_key', pipeline: 'retail_pos', parents: ['bronze.retail_pos_transactions'] });
    expect(graph.get('bronze.retail_pos_transactions')).toMatchObject({ layer: 'bronze', kind: 'append', parents: [resourceNodeName('retail_pos', 'transactions')] });
    expect(graph.get(resourceNodeName('retail_pos', 'transactions'))).toMatchObject({ layer: 'resource', kind: 'source', parents: [] });
    expect(graph.get('gold.fact_sales')).toMatchObject({ layer: 'gold', kind: 'incremental' });
    expect(graph.get('gold.dim_store')).toMatchObject({ layer: 'gold', kind: 'table' });
    expect(graph.get('gold.fact_sales')!.pipeline).toBeUndefined();
    expect(graph.get('gold.fact_sales')!.parents).toContain('silver.transaction_lines');
    expect(graph.nodes('check').length).toBeGreaterThan(10);
    expect(graph.ownerOf('silver.transactions')).toBe('retail_pos');
    expect(graph.ownerOf('gold.fact_sales')).toBeUndefined();
  });

  test('downstream of a silver table: the gold models that read it, directly or not, and their checks', async () => {
    const { graph } = await loadProject(REPO, env);
    const below = graph.downstream(['silver.stores']);
    expect(below.has('gold.dim_store')).toBe(true);
    expect(below.has('gold.daily_sales_summary')).toBe(true);
    expect(below.has('silver.transactions')).toBe(false);
    expect([...below].some((n) => n.startsWith('check:pipelines/stores.yml:'))).toBe(true);
    const above = graph.upstream(['gold.daily_sales_summary']);
    expect(above.has('silver.stores')).toBe(true);
    expect(above.has(resourceNodeName('stores', 'stores'))).toBe(true);
  });

  test('parents come before children, layer by layer, tables of a layer as declared', async () => {
    const { graph, pipelines } = await loadProject(REPO, env);
    const position = new Map(graph.order.map((n, i) => [n, i]));
    for (const name of graph.order) {
      for (const parent of graph.get(name)!.parents) if (position.has(parent)) expect(position.get(parent)).toBeLessThan(position.get(name)!);
    }
    const pos = pipelines.find((p) => p.name === 'retail_pos')!;
    const mapped = graph.nodes('silver').flatMap((n) => (n.pipeline === 'retail_pos' && 'table' in n ? [n.table.name] : []));
    expect(mapped).toEqual(pos.silver.map((t) => t.name));
  });

  test('gold models that read each other in a cycle are reported with the cycle', () => {
    const a = parseModel('sql/gold/a.sql', 'SELECT * FROM gold.b').model!;
    const b = parseModel('sql/gold/b.sql', 'SELECT * FROM gold.a').model!;
    const graph = buildGraph([], [a, b]);
    expect(graph.cycle).toEqual(['gold.a', 'gold.b', 'gold.a']);
    expect(graph.order).toEqual([]);
  });
});

describe('fingerprints', () => {
  const model = (sql: string) => buildGraph([], [parseModel('sql/gold/m.sql', sql).model!]).get('gold.m')!.fingerprint;

  test.each([
    ['a comment', 'SELECT a, b\nFROM silver.t', '-- the model\nSELECT a, /* both */ b\nFROM silver.t'],
    ['spacing and line breaks', 'SELECT a, b FROM silver.t', 'SELECT  a,\n       b\nFROM   silver.t;'],
    ['the case of keywords and names', 'SELECT a, b FROM silver.t', 'select A, B from SILVER.T'],
    ['its description and column descriptions', '-- Old words.\nSELECT\n  a, -- the a\n  b\nFROM silver.t', '-- New words.\n-- More of them.\nSELECT\n  a, -- what a is\n  b -- and b\nFROM silver.t'],
  ])('a model keeps its fingerprint through %s', (_what, before, after) => {
    expect(model(after)).toBe(model(before));
  });

  test.each([
    ['a new column', 'SELECT a, b FROM silver.t', 'SELECT a, b, c FROM silver.t'],
    ['a filter', 'SELECT a FROM silver.t', 'SELECT a FROM silver.t WHERE a > 0'],
    ['spacing inside a string literal', "SELECT 'a b' AS x FROM silver.t", "SELECT 'a  b' AS x FROM silver.t"],
    ['a comment marker inside a string', "SELECT '--x' AS x FROM silver.t", "SELECT '--y' AS x FROM silver.t"],
  ])('a model gets a new fingerprint for %s', (_what, before, after) => {
    expect(model(after)).not.toBe(model(before));
  });

  test('normalizeSql keeps strings and quoted names as they are, and reads names and keywords case-blind', () => {
    expect(normalizeSql(`SELECT  'a  -- b' AS "X  y" -- note\n FROM T /* c */ // and Snowflake's own comment`)).toBe(`select 'a  -- b' as "X  y" from t`);
  });

  test('a silver table\'s fingerprint follows its mapping, not its description', async () => {
    const { pipelines } = await loadProject(REPO, env);
    const table = pipelines.find((p) => p.name === 'retail_pos')!.silver.find((t) => t.name === 'transactions')!;
    const base = fingerprintOf(silverDefinition(table));
    expect(fingerprintOf(silverDefinition({ ...table, description: 'another text' }))).toBe(base);
    const described = { ...table, columns: table.columns.map((c) => ({ ...c, description: `about ${c.name}` })) };
    expect(fingerprintOf(silverDefinition(described))).toBe(base);
    // Masking changes what readers see, not the rows: nothing is rebuilt.
    const masked = { ...table, columns: table.columns.map((c) => ({ ...c, mask: 'hash' as const })) };
    expect(fingerprintOf(silverDefinition(masked))).toBe(base);
    const email = table.columns.find((c) => c.normalize.length > 0)!;
    const upper = { ...table, columns: table.columns.map((c) => (c === email ? { ...c, normalize: ['trim', 'upper'] as typeof c.normalize } : c)) };
    expect(fingerprintOf(silverDefinition(upper))).not.toBe(base);
    expect(fingerprintOf(silverDefinition({ ...table, key: [...table.key, 'sold_at'] }))).not.toBe(base);
    // History and deletion signals are part of it when set, and absent otherwise: tables declared before they
    // existed keep the fingerprints they were built with.
    expect(Object.keys(silverDefinition(table) as object).sort()).toEqual(['columns', 'explode', 'from', 'key', 'latest_by']);
    expect(fingerprintOf(silverDefinition({ ...table, history: 'scd2' }))).not.toBe(base);
    expect(fingerprintOf(silverDefinition({ ...table, deleted_when: { field: 'deleted', equals: true } }))).not.toBe(base);
  });

  test('check nodes are named by where they are declared', () => {
    expect(checkNodeName('pipelines/x.yml', 12)).toBe('check:pipelines/x.yml:12');
  });
});
