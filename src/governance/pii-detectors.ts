// What a column that holds personal data looks like, for `dataops scan-pii`: a registry keyed by kind, as
// src/sources/pagination.ts keys paginators. Each detector says whether one sampled value (as text) has the
// shape, and may need the column's name to agree: a person's name and a city have the same shape, and only
// the name tells them apart. Look-alikes are refused by shape (a date is not a phone, a 16-digit id that
// fails Luhn is not a card), so a suggestion is worth reading.
import { isIP } from 'node:net';
import type { MaskRuleName } from './masking.js';

export const PII_KINDS = ['email', 'phone', 'person_name', 'card_number', 'ip_address'] as const;
export type PiiKind = (typeof PII_KINDS)[number];

export interface PiiDetector {
  /** For the report: what was found. */
  describe: string;
  /** The mask rule a suggestion proposes. */
  rule: MaskRuleName;
  /** When set, a column is only suggested when its name (or its table's) says so: the values alone cannot tell. */
  named?: (column: string, table: string) => boolean;
  /** The value (trimmed, not empty) has this kind's shape. */
  matches(value: string): boolean;
}

const EMAIL = /^[^@\s<>()[\]"',;:]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}$/;
const DATE_LIKE = /^\d{4}[-/.]\d{1,2}[-/.]\d{1,2}([ T].*)?$|^\d{1,2}[-/.]\d{1,2}[-/.]\d{2,4}$/;
const PHONE_SHAPE = /^\+?[\d\s().-]+$/;
const PERSON_NAME_COLUMN = /(^|_)(first|last|full|given|family|middle|sur|maiden|nick|display|contact|customer|person|user|manager|owner|employee|staff|member|author|recipient|sender|holder|patient|student|guest|driver|agent)_?name$/i;
const PEOPLE_TABLE = /(^|_)(customers?|users?|people|persons?|employees?|staff|members?|contacts?|patients?|students?|guests?|drivers?|agents?|authors?|owners?)$/i;

/** Words of a name: letters (any script), with inner apostrophes, hyphens or dots (Mary-Jane, O'Neil, J.). */
const NAME_SHAPE = /^\p{Lu}[\p{L}\p{M}'’.-]*(\s+[\p{L}][\p{L}\p{M}'’.-]*){0,3}$/u;
const CARD_SHAPE = /^\d[\d -]{11,22}\d$/;

export const PII_DETECTORS: Readonly<Record<PiiKind, PiiDetector>> = {
  email: { describe: 'email addresses', rule: 'partial', matches: (v) => EMAIL.test(v) },
  phone: {
    describe: 'phone numbers',
    rule: 'partial',
    matches: (v) => {
      if (!PHONE_SHAPE.test(v) || DATE_LIKE.test(v) || isIP(v) !== 0) return false;
      const digits = v.replace(/\D/g, '').length;
      // A bare run of digits is an id or an amount as often as a phone: a phone has a + or a separator.
      return digits >= 7 && digits <= 15 && (/^\+/.test(v) || /\d[\s().-]+\d/.test(v)) && !/^\d+\.\d+$/.test(v);
    },
  },
  person_name: {
    describe: "people's names",
    rule: 'redact',
    // A name column says whose: a person's part of a name, or a role people have (not store_name, product_name);
    // a bare `name` only in a table of people (customers.name, not products.name or stores.name).
    named: (column, table) => PERSON_NAME_COLUMN.test(column) || (/^name$/i.test(column) && PEOPLE_TABLE.test(table.split('.').pop() ?? '')),
    matches: (v) => v.length <= 80 && NAME_SHAPE.test(v),
  },
  card_number: {
    describe: 'payment card numbers (Luhn)',
    rule: 'partial',
    matches: (v) => {
      if (!CARD_SHAPE.test(v)) return false;
      const digits = v.replace(/[ -]/g, '');
      return digits.length >= 13 && digits.length <= 19 && luhnValid(digits);
    },
  },
  ip_address: { describe: 'IP addresses', rule: 'hash', matches: (v) => isIP(v) !== 0 },
};

/** The Luhn checksum of a card number's digits. */
export function luhnValid(digits: string): boolean {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = digits.charCodeAt(digits.length - 1 - i) - 48;
    if (i % 2 === 1) d = d * 2 > 9 ? d * 2 - 9 : d * 2;
    sum += d;
  }
  return sum % 10 === 0;
}
