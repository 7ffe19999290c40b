// The JSON Schema is the pipeline file's contract with editors: it must be a valid schema, document
// every field, and accept every example pipeline the project ships.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import { parse } from 'yaml';
import { describe, expect, test } from 'vitest';
import schema from '../../../schemas/pipeline.schema.json' with { type: 'json' };
import { REPO } from '../../helpers/project.js';

const ajv = new Ajv({ allErrors: true, discriminator: true, strict: false });

describe('schemas/pipeline.schema.json', () => {
  test('is a valid draft-07 schema', () => {
    expect(ajv.validateSchema(schema)).toBe(true);
  });

  test('accepts every pipeline in pipelines/ and test/fixtures/pipelines/valid', () => {
    const validate = ajv.compile(schema);
    const files = [
      ...readdirSync(join(REPO, 'pipelines')).map((f) => join(REPO, 'pipelines', f)),
      ...readdirSync(join(REPO, 'test/fixtures/pipelines/valid')).map((f) => join(REPO, 'test/fixtures/pipelines/valid', f)),
    ];
    expect(files.length).toBeGreaterThan(4);
    for (const file of files) {
      const ok = validate(parse(readFileSync(file, 'utf8')));
      expect(ok ? [] : validate.errors, file).toEqual([]);
    }
  });

  test('every pipeline in pipelines/ starts with the $schema comment editors read', () => {
    for (const f of readdirSync(join(REPO, 'pipelines'))) {
      expect(readFileSync(join(REPO, 'pipelines', f), 'utf8').split('\n')[0], f).toBe('# yaml-language-server: $schema=../schemas/pipeline.schema.json');
    }
  });

  test('every kind discriminator lists its kinds, and top-level keys are described', () => {
    const top = schema.properties as Record<string, { description?: string }>;
    for (const key of ['name', 'schedule', 'source', 'silver']) expect(top[key].description ?? (top[key] as { title?: string }).title, key).toBeTruthy();
    const kinds = (s: { oneOf: Array<{ properties: { kind: { const: string } } }> }) => s.oneOf.map((b) => b.properties.kind.const);
    expect(kinds(schema.properties.source as never)).toEqual(['http', 'sql', 'files']);
  });
});
