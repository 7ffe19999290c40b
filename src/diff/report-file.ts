// `dataops diff --json` read back by a later step (the quality gate's `diff-file`): the step that can
// reach both sides computes the diff, and the gate, which posts the comment, renders it. The file is
// checked against the shape before anything is rendered from it.
import { Ajv } from 'ajv';
import { DataOpsError } from '../errors.js';
import type { DiffReport } from './render.js';

const nullable = (schema: object) => ({ anyOf: [schema, { type: 'null' }] });
const count = { type: 'integer', minimum: 0 };
const strings = { type: 'array', items: { type: 'string' } };
const values = { type: 'object', additionalProperties: { type: ['string', 'null'] } };
const columnType = { type: 'object', required: ['column', 'type'], properties: { column: { type: 'string' }, type: { type: 'string' } } };
const duplicates = { type: 'object', required: ['keys', 'rows'], properties: { keys: count, rows: count } };

const TABLE_DIFF = {
  type: 'object',
  required: ['table', 'key', 'exists', 'rows', 'schema', 'rows_added', 'rows_removed', 'rows_changed', 'rows_unchanged', 'column_changes', 'duplicate_keys', 'null_keys', 'samples', 'notes', 'differs', 'error'],
  properties: {
    table: { type: 'string' },
    key: nullable(strings),
    exists: { type: 'object', required: ['base', 'changed'], properties: { base: { type: 'boolean' }, changed: { type: 'boolean' } } },
    rows: { type: 'object', required: ['base', 'changed'], properties: { base: nullable(count), changed: nullable(count) } },
    schema: {
      type: 'object',
      required: ['added', 'removed', 'retyped'],
      properties: {
        added: { type: 'array', items: columnType },
        removed: { type: 'array', items: columnType },
        retyped: { type: 'array', items: { type: 'object', required: ['column', 'base_type', 'changed_type'], properties: { column: { type: 'string' }, base_type: { type: 'string' }, changed_type: { type: 'string' } } } },
      },
    },
    rows_added: count,
    rows_removed: count,
    rows_changed: nullable(count),
    rows_unchanged: nullable(count),
    column_changes: nullable({ type: 'object', additionalProperties: count }),
    duplicate_keys: nullable({ type: 'object', required: ['base', 'changed'], properties: { base: duplicates, changed: duplicates } }),
    null_keys: nullable({ type: 'object', required: ['base', 'changed'], properties: { base: count, changed: count } }),
    samples: {
      type: 'array',
      items: {
        oneOf: [
          {
            type: 'object',
            required: ['kind', 'key', 'changes'],
            properties: {
              kind: { const: 'changed' },
              key: values,
              changes: { type: 'array', items: { type: 'object', required: ['column', 'before', 'after'], properties: { column: { type: 'string' }, before: { type: ['string', 'null'] }, after: { type: ['string', 'null'] } } } },
            },
          },
          { type: 'object', required: ['kind', 'row', 'copies'], properties: { kind: { enum: ['added', 'removed'] }, row: values, copies: count } },
        ],
      },
    },
    notes: strings,
    differs: { type: 'boolean' },
    error: { type: ['string', 'null'] },
  },
};

const DIFF_REPORT = {
  type: 'object',
  required: ['base', 'changed', 'tables'],
  properties: { base: { type: 'string' }, changed: { type: 'string' }, tables: { type: 'array', items: TABLE_DIFF }, not_built: strings },
};

const validate = new Ajv({ allErrors: false, strict: false }).compile<DiffReport>(DIFF_REPORT);

export function parseDiffReport(text: string, file: string): DiffReport {
  const expected = 'expected the output of `dataops diff --json`';
  if (text.trim() === '') throw new DataOpsError(`${file} is empty; ${expected} (did the step that writes it fail? its log says why)`);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw new DataOpsError(`${file}: not JSON (${(e as Error).message}); ${expected}`);
  }
  if (!validate(value)) {
    const [error] = validate.errors ?? [];
    throw new DataOpsError(`${file}: ${error ? `${error.instancePath || 'the top level'} ${error.message}` : 'not a diff'}; ${expected}`);
  }
  return value;
}
