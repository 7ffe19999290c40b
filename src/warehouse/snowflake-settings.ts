// The Snowflake connection as the environment describes it: the account, the authenticator and its
// credentials (every secret registered for masking), and GitHub's OIDC token for workload identity.
// No driver here: reading settings must not load snowflake-sdk.
import { WarehouseError } from '../errors.js';
import { mask, registerSecret } from '../secrets.js';

export const SNOWFLAKE_AUTHENTICATORS = ['SNOWFLAKE_JWT', 'PROGRAMMATIC_ACCESS_TOKEN', 'OAUTH_CLIENT_CREDENTIALS', 'WORKLOAD_IDENTITY'] as const;
export type SnowflakeAuthenticator = (typeof SNOWFLAKE_AUTHENTICATORS)[number];

/** How the warehouse proves who it is; each kind carries only its own secrets. */
export type SnowflakeCredentials =
  /** Key pair: the driver signs a JWT with the private key (PEM text, or a file it is read from). */
  | { authenticator: 'SNOWFLAKE_JWT'; privateKey?: string; privateKeyPath?: string; privateKeyPassphrase?: string }
  /** A programmatic access token, sent as the login TOKEN. */
  | { authenticator: 'PROGRAMMATIC_ACCESS_TOKEN'; token: string }
  /** OAuth 2.0 client credentials: the driver asks the token endpoint for an access token, then logs in with it. */
  | { authenticator: 'OAUTH_CLIENT_CREDENTIALS'; clientId: string; clientSecret: string; tokenRequestUrl?: string; scope?: string }
  /**
   * Keyless: GitHub Actions' OIDC token for the audience Snowflake trusts, requested at every login
   * (it lives minutes), and presented with provider OIDC.
   */
  | { authenticator: 'WORKLOAD_IDENTITY'; oidc: { requestUrl: string; requestToken: string; audience: string } };

export interface SnowflakeSettings {
  /** Account identifier (orgname-accountname); optional when accessUrl is given. */
  account?: string;
  /** Where the account answers, e.g. https://myorg-myacct.snowflakecomputing.com (or a local emulator). */
  accessUrl?: string;
  /** Login name; key pair and programmatic access tokens need it, OAuth and workload identity do not. */
  user?: string;
  role?: string;
  warehouse?: string;
  database: string;
  /** The session's schema; temporary work tables live here (default PUBLIC). */
  schema?: string;
  authenticator: SnowflakeAuthenticator;
  credentials: SnowflakeCredentials;
}

/** The environment variable behind each setting; any of them can be renamed. */
export const SNOWFLAKE_ENV_NAMES = {
  account: 'SNOWFLAKE_ACCOUNT',
  accessUrl: 'SNOWFLAKE_ACCESS_URL',
  host: 'SNOWFLAKE_HOST',
  port: 'SNOWFLAKE_PORT',
  protocol: 'SNOWFLAKE_PROTOCOL',
  user: 'SNOWFLAKE_USER',
  role: 'SNOWFLAKE_ROLE',
  warehouse: 'SNOWFLAKE_WAREHOUSE',
  database: 'SNOWFLAKE_DATABASE',
  schema: 'SNOWFLAKE_SCHEMA',
  authenticator: 'SNOWFLAKE_AUTHENTICATOR',
  privateKey: 'SNOWFLAKE_PRIVATE_KEY',
  privateKeyPath: 'SNOWFLAKE_PRIVATE_KEY_PATH',
  privateKeyPassphrase: 'SNOWFLAKE_PRIVATE_KEY_PASSPHRASE',
  token: 'SNOWFLAKE_TOKEN',
  oauthClientId: 'SNOWFLAKE_OAUTH_CLIENT_ID',
  oauthClientSecret: 'SNOWFLAKE_OAUTH_CLIENT_SECRET',
  oauthTokenRequestUrl: 'SNOWFLAKE_OAUTH_TOKEN_REQUEST_URL',
  oauthScope: 'SNOWFLAKE_OAUTH_SCOPE',
  oidcAudience: 'SNOWFLAKE_OIDC_AUDIENCE',
  oidcRequestUrl: 'ACTIONS_ID_TOKEN_REQUEST_URL',
  oidcRequestToken: 'ACTIONS_ID_TOKEN_REQUEST_TOKEN',
} as const;
export type SnowflakeEnvNames = { -readonly [K in keyof typeof SNOWFLAKE_ENV_NAMES]: string };

/** With no OIDC_AUDIENCE_LIST on the Snowflake user, Snowflake expects this audience. */
export const DEFAULT_OIDC_AUDIENCE = 'snowflakecomputing.com';

/**
 * Reads the connection settings from environment variables. Every secret is registered for masking.
 * A missing variable is one WarehouseError that names it (and, for the authenticator, the choices).
 */
export function snowflakeSettingsFromEnv(
  env: Record<string, string | undefined>,
  names: Partial<SnowflakeEnvNames> = {},
): SnowflakeSettings {
  const n: SnowflakeEnvNames = { ...SNOWFLAKE_ENV_NAMES, ...names };
  const get = (key: keyof SnowflakeEnvNames): string | undefined => {
    const value = env[n[key]]?.trim();
    return value ? value : undefined;
  };
  const need = (key: keyof SnowflakeEnvNames, why: string): string => {
    const value = get(key);
    if (value === undefined) throw new WarehouseError(`${n[key]} is not set: ${why}`);
    return value;
  };
  const secret = (value: string | undefined): string | undefined => (registerSecret(value), value);

  const accessUrl = get('accessUrl') ?? accessUrlFromHost(get('host'), get('port'), get('protocol'), n);
  const account = get('account');
  if (!account && !accessUrl) {
    throw new WarehouseError(`${n.account} is not set: the Snowflake account identifier (orgname-accountname), or ${n.accessUrl} with the account's URL`);
  }

  const authenticator = (get('authenticator')?.toUpperCase() ?? inferAuthenticator(get, n)) as SnowflakeAuthenticator;
  if (!SNOWFLAKE_AUTHENTICATORS.includes(authenticator)) {
    throw new WarehouseError(`${n.authenticator} is ${JSON.stringify(get('authenticator'))}: expected one of ${SNOWFLAKE_AUTHENTICATORS.join(', ')}`);
  }

  let credentials: SnowflakeCredentials;
  switch (authenticator) {
    case 'SNOWFLAKE_JWT': {
      const privateKey = secret(normalizePem(get('privateKey')));
      const privateKeyPath = get('privateKeyPath');
      if (!privateKey && !privateKeyPath) {
        throw new WarehouseError(
          `${n.privateKey} is not set: key-pair authentication (SNOWFLAKE_JWT) needs the private key (PEM), or ${n.privateKeyPath} with its file`,
        );
      }
      credentials = { authenticator, privateKey, privateKeyPath, privateKeyPassphrase: secret(get('privateKeyPassphrase')) };
      break;
    }
    case 'PROGRAMMATIC_ACCESS_TOKEN':
      credentials = { authenticator, token: secret(need('token', 'PROGRAMMATIC_ACCESS_TOKEN authentication needs the programmatic access token'))! };
      break;
    case 'OAUTH_CLIENT_CREDENTIALS':
      credentials = {
        authenticator,
        clientId: need('oauthClientId', 'OAUTH_CLIENT_CREDENTIALS authentication needs the OAuth client id'),
        clientSecret: secret(need('oauthClientSecret', 'OAUTH_CLIENT_CREDENTIALS authentication needs the OAuth client secret'))!,
        tokenRequestUrl: get('oauthTokenRequestUrl'),
        scope: get('oauthScope'),
      };
      break;
    case 'WORKLOAD_IDENTITY': {
      const why = (what: string) => `WORKLOAD_IDENTITY authentication needs GitHub's OIDC ${what} (give the job \`permissions: id-token: write\`)`;
      credentials = {
        authenticator,
        oidc: {
          requestUrl: need('oidcRequestUrl', why('token endpoint')),
          requestToken: secret(need('oidcRequestToken', why('request token')))!,
          audience: get('oidcAudience') ?? DEFAULT_OIDC_AUDIENCE,
        },
      };
      break;
    }
  }

  const user = get('user');
  if (!user && (authenticator === 'SNOWFLAKE_JWT' || authenticator === 'PROGRAMMATIC_ACCESS_TOKEN')) {
    throw new WarehouseError(`${n.user} is not set: ${authenticator} authentication needs the Snowflake login name`);
  }
  return {
    account,
    accessUrl,
    user,
    role: get('role'),
    warehouse: get('warehouse'),
    database: need('database', 'the Snowflake database the pipelines read and write'),
    schema: get('schema'),
    authenticator,
    credentials,
  };
}

function accessUrlFromHost(host: string | undefined, port: string | undefined, protocol: string | undefined, n: SnowflakeEnvNames): string | undefined {
  if (!host) {
    if (port || protocol) throw new WarehouseError(`${n.host} is not set: ${port ? n.port : n.protocol} is set, but not the host it belongs to`);
    return undefined;
  }
  const scheme = (protocol ?? 'https').toLowerCase().replace(/:$/, '');
  if (scheme !== 'https' && scheme !== 'http') throw new WarehouseError(`${n.protocol} is ${JSON.stringify(protocol)}: expected https or http`);
  if (port && !/^\d{1,5}$/.test(port)) throw new WarehouseError(`${n.port} is ${JSON.stringify(port)}: expected a port number`);
  return `${scheme}://${host}${port ? `:${port}` : ''}`;
}

function inferAuthenticator(get: (key: keyof SnowflakeEnvNames) => string | undefined, n: SnowflakeEnvNames): SnowflakeAuthenticator {
  if (get('privateKey') || get('privateKeyPath')) return 'SNOWFLAKE_JWT';
  if (get('token')) return 'PROGRAMMATIC_ACCESS_TOKEN';
  if (get('oauthClientId')) return 'OAUTH_CLIENT_CREDENTIALS';
  throw new WarehouseError(
    `${n.authenticator} is not set: expected one of ${SNOWFLAKE_AUTHENTICATORS.join(', ')} ` +
      `(or set the credential it infers from: ${n.privateKey}/${n.privateKeyPath}, ${n.token} or ${n.oauthClientId})`,
  );
}

/** A PEM pasted into a one-line secret often has literal "\n" sequences instead of newlines. */
export function normalizePem(pem: string | undefined): string | undefined {
  if (!pem) return undefined;
  const text = !pem.includes('\n') && pem.includes('\\n') ? pem.replace(/\\n/g, '\n') : pem;
  return text.endsWith('\n') ? text : `${text}\n`;
}

/**
 * GitHub Actions' OIDC token for an audience: GET $ACTIONS_ID_TOKEN_REQUEST_URL&audience=… with the
 * request token as a bearer token; the answer is { "value": "<jwt>" }.
 */
export async function fetchGitHubOidcToken(
  oidc: { requestUrl: string; requestToken: string; audience: string },
  fetchFn: typeof fetch = fetch,
): Promise<string> {
  const url = new URL(oidc.requestUrl);
  url.searchParams.set('audience', oidc.audience);
  let response: Response;
  try {
    response = await fetchFn(url, { headers: { Authorization: `bearer ${oidc.requestToken}`, Accept: 'application/json' } });
  } catch (e) {
    throw new WarehouseError(`cannot reach GitHub's OIDC token endpoint (${SNOWFLAKE_ENV_NAMES.oidcRequestUrl}): ${mask((e as Error).message)}`);
  }
  if (!response.ok) {
    throw new WarehouseError(
      `GitHub's OIDC token endpoint answered HTTP ${response.status}; the job needs \`permissions: id-token: write\` for WORKLOAD_IDENTITY`,
    );
  }
  const body = (await response.json().catch(() => undefined)) as { value?: unknown } | undefined;
  if (typeof body?.value !== 'string' || !body.value) {
    throw new WarehouseError(`GitHub's OIDC token endpoint answered without a token (expected {"value": "<jwt>"})`);
  }
  registerSecret(body.value);
  return body.value;
}
