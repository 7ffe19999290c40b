// Access as code: the `access:` section of dataops.yml (roles and what each may do by layer, the role
// hierarchy, the warehouse, the service users), its JSON Schema, and the defaults that apply when the
// section is absent, so `dataops grants` works on a project that declares nothing.
import { ConfigError, type Diagnostic } from '../errors.js';
import { LAYER_SCHEMAS } from '../state/meta.js';

/** A layer a role reads or writes: a schema of the database, or `reports` (every schema report pages read). */
export const ACCESS_LAYERS = [...LAYER_SCHEMAS, 'reports'] as const;
export type AccessLayer = (typeof ACCESS_LAYERS)[number];

export interface RoleSpec {
  /** The Snowflake role's name (default: DATAOPS_ and the key in upper case). */
  name?: string;
  read?: AccessLayer[];
  write?: AccessLayer[];
  /** Sees sensitive columns in clear (every other role sees them masked). */
  unmasked?: boolean;
  /** May create databases (a pull request's clone of production). */
  create_databases?: boolean;
  /** The roles this one is granted to: declared role keys or account roles (default: SYSADMIN). */
  granted_to?: string[];
}

export interface UserSpec {
  /** The role keys the user may use; the first is its default role unless default_role says otherwise. */
  roles: string[];
  default_role?: string;
  /** Workload identity: the part of GitHub's OIDC subject after `repo:<owner>/<repo>:`. */
  github_subject?: string;
  /** Key pair: the public key (not a secret), the text between the BEGIN/END lines of the .pub file. */
  rsa_public_key?: string;
}

export interface AccessSpec {
  database?: string;
  warehouse?: string;
  /** owner/name, for the users' GitHub trust subjects (default: $GITHUB_REPOSITORY). */
  github_repository?: string;
  roles?: Record<string, RoleSpec>;
  users?: Record<string, UserSpec>;
}

const IDENT = '^[A-Za-z_][A-Za-z0-9_$]*$';
const layers = (what: string) => ({
  type: 'array',
  items: { enum: [...ACCESS_LAYERS] },
  uniqueItems: true,
  description: `The layers (schemas) this role ${what}; \`reports\` is every schema the pages under reports/ read.`,
  examples: [['gold'], ['bronze', 'meta']],
});

export const ACCESS_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  title: 'Access as code',
  description: 'Snowflake roles, grants, masking and service users; `dataops grants` prints the DDL that makes the warehouse match. Absent: the default roles loader, transformer, analyst, reporter and pull_request.',
  properties: {
    database: { type: 'string', pattern: IDENT, description: 'The production database (default: the SNOWFLAKE_DATABASE variable, else DATAOPS).', examples: ['DATAOPS'] },
    warehouse: { type: 'string', pattern: IDENT, description: 'The warehouse every role may use (default: the SNOWFLAKE_WAREHOUSE variable, else DATAOPS_WH).', examples: ['DATAOPS_WH'] },
    github_repository: { type: 'string', pattern: '^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$', description: "owner/name of the GitHub repository whose workflows sign in (default: $GITHUB_REPOSITORY).", examples: ['acme-retail/dataops'] },
    roles: {
      type: 'object',
      description: 'Each role by key (used in users and granted_to) and what it may do by layer. Replaces the default roles.',
      propertyNames: { pattern: '^[a-z_][a-z0-9_]*$' },
      additionalProperties: {
        type: 'object',
        additionalProperties: false,
        properties: {
          name: { type: 'string', pattern: IDENT, description: 'The Snowflake role (default: DATAOPS_ and the key in upper case).', examples: ['DATAOPS_LOADER'] },
          read: layers('reads'),
          write: layers('writes (creates tables, inserts, updates, deletes); a role that writes bronze also reads the shares of `sql` sources'),
          unmasked: { type: 'boolean', description: 'Sees sensitive columns in clear; every other role sees them masked by their rule.', examples: [true] },
          create_databases: { type: 'boolean', description: "May create databases: a pull request's zero-copy clone of production.", examples: [true] },
          granted_to: { type: 'array', items: { type: 'string', pattern: IDENT }, description: 'The roles this one is granted to (role keys or account roles); the chain ends at SYSADMIN (the default).', examples: [['SYSADMIN'], ['transformer']] },
        },
      },
      examples: [{ loader: { write: ['bronze', 'meta'] }, analyst: { read: ['gold'] } }],
    },
    users: {
      type: 'object',
      description: 'Service users (no password) by Snowflake name: workload identity (github_subject) or a key pair (rsa_public_key).',
      propertyNames: { pattern: IDENT },
      additionalProperties: {
        type: 'object',
        additionalProperties: false,
        required: ['roles'],
        properties: {
          roles: { type: 'array', minItems: 1, items: { type: 'string' }, description: 'The role keys granted to the user.', examples: [['loader', 'transformer']] },
          default_role: { type: 'string', description: 'Its default role (a key of roles; default: the first).' },
          github_subject: { type: 'string', description: "Workload identity: GitHub's OIDC subject after repo:<owner>/<repo>:", examples: ['ref:refs/heads/main', 'pull_request', 'environment:production'] },
          rsa_public_key: { type: 'string', description: 'Key pair: the public key, the text between the BEGIN and END lines of the .pub file (not a secret).' },
        },
      },
      examples: [{ DATAOPS_GITHUB: { roles: ['loader', 'transformer', 'reporter'], github_subject: 'ref:refs/heads/main' } }],
    },
  },
};

export const DEFAULT_ROLES: Readonly<Record<string, RoleSpec>> = {
  loader: { write: ['bronze', 'meta'] },
  // Builds silver and gold from clear values (a masked input would be stored masked).
  transformer: { read: ['bronze'], write: ['silver', 'gold', 'meta'], unmasked: true },
  analyst: { read: ['gold'] },
  reporter: { read: ['reports', 'meta'] },
  // Reads production and builds in its own clone; it owns nothing in production.
  pull_request: { read: ['bronze', 'silver', 'gold', 'meta'], create_databases: true },
};

/** Who signs in from which workflow: main's jobs (ingest, pages) and pull requests' jobs. */
export const DEFAULT_USERS: Readonly<Record<string, UserSpec>> = {
  DATAOPS_GITHUB: { roles: ['loader', 'transformer', 'reporter'], default_role: 'transformer', github_subject: 'ref:refs/heads/main' },
  DATAOPS_GITHUB_PR: { roles: ['pull_request'], github_subject: 'pull_request' },
};

export interface Role {
  key: string;
  name: string;
  read: AccessLayer[];
  write: AccessLayer[];
  unmasked: boolean;
  createDatabases: boolean;
  /** Snowflake role names. */
  grantedTo: string[];
}

export interface User {
  name: string;
  /** Snowflake role names. */
  roles: string[];
  defaultRole: string;
  githubSubject?: string;
  rsaPublicKey?: string;
}

export interface Access {
  database: string;
  warehouse: string;
  repository?: string;
  roles: Role[];
  users: User[];
}

/** The declaration with its defaults; a user naming a role that is not declared is a ConfigError. */
export function resolveAccess(
  spec: AccessSpec | undefined,
  defaults: { database?: string; warehouse?: string; repository?: string },
  position: (path: string[]) => { line: number; col: number } | undefined = () => undefined,
): Access {
  const roleSpecs = spec?.roles ?? DEFAULT_ROLES;
  const userSpecs = spec?.users ?? (spec?.roles ? {} : DEFAULT_USERS);
  const nameOf = (key: string) => roleSpecs[key]?.name ?? `DATAOPS_${key.toUpperCase()}`;
  const problems: Array<{ path: string[]; message: string }> = [];
  const roles = Object.entries(roleSpecs).map(([key, r]): Role => ({
    key,
    name: nameOf(key).toUpperCase(),
    read: r.read ?? [],
    write: r.write ?? [],
    unmasked: r.unmasked ?? false,
    createDatabases: r.create_databases ?? false,
    grantedTo: (r.granted_to ?? ['SYSADMIN']).map((p) => (roleSpecs[p] ? nameOf(p) : p).toUpperCase()),
  }));
  const cycle = roleCycle(roles);
  if (cycle) problems.push({ path: ['access', 'roles'], message: `access.roles: granted_to makes a cycle: ${cycle.join(' -> ')}` });
  const users = Object.entries(userSpecs).map(([name, u]): User => {
    const named: Array<[string, string[]]> = [...u.roles.map((key, i): [string, string[]] => [key, ['roles', String(i)]]), ...(u.default_role ? [[u.default_role, ['default_role']] as [string, string[]]] : [])];
    for (const [key, at] of named) {
      if (!roleSpecs[key]) problems.push({ path: ['access', 'users', name, ...at], message: `access.users.${name}: role "${key}" is not declared (expected one of: ${Object.keys(roleSpecs).join(', ')})` });
    }
    if (u.github_subject && u.rsa_public_key) problems.push({ path: ['access', 'users', name], message: `access.users.${name}: github_subject and rsa_public_key are both set (expected one way to sign in)` });
    return {
      name: name.toUpperCase(),
      roles: u.roles.map((k) => nameOf(k).toUpperCase()),
      defaultRole: nameOf(u.default_role ?? u.roles[0]).toUpperCase(),
      githubSubject: u.github_subject,
      rsaPublicKey: u.rsa_public_key,
    };
  });
  if (problems.length) {
    throw new ConfigError(problems.map(({ path, message }): Diagnostic => ({ file: 'dataops.yml', ...(position(path) ?? { line: 1, col: 1 }), severity: 'error', message })));
  }
  return {
    database: (spec?.database ?? defaults.database ?? 'DATAOPS').toUpperCase(),
    warehouse: (spec?.warehouse ?? defaults.warehouse ?? 'DATAOPS_WH').toUpperCase(),
    repository: spec?.github_repository ?? defaults.repository,
    roles,
    users,
  };
}

/** A path of role names that leads back to its start through granted_to, or undefined. */
function roleCycle(roles: Role[]): string[] | undefined {
  const parents = new Map(roles.map((r) => [r.name, r.grantedTo]));
  const walk = (name: string, path: string[]): string[] | undefined => {
    if (path.includes(name)) return [...path.slice(path.indexOf(name)), name];
    for (const p of parents.get(name) ?? []) {
      const found = walk(p, [...path, name]);
      if (found) return found;
    }
    return undefined;
  };
  for (const r of roles) {
    const found = walk(r.name, []);
    if (found) return found;
  }
  return undefined;
}
