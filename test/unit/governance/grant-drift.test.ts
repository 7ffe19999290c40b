// The drift check compares the declaration with SHOW GRANTS rows shaped as Snowflake documents them:
// SHOW GRANTS TO ROLE (created_on, privilege, granted_on, name, granted_to, grantee_name, grant_option,
// granted_by) and SHOW FUTURE GRANTS IN SCHEMA (grant_on, grant_to, and a name like DB.SCHEMA.<TABLE>).
import { describe, expect, test } from 'vitest';
import { resolveAccess } from '../../../src/governance/access.js';
import { driftReport } from '../../../src/cli/grants.js';
import { grantDrift, type GrantRows } from '../../../src/governance/grant-drift.js';
import { declaredPrivileges, type Privilege } from '../../../src/governance/grants.js';
import type { Row } from '../../../src/warehouse/adapter.js';

const access = resolveAccess({ roles: { analyst: { read: ['gold'] } } }, {});
const declared = declaredPrivileges({ access, pipelines: [], reportSchemas: [] });
const created_on = '2026-11-30 04:00:00.000 -0800';

/** The rows Snowflake shows once the declared grants are in place, with these tables and views in gold. */
function rowsFor(privileges: readonly Privilege[], objects: Array<{ name: string; kind: 'TABLE' | 'VIEW' }>): GrantRows {
  const grants: Row[] = [];
  const futureGrants: Row[] = [];
  for (const p of privileges) {
    if (p.scope === 'FUTURE') {
      futureGrants.push({ created_on, privilege: p.privilege, grant_on: p.on, name: `${p.name}.<${p.on}>`, grant_to: 'ROLE', grantee_name: p.role, grant_option: 'false' });
    } else if (p.scope === 'ALL') {
      for (const o of objects.filter((x) => x.kind === p.on)) grants.push(showGrant(p.privilege, p.on, `${p.name}.${o.name}`, p.role));
    } else {
      grants.push(showGrant(p.privilege, p.on, p.name, p.role));
    }
  }
  return { grants, futureGrants, objects: objects.map((o) => ({ schema: 'DATAOPS.GOLD', ...o })) };
}

test("a share's IMPORTED PRIVILEGES, which SHOW GRANTS shows as USAGE on the database", () => {
  const loader = resolveAccess({ roles: { loader: { write: ['bronze'] } } }, {});
  const pipelines = [{ source: { kind: 'sql', database: { name: 'retail_share' }, resources: [] }, silver: [] }] as never;
  const wanted = declaredPrivileges({ access: loader, pipelines, reportSchemas: [] });
  expect(wanted.filter((p) => p.privilege === 'IMPORTED PRIVILEGES')).toEqual([{ role: 'DATAOPS_LOADER', privilege: 'IMPORTED PRIVILEGES', on: 'DATABASE', name: 'RETAIL_SHARE' }]);
  const shown = (p: Privilege) => (p.privilege === 'IMPORTED PRIVILEGES' ? { ...p, privilege: 'USAGE' } : p);
  expect(grantDrift(wanted, rowsFor(wanted.map(shown), []))).toEqual({ missing: [], extra: [] });
  expect(grantDrift(wanted, rowsFor(wanted.filter((p) => p.name !== 'RETAIL_SHARE'), [])).missing).toEqual(['GRANT IMPORTED PRIVILEGES ON DATABASE RETAIL_SHARE TO ROLE DATAOPS_LOADER;']);
});

function showGrant(privilege: string, granted_on: string, name: string, grantee_name: string): Row {
  return { created_on, privilege, granted_on, name, granted_to: 'ROLE', grantee_name, grant_option: 'false', granted_by: 'SECURITYADMIN' };
}

const objects = [{ name: 'FACT_SALES', kind: 'TABLE' as const }, { name: 'DIM_STORE', kind: 'VIEW' as const }];

describe('grant drift', () => {
  test('equal: no drift (ownership of the tables the engine made is not drift)', () => {
    const rows = rowsFor(declared, objects);
    rows.grants.push(showGrant('OWNERSHIP', 'TABLE', 'DATAOPS.GOLD.FACT_SALES', 'DATAOPS_ANALYST'));
    expect(grantDrift(declared, rows)).toEqual({ missing: [], extra: [] });
  });

  test.each([
    ['the future grant on tables', (p: Privilege) => p.scope === 'FUTURE' && p.on === 'TABLE', 'GRANT SELECT ON FUTURE TABLES IN SCHEMA DATAOPS.GOLD TO ROLE DATAOPS_ANALYST;'],
    ['schema usage', (p: Privilege) => p.on === 'SCHEMA', 'GRANT USAGE ON SCHEMA DATAOPS.GOLD TO ROLE DATAOPS_ANALYST;'],
    ['the role hierarchy', (p: Privilege) => p.on === 'ROLE', 'GRANT ROLE DATAOPS_ANALYST TO ROLE SYSADMIN;'],
    ['an existing table', (p: Privilege) => p.scope === 'ALL' && p.on === 'TABLE', 'GRANT SELECT ON TABLE DATAOPS.GOLD.FACT_SALES TO ROLE DATAOPS_ANALYST;'],
  ])('missing: %s', (_, drop, statement) => {
    expect(grantDrift(declared, rowsFor(declared.filter((p) => !drop(p)), objects))).toEqual({ missing: [statement], extra: [] });
  });

  test.each([
    ['a write privilege on a table', showGrant('INSERT', 'TABLE', 'DATAOPS.GOLD.FACT_SALES', 'DATAOPS_ANALYST'), 'REVOKE INSERT ON TABLE DATAOPS.GOLD.FACT_SALES FROM ROLE DATAOPS_ANALYST;'],
    ['a schema it should not see', showGrant('USAGE', 'SCHEMA', 'DATAOPS.SILVER', 'DATAOPS_ANALYST'), 'REVOKE USAGE ON SCHEMA DATAOPS.SILVER FROM ROLE DATAOPS_ANALYST;'],
    ['a table in another schema', showGrant('SELECT', 'TABLE', 'DATAOPS.SILVER.CUSTOMERS', 'DATAOPS_ANALYST'), 'REVOKE SELECT ON TABLE DATAOPS.SILVER.CUSTOMERS FROM ROLE DATAOPS_ANALYST;'],
    ['a role granted to it', showGrant('USAGE', 'ROLE', 'ACCOUNTADMIN', 'DATAOPS_ANALYST'), 'REVOKE ROLE ACCOUNTADMIN FROM ROLE DATAOPS_ANALYST;'],
  ])('extra: %s', (_, row, statement) => {
    const rows = rowsFor(declared, objects);
    rows.grants.push(row);
    expect(grantDrift(declared, rows)).toEqual({ missing: [], extra: [statement] });
  });

  test('extra: a future grant the declaration does not make', () => {
    const rows = rowsFor(declared, objects);
    rows.futureGrants.push({ created_on, privilege: 'DELETE', grant_on: 'TABLE', name: 'DATAOPS.GOLD.<TABLE>', grant_to: 'ROLE', grantee_name: 'DATAOPS_ANALYST', grant_option: 'false' });
    expect(grantDrift(declared, rows)).toEqual({ missing: [], extra: ['REVOKE DELETE ON FUTURE TABLES IN SCHEMA DATAOPS.GOLD FROM ROLE DATAOPS_ANALYST;'] });
  });

  test("other roles' grants are not this declaration's business", () => {
    const rows = rowsFor(declared, objects);
    rows.grants.push(showGrant('SELECT', 'TABLE', 'DATAOPS.SILVER.CUSTOMERS', 'SOMEONE_ELSE'), showGrant('USAGE', 'ROLE', 'OTHER', 'SYSADMIN'));
    expect(grantDrift(declared, rows)).toEqual({ missing: [], extra: [] });
  });

  test('a role with no grants at all misses every declared one', () => {
    const drift = grantDrift(declared, { grants: [], futureGrants: [], objects: [] });
    expect(drift.extra).toEqual([]);
    expect(drift.missing).toHaveLength(declared.filter((p) => p.scope !== 'ALL').length);
  });
});

test.each([
  ['equal', () => rowsFor(declared, objects), 0, /^no drift: the grants of 1 roles match dataops\.yml$/],
  ['missing', () => rowsFor(declared.filter((p) => p.on !== 'WAREHOUSE'), objects), 1, /^missing: GRANT USAGE ON WAREHOUSE DATAOPS_WH TO ROLE DATAOPS_ANALYST;\ndrift: 1 missing, 0 extra/],
  ['extra', () => ({ ...rowsFor(declared, objects), grants: [...rowsFor(declared, objects).grants, showGrant('USAGE', 'SCHEMA', 'DATAOPS.META', 'DATAOPS_ANALYST')] }), 1, /^extra: {3}REVOKE USAGE ON SCHEMA DATAOPS\.META FROM ROLE DATAOPS_ANALYST;\ndrift: 0 missing, 1 extra/],
])('--check on %s grants exits %i', (_, rows, exitCode, text) => {
  const report = driftReport(grantDrift(declared, rows()), access.roles.length);
  expect(report.exitCode).toBe(exitCode);
  expect(report.text).toMatch(text);
});
