// `dataops grants`: prints the Snowflake DDL that makes the warehouse match dataops.yml's access
// declaration; --apply runs it on the Snowflake target; --check reads the warehouse's grants and reports
// drift. DuckDB has no roles: there, it says what is and is not enforced.
import { readProjectFile } from '../config/project-file.js';
import { ConfigError, WarehouseError } from '../errors.js';
import { resolveAccess } from '../governance/access.js';
import { grantDrift, type Drift, type ExistingObject, type GrantRows } from '../governance/grant-drift.js';
import { declaredPrivileges, grantsDdl, type GrantsInput } from '../governance/grants.js';
import { loadProject } from '../project.js';
import { loadReports } from '../reports/load.js';
import type { Settings } from '../settings.js';
import type { Row, Warehouse } from '../warehouse/adapter.js';
import type { Io } from './io.js';

export interface GrantsOptions {
  apply?: boolean;
  check?: boolean;
  repository?: string;
}

export const DUCKDB_ENFORCEMENT = [
  'DuckDB has no roles, grants or masking policies: on DuckDB the access declaration is not enforced.',
  'Enforced on DuckDB: sensitive columns are masked by their rule where values are shown (report pages, the site,',
  "check failure samples, job summaries, pull-request comments and diffs), and each pull request builds in its own database file.",
  'Not enforced on DuckDB: who may read or write which layer, read-only production, and masking of direct',
  'reads (dataops sql, or the DuckDB file opened by hand): whoever can read the file reads every value.',
  'The DDL above (dataops grants) is for Snowflake; --apply and --check run against --target snowflake.',
].join('\n');

export async function grantsInput(s: Settings, repository?: string): Promise<GrantsInput> {
  const project = await loadProject(s.projectDir, s.env);
  // A source's unset secret changes no grant (the DDL is made on an admin's machine, without them).
  const errors = project.diagnostics.filter((d) => d.severity === 'error' && d.code !== 'env_unset');
  if (errors.length) throw new ConfigError(errors);
  const { reports } = await loadReports(project);
  const reportSchemas = [...new Set(reports.flatMap((r) => r.tablesRead.map((t) => t.split('.')[0])))].sort();
  const file = readProjectFile(s.projectDir);
  // The connection's variables (SNOWFLAKE_DATABASE, or the name dataops.yml's snowflake.env gives it).
  const envName = (key: 'database' | 'warehouse') => s.snowflakeEnvNames[key] ?? `SNOWFLAKE_${key.toUpperCase()}`;
  const access = resolveAccess(
    file.settings.access,
    { database: s.env[envName('database')] || undefined, warehouse: s.env[envName('warehouse')] || undefined, repository: repository ?? (s.env.GITHUB_REPOSITORY || undefined) },
    file.position,
  );
  return { access, pipelines: project.pipelines, models: project.models, reportSchemas };
}

export async function grantsCommand(s: Settings, options: GrantsOptions, io: Io): Promise<number> {
  const input = await grantsInput(s, options.repository);
  const ddl = grantsDdl(input);
  if (!options.apply && !options.check) {
    io.out(ddl);
    if (s.target === 'duckdb') io.err(DUCKDB_ENFORCEMENT);
    return 0;
  }
  if (s.target !== 'snowflake') {
    io.err(DUCKDB_ENFORCEMENT);
    return 0;
  }
  const { openSnowflakeFromEnv } = await import('../warehouse/snowflake.js');
  // Not openWarehouse: a check reads only, and neither needs the engine's meta tables.
  const warehouse = await openSnowflakeFromEnv(s.env, { names: s.snowflakeEnvNames });
  try {
    if (options.apply) {
      const statements = ddlStatements(ddl);
      for (const [i, statement] of statements.entries()) {
        try {
          await warehouse.execute(statement);
        } catch (e) {
          // Snowflake commits each DDL statement on its own, so the ones before stay; all are idempotent.
          const why = e instanceof Error ? e.message : String(e);
          throw new WarehouseError(`grants --apply stopped at statement ${i + 1} of ${statements.length} (the ${i} before it ran; every statement is idempotent, so run it again once this is fixed): ${why}`);
        }
      }
      io.out(`applied ${statements.length} statements to ${input.access.database}`);
      if (!options.check) return 0;
    }
    const declared = declaredPrivileges(input);
    const report = driftReport(grantDrift(declared, await readGrants(warehouse, input, declared)), input.access.roles.length);
    io.out(report.text);
    return report.exitCode;
  } finally {
    await warehouse.close();
  }
}

/** What --check prints, and its exit code: 1 when the warehouse differs from the declaration. */
export function driftReport(drift: Drift, roles: number): { text: string; exitCode: 0 | 1 } {
  const lines = [...drift.missing.map((l) => `missing: ${l}`), ...drift.extra.map((l) => `extra:   ${l}`)];
  if (!lines.length) return { text: `no drift: the grants of ${roles} roles match dataops.yml`, exitCode: 0 };
  lines.push(`drift: ${drift.missing.length} missing, ${drift.extra.length} extra (dataops grants --apply adds what is missing; the REVOKE lines remove the extras)`);
  return { text: lines.join('\n'), exitCode: 1 };
}

/** The script's statements: comment lines dropped, one statement per `;` at a line's end. */
export function ddlStatements(ddl: string): string[] {
  const code = ddl.split('\n').filter((line) => !line.startsWith('--')).join('\n');
  return code.split(/;\s*(?:\n|$)/).map((s) => s.trim()).filter(Boolean);
}

async function readGrants(warehouse: Warehouse, input: GrantsInput, declared: ReturnType<typeof declaredPrivileges>): Promise<GrantRows> {
  const roles = [...new Set(declared.map((p) => p.role))];
  const schemas = [...new Set(declared.filter((p) => p.on === 'SCHEMA').map((p) => p.name))];
  const grants: Row[] = [];
  const futureGrants: Row[] = [];
  // A role or schema that does not exist yet has no grants: everything declared on it is missing.
  const noneWhenAbsent = (e: unknown): Row[] => {
    if (/does not exist/i.test(String((e as Error)?.message ?? e))) return [];
    throw e;
  };
  for (const role of roles) grants.push(...(await warehouse.query(`SHOW GRANTS TO ROLE ${role}`).catch(noneWhenAbsent)));
  for (const schema of schemas) futureGrants.push(...(await warehouse.query(`SHOW FUTURE GRANTS IN SCHEMA ${schema}`).catch(noneWhenAbsent)));
  const names = schemas.map((s) => `'${s.split('.')[1]}'`).join(', ');
  const objects = names
    ? (await warehouse.query<{ TABLE_SCHEMA: string; TABLE_NAME: string; TABLE_TYPE: string }>(
      `SELECT table_schema AS "TABLE_SCHEMA", table_name AS "TABLE_NAME", table_type AS "TABLE_TYPE" FROM ${input.access.database}.information_schema.tables WHERE table_schema IN (${names})`,
    )).map((r): ExistingObject => ({ schema: `${input.access.database}.${r.TABLE_SCHEMA}`, name: r.TABLE_NAME, kind: r.TABLE_TYPE === 'VIEW' ? 'VIEW' : 'TABLE' }))
    : [];
  return { grants, futureGrants, objects };
}
