// How a rejected record is shown on the explorer's pages: masked, pretty-printed, cut at a few KB with a note;
// a stored text that is not whole JSON is shown as stored only where no column of its record is sensitive.
import { beforeAll, describe, expect, test } from 'vitest';
import type { Pipeline } from '../../../src/config/types.js';
import { loadProject } from '../../../src/project.js';
import { SAMPLE_TEXT_CHARS, showSample } from '../../../src/site/rejected-input.js';
import type { RejectedSample } from '../../../src/state/rejected.js';
import { REPO } from '../../helpers/project.js';

const env = { DEMO_API_URL: 'http://127.0.0.1:1', DEMO_API_TOKEN: 'token-for-tests', DEMO_REFERENCE_DB: '/tmp/none.duckdb' };
let pipelines: Pipeline[];
beforeAll(async () => {
  pipelines = (await loadProject(REPO, env)).pipelines;
});

const sample = (table: string, record: string | null, elementIndex: number | null = null): RejectedSample => ({
  table, reason: 'missing_required:x', run_id: 'run_1', batch_id: 'b1', record_hash: 'h1', element_index: elementIndex,
  reasons: ['missing_required:x'], record, rejected_at: '2026-11-20T12:00:00.000Z',
});

describe('a rejected record as the explorer shows it', () => {
  test.each([
    ['a customer: its email keeps the domain', 'silver.customers', { id: null, first_name: 'Ann', email: 'ann.lee7@example.com' },
      { id: null, first_name: 'Ann', email: '••••@example.com' }, /^1 sensitive value masked \(silver\.customers\.email: partial\)$/],
    ['a sale: customer.email, nested', 'silver.transactions', { id: 9, customer: { email: 'bo@example.com' }, lines: [] },
      { id: 9, customer: { email: '••••@example.com' }, lines: [] }, /^1 sensitive value masked \(silver\.transactions\.customer_email: partial\)$/],
    ['a sale rejected before bronze: the same field', 'bronze.retail_pos_transactions', { id: 9, customer: { email: 'bo@example.com' } },
      { id: 9, customer: { email: '••••@example.com' } }, /^1 sensitive value masked/],
    ['a line of a sale (an element): nothing of it is sensitive', 'silver.transaction_lines', { line_no: 1, quantity: 0 },
      { line_no: 1, quantity: 0 }, undefined],
    ['a product: nothing declared sensitive', 'silver.products', { id: 3, sku: 'A', unit_price: -1 }, { id: 3, sku: 'A', unit_price: -1 }, undefined],
  ])('%s', (_, table, record, shown, note) => {
    const result = showSample(pipelines, sample(table, JSON.stringify(record), table === 'silver.transaction_lines' ? 0 : null));
    expect(JSON.parse(result.text!)).toEqual(shown);
    expect(result.text).toBe(JSON.stringify(shown, null, 2));
    if (note) expect(result.note).toMatch(note);
    else expect(result.note).toBeUndefined();
  });

  test('a long record is cut at 4 KB with a note naming where the whole of it is', () => {
    const record = { id: 1, note: 'x'.repeat(10_000), email: 'ann@example.com' };
    const result = showSample(pipelines, sample('silver.customers', JSON.stringify(record)));
    expect(result.text!.length).toBeLessThanOrEqual(SAMPLE_TEXT_CHARS + 2);
    expect(result.text).toMatch(/\n…$/);
    expect(result.note).toMatch(/1 sensitive value masked .*; cut at 4 KB of 10 KB; the whole record is in meta\.rejected \(record_hash h1\)$/);
  });

  test.each([
    ['a record cut when it was stored, in a table with a sensitive column: withheld', 'silver.customers', '{"id": 1, "email": "ann@example.com", "bio": "lo',
      null, /^not shown: the stored text is not whole JSON .* \(silver\.customers\.email\) cannot be masked$/],
    ['the same in a table without: shown as stored', 'silver.products', '{"id": 1, "name": "lo', '{"id": 1, "name": "lo', /shown as stored$/],
    ['a record that is not an object, in a table with a sensitive column: redacted whole', 'silver.customers', '"ann@example.com"', '"••••"', /not a JSON object.*redacted whole$/],
    ['no text kept', 'silver.customers', null, null, /^no record text was kept$/],
  ])('%s', (_, table, record, text, note) => {
    const result = showSample(pipelines, sample(table, record));
    expect(result.text).toBe(text);
    expect(result.note).toMatch(note);
  });
});
