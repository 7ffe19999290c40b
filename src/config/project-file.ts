// dataops.yml: project-wide settings, all optional. Which warehouse to use by default, where the
// DuckDB file lives, and the names of the environment variables that hold each Snowflake connection
// setting (so a repository can keep its own secret names, e.g. PROD_SF_ACCOUNT).
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import { ConfigError, formatLocation, type Diagnostic } from '../errors.js';
import { PROJECT_FILE_LIMIT, readConfigFile } from './config-file.js';
import { schemaDiagnostics } from './schema-errors.js';
import { YamlSource, type YamlPath } from './yaml-source.js';
import { ACCESS_SCHEMA, type AccessSpec } from '../governance/access.js';

export const PROJECT_FILE = 'dataops.yml';

export interface ProjectFile {
  target?: 'duckdb' | 'snowflake';
  duckdb?: { path?: string; memory_limit?: string; lock_timeout?: string };
  bronze?: { copy_window?: string };
  retention?: Partial<Record<RetentionLayer, string>>;
  snowflake?: { env?: Record<string, string>; lock_timeout?: string };
  /** Roles, grants, masking and service users on Snowflake (src/governance/access.ts). */
  access?: AccessSpec;
}

/** The layers `retention:` may set, each a number of whole days (src/state/retention.ts removes what is older). */
export const RETENTION_LAYERS = ['landing', 'bronze', 'rejected', 'meta'] as const;
export type RetentionLayer = (typeof RETENTION_LAYERS)[number];

const RETENTION_DESCRIPTIONS: Record<RetentionLayer, string> = {
  landing: 'Landing files (raw pages as JSON lines, by fetch day) older than this are removed; a batch can be replayed only while its files are kept. Default: bronze.copy_window.',
  bronze:
    'Bronze rows fetched longer ago than this are removed, a batch at a time, once every silver table and model that reads them has built that batch. Rows removed cannot come back: a later rebuild from bronze (of a silver table, or a model reading bronze batch by batch) is refused (unless named in --full-refresh, which then keeps only what is left). At least bronze.copy_window. Default: kept forever.',
  rejected: 'Rows of meta.rejected (records rejected before bronze or by silver) older than this are removed. Default: kept forever.',
  meta: 'Run history older than this is removed: meta.runs, run_steps, check_results, check_samples, column_profiles and table_snapshots (batches and silver loads stay, for conservation). Default: kept forever.',
};

const SNOWFLAKE_SETTINGS = [
  'account', 'accessUrl', 'host', 'port', 'protocol', 'user', 'role', 'warehouse', 'database', 'schema', 'authenticator',
  'privateKey', 'privateKeyPath', 'privateKeyPassphrase', 'token', 'oauthClientId', 'oauthClientSecret',
  'oauthTokenRequestUrl', 'oauthScope', 'oidcAudience', 'oidcRequestUrl', 'oidcRequestToken',
];

function lockTimeout(description: string) {
  return { type: 'string', pattern: '^[0-9]+[smhd]$', description: `${description} A duration such as 90s, 10m (the default) or 1h; --wait overrides it.`, examples: ['10m', '1h'] };
}

const schema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    target: { enum: ['duckdb', 'snowflake'], description: 'The default warehouse; --target and DATAOPS_TARGET override it.' },
    duckdb: {
      type: 'object',
      additionalProperties: false,
      properties: {
        path: { type: 'string', description: 'The DuckDB file, relative to the project.' },
        memory_limit: {
          type: 'string',
          pattern: '^[0-9]+(\\.[0-9]+)?\\s*(KB|MB|GB|TB|KiB|MiB|GiB|TiB)$',
          description: "DuckDB's memory_limit, e.g. 1GB: how much it may cache before it evicts or spills to disk (DuckDB's default is 80% of RAM).",
        },
        lock_timeout: lockTimeout('DuckDB lets one process at a time open the file: how long a run waits for another process (a run, status, report) to let go of it before failing.'),
      },
    },
    bronze: {
      type: 'object',
      additionalProperties: false,
      properties: {
        copy_window: {
          type: 'string',
          // Whole days, at least one: a re-run or a replay of the same hour must always find its copies.
          // At most five digits (273 years), so the window's start is still a date.
          pattern: '^[1-9][0-9]{0,4}d$',
          description:
            'How far back a load looks in bronze for exact copies of its records, in whole days from 1d to 99999d, e.g. 30d (the default): a copy fetched earlier is appended again. The check costs about the rows in the window, not the whole table.',
        },
      },
    },
    retention: {
      type: 'object',
      additionalProperties: false,
      description: 'How long each layer keeps what it holds, in whole days; every hourly run (and `dataops retention`) removes what is older, and logs the counts.',
      examples: [{ landing: '30d', bronze: '400d', rejected: '90d', meta: '180d' }],
      properties: Object.fromEntries(RETENTION_LAYERS.map((layer) => [layer, { type: 'string', pattern: '^[1-9][0-9]{0,4}d$', description: RETENTION_DESCRIPTIONS[layer], examples: ['30d', '400d'] }])),
    },
    snowflake: {
      type: 'object',
      additionalProperties: false,
      properties: {
        env: {
          type: 'object',
          description: 'For each connection setting, the environment variable that holds it.',
          additionalProperties: false,
          properties: Object.fromEntries(SNOWFLAKE_SETTINGS.map((k) => [k, { type: 'string', pattern: '^[A-Za-z_][A-Za-z0-9_]*$' }])),
        },
        lock_timeout: lockTimeout("How long a run waits for another run of the same pipeline to let go of the pipeline's lock in meta.locks before failing."),
      },
    },
    access: ACCESS_SCHEMA,
  },
};
const validate = new Ajv({ allErrors: true, strict: false, verbose: true }).compile(schema);

export interface LoadedProjectFile {
  settings: ProjectFile;
  /** "duckdb.path at dataops.yml:2:9" for a key the file sets, for messages about that value. */
  describe(path: YamlPath): string | undefined;
  /** Where a key the file sets is, for diagnostics about its value. */
  position(path: YamlPath): { line: number; col: number } | undefined;
}

/** The project's dataops.yml, or no settings when there is none; a bad file is a ConfigError with its lines. */
export function readProjectFile(projectDir: string): LoadedProjectFile {
  if (!existsSync(join(projectDir, PROJECT_FILE))) return { settings: {}, describe: () => undefined, position: () => undefined };
  const read = readConfigFile(projectDir, PROJECT_FILE, PROJECT_FILE_LIMIT);
  if (read.diagnostic) throw new ConfigError([read.diagnostic]);
  const { source, diagnostics } = YamlSource.parse(PROJECT_FILE, read.text, { root: PROJECT_FILE });
  if (diagnostics.some((d) => d.severity === 'error')) throw new ConfigError(diagnostics);
  const raw = source.toJS() ?? {};
  if (!validate(raw)) throw new ConfigError(schemaDiagnostics(validate.errors ?? [], source));
  const settings = raw as ProjectFile;
  const problems = [...memoryLimitProblems(settings, source), ...retentionProblems(settings, source)];
  if (problems.length) throw new ConfigError(problems);
  return {
    settings,
    describe: (path) => {
      let value: unknown = settings;
      for (const key of path) value = (value as Record<string, unknown> | undefined)?.[key];
      if (value === undefined) return undefined;
      const { line, col } = source.position(source.offsetOf(path));
      return `${path.join('.')} at ${formatLocation({ file: PROJECT_FILE, line, col })}`;
    },
    position: (path) => {
      let value: unknown = settings;
      for (const key of path) value = (value as Record<string, unknown> | undefined)?.[key];
      return value === undefined ? undefined : source.position(source.offsetOf(path));
    },
  };
}

const BYTES: Record<string, number> = { KB: 1e3, MB: 1e6, GB: 1e9, TB: 1e12, KiB: 2 ** 10, MiB: 2 ** 20, GiB: 2 ** 30, TiB: 2 ** 40 };
const MEMORY_LIMIT_RANGE = { min: 1e6, max: 1e15, text: 'between 1MB and 1000TB' };

/** DuckDB refuses a limit past about 9 EB, and fails on its first allocation under about 1 KB. */
function memoryLimitProblems(settings: ProjectFile, source: YamlSource): Diagnostic[] {
  const text = settings.duckdb?.memory_limit;
  const match = text === undefined ? null : /^([0-9]+(?:\.[0-9]+)?)\s*([A-Za-z]+)$/.exec(text);
  if (!match) return [];
  const bytes = Number(match[1]) * BYTES[match[2]];
  if (bytes >= MEMORY_LIMIT_RANGE.min && bytes <= MEMORY_LIMIT_RANGE.max) return [];
  return [source.diagnosticFor(['duckdb', 'memory_limit'], `duckdb.memory_limit: ${text} is out of range (expected ${MEMORY_LIMIT_RANGE.text})`)];
}

/** Bronze kept for less than the copy window would let a re-fetched record be appended again (a duplicate). */
function retentionProblems(settings: ProjectFile, source: YamlSource): Diagnostic[] {
  const bronze = settings.retention?.bronze;
  const copyWindow = settings.bronze?.copy_window ?? '30d';
  if (bronze === undefined || parseInt(bronze, 10) >= parseInt(copyWindow, 10)) return [];
  return [source.diagnosticFor(['retention', 'bronze'], `retention.bronze: ${bronze} is shorter than bronze.copy_window (${copyWindow}); expected at least ${copyWindow}, or a re-fetched record would be appended again once its copy is removed`)];
}
