import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { openWarehouse, resolveSettings } from '../../../src/engine.js';
import { snowflakeSettingsFromEnv } from '../../../src/warehouse/snowflake.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'dataops-file-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

test('dataops.yml sets the default target, the DuckDB file and the names of the Snowflake variables', async () => {
  await writeFile(join(dir, 'dataops.yml'), 'target: snowflake\nduckdb: { path: data/local.duckdb }\nsnowflake:\n  env:\n    account: PROD_SF_ACCOUNT\n    token: PROD_SF_TOKEN\n');
  const settings = resolveSettings({ projectDir: dir, env: {} });
  expect(settings).toMatchObject({ target: 'snowflake', database: join(dir, 'data/local.duckdb'), snowflakeEnvNames: { account: 'PROD_SF_ACCOUNT', token: 'PROD_SF_TOKEN' } });
  // The command line and the environment come first.
  expect(resolveSettings({ projectDir: dir, env: { DATAOPS_TARGET: 'duckdb' } }).target).toBe('duckdb');
  expect(resolveSettings({ projectDir: dir, target: 'duckdb', env: {} }).target).toBe('duckdb');
  const sf = snowflakeSettingsFromEnv({ PROD_SF_ACCOUNT: 'acme-prod', PROD_SF_TOKEN: 'tok-123456', SNOWFLAKE_USER: 'ci', SNOWFLAKE_DATABASE: 'ANALYTICS' }, settings.snowflakeEnvNames);
  expect(sf).toMatchObject({ account: 'acme-prod', authenticator: 'PROGRAMMATIC_ACCESS_TOKEN', database: 'ANALYTICS' });
  expect(() => snowflakeSettingsFromEnv({ SNOWFLAKE_ACCOUNT: 'x' }, settings.snowflakeEnvNames)).toThrow(/PROD_SF_ACCOUNT is not set/);
});

test('a mistake in dataops.yml names the line and what was expected', async () => {
  await writeFile(join(dir, 'dataops.yml'), 'target: snowflake\nsnowflake:\n  env:\n    acount: X\n');
  expect(() => resolveSettings({ projectDir: dir, env: {} })).toThrow(/^dataops\.yml:4:5: unknown key "acount" in snowflake\.env \(expected one of: account, accessUrl/);
  await writeFile(join(dir, 'dataops.yml'), 'target: bigquery\n');
  expect(() => resolveSettings({ projectDir: dir, env: {} })).toThrow(/^dataops\.yml:1:9: target: expected one of "duckdb", "snowflake", got "bigquery"/);
});

test("dataops.yml's duckdb.memory_limit reaches DuckDB; a malformed one names its line", async () => {
  await writeFile(join(dir, 'dataops.yml'), 'duckdb:\n  path: dev.duckdb\n  memory_limit: 300MB\n');
  const settings = resolveSettings({ projectDir: dir, env: {} });
  expect(settings.duckdbMemoryLimit).toBe('300MB');
  const warehouse = await openWarehouse(settings);
  try {
    // DuckDB reports the limit back in its own units: 300 MB is 286.1 MiB.
    expect(await warehouse.query(`SELECT current_setting('memory_limit') AS limit`)).toEqual([{ limit: '286.1 MiB' }]);
  } finally {
    await warehouse.close();
  }
  await writeFile(join(dir, 'dataops.yml'), 'duckdb:\n  memory_limit: lots\n');
  expect(() => resolveSettings({ projectDir: dir, env: {} })).toThrow(/^dataops\.yml:2:17: duckdb\.memory_limit: /);
});

test("dataops.yml's bronze.copy_window sets how far back copies are looked for; 30 days by default", async () => {
  await writeFile(join(dir, 'dataops.yml'), 'target: duckdb\n');
  expect(resolveSettings({ projectDir: dir, env: {} }).copyWindowSeconds).toBe(30 * 86_400);
  await writeFile(join(dir, 'dataops.yml'), 'bronze:\n  copy_window: 7d\n');
  expect(resolveSettings({ projectDir: dir, env: {} }).copyWindowSeconds).toBe(7 * 86_400);
  // Whole days, at least one: shorter, a re-run of the same hour could miss its own copies.
  for (const bad of ['12h', '0d', '2 weeks']) {
    await writeFile(join(dir, 'dataops.yml'), `bronze:\n  copy_window: ${bad}\n`);
    expect(() => resolveSettings({ projectDir: dir, env: {} }), bad).toThrow(/^dataops\.yml:2:16: bronze\.copy_window: /);
  }
});

test("a run waits <target>.lock_timeout for another (10m by default), other commands 10s; --wait overrides both", async () => {
  await writeFile(join(dir, 'dataops.yml'), 'target: duckdb\n');
  expect(resolveSettings({ projectDir: dir, env: {} })).toMatchObject({ lockTimeoutSeconds: 600, readWaitSeconds: 10 });
  await writeFile(join(dir, 'dataops.yml'), 'duckdb:\n  lock_timeout: 90s\nsnowflake:\n  lock_timeout: 1h\n');
  expect(resolveSettings({ projectDir: dir, env: {} })).toMatchObject({ lockTimeoutSeconds: 90, readWaitSeconds: 10 });
  expect(resolveSettings({ projectDir: dir, target: 'snowflake', env: {} })).toMatchObject({ lockTimeoutSeconds: 3600 });
  expect(resolveSettings({ projectDir: dir, env: {}, waitSeconds: 2 })).toMatchObject({ lockTimeoutSeconds: 2, readWaitSeconds: 2 });
  await writeFile(join(dir, 'dataops.yml'), 'duckdb:\n  lock_timeout: ten minutes\n');
  expect(() => resolveSettings({ projectDir: dir, env: {} })).toThrow(/^dataops\.yml:2:17: duckdb\.lock_timeout: /);
});

describe('every mistake in dataops.yml names dataops.yml, with its line and column', () => {
  test.each([
    ['bad YAML', 'target: "duckdb\n', /^dataops\.yml:2:1: invalid YAML: Missing closing "quote/],
    ['an unknown top-level key', 'targit: duckdb\n', /^dataops\.yml:1:1: unknown key "targit" in dataops\.yml \(expected one of: target, duckdb, bronze, retention, snowflake, access\)$/],
    ['a list instead of a mapping', '- duckdb\n', /^dataops\.yml:1:1: dataops\.yml: expected object, got a list$/],
    ['a wrong type', 'duckdb: 3\n', /^dataops\.yml:1:9: duckdb: expected object, got number 3$/],
    ['an alias with no anchor', 'target: *t\n', /^dataops\.yml:1:9: alias \*t has no anchor &t before it$/],
    ['a repeated key', 'target: duckdb\ntarget: snowflake\n', /^dataops\.yml:2:1: duplicate key "target" \(first at line 1\)$/],
    ['a memory limit DuckDB refuses', 'duckdb:\n  memory_limit: 999999999TB\n', /^dataops\.yml:2:17: duckdb\.memory_limit: 999999999TB is out of range \(expected between 1MB and 1000TB\)$/],
    ['a copy window past any date', 'bronze:\n  copy_window: 99999999999999999999d\n', /^dataops\.yml:2:16: bronze\.copy_window: "99999999999999999999d" does not match/],
    ['a file over 100 KB', `target: duckdb\n#${'x'.repeat(12_300_000)}\n`, /^dataops\.yml:1:1: dataops\.yml is 12\.3 MB; dataops\.yml is limited to 100 KB$/],
  ])('%s', async (_name, text, expected) => {
    await writeFile(join(dir, 'dataops.yml'), text);
    expect(() => resolveSettings({ projectDir: dir, env: {} })).toThrow(expected);
  });

  test('dataops.yml that is a folder is named, not read', async () => {
    await mkdir(join(dir, 'dataops.yml'));
    expect(() => resolveSettings({ projectDir: dir, env: {} })).toThrow(/^dataops\.yml:1:1: dataops\.yml is a directory, not a regular file$/);
  });

  test('a DuckDB file that cannot be opened names the duckdb.path that chose it', async () => {
    await mkdir(join(dir, 'not-a-file'));
    await writeFile(join(dir, 'dataops.yml'), 'target: duckdb\nduckdb:\n  path: not-a-file\n');
    await expect(openWarehouse(resolveSettings({ projectDir: dir, env: {} }))).rejects.toThrow(/^cannot open DuckDB database .*not-a-file: .* \(duckdb\.path at dataops\.yml:3:9\)$/);
    // Chosen on the command line instead, the file is not blamed.
    await expect(openWarehouse(resolveSettings({ projectDir: dir, database: join(dir, 'not-a-file'), env: {} }))).rejects.toThrow(/not-a-file: [^(]*$/);
  });
});

test("dataops.yml's retention: sets each layer's days; bronze may not be kept shorter than the copy window", async () => {
  await writeFile(join(dir, 'dataops.yml'), 'retention:\n  landing: 30d\n  bronze: 400d\n  rejected: 90d\n  meta: 180d\n');
  expect(resolveSettings({ projectDir: dir, env: {} }).retentionSeconds).toEqual({ landing: 30 * 86_400, bronze: 400 * 86_400, rejected: 90 * 86_400, meta: 180 * 86_400 });
  const cases: Array<[string, RegExp]> = [
    ['retention:\n  bronze: 10d\n', /^dataops\.yml:2:11: retention\.bronze: 10d is shorter than bronze\.copy_window \(30d\); expected at least 30d/],
    ['bronze:\n  copy_window: 7d\nretention:\n  bronze: 6d\n', /^dataops\.yml:4:11: retention\.bronze: 6d is shorter than bronze\.copy_window \(7d\)/],
    ['retention:\n  bronze: 1y\n', /^dataops\.yml:2:11: retention\.bronze: /],
    ['retention:\n  silver: 30d\n', /^dataops\.yml:2:3: unknown key "silver" in retention \(expected one of: landing, bronze, rejected, meta/],
  ];
  for (const [text, expected] of cases) {
    await writeFile(join(dir, 'dataops.yml'), text);
    expect(() => resolveSettings({ projectDir: dir, env: {} }), text).toThrow(expected);
  }
  await writeFile(join(dir, 'dataops.yml'), 'bronze:\n  copy_window: 7d\nretention:\n  bronze: 7d\n');
  expect(resolveSettings({ projectDir: dir, env: {} }).retentionSeconds).toEqual({ bronze: 7 * 86_400 });
});
