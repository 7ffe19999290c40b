// Drift between the declared privileges and what the warehouse says it has granted: the rows of
// SHOW GRANTS TO ROLE (created_on, privilege, granted_on, name, granted_to, grantee_name, grant_option,
// granted_by) and SHOW FUTURE GRANTS IN SCHEMA (the same, spelled grant_on and grant_to), as Snowflake
// documents them. Only the declared roles are compared; OWNERSHIP (the engine owns the tables it makes) is
// not a grant to declare. An ALL grant is one row per existing table: given the tables, each missing row is
// drift; a table privilege in a schema the role has no such ALL grant on is an extra.
import type { Row } from '../warehouse/adapter.js';
import { privilegeStatement, type Privilege } from './grants.js';

export interface ExistingObject {
  /** DB.SCHEMA */
  schema: string;
  name: string;
  kind: 'TABLE' | 'VIEW';
}

export interface GrantRows {
  /** SHOW GRANTS TO ROLE rows of each declared role and of the roles they are granted to. */
  grants: Row[];
  /** SHOW FUTURE GRANTS IN SCHEMA rows of each schema a role is declared on. */
  futureGrants: Row[];
  /** The tables and views of those schemas, for the ALL grants they should carry (none: not checked). */
  objects?: ExistingObject[];
}

export interface Drift {
  /** Declared and not granted: the GRANT that adds it. */
  missing: string[];
  /** Granted and not declared: the REVOKE that removes it. */
  extra: string[];
}

const text = (row: Row, ...keys: string[]): string => {
  for (const key of keys) {
    const value = row[key] ?? row[key.toUpperCase()];
    if (value !== undefined && value !== null) return String(value);
  }
  return '';
};
/** An object name as SHOW prints it: quoted parts unquoted, unquoted ones upper case. */
const normalName = (name: string) => name.split('.').map((part) => (/^".*"$/.test(part) ? part.slice(1, -1).replace(/""/g, '"') : part.toUpperCase())).join('.');
const keyOf = (p: Privilege) => [p.role, p.privilege, p.on, p.name, p.scope ?? ''].join('\u0000');
/** The object kind as SHOW spells it: TABLE, VIEW, SCHEMA, DATABASE, WAREHOUSE, ROLE, ACCOUNT. */
const kindOf = (value: string): Privilege['on'] => value.toUpperCase() as Privilege['on'];

export function grantDrift(declared: readonly Privilege[], rows: GrantRows): Drift {
  const roles = new Set(declared.filter((p) => p.on !== 'ROLE').map((p) => p.role));
  for (const p of declared) if (p.on === 'ROLE') roles.add(p.name);
  const want = new Map(declared.filter((p) => p.scope !== 'ALL').map((p) => [keyOf(p), p]));
  const wantAll = declared.filter((p) => p.scope === 'ALL');
  const have = new Map<string, Privilege>();
  const tableRows: Array<{ role: string; privilege: string; on: Privilege['on']; object: string }> = [];

  for (const row of rows.grants) {
    if (text(row, 'granted_to', 'grant_to').toUpperCase() !== 'ROLE') continue;
    const role = normalName(text(row, 'grantee_name'));
    const privilege = text(row, 'privilege').toUpperCase();
    const on = kindOf(text(row, 'granted_on', 'grant_on'));
    const name = on === 'ACCOUNT' ? '' : normalName(text(row, 'name'));
    if (privilege === 'OWNERSHIP') continue;
    // A role granted to a role: ours when the child is one of the declared roles.
    if (on === 'ROLE') {
      if (!roles.has(name) && !roles.has(role)) continue;
      const p: Privilege = { role, privilege: 'USAGE', on, name };
      have.set(keyOf(p), p);
      continue;
    }
    if (!roles.has(role)) continue;
    if (on === 'TABLE' || on === 'VIEW') {
      tableRows.push({ role, privilege, on, object: name });
      continue;
    }
    // SHOW GRANTS shows IMPORTED PRIVILEGES on a shared database as USAGE on it.
    const imported: Privilege = { role, privilege: 'IMPORTED PRIVILEGES', on, name };
    const p: Privilege = privilege === 'USAGE' && on === 'DATABASE' && want.has(keyOf(imported)) ? imported : { role, privilege, on, name };
    have.set(keyOf(p), p);
  }
  for (const row of rows.futureGrants) {
    const role = normalName(text(row, 'grantee_name'));
    if (text(row, 'grant_to', 'granted_to').toUpperCase() !== 'ROLE' || !roles.has(role)) continue;
    // name is DB.SCHEMA.<TABLE>: the schema is all but the last part.
    const schema = normalName(text(row, 'name').split('.').slice(0, -1).join('.'));
    const p: Privilege = { role, privilege: text(row, 'privilege').toUpperCase(), on: kindOf(text(row, 'grant_on', 'granted_on')), name: schema, scope: 'FUTURE' };
    have.set(keyOf(p), p);
  }

  const missing = [...want.values()].filter((p) => !have.has(keyOf(p)));
  const extra = [...have.values()].filter((p) => !want.has(keyOf(p)));
  // ALL grants: each existing table (or view) of the schema should carry the privilege.
  const granted = new Set(tableRows.map((r) => [r.role, r.privilege, r.on, r.object].join('\u0000')));
  for (const p of wantAll) {
    for (const o of rows.objects ?? []) {
      if (normalName(o.schema) !== p.name || o.kind !== p.on) continue;
      const object = `${p.name}.${normalName(o.name)}`;
      if (!granted.has([p.role, p.privilege, p.on, object].join('\u0000'))) missing.push({ ...p, name: object, scope: undefined });
    }
  }
  const allKeys = new Set(wantAll.map((p) => [p.role, p.privilege, p.on, p.name].join('\u0000')));
  for (const r of tableRows) {
    const schema = r.object.split('.').slice(0, -1).join('.');
    if (!allKeys.has([r.role, r.privilege, r.on, schema].join('\u0000'))) extra.push({ role: r.role, privilege: r.privilege, on: r.on, name: r.object });
  }
  return { missing: missing.map((p) => privilegeStatement(p)).sort(), extra: extra.map((p) => privilegeStatement(p, true)).sort() };
}
