import { describe, expect, it } from 'vitest';
import { generateRetailData, type RetailData, type Transaction } from '../../../src/demo/data.js';

const HOUR_MS = 3_600_000;
const ANCHOR = new Date('2026-11-20T13:27:45Z');
const TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/;

const hourOf = (id: number) => Math.floor(id / 100);
const byId = <T extends { id: number }>(records: T[]) => new Map(records.map((r) => [r.id, r]));

describe('generateRetailData', () => {
  const data = generateRetailData({ anchor: ANCHOR });

  it('is deterministic and truncates the anchor to the UTC hour', () => {
    expect(generateRetailData({ anchor: ANCHOR })).toEqual(data);
    expect(generateRetailData({ anchor: new Date('2026-11-20T13:00:00Z'), days: 14, seed: 42 })).toEqual(data);
    expect(data.anchor).toBe('2026-11-20T13:00:00Z');
    expect(generateRetailData({ anchor: ANCHOR, seed: 7 }).transactions).not.toEqual(data.transactions);
  });

  it('covers `days` whole hours before the anchor, with ids derived from the hour', () => {
    const anchorHour = Date.parse(data.anchor) / HOUR_MS;
    const hours = new Set(data.transactions.map((t) => hourOf(t.id)));
    expect(Math.min(...hours)).toBe(anchorHour - 14 * 24);
    expect(Math.max(...hours)).toBe(anchorHour - 1);
    expect(hours.size).toBe(14 * 24);
    expect(new Set(generateRetailData({ anchor: ANCHOR, days: 1 }).transactions.map((t) => hourOf(t.id))).size).toBe(24);
  });

  it('keeps earlier hours identical when the anchor moves one hour later', () => {
    const later = generateRetailData({ anchor: new Date(ANCHOR.getTime() + HOUR_MS) });
    const anchorHour = Date.parse(data.anchor) / HOUR_MS;
    const before = byId(data.transactions);
    const after = byId(later.transactions);

    for (const [id, record] of before) {
      if (hourOf(id) === anchorHour - 14 * 24) {
        expect(after.has(id)).toBe(false); // the oldest hour leaves the window
        continue;
      }
      const now = after.get(id);
      expect(now, `transaction ${id}`).toBeDefined();
      if (now!.status !== record.status) {
        // Only a late refund that fell due in the new hour may change a record.
        expect(now!.status).toBe('refunded');
        expect(now!.updated_at > data.anchor && now!.updated_at <= later.anchor).toBe(true);
        expect({ ...now, status: record.status, updated_at: record.updated_at }).toEqual(record);
      } else {
        expect(now).toEqual(record);
      }
    }
    const added = [...after.keys()].filter((id) => !before.has(id));
    expect(added.length).toBeGreaterThanOrEqual(4);
    expect(added.every((id) => hourOf(id) === anchorHour)).toBe(true);

    const movementsBefore = byId(data.inventory_movements);
    const kept = later.inventory_movements.filter((m) => movementsBefore.has(m.id));
    expect(kept).toEqual(data.inventory_movements.filter((m) => hourOf(m.id) > anchorHour - 14 * 24));
    expect(later.inventory_movements.filter((m) => !movementsBefore.has(m.id)).every((m) => hourOf(m.id) === anchorHour)).toBe(true);
    expect(later.products).toEqual(data.products);
    expect(later.customers).toEqual(data.customers);
  });

  it('shows a late refund only once its time has passed', () => {
    const lateRefund = (t: Transaction) => t.status === 'refunded' && t.sold_at !== undefined && t.updated_at > t.sold_at;
    const refunded = data.transactions.find(lateRefund)!;
    expect(refunded).toBeDefined();
    const refundMs = Date.parse(refunded.updated_at);

    const justBefore = generateRetailData({ anchor: new Date(refundMs - 1) });
    const original = justBefore.transactions.find((t) => t.id === refunded.id)!;
    expect(original.status).not.toBe('refunded');
    expect(original.updated_at).toBe(refunded.sold_at);

    const justAfter = generateRetailData({ anchor: new Date(Math.ceil(refundMs / HOUR_MS) * HOUR_MS) });
    expect(justAfter.transactions.find((t) => t.id === refunded.id)).toEqual(refunded);
  });

  it('dates nothing after the anchor and keeps its shapes', () => {
    for (const t of data.transactions) {
      if (t.sold_at !== undefined) {
        expect(t.sold_at).toMatch(TIMESTAMP);
        expect(t.sold_at <= data.anchor).toBe(true);
      }
      expect(t.updated_at).toMatch(TIMESTAMP);
      expect(t.updated_at <= data.anchor).toBe(true);
      expect(t.currency).toBe('USD');
      expect(t.store_id).toBeGreaterThanOrEqual(1);
      expect(t.store_id).toBeLessThanOrEqual(8);
      expect(t.lines.map((l) => l.line_no)).toEqual(t.lines.map((_, i) => i + 1));
      const cents = t.lines.reduce((sum, l) => sum + Math.round(l.quantity * l.unit_price * 100) - Math.round(l.discount * 100), 0);
      expect(Math.abs(t.total)).toBe(cents / 100);
      expect(t.payment.card_last4 === null).toBe(t.payment.method !== 'card');
    }
    for (const m of data.inventory_movements) {
      expect(m.moved_at <= data.anchor).toBe(true);
      expect(Number.isInteger(m.quantity) && m.quantity !== 0).toBe(true);
      if (m.kind === 'receipt') expect(m.quantity).toBeGreaterThan(0);
      if (m.kind === 'sale') expect(m.quantity).toBeLessThan(0);
    }
    expect(new Set(data.transactions.map((t) => t.id)).size).toBe(data.transactions.length);
    expect(new Set(data.inventory_movements.map((m) => m.id)).size).toBe(data.inventory_movements.length);
    expect(data.stores.map((s) => s.store_id)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(data.products).toHaveLength(60);
  });

  it('links transactions to customers by id and email', () => {
    const emails = new Map(data.customers.filter((c) => c.id !== null).map((c) => [c.id, c.email ?? null]));
    for (const t of data.transactions) {
      if (t.customer_id === null) expect(t.customer.email).toBeNull();
      else expect(t.customer.email).toBe(emails.get(t.customer_id));
    }
    expect(data.transactions.some((t) => t.customer_id === null)).toBe(true);
  });

  it('contains every kind of dirt', () => {
    const counts = dirtCounts(data);
    for (const [kind, count] of Object.entries(counts)) expect(count, kind).toBeGreaterThan(0);
    expect(counts.productsWithoutCategory).toBe(2);
    expect(counts.productsWithNegativePrice).toBe(1);
    expect(counts.customersWithNullId).toBe(1);
    expect(counts.duplicateCustomers).toBe(3);
    expect(counts.customersUpdatedLater).toBe(2);
    expect(counts.customersDeleted).toBe(1);
  });
});

function dirtCounts(data: RetailData): Record<string, number> {
  const count = <T>(items: T[], predicate: (item: T) => boolean) => items.filter(predicate).length;
  const { products, customers, transactions } = data;
  return {
    productsWithoutCategory: count(products, (p) => !('category' in p)),
    productsWithNegativePrice: count(products, (p) => p.unit_price < 0),
    customersWithMalformedEmail: count(customers, (c) => c.email !== undefined && !c.email.includes('@')),
    customersWithMessyEmail: count(
      customers,
      (c) => c.email !== undefined && c.email !== c.email.trim().toLowerCase() && /^[^@\s]+@[^@\s]+$/.test(c.email.trim()),
    ),
    customersWithoutEmail: count(customers, (c) => !('email' in c)),
    customersWithNullId: count(customers, (c) => c.id === null),
    duplicateCustomers: customers.length - new Set(customers).size,
    // A later version of the same customer further down the list (scd2 history keeps both).
    customersUpdatedLater: count(customers, (c) => !c.deleted && customers.some((o) => o !== c && o.id === c.id && !o.deleted && o.updated_at > c.updated_at)),
    customersDeleted: count(customers, (c) => c.deleted === true),
    transactionsWithNegativeTotal: count(transactions, (t) => t.total < 0),
    transactionsWithoutSoldAt: count(transactions, (t) => !('sold_at' in t)),
    transactionsWithUnknownStatus: count(transactions, (t) => t.status === 'unknown'),
    transactionsWithoutLines: count(transactions, (t) => t.lines.length === 0),
    transactionsWithBadLine: count(transactions, (t) => t.lines.some((l) => !('product_id' in l) || l.quantity === 0)),
    lateRefunds: count(transactions, (t) => t.status === 'refunded' && t.sold_at !== undefined && t.updated_at > t.sold_at),
  };
}
