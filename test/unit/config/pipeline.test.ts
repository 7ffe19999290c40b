import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { loadPipeline } from '../../../src/config/pipeline.js';
import { formatDiagnostic } from '../../../src/errors.js';
import { REPO } from '../../helpers/project.js';

const fixtures = join(REPO, 'test/fixtures/pipelines');
const load = (kind: string, name: string, env: Record<string, string> = {}) =>
  loadPipeline(`pipelines/${name}`, readFileSync(join(fixtures, kind, name), 'utf8'), env);

describe('invalid pipelines name the file, line, column and what was expected', () => {
  test.each([
    ['yaml-syntax.yml', /^pipelines\/yaml-syntax\.yml:\d+:\d+: invalid YAML: Missing closing "quote/],
    ['unknown-key.yml', /^pipelines\/unknown-key\.yml:8:7: unknown key "paginat" in source\.resources\.items \(expected one of: path, params, records, primary_key, paginate, incremental, max_pages, deleted_when\)$/],
    ['wrong-type.yml', /^pipelines\/wrong-type\.yml:5:29: source\.rate_limit\.per_second: expected number, got string "fast"$/],
    ['unknown-pagination.yml', /^pipelines\/unknown-pagination\.yml:8:25: source\.resources\.items\.paginate\.kind: unknown kind "infinite_scroll" \(expected one of: none, offset, page, cursor, next_url, link_header\)$/],
    ['literal-secret.yml', /^pipelines\/literal-secret\.yml:5:32: source\.auth\.token: a secret must come from an environment variable: write \{ env: NAME \}/],
    ['unset-secret.yml', /^pipelines\/unset-secret\.yml:5:39: environment variable DATAOPS_TEST_UNSET_TOKEN is not set \(needed for source\.auth\.token\)$/],
    ['unknown-resource.yml', /^pipelines\/unknown-resource\.yml:9:11: silver\.items\.from: unknown resource "itemz" \(the source declares: items\)$/],
    ['bad-column-type.yml', /^pipelines\/bad-column-type\.yml:12:29: silver\.items\.columns\.id\.type: "int" does not match .*one of string, integer/],
    ['two-check-kinds.yml', /^pipelines\/two-check-kinds\.yml:15:7: checks\.silver\.items\[0\]: expected exactly one check kind .* got unique, not_null$/],
    ['missing-source.yml', /^pipelines\/missing-source\.yml:1:1: pipeline: missing required key "source"$/],
    ['parent-path-without-explode.yml', /^pipelines\/parent-path-without-explode\.yml:13:19: silver\.items\.columns\.id\.path: "\$\.id" starts with "\$\.", which reaches the parent record .* silver\.items has no "explode"; write "id" instead$/],
    // Refused at the alias that takes the expansion past the limit, long before 10^10 values exist.
    ['alias-bomb.yml', /^pipelines\/alias-bomb\.yml:19:47: alias \*l2: the aliases in this file would expand to more than 10,000 extra values/],
    ['alias-cycle.yml', /^pipelines\/alias-cycle\.yml:8:31: alias \*params is inside the value it refers to$/],
    ['alias-unknown.yml', /^pipelines\/alias-unknown\.yml:8:20: alias \*key has no anchor &key before it$/],
    ['history-without-latest-by.yml', /^pipelines\/history-without-latest-by\.yml:12:14: silver\.items\.history: scd2 takes each version's valid_from from latest_by; add "latest_by: <a timestamp column>"/],
    ['history-latest-by-optional.yml', /^pipelines\/history-latest-by-optional\.yml:16:19: silver\.items\.columns\.updated_at: the latest_by column of a table with history: scd2 must be "required: true"/],
    ['deleted-when-explode.yml', /^pipelines\/deleted-when-explode\.yml:12:14: silver\.order_lines: resource "orders" declares deleted_when, but deletes reach only tables that are not exploded/],
    ['duplicate-key.yml', /^pipelines\/duplicate-key\.yml:14:7: duplicate key "id" \(first at line 13\)$/],
  ])('%s', (name, expected) => {
    const { diagnostics } = load('invalid', name);
    const errors = diagnostics.filter((d) => d.severity === 'error').map(formatDiagnostic);
    expect(errors.length).toBeGreaterThan(0);
    expect(errors[0]).toMatch(expected);
  });

  test('a literal secret is never echoed back', () => {
    const text = load('invalid', 'literal-secret.yml').diagnostics.map(formatDiagnostic).join('\n');
    expect(text).not.toContain('sk-live-1234');
  });
});

describe('valid pipelines', () => {
  test('minimal: defaults are applied', () => {
    const { pipeline, diagnostics } = load('valid', 'minimal.yml');
    expect(diagnostics).toEqual([]);
    expect(pipeline!.source).toMatchObject({
      kind: 'http',
      allowed_hosts: [],
      timeoutSeconds: 30,
      maxRetryAfterSeconds: 60,
      maxResponseBytes: 100_000_000,
      resources: [{ name: 'items', records: '', paginate: { kind: 'none' }, max_pages: 10_000 }],
    });
    expect(pipeline!.silver[0].columns[0]).toMatchObject({ name: 'id', required: false, normalize: [] });
  });

  test('without a silver mapping: its silver tables may all be SQL models', () => {
    const { pipeline, diagnostics } = load('valid', 'no-mapping.yml');
    expect(diagnostics).toEqual([]);
    expect(pipeline!.silver).toEqual([]);
  });

  test('files: the path resolves from env or its default; the partitioned layout is the default glob', () => {
    const { pipeline, diagnostics } = load('valid', 'files.yml');
    expect(diagnostics).toEqual([]);
    expect(pipeline!.source).toEqual({
      kind: 'files',
      path: 'drop',
      resources: [
        { name: 'transactions', files: 'source=transactions/dt=*/hour=*/part-*.{jsonl,ndjson,csv}', format: undefined, delimiter: ',', primary_key: ['id'] },
        { name: 'stock', files: 'exports/**/stock-*.txt', format: 'csv', delimiter: ';', primary_key: undefined },
      ],
    });
    expect(load('valid', 'files.yml', { POS_DROP_DIR: '/srv/drop' }).pipeline!.source).toMatchObject({ path: '/srv/drop' });
  });

  test('full: env values resolve, defaults fill in, durations parse, checks keep their line', () => {
    const { pipeline, diagnostics } = load('valid', 'full.yml', { FULL_SECRET: 'shh-secret' });
    expect(diagnostics).toEqual([]);
    const source = pipeline!.source;
    if (source.kind !== 'http') throw new Error('expected http');
    expect(source.base_url).toBe('http://127.0.0.1:1');
    expect(source.auth).toMatchObject({ kind: 'oauth2_client_credentials', client_secret: 'shh-secret' });
    expect(source.timeoutSeconds).toBe(10);
    expect(source.maxRetryAfterSeconds).toBe(120);
    expect(source.allowed_hosts).toEqual(['https://files.example.com', 'https://cdn.example.com:8443']);
    expect(source.resources.map((r) => r.max_pages)).toEqual([10_000, 500, 10_000, 10_000, 10_000, 10_000, 10_000]);
    expect(source.resources.find((r) => r.name === 'b')!.paginate).toEqual({ kind: 'offset', limit: 50, limit_param: 'limit', offset_param: 'offset', total: 'meta.total' });
    expect(source.resources.find((r) => r.name === 'c')!.paginate).toMatchObject({ kind: 'page', start: 0, page_param: 'page', size_param: 'per_page' });
    expect(source.resources.find((r) => r.name === 'g')!.incremental).toEqual({ field: 'updated_at', param: 'since', until_param: 'until', initial: '2024-01-01T00:00:00Z', lagSeconds: 600 });
    expect(pipeline!.silver[0].columns.find((c) => c.name === 'amount')!.type).toBe('decimal(12,2)');
    expect(pipeline!.checks.map((c) => [c.spec.kind, c.severity, c.line])).toEqual([
      ['unique', 'error', 42],
      ['not_null', 'error', 43],
      ['accepted_values', 'warn', 44],
      ['range', 'error', 45],
      ['row_count', 'error', 46],
      ['relationships', 'error', 48],
    ]);
    expect(pipeline!.freshness).toEqual([{ table: 'silver.a', field: 'updated_at', warnAfterSeconds: 3600, errorAfterSeconds: 86400, line: 50 }]);
  });

  test('aliases within the limits load as if the values were written out', () => {
    const { pipeline, diagnostics } = load('valid', 'aliases.yml');
    expect(diagnostics).toEqual([]);
    expect(pipeline!.source.resources.map((r) => r.primary_key)).toEqual([['id'], ['id']]);
    expect(pipeline!.silver.map((t) => [t.key, t.columns])).toEqual([
      [['id'], [{ name: 'id', path: 'id', type: 'integer', required: true, normalize: [] }]],
      [['id'], [{ name: 'id', path: 'id', type: 'integer', required: true, normalize: [] }]],
    ]);
  });

  test('silver tables and their columns may have a description, for the catalog', () => {
    const text = readFileSync(join(REPO, 'pipelines/retail_pos.yml'), 'utf8');
    const { pipeline, diagnostics } = loadPipeline('pipelines/retail_pos.yml', text, { DEMO_API_URL: 'http://127.0.0.1:1', DEMO_API_TOKEN: 't' });
    expect(diagnostics).toEqual([]);
    const transactions = pipeline!.silver.find((t) => t.name === 'transactions')!;
    expect(transactions.description).toBe('One row per sale, latest version wins');
    const described = Object.fromEntries(transactions.columns.map((c) => [c.name, c.description]));
    expect(described).toMatchObject({ sold_at: 'When the sale was rung up, UTC', currency: undefined });
  });

  test('a column description must be text', () => {
    const { diagnostics } = loadPipeline('pipelines/x.yml', [
      'name: x',
      'source:',
      '  kind: files',
      '  path: in',
      '  resources: { items: {} }',
      'silver:',
      '  items:',
      '    from: items',
      '    key: [id]',
      '    columns:',
      '      id: { path: id, type: integer, description: [not, text] }',
    ].join('\n'), {});
    expect(diagnostics.map(formatDiagnostic)).toEqual([expect.stringMatching(/^pipelines\/x\.yml:11:\d+: silver\.items\.columns\.id\.description: expected string/)]);
  });

  test.each([
    ['sensitive: true: masked with redact unless it names a rule', '{ path: email, type: string, sensitive: true }', 'redact', []],
    ['sensitive: true with a rule', '{ path: email, type: string, sensitive: true, mask: partial }', 'partial', []],
    ['not sensitive', '{ path: email, type: string, sensitive: false }', undefined, []],
    ['a mask without sensitive: true is refused', '{ path: email, type: string, mask: hash }', undefined,
      [/^pipelines\/x\.yml:11:\d+: silver\.items\.columns\.email\.mask: a mask applies to a sensitive column; add "sensitive: true" to email \(or remove "mask"\)$/]],
    ['an unknown rule lists the rules', '{ path: email, type: string, sensitive: true, mask: scramble }', undefined,
      [/^pipelines\/x\.yml:11:\d+: silver\.items\.columns\.email\.mask: expected one of "redact", "hash", "partial", "null", got "scramble"$/]],
  ])('a sensitive column: %s', (_, column, mask, errors) => {
    const { pipeline, diagnostics } = loadPipeline('pipelines/x.yml', [
      'name: x',
      'source:',
      '  kind: files',
      '  path: in',
      '  resources: { items: {} }',
      'silver:',
      '  items:',
      '    from: items',
      '    key: [email]',
      '    columns:',
      `      email: ${column}`,
    ].join('\n'), {});
    expect(diagnostics.map(formatDiagnostic)).toEqual(errors.map((e) => expect.stringMatching(e)));
    if (errors.length === 0) expect(pipeline!.silver[0].columns[0].mask).toBe(mask);
  });

  test('an env value overrides the default', () => {
    const { pipeline } = load('valid', 'full.yml', { FULL_SECRET: 'x', FULL_API_URL: 'http://example.test' });
    expect(pipeline!.source.kind === 'http' && pipeline!.source.base_url).toBe('http://example.test');
  });
});

describe('trust and bounds of an HTTP source', () => {
  const pipeline = (sourceKeys: string, resourceKeys = '') =>
    [
      'name: bounded',
      'source:',
      '  kind: http',
      '  base_url: https://api.example.com/v1',
      ...sourceKeys.split('\n').filter(Boolean).map((line) => `  ${line}`),
      '  resources:',
      `    items: { path: /items${resourceKeys} }`,
      'silver:',
      '  items: { from: items, key: [id], columns: { id: { path: id, type: integer } } }',
      '',
    ].join('\n');
  const loaded = (text: string, env: Record<string, string> = {}) => loadPipeline('pipelines/bounded.yml', text, env);

  test('header and parameter values from the environment are secrets to mask; literal values and defaults are not', () => {
    const { pipeline: p, diagnostics } = loaded(
      pipeline('headers: { x-partner: { env: PARTNER_KEY }, x-tenant: acme, x-region: { env: UNSET_REGION, default: eu-west } }', ', params: { token: { env: QUERY_TOKEN }, status: all }'),
      { PARTNER_KEY: 'partner-key-1234', QUERY_TOKEN: 'query-token-5678' },
    );
    expect(diagnostics).toEqual([]);
    expect(p!.source).toMatchObject({ secretValues: ['partner-key-1234', 'query-token-5678'] });
  });

  test('allowed_hosts (as origins, from env too), max_retry_after, max_response_size and max_pages are read', () => {
    const { pipeline: p, diagnostics } = loaded(
      pipeline('allowed_hosts: ["https://API2.example.com", "http://files.example.com:8080/", { env: CDN_ORIGIN }]\nmax_retry_after: 5m\nmax_response_size: 250MB', ', max_pages: 50'),
      { CDN_ORIGIN: 'https://cdn.example.com:443' },
    );
    expect(diagnostics).toEqual([]);
    expect(p!.source).toMatchObject({
      allowed_hosts: ['https://api2.example.com', 'http://files.example.com:8080', 'https://cdn.example.com'],
      maxRetryAfterSeconds: 300,
      maxResponseBytes: 250_000_000,
      resources: [{ max_pages: 50 }],
    });
  });

  test.each([
    ['a URL with a path', 'allowed_hosts: ["https://api2.example.com/v1"]', {}, /^pipelines\/bounded\.yml:5:19: source\.allowed_hosts\.0: .* does not match .*an origin: http\(s\):\/\/host\[:port\] with no path/],
    ['a host without a scheme', 'allowed_hosts: [api2.example.com]', {}, /^pipelines\/bounded\.yml:5:19: source\.allowed_hosts\.0: "api2\.example\.com" does not match/],
    [
      'an env value that is not an origin',
      'allowed_hosts: [{ env: CDN_ORIGIN }]',
      { CDN_ORIGIN: 'ftp://cdn.example.com/files' },
      /^pipelines\/bounded\.yml:5:19: source\.allowed_hosts\[0\]: expected an origin such as "https:\/\/api2\.example\.com" .*, got "ftp:\/\/cdn\.example\.com\/files"$/,
    ],
    ['max_retry_after that is not a duration', 'max_retry_after: soon', {}, /^pipelines\/bounded\.yml:5:20: source\.max_retry_after: "soon" does not match/],
    ['max_response_size that is not a size', 'max_response_size: 0MB', {}, /^pipelines\/bounded\.yml:5:22: source\.max_response_size: "0MB" does not match .*\(KB\|MB\|GB\)/],
  ])('%s is an error at its line', (_name, keys, env, expected) => {
    const errors = loaded(pipeline(keys), env).diagnostics.filter((d) => d.severity === 'error').map(formatDiagnostic);
    expect(errors[0]).toMatch(expected);
  });

  test('max_pages below 1 is an error at its line', () => {
    const errors = loaded(pipeline('', ', max_pages: 0')).diagnostics.map(formatDiagnostic);
    expect(errors[0]).toMatch(/^pipelines\/bounded\.yml:6:39: source\.resources\.items\.max_pages: must be >= 1$/);
  });
});
