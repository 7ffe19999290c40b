// A batch's field profile: which paths its records have and their JSON types, taken while the records are
// read (the scanner fills it from the raw bytes; records given as values are walked). ingest/drift.ts
// compares one batch's profile with the previous one's.
//
// Why the profile is not computed in SQL: DuckDB's json_tree costs 30-60 us per record here (about a
// minute per million records) and json_group_structure about 10 s per million, while walking the
// records the loader has already parsed costs under 1 us each.

/** JSON types as bits, so a field's types are one number (e.g. NUMBER | NULL). */
export const STRING = 1;
export const NUMBER = 2;
export const BOOLEAN = 4;
export const NULL = 8;
export const OBJECT = 16;
export const ARRAY = 32;
const TYPE_NAMES: Array<[number, string]> = [[ARRAY, 'array'], [BOOLEAN, 'boolean'], [NUMBER, 'number'], [OBJECT, 'object'], [STRING, 'string']];

/** One path of the profile: the types of its values, how many there were, and its children. */
export interface FieldNode {
  types: number;
  n: number;
  fields: Map<string, FieldNode>;
  /** Every element of the arrays found at this path. */
  items?: FieldNode;
}

export const newNode = (): FieldNode => ({ types: 0, n: 0, fields: new Map() });

/** The fields seen in a batch's records, kept as a tree so no path string is built per record. */
export class FieldProfile {
  /** A scanner that reads records from raw JSON (sources/json-scan.ts) fills the tree directly. */
  constructor(readonly root: FieldNode = newNode()) {}

  add(record: unknown): void {
    walk(record, this.root);
  }

  /** Adds another profile's counts to this one (a page's profile to its batch's). */
  merge(other: FieldProfile): void {
    mergeNode(this.root, other.root);
  }

  /** One row per path: its JSON types and how many values it had. */
  rows(): Array<{ path: string; jsonType: string; n: number }> {
    const out: Array<{ path: string; jsonType: string; n: number }> = [];
    const visit = (node: FieldNode, path: string) => {
      if (path !== '') out.push({ path, jsonType: typeName(node.types), n: node.n });
      for (const [key, child] of node.fields) visit(child, path === '' ? key : `${path}.${key}`);
      if (node.items) visit(node.items, `${path}[]`);
    };
    visit(this.root, '');
    return out;
  }
}

function walk(value: unknown, node: FieldNode): void {
  node.n++;
  if (value === null) {
    node.types |= NULL;
    return;
  }
  switch (typeof value) {
    case 'string':
      node.types |= STRING;
      return;
    case 'number':
      node.types |= NUMBER;
      return;
    case 'boolean':
      node.types |= BOOLEAN;
      return;
    case 'object':
      break;
    default:
      return;
  }
  if (Array.isArray(value)) {
    node.types |= ARRAY;
    if (value.length > 0) {
      const items = (node.items ??= newNode());
      for (let i = 0; i < value.length; i++) walk(value[i], items);
    }
    return;
  }
  node.types |= OBJECT;
  const record = value as Record<string, unknown>;
  for (const key in record) {
    let child = node.fields.get(key);
    if (!child) node.fields.set(key, (child = newNode()));
    walk(record[key], child);
  }
}

function mergeNode(into: FieldNode, from: FieldNode): void {
  into.types |= from.types;
  into.n += from.n;
  for (const [key, child] of from.fields) {
    let target = into.fields.get(key);
    if (!target) into.fields.set(key, (target = newNode()));
    mergeNode(target, child);
  }
  if (from.items) mergeNode((into.items ??= newNode()), from.items);
}

/** The non-null types, e.g. "number|string"; "null" when nothing else was seen. */
function typeName(types: number): string {
  const names = TYPE_NAMES.filter(([bit]) => types & bit).map(([, name]) => name);
  return names.length ? names.join('|') : 'null';
}
