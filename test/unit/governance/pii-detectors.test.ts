// Each detector of `dataops scan-pii` on values it must find and on look-alikes it must not.
import { describe, expect, test } from 'vitest';
import { luhnValid, PII_DETECTORS, PII_KINDS, type PiiKind } from '../../../src/governance/pii-detectors.js';

const CASES: Record<PiiKind, { yes: string[]; no: string[] }> = {
  email: {
    yes: ['ann@example.com', 'Mary.O-Neil+tag@mail.example.co.uk', 'x_1@sub.domain.org'],
    no: ['@handle', 'ann@localhost', 'not an email', 'ann@@example.com', 'a b@example.com', 'ann@example.c0m', 'mailto:<ann@example.com>'],
  },
  phone: {
    yes: ['+1 555 010 1234', '(555) 010-1234', '555-010-1234', '+441632960961', '030 12345678', '555.010.1234'],
    no: ['5550101234', '2026-11-20', '20/11/2026', '192.168.1.20', '1234567.89', '12-34', 'AB-1234-567', '+1 555', '1,234,567'],
  },
  person_name: {
    yes: ['Ann Lee', "Mary-Jane O'Neil", 'José García', 'J. R. Smith', 'Zoë'],
    no: ['ann lee', 'Ann Lee 2', 'ANN@EXAMPLE.COM', '12 Main St', ''],
  },
  card_number: {
    yes: ['4111 1111 1111 1111', '4111-1111-1111-1111', '5555555555554444', '378282246310005'],
    no: ['4111 1111 1111 1112', '1234567890123456', '4111', '2026-11-20 12:00:00', '+1 555 010 1234', '4111a1111b1111c1111'],
  },
  ip_address: {
    yes: ['192.168.1.20', '10.0.0.1', '2001:db8::1', '::1'],
    no: ['256.1.1.1', '1.2.3', 'v1.2.3.4', '192.168.1', 'host.example.com'],
  },
};

describe.each(PII_KINDS)('%s', (kind) => {
  test.each(CASES[kind].yes)('finds %j', (value) => expect(PII_DETECTORS[kind].matches(value)).toBe(true));
  test.each(CASES[kind].no)('refuses the look-alike %j', (value) => expect(PII_DETECTORS[kind].matches(value)).toBe(false));
});

test('person names need a column name that says so: a city has the same shape', () => {
  const named = (column: string, table = 'silver.orders') => PII_DETECTORS.person_name.named!(column, table);
  expect(['first_name', 'last_name', 'full_name', 'customer_name', 'firstname', 'surname'].filter((c) => !named(c))).toEqual([]);
  expect(['city', 'store_name', 'product_name', 'file_name', 'name_count', 'name'].filter((c) => named(c))).toEqual([]);
  // A bare `name` is a person's only in a table of people: not a product's or a store's.
  expect(['silver.customers', 'gold.dim_customer', 'silver.users', 'silver.people'].filter((t) => !named('name', t))).toEqual([]);
  expect(['silver.products', 'silver.stores', 'gold.dim_product'].filter((t) => named('name', t))).toEqual([]);
});

test.each([['4111111111111111', true], ['4111111111111112', false], ['79927398713', true], ['0', true], ['1', false]])('luhn %s is %s', (digits, valid) => {
  expect(luhnValid(digits)).toBe(valid);
});
