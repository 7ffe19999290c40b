// The Snowflake DDL that makes a warehouse match the access declaration: objects, roles and their
// hierarchy, grants (on ALL and FUTURE tables, so tables the engine creates later are covered), service
// users, and masking policies. Every statement is idempotent (IF NOT EXISTS, GRANT, ALTER ... SET), so
// running the script twice changes nothing. The grants are also a list of single privileges, which the
// drift check (grant-drift.ts) compares with what SHOW GRANTS reads.
import { blankOutCommentsAndStrings, type SqlModel } from '../config/sql-model.js';
import type { Pipeline } from '../config/types.js';
import { snowflakeString } from '../sql/tokenize.js';
import { LAYER_SCHEMAS } from '../state/meta.js';
import type { Access, AccessLayer, Role } from './access.js';
import type { MaskRuleName } from './masking.js';
import { maskingPolicyBody, maskingPolicyName, policyType } from './policies.js';
import { BRONZE_RECORD_COLUMN, sensitiveTables } from './read-masking.js';

/** One privilege of one role; TABLE and VIEW privileges are on every object of the schema `name`. */
export interface Privilege {
  role: string;
  privilege: string;
  on: 'ACCOUNT' | 'DATABASE' | 'SCHEMA' | 'WAREHOUSE' | 'ROLE' | 'TABLE' | 'VIEW';
  /** The object: DATABASE, SCHEMA as DB.SCHEMA, a role's name; for TABLE/VIEW the schema DB.SCHEMA. */
  name: string;
  /** For TABLE/VIEW: the objects there now (ALL) or those made later (FUTURE). */
  scope?: 'ALL' | 'FUTURE';
}

export const GOVERNANCE_SCHEMA = 'GOVERNANCE';
const READ_TABLE = ['SELECT'];
const WRITE_TABLE = ['SELECT', 'INSERT', 'UPDATE', 'DELETE', 'TRUNCATE'];

export interface GrantsInput {
  access: Access;
  pipelines: readonly Pipeline[];
  /** The SQL models: their sensitive columns get policies too. */
  models?: readonly SqlModel[];
  /** The schemas report pages read (the `reports` layer), lower case. */
  reportSchemas: readonly string[];
}

/** The schemas a layer list stands for, upper case, in layer order. */
function schemasOf(layers: readonly AccessLayer[], reportSchemas: readonly string[]): string[] {
  const names = new Set(layers.flatMap((l) => (l === 'reports' ? reportSchemas : [l])));
  return LAYER_SCHEMAS.filter((s) => names.has(s)).map((s) => s.toUpperCase());
}

/** The share databases of `sql` sources (read by whoever loads bronze). */
export function shareDatabases(pipelines: readonly Pipeline[]): string[] {
  return [...new Set(pipelines.flatMap((p) => (p.source.kind === 'sql' ? [p.source.database.name.toUpperCase()] : [])))].sort();
}

/** Every privilege the declaration gives, role by role. */
export function declaredPrivileges({ access, pipelines, reportSchemas }: GrantsInput): Privilege[] {
  const out: Privilege[] = [];
  const db = access.database;
  for (const role of access.roles) {
    const add = (privilege: string, on: Privilege['on'], name: string, scope?: Privilege['scope']) => out.push({ role: role.name, privilege, on, name, ...(scope ? { scope } : {}) });
    for (const parent of role.grantedTo) out.push({ role: parent, privilege: 'USAGE', on: 'ROLE', name: role.name });
    add('USAGE', 'WAREHOUSE', access.warehouse);
    const writes = schemasOf(role.write, reportSchemas);
    const reads = schemasOf(role.read, reportSchemas).filter((s) => !writes.includes(s));
    if (writes.length || reads.length) add('USAGE', 'DATABASE', db);
    for (const schema of [...writes, ...reads].sort(byLayer)) {
      const writing = writes.includes(schema);
      const name = `${db}.${schema}`;
      add('USAGE', 'SCHEMA', name);
      // The landing stage (meta.landing) is the loader's: made and read by the ingest step only.
      const stage = schema === 'META' && role.write.includes('bronze') ? ['CREATE STAGE'] : [];
      if (writing) for (const p of ['CREATE TABLE', 'CREATE VIEW', ...stage]) add(p, 'SCHEMA', name);
      for (const scope of ['ALL', 'FUTURE'] as const) {
        for (const p of writing ? WRITE_TABLE : READ_TABLE) add(p, 'TABLE', name, scope);
        add('SELECT', 'VIEW', name, scope);
      }
    }
    if (role.createDatabases) add('CREATE DATABASE', 'ACCOUNT', '');
    // A role that loads bronze runs the `sql` sources' queries; a pull request's build loads its clone.
    if (role.write.includes('bronze') || role.createDatabases) for (const share of shareDatabases(pipelines)) add('IMPORTED PRIVILEGES', 'DATABASE', share);
  }
  return out;
}

function byLayer(a: string, b: string): number {
  return LAYER_SCHEMAS.indexOf(a.toLowerCase() as never) - LAYER_SCHEMAS.indexOf(b.toLowerCase() as never);
}

/** One privilege as a GRANT statement (or, with `revoke`, the REVOKE that takes it away). */
export function privilegeStatement(p: Privilege | (Omit<Privilege, 'privilege'> & { privileges: string[] }), revoke = false): string {
  const privileges = 'privileges' in p ? p.privileges.join(', ') : p.privilege;
  const [verb, to] = revoke ? ['REVOKE', 'FROM'] : ['GRANT', 'TO'];
  if (p.on === 'ROLE') return `${verb} ROLE ${p.name} ${to} ROLE ${p.role};`;
  const target =
    p.on === 'ACCOUNT' ? 'ACCOUNT'
    : p.scope ? `${p.scope} ${p.on}S IN SCHEMA ${p.name}`
    : `${p.on} ${p.name}`;
  return `${verb} ${privileges} ON ${target} ${to} ROLE ${p.role};`;
}

/** Privileges on the same object of the same role in one statement, in the order they were declared. */
function grouped(privileges: readonly Privilege[]): string[] {
  const groups = new Map<string, Omit<Privilege, 'privilege'> & { privileges: string[] }>();
  for (const p of privileges) {
    const key = [p.role, p.on, p.name, p.scope ?? ''].join('\u0000');
    const group = groups.get(key) ?? { role: p.role, on: p.on, name: p.name, scope: p.scope, privileges: [] };
    group.privileges.push(p.privilege);
    groups.set(key, group);
  }
  return [...groups.values()].map((g) => privilegeStatement(g.on === 'ROLE' ? { ...g, privileges: ['USAGE'] } : g));
}

/** The whole script, statement by statement, each ending in a semicolon; comments start with --. */
export function grantsDdl(input: GrantsInput): string {
  const { access, pipelines, reportSchemas } = input;
  const db = access.database;
  const lines: string[] = [
    `-- dataops grants: roles, grants, service users and masking policies for ${db} (idempotent: run it again to converge)`,
    '-- Objects: the engine makes its tables; its schemas are made here, so that no role needs CREATE SCHEMA.',
    'USE ROLE SYSADMIN;',
    `CREATE WAREHOUSE IF NOT EXISTS ${access.warehouse} WAREHOUSE_SIZE = XSMALL AUTO_SUSPEND = 60 AUTO_RESUME = TRUE INITIALLY_SUSPENDED = TRUE;`,
    `CREATE DATABASE IF NOT EXISTS ${db};`,
    ...[...LAYER_SCHEMAS.map((s) => s.toUpperCase()), GOVERNANCE_SCHEMA].map((s) => `CREATE SCHEMA IF NOT EXISTS ${db}.${s};`),
    '',
    '-- Roles, their hierarchy (up to SYSADMIN) and what each may do by layer.',
    'USE ROLE SECURITYADMIN;',
  ];
  if (reportSchemas.length) lines.push(`-- The reports layer: the schemas report pages read (${reportSchemas.join(', ')}).`);
  const privileges = declaredPrivileges(input);
  // Every role exists before any is granted to another.
  lines.push(...access.roles.map((role) => `CREATE ROLE IF NOT EXISTS ${role.name};`));
  for (const role of access.roles) {
    const own = privileges.filter((p) => (p.on === 'ROLE' ? p.name === role.name : p.role === role.name));
    lines.push(`-- ${role.key}: ${describeRole(role)}`, ...grouped(own));
  }
  lines.push('', ...usersDdl(access));
  const masking = maskingDdl(access, pipelines, input.models ?? []);
  if (masking.length) lines.push('', '-- Sensitive columns: clear to the roles marked unmasked (and the roles above them), masked to the others.', 'USE ROLE SYSADMIN;', ...masking);
  return `${lines.join('\n')}\n`;
}

function describeRole(role: Role): string {
  const parts = [
    role.write.length ? `writes ${role.write.join(', ')}` : '',
    role.read.length ? `reads ${role.read.join(', ')}` : '',
    role.createDatabases ? 'creates databases (pull-request clones)' : '',
    role.unmasked ? 'sees sensitive columns in clear' : '',
  ].filter(Boolean);
  return parts.join('; ') || 'uses the warehouse';
}

export const GITHUB_OIDC_ISSUER = 'https://token.actions.githubusercontent.com';

function usersDdl(access: Access): string[] {
  if (!access.users.length) return ['-- No service users declared (access.users).'];
  const lines = ['-- Service users: no password; they sign in with workload identity (GitHub OIDC) or a key pair.'];
  const needsRepository = access.users.filter((u) => u.githubSubject);
  if (needsRepository.length && !access.repository) {
    lines.push(
      `-- ${needsRepository.map((u) => u.name).join(', ')}: left out, the GitHub repository is not known. Set access.github_repository`,
      '-- in dataops.yml (or GITHUB_REPOSITORY, or --repository owner/name) for their trust subjects.',
    );
  }
  for (const user of access.users) {
    if (user.githubSubject && !access.repository) continue;
    const props = `DEFAULT_ROLE = ${user.defaultRole} DEFAULT_WAREHOUSE = ${access.warehouse}`;
    let auth = '';
    if (user.githubSubject) {
      const subject = `repo:${access.repository}:${user.githubSubject}`;
      auth = `WORKLOAD_IDENTITY = (TYPE = OIDC ISSUER = ${snowflakeString(GITHUB_OIDC_ISSUER)} SUBJECT = ${snowflakeString(subject)})`;
    } else if (user.rsaPublicKey) {
      auth = `RSA_PUBLIC_KEY = ${snowflakeString(user.rsaPublicKey.replace(/\s+/g, ''))}`;
    } else {
      lines.push(`-- ${user.name}: no github_subject nor rsa_public_key; set one before it can sign in (ALTER USER ${user.name} SET RSA_PUBLIC_KEY = '...').`);
    }
    lines.push(`CREATE USER IF NOT EXISTS ${user.name} TYPE = SERVICE ${props}${auth ? ` ${auth}` : ''};`);
    // An existing user converges too: CREATE ... IF NOT EXISTS leaves its properties as they were.
    lines.push(`ALTER USER ${user.name} SET TYPE = SERVICE ${props}${auth ? ` ${auth}` : ''};`);
    for (const role of user.roles) lines.push(`GRANT ROLE ${role} TO USER ${user.name};`);
  }
  return lines;
}

/** A column that gets a masking policy: its table (schema.table), rule, and policy type (policyType). */
export interface PolicyColumn {
  table: string;
  column: string;
  rule: MaskRuleName;
  type: string;
  /** A model built as a view: its column is altered with ALTER VIEW. */
  view?: boolean;
}

/** A * in a select list (SELECT *, t.*, a, *), not a multiplication. */
const SELECT_STAR = /(?:\bselect\s+(?:distinct\s+)?|,\s*|\w\.)\*/;

/**
 * The sensitive columns of silver tables and of models (declared, or passed through by name: read-masking.ts),
 * with the policy type: a mapping declares its columns' types; a model column takes the type of the column of
 * the same name it reads, else VARCHAR (a wrong type fails loudly when applied: a policy's signature must
 * match its column). Bronze is left out: only the loader and the transformer read it, and both see it clear.
 */
export function policyColumns(pipelines: readonly Pipeline[], models: readonly SqlModel[] = []): PolicyColumn[] {
  const silverTypes = new Map(pipelines.flatMap((p) => p.silver).map((t) => [`silver.${t.name}`, new Map(t.columns.map((c) => [c.name.toLowerCase(), c.type]))]));
  const byName = new Map(models.map((m) => [m.name, m]));
  const typeOf = (table: string, column: string, seen = new Set<string>()): string | undefined => {
    if (seen.has(table)) return undefined;
    seen.add(table);
    const declared = silverTypes.get(table)?.get(column);
    if (declared) return declared;
    for (const parent of byName.get(table)?.references ?? []) {
      const found = typeOf(parent.table, column, seen);
      if (found) return found;
    }
    return undefined;
  };
  // Inheritance by name (read-masking.ts) may name a column a model does not have, which read masking skips but
  // ALTER ... MODIFY COLUMN would fail on: a model's column gets a policy when the model declares it, or its
  // SELECT names it (or has a *). A bronze record is never passed through as such.
  const produces = (model: SqlModel, code: string, column: string) =>
    model.options.sensitive?.[column] !== undefined ||
    (column !== BRONZE_RECORD_COLUMN && (new RegExp(`\\b${column}\\b`).test(code) || SELECT_STAR.test(code)));
  const out: PolicyColumn[] = [];
  for (const [table, columns] of sensitiveTables(pipelines, models)) {
    if (table.startsWith('bronze.')) continue;
    const model = byName.get(table);
    const view = model?.options.materialized === 'view';
    const code = model ? blankOutCommentsAndStrings(model.select).toLowerCase() : '';
    for (const [column, rule] of columns) {
      if (model && !produces(model, code, column)) continue;
      out.push({ table, column, rule, type: policyType(typeOf(table, column) ?? 'string'), ...(view ? { view } : {}) });
    }
  }
  return out;
}

/** Policies per rule and type, with a body that shows clear text to the unmasked roles; then each column's. */
function maskingDdl(access: Access, pipelines: readonly Pipeline[], models: readonly SqlModel[]): string[] {
  const clearRoles = access.roles.filter((r) => r.unmasked).map((r) => r.name);
  const policies = new Map<string, string>();
  const attach: string[] = [];
  for (const { table, column, rule, type, view } of policyColumns(pipelines, models)) {
    const policy = `${access.database}.${GOVERNANCE_SCHEMA}.${maskingPolicyName(rule, type)}`;
    policies.set(policy, maskingPolicyBody(rule, type, clearRoles));
    // IF EXISTS: a table the engine has not built yet gets its policy when this runs again after the first run.
    attach.push(`ALTER ${view ? 'VIEW' : 'TABLE'} IF EXISTS ${access.database}.${table.toUpperCase()} MODIFY COLUMN ${column.toUpperCase()} SET MASKING POLICY ${policy} FORCE;`);
  }
  const lines: string[] = [];
  for (const [policy, body] of [...policies].sort(([a], [b]) => a.localeCompare(b))) {
    lines.push(`CREATE MASKING POLICY IF NOT EXISTS ${policy} AS ${body};`);
    // A policy made by an earlier version, or before a role became unmasked, gets today's body.
    lines.push(`ALTER MASKING POLICY ${policy} SET BODY -> ${body.slice(body.indexOf('->') + 2).trim()};`);
  }
  return [...lines, ...attach];
}
