// The DDL `dataops grants` prints for the demo project, and for declarations in dataops.yml.
import { cp, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ddlStatements, grantsInput } from '../../../src/cli/grants.js';
import { resolveSettings } from '../../../src/engine.js';
import { declaredPrivileges, grantsDdl, type GrantsInput } from '../../../src/governance/grants.js';
import { REPO } from '../../helpers/project.js';

const env = { GITHUB_REPOSITORY: 'acme-retail/dataops' };
let demo: GrantsInput;
let ddl: string;
beforeAll(async () => {
  demo = await grantsInput(resolveSettings({ projectDir: REPO, env }));
  ddl = grantsDdl(demo);
});

/** The statements of one role's section, without its comment. */
const statementsFor = (role: string) => ddlStatements(ddl).filter((s) => s.endsWith(`TO ROLE ${role}`));

describe('the demo project (no access section: the default roles)', () => {
  test('every role exists, up to SYSADMIN, before it is granted', () => {
    const statements = ddlStatements(ddl);
    for (const role of ['DATAOPS_LOADER', 'DATAOPS_TRANSFORMER', 'DATAOPS_ANALYST', 'DATAOPS_REPORTER', 'DATAOPS_PULL_REQUEST']) {
      const created = statements.indexOf(`CREATE ROLE IF NOT EXISTS ${role}`);
      expect(created, role).toBeGreaterThan(-1);
      expect(statements.indexOf(`GRANT ROLE ${role} TO ROLE SYSADMIN`), role).toBeGreaterThan(created);
    }
  });

  test.each([
    ['DATAOPS_LOADER', 'GRANT USAGE, CREATE TABLE, CREATE VIEW ON SCHEMA DATAOPS.BRONZE TO ROLE DATAOPS_LOADER'],
    ['DATAOPS_LOADER', 'GRANT SELECT, INSERT, UPDATE, DELETE, TRUNCATE ON FUTURE TABLES IN SCHEMA DATAOPS.BRONZE TO ROLE DATAOPS_LOADER'],
    ['DATAOPS_LOADER', 'GRANT SELECT, INSERT, UPDATE, DELETE, TRUNCATE ON ALL TABLES IN SCHEMA DATAOPS.META TO ROLE DATAOPS_LOADER'],
    ['DATAOPS_LOADER', 'GRANT USAGE, CREATE TABLE, CREATE VIEW, CREATE STAGE ON SCHEMA DATAOPS.META TO ROLE DATAOPS_LOADER'],
    // The landing stage is the loader's alone.
    ['DATAOPS_TRANSFORMER', 'GRANT USAGE, CREATE TABLE, CREATE VIEW ON SCHEMA DATAOPS.META TO ROLE DATAOPS_TRANSFORMER'],
    ['DATAOPS_TRANSFORMER', 'GRANT SELECT ON FUTURE TABLES IN SCHEMA DATAOPS.BRONZE TO ROLE DATAOPS_TRANSFORMER'],
    ['DATAOPS_TRANSFORMER', 'GRANT SELECT, INSERT, UPDATE, DELETE, TRUNCATE ON FUTURE TABLES IN SCHEMA DATAOPS.GOLD TO ROLE DATAOPS_TRANSFORMER'],
    ['DATAOPS_ANALYST', 'GRANT SELECT ON FUTURE VIEWS IN SCHEMA DATAOPS.GOLD TO ROLE DATAOPS_ANALYST'],
    ['DATAOPS_ANALYST', 'GRANT USAGE ON WAREHOUSE DATAOPS_WH TO ROLE DATAOPS_ANALYST'],
    ['DATAOPS_PULL_REQUEST', 'GRANT CREATE DATABASE ON ACCOUNT TO ROLE DATAOPS_PULL_REQUEST'],
  ])('%s: %s', (role, statement) => {
    expect(statementsFor(role)).toContain(statement);
  });

  test('a role gets no more than its layers: the analyst reads gold only and writes nothing', () => {
    const analyst = statementsFor('DATAOPS_ANALYST');
    expect(analyst.filter((s) => /\b(BRONZE|SILVER|META)\b/.test(s))).toEqual([]);
    expect(analyst.filter((s) => /INSERT|CREATE TABLE|IMPORTED/.test(s))).toEqual([]);
    // Only the roles that load bronze (in production or in a pull request's clone) read the share.
    expect(ddlStatements(ddl).filter((s) => s.includes('IMPORTED PRIVILEGES'))).toEqual([
      'GRANT IMPORTED PRIVILEGES ON DATABASE RETAIL_SHARE TO ROLE DATAOPS_LOADER',
      'GRANT IMPORTED PRIVILEGES ON DATABASE RETAIL_SHARE TO ROLE DATAOPS_PULL_REQUEST',
    ]);
  });

  test('the reporter reads the schemas report pages query, and meta', () => {
    expect(demo.reportSchemas).toEqual(['gold', 'silver']);
    const schemas = statementsFor('DATAOPS_REPORTER').flatMap((s) => /ON SCHEMA DATAOPS\.(\w+)/.exec(s)?.[1] ?? []);
    expect(schemas).toEqual(['SILVER', 'GOLD', 'META']);
  });

  test('service users trust the ingest (main) and pull-request subjects of the repository', () => {
    expect(ddl).toContain(
      "CREATE USER IF NOT EXISTS DATAOPS_GITHUB TYPE = SERVICE DEFAULT_ROLE = DATAOPS_TRANSFORMER DEFAULT_WAREHOUSE = DATAOPS_WH WORKLOAD_IDENTITY = (TYPE = OIDC ISSUER = 'https://token.actions.githubusercontent.com' SUBJECT = 'repo:acme-retail/dataops:ref:refs/heads/main');",
    );
    expect(ddl).toContain("SUBJECT = 'repo:acme-retail/dataops:pull_request'");
    expect(ddlStatements(ddl).filter((s) => s.endsWith('TO USER DATAOPS_GITHUB_PR'))).toEqual(['GRANT ROLE DATAOPS_PULL_REQUEST TO USER DATAOPS_GITHUB_PR']);
  });

  test('without a repository, the users are left out with why, never a made-up subject', async () => {
    const text = grantsDdl(await grantsInput(resolveSettings({ projectDir: REPO, env: {} })));
    expect(text).not.toContain('CREATE USER');
    expect(text).toMatch(/DATAOPS_GITHUB, DATAOPS_GITHUB_PR: left out, the GitHub repository is not known/);
  });

  test('a sensitive column gets its rule\'s policy: clear to the transformer, masked to the others', () => {
    const statements = ddlStatements(ddl);
    const policy = 'DATAOPS.GOVERNANCE.MASK_PARTIAL_VARCHAR';
    const create = statements.find((s) => s.startsWith(`CREATE MASKING POLICY IF NOT EXISTS ${policy}`))!;
    expect(create).toMatch(/AS \(val VARCHAR\) RETURNS VARCHAR ->\s+CASE WHEN val IS NULL OR IS_ROLE_IN_SESSION\('DATAOPS_TRANSFORMER'\) THEN val ELSE CASE WHEN CONTAINS/);
    expect(statements).toContain(`ALTER TABLE IF EXISTS DATAOPS.SILVER.CUSTOMERS MODIFY COLUMN EMAIL SET MASKING POLICY ${policy} FORCE`);
    expect(statements).toContain(`ALTER TABLE IF EXISTS DATAOPS.SILVER.TRANSACTIONS MODIFY COLUMN CUSTOMER_EMAIL SET MASKING POLICY ${policy} FORCE`);
    // A model's column too: declared in its leading comment (gold.dim_customer's email, a VARCHAR from silver).
    expect(statements).toContain(`ALTER TABLE IF EXISTS DATAOPS.GOLD.DIM_CUSTOMER MODIFY COLUMN EMAIL SET MASKING POLICY ${policy} FORCE`);
    // One policy serves every column of a rule and type.
    expect(statements.filter((s) => s.startsWith('CREATE MASKING POLICY'))).toHaveLength(1);
  });

  test('idempotent: every statement creates only what is missing, grants, or sets', () => {
    const idempotent = [/^USE ROLE \w+$/, /^CREATE (WAREHOUSE|DATABASE|SCHEMA|ROLE|USER|MASKING POLICY) IF NOT EXISTS /, /^GRANT /, /^ALTER (USER \w+|MASKING POLICY \S+) SET /, /^ALTER (TABLE|VIEW) IF EXISTS \S+ MODIFY COLUMN \w+ SET MASKING POLICY \S+ FORCE$/];
    for (const statement of ddlStatements(ddl)) expect(idempotent.some((p) => p.test(statement)), statement).toBe(true);
    expect(ddl).not.toMatch(/CREATE OR REPLACE|REVOKE|DROP /);
  });
});

describe('an access section in dataops.yml', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'dataops-grants-'));
    for (const sub of ['pipelines', 'sql', 'reports']) await cp(join(REPO, sub), join(dir, sub), { recursive: true });
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });
  const input = async (yaml: string) => {
    await writeFile(join(dir, 'dataops.yml'), yaml);
    return grantsInput(resolveSettings({ projectDir: dir, env: {} }));
  };

  test('replaces the default roles, with its names, hierarchy and key-pair users', async () => {
    const declared = await input([
      'access:',
      '  database: analytics',
      '  warehouse: wh_small',
      '  roles:',
      '    loader: { name: ingest_rw, write: [bronze, meta] }',
      '    analyst: { read: [gold], granted_to: [engineer] }',
      '    engineer: { read: [bronze, silver, gold], unmasked: true }',
      '  users:',
      '    svc_load: { roles: [loader], rsa_public_key: "MIIBIjAN\\nBgkq" }',
      '',
    ].join('\n'));
    const statements = ddlStatements(grantsDdl(declared));
    expect(statements).toContain('GRANT ROLE DATAOPS_ANALYST TO ROLE DATAOPS_ENGINEER');
    expect(statements).toContain('GRANT ROLE DATAOPS_ENGINEER TO ROLE SYSADMIN');
    expect(statements).toContain('GRANT USAGE, CREATE TABLE, CREATE VIEW ON SCHEMA ANALYTICS.BRONZE TO ROLE INGEST_RW');
    expect(statements).toContain('GRANT USAGE ON WAREHOUSE WH_SMALL TO ROLE INGEST_RW');
    expect(statements).toContain("CREATE USER IF NOT EXISTS SVC_LOAD TYPE = SERVICE DEFAULT_ROLE = INGEST_RW DEFAULT_WAREHOUSE = WH_SMALL RSA_PUBLIC_KEY = 'MIIBIjANBgkq'");
    expect(statements.filter((s) => s.startsWith('CREATE ROLE'))).toHaveLength(3);
    expect(statements.find((s) => s.startsWith('CREATE MASKING POLICY'))).toContain("IS_ROLE_IN_SESSION('DATAOPS_ENGINEER')");
    expect(declaredPrivileges(declared).filter((p) => p.role === 'DATAOPS_ANALYST' && p.on === 'SCHEMA').map((p) => p.name)).toEqual(['ANALYTICS.GOLD']);
  });

  test.each([
    ['access:\n  roles:\n    loader: { write: [bronze] }\n  users:\n    svc: { roles: [loadr] }\n', /^dataops\.yml:5:20: access\.users\.svc: role "loadr" is not declared \(expected one of: loader\)/],
    ['access:\n  roles:\n    a: { granted_to: [b] }\n    b: { granted_to: [a] }\n', /^dataops\.yml:3:5: access\.roles: granted_to makes a cycle: DATAOPS_A -> DATAOPS_B -> DATAOPS_A/],
    ['access:\n  roles:\n    loader: { write: [platinum] }\n', /^dataops\.yml:3:\d+: .*expected one of "bronze", "silver", "gold", "meta", "reports"/],
  ])('a mistake names its line: %s', async (yaml, message) => {
    await expect(input(yaml)).rejects.toThrow(message);
  });
});
