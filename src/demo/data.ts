// Deterministic synthetic retail data for the demo API and the tests.
//
// Hourly records (transactions, inventory movements) come from a PRNG seeded by (seed, stream, hour index),
// so an hour's records never depend on the anchor: moving the anchor later only adds hours (and reveals late
// updates whose time has come). Products and customers depend on the seed alone.
// The data is deliberately dirty in known, countable ways so that silver's rejections and checks have work.

import { Random, hashSeed } from './random.js';

export type LoyaltyTier = 'bronze' | 'silver' | 'gold';
export type TransactionStatus = 'paid' | 'refunded' | 'void';
export type PaymentMethod = 'card' | 'cash' | 'mobile';
export type MovementKind = 'receipt' | 'sale' | 'adjustment';

export interface Store {
  store_id: number;
  name: string;
  city: string;
  region: string;
  /** YYYY-MM-DD */
  opened_on: string;
}

export interface Product {
  id: number;
  sku: string;
  name: string;
  /** Absent on a few products (dirt). */
  category?: string;
  unit_price: number;
  active: boolean;
  updated_at: string;
}

export interface Customer {
  /** null on one record (dirt). */
  id: number | null;
  first_name: string;
  last_name: string;
  /** Absent, malformed, or padded and upper-cased on some records (dirt). */
  email?: string;
  city: string;
  loyalty_tier: LoyaltyTier;
  signup_at: string;
  updated_at: string;
  /** Set on the record that says the customer was deleted (the catalog's deleted_when). */
  deleted?: true;
}

export interface TransactionLine {
  line_no: number;
  /** Absent on a few lines (dirt). */
  product_id?: number;
  quantity: number;
  unit_price: number;
  discount: number;
}

export interface Transaction {
  id: number;
  store_id: number;
  customer_id: number | null;
  /** Absent on a few transactions (dirt). */
  sold_at?: string;
  updated_at: string;
  /** 'unknown' on a few transactions (dirt). */
  status: TransactionStatus | 'unknown';
  currency: 'USD';
  total: number;
  payment: { method: PaymentMethod; card_last4: string | null };
  customer: { email: string | null };
  lines: TransactionLine[];
}

export interface InventoryMovement {
  id: number;
  product_id: number;
  store_id: number;
  moved_at: string;
  kind: MovementKind;
  /** Signed: receipts positive, sales negative, adjustments either. */
  quantity: number;
}

export interface RetailData {
  /** The anchor truncated down to the UTC hour; every record is as of this instant. */
  anchor: string;
  stores: Store[];
  products: Product[];
  customers: Customer[];
  transactions: Transaction[];
  inventory_movements: InventoryMovement[];
}

export interface RetailDataOptions {
  anchor: Date;
  /** Length of the window ending at the anchor hour; default 14. */
  days?: number;
  /** Default 42. */
  seed?: number;
}

const HOUR_MS = 3_600_000;
const SECOND_MS = 1_000;
/** Ids are hourIndex * ID_STRIDE + n, so at most ID_STRIDE records per hour per entity. */
const ID_STRIDE = 100;

// Separate PRNG streams, so changing how one entity is generated leaves the others as they were.
const STREAM = { products: 1, customers: 2, transactions: 3, movements: 4 } as const;

// Products and customers are reference data that does not move with the anchor, so their timestamps sit in
// a fixed past range (clamped to the anchor for anchors earlier than that range).
const CATALOG_FROM_MS = Date.UTC(2024, 0, 1);
const CATALOG_TO_MS = Date.UTC(2025, 6, 1);
const SIGNUP_FROM_MS = Date.UTC(2023, 0, 1);
const SIGNUP_TO_MS = Date.UTC(2025, 0, 1);

const CUSTOMER_COUNT = 300;
const CUSTOMER_EMAIL_MALFORMED = 9; // ~3%
const CUSTOMER_EMAIL_MESSY = 15; // ~5%
const CUSTOMER_EMAIL_MISSING = 6; // ~2%
const CUSTOMER_DUPLICATES = 3;
/** Customers whose later version (moved, promoted) comes after the first in the list, as a change feed would send it. */
const CUSTOMER_LATE_UPDATES = 2;
const LATE_UPDATE_AFTER_MS = 90 * 24 * HOUR_MS;

const STORES: readonly Store[] = [
  { store_id: 1, name: 'Pearl District', city: 'Portland', region: 'West', opened_on: '2014-05-03' },
  { store_id: 2, name: 'Waterfront', city: 'Seattle', region: 'West', opened_on: '2016-09-17' },
  { store_id: 3, name: 'Union Station', city: 'Denver', region: 'Mountain', opened_on: '2017-03-11' },
  { store_id: 4, name: 'South Congress', city: 'Austin', region: 'South', opened_on: '2018-11-24' },
  { store_id: 5, name: 'The Loop', city: 'Chicago', region: 'Midwest', opened_on: '2015-02-07' },
  { store_id: 6, name: 'North Loop', city: 'Minneapolis', region: 'Midwest', opened_on: '2019-06-29' },
  { store_id: 7, name: 'Seaport', city: 'Boston', region: 'Northeast', opened_on: '2020-10-10' },
  { store_id: 8, name: 'Brooklyn Heights', city: 'New York', region: 'Northeast', opened_on: '2021-04-16' },
];

const CATEGORIES: ReadonlyArray<{ name: string; nouns: readonly string[]; priceCents: [number, number] }> = [
  { name: 'Coffee', nouns: ['Espresso Beans', 'Cold Brew', 'Drip Blend', 'Decaf Roast'], priceCents: [899, 2499] },
  { name: 'Tea', nouns: ['Green Tea', 'Chai', 'Earl Grey', 'Herbal Infusion'], priceCents: [499, 1599] },
  { name: 'Bakery', nouns: ['Sourdough', 'Croissant', 'Bagels', 'Muffin'], priceCents: [249, 899] },
  { name: 'Snacks', nouns: ['Trail Mix', 'Granola Bar', 'Pretzels', 'Dark Chocolate'], priceCents: [199, 699] },
  { name: 'Dairy', nouns: ['Oat Milk', 'Greek Yogurt', 'Cheddar', 'Butter'], priceCents: [299, 1099] },
  { name: 'Produce', nouns: ['Apples', 'Bananas', 'Avocados', 'Berries'], priceCents: [149, 799] },
  { name: 'Household', nouns: ['Dish Soap', 'Paper Towels', 'Sponges', 'Candles'], priceCents: [399, 2999] },
  { name: 'Personal Care', nouns: ['Shampoo', 'Toothpaste', 'Hand Cream', 'Lip Balm'], priceCents: [299, 1999] },
];
const PRODUCT_ADJECTIVES = ['Organic', 'Classic', 'Premium', 'Everyday', 'Small Batch', 'Family Size', 'Local'];

const FIRST_NAMES = [
  'Ava', 'Ben', 'Chloe', 'Diego', 'Emma', 'Farah', 'Gus', 'Hana', 'Ivan', 'Jade', 'Kofi', 'Lena', 'Mateo',
  'Nina', 'Omar', 'Priya', 'Quinn', 'Rosa', 'Sam', 'Tara', 'Uma', 'Victor', 'Wen', 'Yara', 'Zoe',
];
const LAST_NAMES = [
  'Adams', 'Brooks', 'Chen', 'Diaz', 'Evans', 'Fischer', 'Garcia', 'Haddad', 'Ito', 'Johnson', 'Kim', 'Lopez',
  'Martin', 'Nguyen', 'Okafor', 'Patel', 'Rossi', 'Silva', 'Turner', 'Walsh',
];

export function generateRetailData(options: RetailDataOptions): RetailData {
  const days = options.days ?? 14;
  const seed = options.seed ?? 42;
  const anchorMs = options.anchor.getTime();
  if (!Number.isFinite(anchorMs)) throw new RangeError('generateRetailData: anchor is an invalid Date');
  if (!Number.isInteger(days) || days < 1) throw new RangeError(`generateRetailData: days must be a positive integer, got ${days}`);
  if (!Number.isInteger(seed)) throw new RangeError(`generateRetailData: seed must be an integer, got ${seed}`);

  const anchorHour = Math.floor(anchorMs / HOUR_MS);
  const asOfMs = anchorHour * HOUR_MS;

  const products = generateProducts(seed, asOfMs);
  const customers = generateCustomers(seed, asOfMs);
  const catalog: HourCatalog = {
    sellable: products.filter((p) => p.active && p.unit_price > 0),
    productIds: products.map((p) => p.id),
    emailByCustomerId: new Map(customers.filter((c) => c.id !== null).map((c) => [c.id as number, c.email ?? null])),
  };

  const transactions: Transaction[] = [];
  const inventory_movements: InventoryMovement[] = [];
  // Each window hour [h, h+1) lies wholly before the anchor instant, so nothing is dated after it.
  for (let hour = anchorHour - days * 24; hour < anchorHour; hour++) {
    for (const { record, refundAtMs } of generateHourTransactions(seed, hour, catalog)) {
      transactions.push(refundAtMs !== undefined && refundAtMs <= asOfMs ? applyRefund(record, refundAtMs) : record);
    }
    inventory_movements.push(...generateHourMovements(seed, hour, catalog));
  }

  return {
    anchor: formatTimestamp(asOfMs),
    stores: STORES.map((store) => ({ ...store })),
    products,
    customers,
    transactions,
    inventory_movements,
  };
}

/** ISO 8601 UTC to the second, e.g. 2026-11-20T13:05:00Z. */
export function formatTimestamp(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function generateProducts(seed: number, asOfMs: number): Product[] {
  const random = new Random(hashSeed(seed, STREAM.products));
  const products: Product[] = [];
  for (let id = 1; id <= 60; id++) {
    const category = CATEGORIES[(id - 1) % CATEGORIES.length];
    const priceCents = random.int(category.priceCents[0], category.priceCents[1]);
    products.push({
      id,
      sku: `SKU-${String(id).padStart(5, '0')}`,
      name: `${random.pick(PRODUCT_ADJECTIVES)} ${random.pick(category.nouns)}`,
      category: category.name,
      unit_price: priceCents / 100,
      active: random.chance(0.9),
      updated_at: formatTimestamp(Math.min(randomSecond(random, CATALOG_FROM_MS, CATALOG_TO_MS), asOfMs)),
    });
  }
  const [noCategoryA, noCategoryB, negativePrice] = random.shuffle(products);
  delete noCategoryA.category;
  delete noCategoryB.category;
  negativePrice.unit_price = -negativePrice.unit_price;
  return products;
}

function generateCustomers(seed: number, asOfMs: number): Customer[] {
  const random = new Random(hashSeed(seed, STREAM.customers));
  const customers: Customer[] = [];
  for (let id = 1; id <= CUSTOMER_COUNT; id++) customers.push(makeCustomer(random, id, asOfMs));

  // Dirt goes to distinct customers, so each kind has an exact, known count.
  const order = random.shuffle(customers);
  let next = 0;
  for (const customer of order.slice(next, (next += CUSTOMER_EMAIL_MALFORMED))) {
    customer.email = (customer.email ?? '').replace('@', '.');
  }
  for (const customer of order.slice(next, (next += CUSTOMER_EMAIL_MESSY))) {
    customer.email = `  ${(customer.email ?? '').toUpperCase()} `;
  }
  for (const customer of order.slice(next, (next += CUSTOMER_EMAIL_MISSING))) delete customer.email;
  const duplicated = order.slice(next, (next += CUSTOMER_DUPLICATES));

  const list: Customer[] = [...customers];
  // The null-id record is extra (not one of the ids transactions refer to), placed mid-list.
  list.splice(Math.floor(list.length / 2), 0, { ...makeCustomer(random, 0, asOfMs), id: null });
  // Exact duplicates: the same object again, a little later in the list, as a buggy export would repeat it.
  for (const customer of duplicated) {
    const at = list.indexOf(customer);
    list.splice(Math.min(list.length, at + random.int(5, 40)), 0, customer);
  }
  for (const customer of order.slice(next, (next += CUSTOMER_LATE_UPDATES))) {
    const later = Date.parse(customer.updated_at) + LATE_UPDATE_AFTER_MS;
    if (later > asOfMs) continue;
    const city = STORES[(STORES.findIndex((s) => s.city === customer.city) + 1) % STORES.length].city;
    list.push({ ...customer, city, loyalty_tier: customer.loyalty_tier === 'bronze' ? 'silver' : 'gold', updated_at: formatTimestamp(later) });
  }
  // A customer who signed up and was deleted; no sale refers to it (sales pick ids up to CUSTOMER_COUNT).
  const leaver = makeCustomer(random, CUSTOMER_COUNT + 1, asOfMs);
  const deletedMs = Date.parse(leaver.updated_at) + LATE_UPDATE_AFTER_MS;
  list.push(leaver);
  if (deletedMs <= asOfMs) list.push({ ...leaver, deleted: true, updated_at: formatTimestamp(deletedMs) });
  return list;
}

function makeCustomer(random: Random, id: number, asOfMs: number): Customer {
  const first_name = random.pick(FIRST_NAMES);
  const last_name = random.pick(LAST_NAMES);
  const signupMs = randomSecond(random, SIGNUP_FROM_MS, SIGNUP_TO_MS);
  const updatedMs = signupMs + random.int(0, 365 * 24) * HOUR_MS + random.int(0, 3599) * SECOND_MS;
  return {
    id,
    first_name,
    last_name,
    email: `${first_name}.${last_name}${id}@example.com`.toLowerCase(),
    city: random.pick(STORES).city,
    loyalty_tier: random.weighted<LoyaltyTier>([['bronze', 60], ['silver', 30], ['gold', 10]]),
    signup_at: formatTimestamp(Math.min(signupMs, asOfMs)),
    updated_at: formatTimestamp(Math.min(updatedMs, asOfMs)),
  };
}

interface HourCatalog {
  sellable: Product[];
  productIds: number[];
  emailByCustomerId: Map<number, string | null>;
}

interface GeneratedTransaction {
  record: Transaction;
  /** When set, the transaction becomes `refunded` at this instant. */
  refundAtMs?: number;
}

function generateHourTransactions(seed: number, hour: number, catalog: HourCatalog): GeneratedTransaction[] {
  const random = new Random(hashSeed(seed, STREAM.transactions, hour));
  const soldAts = sortedSecondsInHour(random, hour, random.int(4, 10));

  return soldAts.map((soldMs, n) => {
    const customerId = random.chance(0.3) ? null : random.int(1, CUSTOMER_COUNT);
    const status = random.weighted<Transaction['status']>([['paid', 930], ['void', 35], ['refunded', 30], ['unknown', 5]]);
    const method = random.weighted<PaymentMethod>([['card', 60], ['cash', 20], ['mobile', 20]]);
    const cardLast4 = method === 'card' ? String(random.int(0, 9999)).padStart(4, '0') : null;

    let lines: TransactionLine[] = [];
    const lineCount = random.int(1, 5);
    for (let lineNo = 1; lineNo <= lineCount; lineNo++) {
      const product = random.pick(catalog.sellable);
      const quantity = random.int(1, 4);
      const priceCents = Math.round(product.unit_price * 100);
      const discountCents = random.chance(0.2) ? Math.floor((quantity * priceCents * random.int(5, 20)) / 100) : 0;
      lines.push({ line_no: lineNo, product_id: product.id, quantity, unit_price: priceCents / 100, discount: discountCents / 100 });
    }

    // Dirt. Every roll is drawn for every transaction so one kind's rate never shifts another's draws.
    const badLine = random.chance(0.01);
    const badLineDropsProduct = random.chance(0.5);
    const badLineIndex = random.int(0, lines.length - 1);
    const emptyLines = random.chance(0.005);
    const negativeTotal = random.chance(0.01);
    const missingSoldAt = random.chance(0.005);
    const lateRefund = random.chance(0.032);
    const refundDelayMs = random.int(1, 48) * HOUR_MS + random.int(0, 3599) * SECOND_MS;

    if (badLine) {
      const line = lines[badLineIndex];
      if (badLineDropsProduct) delete line.product_id;
      else Object.assign(line, { quantity: 0, discount: 0 });
    }
    if (emptyLines) lines = [];
    const totalCents = lines.reduce(
      (sum, line) => sum + line.quantity * Math.round(line.unit_price * 100) - Math.round(line.discount * 100),
      0,
    );

    const record: Transaction = {
      id: hour * ID_STRIDE + n,
      store_id: random.int(1, STORES.length),
      customer_id: customerId,
      sold_at: formatTimestamp(soldMs),
      updated_at: formatTimestamp(soldMs),
      status,
      currency: 'USD',
      total: (negativeTotal ? -totalCents : totalCents) / 100,
      payment: { method, card_last4: cardLast4 },
      customer: { email: customerId === null ? null : (catalog.emailByCustomerId.get(customerId) ?? null) },
      lines,
    };
    if (missingSoldAt) delete record.sold_at;
    return { record, refundAtMs: lateRefund && status === 'paid' ? soldMs + refundDelayMs : undefined };
  });
}

function applyRefund(record: Transaction, refundAtMs: number): Transaction {
  return { ...record, status: 'refunded', updated_at: formatTimestamp(refundAtMs) };
}

function generateHourMovements(seed: number, hour: number, catalog: HourCatalog): InventoryMovement[] {
  const random = new Random(hashSeed(seed, STREAM.movements, hour));
  const movedAts = sortedSecondsInHour(random, hour, random.int(3, 8));
  return movedAts.map((movedMs, n) => {
    const kind = random.weighted<MovementKind>([['receipt', 20], ['sale', 65], ['adjustment', 15]]);
    const size = kind === 'receipt' ? random.int(10, 100) : random.int(1, 5);
    const sign = kind === 'receipt' ? 1 : kind === 'sale' ? -1 : random.chance(0.5) ? 1 : -1;
    return {
      id: hour * ID_STRIDE + n,
      product_id: random.pick(catalog.productIds),
      store_id: random.int(1, STORES.length),
      moved_at: formatTimestamp(movedMs),
      kind,
      quantity: sign * size,
    };
  });
}

/** `count` whole-second instants inside the hour, ascending, so ids follow time within the hour. */
function sortedSecondsInHour(random: Random, hour: number, count: number): number[] {
  const seconds = Array.from({ length: count }, () => random.int(0, 3599));
  return seconds.sort((a, b) => a - b).map((s) => hour * HOUR_MS + s * SECOND_MS);
}

function randomSecond(random: Random, fromMs: number, toMs: number): number {
  return fromMs + random.int(0, Math.floor((toMs - fromMs) / SECOND_MS) - 1) * SECOND_MS;
}
