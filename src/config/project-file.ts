// dataops.yml: project-wide settings, all optional. Which warehouse to use by default, where the
// DuckDB file lives, and the names of the environment variables that hold each Snowflake connection
// setting (so a repository can keep its own secret names, e.g. PROD_SF_ACCOUNT).
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import { ConfigError } from '../errors.js';
import { schemaDiagnostics } from './schema-errors.js';
import { YamlSource } from './yaml-source.js';

export const PROJECT_FILE = 'dataops.yml';

export interface ProjectFile {
  target?: 'duckdb' | 'snowflake';
  duckdb?: { path?: string; memory_limit?: string; lock_timeout?: string };
  bronze?: { copy_window?: string };
  snowflake?: { env?: Record<string, string>; lock_timeout?: string };
}

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
          pattern: '^[1-9][0-9]*d$',
          description:
            'How far back a load looks in bronze for exact copies of its records, in days, e.g. 30d (the default): a copy fetched earlier is appended again. The check costs about the rows in the window, not the whole table.',
        },
      },
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
  },
};
const validate = new Ajv({ allErrors: true, strict: false, verbose: true }).compile(schema);

/** The project's dataops.yml, or {} when there is none; a bad file is a ConfigError with its lines. */
export function readProjectFile(projectDir: string): ProjectFile {
  const path = join(projectDir, PROJECT_FILE);
  if (!existsSync(path)) return {};
  const { source, diagnostics } = YamlSource.parse(PROJECT_FILE, readFileSync(path, 'utf8'));
  if (diagnostics.some((d) => d.severity === 'error')) throw new ConfigError(diagnostics);
  const raw = source.toJS() ?? {};
  if (!validate(raw)) throw new ConfigError(schemaDiagnostics(validate.errors ?? [], source));
  return raw as ProjectFile;
}
