// Masking rules and where a sensitive column's value sits in a rejected record: nested paths, exploded
// arrays (the element, or its parent when the array was missing), rows rejected before bronze, and records
// that are not objects.
import { createHash } from 'node:crypto';
import { describe, expect, test } from 'vitest';
import { loadPipeline } from '../../../src/config/pipeline.js';
import { MASK_RULE_NAMES, MASK_RULES, maskRecord, maskRule, type SensitiveField } from '../../../src/governance/masking.js';
import { sensitiveFieldsOf } from '../../../src/governance/sensitive-fields.js';
import schema from '../../../schemas/pipeline.schema.json' with { type: 'json' };

describe('mask rules', () => {
  test.each([
    ['redact', 'ann@example.com', '••••'],
    ['redact', { street: '1 Main St' }, '••••'],
    ['null', 'ann@example.com', null],
    ['hash', 'ann@example.com', expect.stringMatching(/^sha256:[0-9a-f]{12}$/)],
    ['partial', 'ann@example.com', '••••@example.com'],
    ['partial', '  ANN@EXAMPLE.COM ', '••••@EXAMPLE.COM'],
    ['partial', 'a@b@mail.example.org', '••••@mail.example.org'],
    ['partial', '+1 555 010 1234', '••••1234'],
    ['partial', 4111111111111111, '••••1111'],
    ['partial', 'ann.example.com', '••••.com'],
    ['partial', 'short', '••••'],
    ['partial', true, '••••'],
    ['partial', ['ann@example.com'], '••••'],
  ])('%s of %j', (rule, value, shown) => {
    expect(maskRule(rule).mask(value)).toEqual(shown);
  });

  test('a BIGINT, which the DuckDB client gives as a bigint, is masked as its digits', () => {
    expect(maskRule('partial').mask(4111111111111111n)).toBe('••••1111');
    expect(maskRule('hash').mask(12345678901n)).toBe(`sha256:${createHash('sha256').update('12345678901').digest('hex').slice(0, 12)}`);
  });

  test('hash: equal values hash alike, different ones do not, and the value is not in it', () => {
    const hash = MASK_RULES.hash.mask;
    expect(hash('ann@example.com')).toBe(hash('ann@example.com'));
    expect(hash('ann@example.com')).not.toBe(hash('bob@example.com'));
    expect(hash('ann@example.com')).toBe(`sha256:${createHash('sha256').update('ann@example.com').digest('hex').slice(0, 12)}`);
    expect(String(hash(12345))).toMatch(/^sha256:[0-9a-f]{12}$/);
  });

  test('an unknown rule lists the rules; the schema offers exactly the registry\'s rules', () => {
    expect(() => maskRule('scramble')).toThrow('unknown mask rule "scramble" (expected one of: redact, hash, partial, null)');
    const column = (schema as any).properties.silver.additionalProperties.properties.columns.additionalProperties.properties;
    expect(column.mask.enum).toEqual([...MASK_RULE_NAMES]);
  });
});

const field = (path: string, rule: SensitiveField['rule'] = 'redact'): SensitiveField => ({ path: path.split('.').filter(Boolean), rule, column: `silver.t.${path}` });

describe('maskRecord', () => {
  test.each([
    ['a top-level field', { id: 1, email: 'a@x.io' }, [field('email', 'partial')], { id: 1, email: '••••@x.io' }, 1],
    ['a nested field', { customer: { email: 'a@x.io', tier: 'gold' } }, [field('customer.email')], { customer: { email: '••••', tier: 'gold' } }, 1],
    ['a field absent from the record', { id: 1 }, [field('customer.email')], { id: 1 }, 0],
    ['a null value (nothing to hide)', { email: null }, [field('email')], { email: null }, 0],
    ['a path through a scalar', { customer: 'a@x.io' }, [field('customer.email')], { customer: 'a@x.io' }, 0],
    ['an object value, whole', { address: { street: '1 Main St', city: 'Oslo' } }, [field('address')], { address: '••••' }, 1],
    ['each element of an array on the way (an exploded table in its parent record)',
      { id: 7, lines: [{ sku: 'A', buyer: 'a@x.io' }, { sku: 'B', buyer: 'b@x.io' }, { sku: 'C' }] }, [field('lines.buyer', 'null')],
      { id: 7, lines: [{ sku: 'A', buyer: null }, { sku: 'B', buyer: null }, { sku: 'C' }] }, 2],
    ['an index picks one element', { phones: ['+47 555 010 1234', '+47 555 010 9876'] }, [field('phones.1', 'partial')], { phones: ['+47 555 010 1234', '••••9876'] }, 1],
    ['arrays within arrays', { a: [[{ e: 'x' }], [{ e: 'y' }]] }, [field('a.e')], { a: [[{ e: '••••' }], [{ e: '••••' }]] }, 2],
    ['two fields, two rules', { email: 'a@x.io', phone: '5550101234' }, [field('email', 'partial'), field('phone', 'null')], { email: '••••@x.io', phone: null }, 2],
    ['no sensitive fields: the record as it is', 'a@x.io', [], 'a@x.io', 0],
  ])('%s', (_, record, fields, masked, count) => {
    const before = JSON.stringify(record);
    const result = maskRecord(record, fields);
    expect(result).toEqual({ value: masked, masked: count, wholeRecord: false });
    expect(JSON.stringify(record)).toBe(before);
  });

  test.each([
    ['a string', 'a@x.io'],
    ['a number', 5550101234],
    ['an array', [{ email: 'a@x.io' }, 'b@x.io']],
    ['null', null],
  ])('a record that is not an object (%s) is redacted whole when any field is sensitive', (_, record) => {
    expect(maskRecord(record, [field('email')])).toEqual({ value: '••••', masked: 1, wholeRecord: true });
  });

  test('a field with an empty path is the whole record', () => {
    expect(maskRecord({ email: 'a@x.io' }, [{ path: [], rule: 'partial', column: 'silver.t.raw' }])).toMatchObject({ value: '••••', wholeRecord: true });
  });
});

describe('the sensitive fields of a rejected record', () => {
  const { pipeline: loaded, diagnostics } = loadPipeline('pipelines/shop.yml', `
name: shop
source:
  kind: http
  base_url: http://127.0.0.1:1
  resources:
    orders: { path: /orders }
    notes: { path: /notes }
silver:
  orders:
    from: orders
    key: [id]
    columns:
      id: { path: id, type: integer }
      email: { path: customer.email, type: string, sensitive: true, mask: partial }
      card: { path: payment.card, type: string, sensitive: true }
  order_lines:
    from: orders
    explode: lines
    key: [id, line_no]
    columns:
      id: { path: $.id, type: integer }
      line_no: { path: line_no, type: integer }
      gift_to: { path: gift.email, type: string, sensitive: true, mask: hash }
      buyer: { path: $.buyer.name, type: string, sensitive: true }
  notes:
    from: notes
    key: [id]
    columns:
      id: { path: id, type: integer }
`, {});
  const pipeline = loaded!;
  test('the pipeline loads', () => expect(diagnostics).toEqual([]));
  const paths = (table: string, elementIndex: number | null) =>
    sensitiveFieldsOf([pipeline], { table, elementIndex }).map((f) => `${f.path.join('.')} ${f.rule} ${f.column}`).sort();
  const parent = [
    'buyer.name redact silver.order_lines.buyer',
    'customer.email partial silver.orders.email',
    'lines.gift.email hash silver.order_lines.gift_to',
    'payment.card redact silver.orders.card',
  ];

  test.each([
    ['a table without explode: its record, with the fields of every table of the resource', 'silver.orders', null, parent],
    ['an exploded element: the element\'s own fields', 'silver.order_lines', 2, ['gift.email hash silver.order_lines.gift_to']],
    ['an exploded table\'s record whose array was missing (explode_not_array): the parent\'s fields', 'silver.order_lines', null, parent],
    ['a row rejected before bronze: the whole record, every table of the resource', 'bronze.shop_orders', null, parent],
    ['a resource with no sensitive column', 'silver.notes', null, []],
    ['a table no pipeline maps (a SQL model)', 'silver.payments', null, []],
  ])('%s', (_, table, elementIndex, expected) => {
    expect(paths(table, elementIndex)).toEqual(expected);
  });

  test('an exploded element masks its field, its parent masks it in every element', () => {
    const element = { line_no: 1, gift: { email: 'g@x.io' } };
    const masked = maskRecord(element, sensitiveFieldsOf([pipeline], { table: 'silver.order_lines', elementIndex: 0 }));
    expect(masked.value).toEqual({ line_no: 1, gift: { email: expect.stringMatching(/^sha256:/) } });
    const record = { id: 1, buyer: { name: 'Ann' }, customer: { email: 'a@x.io' }, lines: [element, { line_no: 2, gift: { email: 'h@x.io' } }] };
    const whole = maskRecord(record, sensitiveFieldsOf([pipeline], { table: 'bronze.shop_orders', elementIndex: null }));
    expect(JSON.stringify(whole.value)).not.toMatch(/[a-z]@x\.io|Ann/);
    expect(whole.masked).toBe(4);
  });
});
