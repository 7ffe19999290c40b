// What each authentication method sends to Snowflake, captured by a loopback server posing as the
// login endpoint (/session/v1/login-request), plus the OAuth token endpoint and GitHub's OIDC token
// endpoint where a method needs them. Also: settings from environment variables, the error each
// missing variable gives, and that no secret reaches a log line or an error message.
import { generateKeyPairSync } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { WarehouseError } from '../../../src/errors.js';
import {
  snowflakeDialect,
  snowflakeSettingsFromEnv,
  SnowflakeWarehouse,
  SnowflakeWarehouseError,
  splitStatements,
  statementKind,
} from '../../../src/warehouse/snowflake.js';

interface Captured {
  path: string;
  headers: IncomingMessage['headers'];
  body: string;
}

const SECRETS = {
  token: 'pat-secret-9f8e7d6c5b4a',
  clientSecret: 'oauth-client-secret-1a2b3c4d',
  accessToken: 'oauth-access-token-5e6f7a8b',
  requestToken: 'gh-request-token-0c1d2e3f',
  oidcToken: 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJyZXBvOm9yZy9yZXBvIn0.c2lnbmF0dXJl',
  passphrase: 'key-passphrase-4d5e6f',
};

let server: Server;
let baseUrl: string;
let captured: Captured[] = [];
let loginAnswer: { status: number; body: unknown } | undefined;
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'dataops-snowflake-auth-'));
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      let raw = Buffer.concat(chunks);
      if (req.headers['content-encoding'] === 'gzip') raw = gunzipSync(raw);
      const path = req.url ?? '';
      captured.push({ path, headers: req.headers, body: raw.toString('utf8') });
      const json = (status: number, body: unknown) => {
        res.writeHead(status, { 'Content-Type': 'application/json' });
        res.end(JSON.stringify(body));
      };
      if (path.startsWith('/session/v1/login-request')) {
        return json(
          loginAnswer?.status ?? 200,
          loginAnswer?.body ?? {
            success: true,
            data: { token: 'session-token', masterToken: 'master-token', serverVersion: '9.0.0', parameters: [], sessionInfo: {} },
          },
        );
      }
      if (path.startsWith('/oauth/token-request')) {
        return json(200, { access_token: SECRETS.accessToken, token_type: 'Bearer', expires_in: 600 });
      }
      if (path.startsWith('/github-oidc')) {
        return req.headers.authorization === `bearer ${SECRETS.requestToken}` ? json(200, { value: SECRETS.oidcToken }) : json(401, {});
      }
      // telemetry, heartbeat, logout
      return json(200, { success: true, data: null });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  baseUrl = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
  await rm(dir, { recursive: true, force: true });
});

afterEach(() => {
  captured = [];
  loginAnswer = undefined;
});

function baseEnv(): Record<string, string> {
  return { SNOWFLAKE_ACCESS_URL: baseUrl, SNOWFLAKE_ACCOUNT: 'myorg-myacct', SNOWFLAKE_DATABASE: 'ANALYTICS', SNOWFLAKE_ROLE: 'LOADER' };
}

/** Logs in with the env; returns the login request's data and every log line (driver at TRACE). */
async function login(env: Record<string, string>): Promise<{ data: Record<string, any>; logs: string[] }> {
  const logs: string[] = [];
  const warehouse = await SnowflakeWarehouse.open(snowflakeSettingsFromEnv(env), { log: (l) => logs.push(l), driverLogLevel: 'TRACE' });
  await warehouse.close();
  const request = captured.find((c) => c.path.startsWith('/session/v1/login-request'));
  expect(request, 'a login request').toBeDefined();
  expect(request!.path).toContain('databaseName=ANALYTICS');
  return { data: JSON.parse(request!.body).data, logs };
}

function expectNoSecret(texts: string[], secrets: string[]) {
  for (const secret of secrets) {
    for (const text of texts) expect(text.includes(secret), `a secret in: ${text.slice(0, 200)}`).toBe(false);
  }
}

function decodeJwt(token: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString('utf8'));
}

describe('the login request of each authentication method', () => {
  test('key pair (SNOWFLAKE_JWT): a JWT signed for ACCOUNT.USER, from the key in a variable', async () => {
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048, privateKeyEncoding: { type: 'pkcs8', format: 'pem' }, publicKeyEncoding: { type: 'spki', format: 'pem' } });
    // One-line secrets often carry "\n" literally; it is turned back into newlines.
    const oneLine = privateKey.trim().replace(/\n/g, '\\n');
    const { data, logs } = await login({ ...baseEnv(), SNOWFLAKE_AUTHENTICATOR: 'SNOWFLAKE_JWT', SNOWFLAKE_USER: 'dataops_ci', SNOWFLAKE_PRIVATE_KEY: oneLine });
    expect(data.AUTHENTICATOR).toBe('SNOWFLAKE_JWT');
    expect(data.LOGIN_NAME).toBe('dataops_ci');
    expect(data.ACCOUNT_NAME).toBe('myorg-myacct');
    const claims = decodeJwt(data.TOKEN);
    expect(claims.sub).toBe('MYORG-MYACCT.DATAOPS_CI');
    expect(claims.iss).toMatch(/^MYORG-MYACCT\.DATAOPS_CI\.SHA256:/);
    expect(data.PASSWORD).toBeUndefined();
    const body = privateKey.split('\n')[1];
    expectNoSecret(logs, [body, data.TOKEN]);
  });

  test('key pair from an encrypted key file with a passphrase', async () => {
    const { privateKey } = generateKeyPairSync('rsa', {
      modulusLength: 2048,
      privateKeyEncoding: { type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase: SECRETS.passphrase },
      publicKeyEncoding: { type: 'spki', format: 'pem' },
    });
    const path = join(dir, 'rsa_key.p8');
    await writeFile(path, privateKey);
    const { data, logs } = await login({
      ...baseEnv(),
      SNOWFLAKE_USER: 'dataops_ci',
      SNOWFLAKE_PRIVATE_KEY_PATH: path,
      SNOWFLAKE_PRIVATE_KEY_PASSPHRASE: SECRETS.passphrase,
    });
    // The authenticator is inferred from the key variables.
    expect(data.AUTHENTICATOR).toBe('SNOWFLAKE_JWT');
    expect(decodeJwt(data.TOKEN).sub).toBe('MYORG-MYACCT.DATAOPS_CI');
    expectNoSecret(logs, [SECRETS.passphrase, privateKey.split('\n')[1]]);
  });

  test('programmatic access token: the token as TOKEN', async () => {
    const { data, logs } = await login({ ...baseEnv(), SNOWFLAKE_AUTHENTICATOR: 'PROGRAMMATIC_ACCESS_TOKEN', SNOWFLAKE_USER: 'dataops_ci', SNOWFLAKE_TOKEN: SECRETS.token });
    expect(data).toMatchObject({ AUTHENTICATOR: 'PROGRAMMATIC_ACCESS_TOKEN', LOGIN_NAME: 'dataops_ci', TOKEN: SECRETS.token });
    expect(data.PASSWORD).toBeUndefined();
    expectNoSecret(logs, [SECRETS.token]);
  });

  test('OAuth client credentials: a token request with the client id and secret, then OAUTH with the access token', async () => {
    const { data, logs } = await login({
      ...baseEnv(),
      SNOWFLAKE_AUTHENTICATOR: 'OAUTH_CLIENT_CREDENTIALS',
      SNOWFLAKE_OAUTH_CLIENT_ID: 'dataops-client',
      SNOWFLAKE_OAUTH_CLIENT_SECRET: SECRETS.clientSecret,
      SNOWFLAKE_OAUTH_TOKEN_REQUEST_URL: `${baseUrl}/oauth/token-request`,
    });
    const tokenRequest = captured.find((c) => c.path.startsWith('/oauth/token-request'))!;
    const form = new URLSearchParams(tokenRequest.body);
    expect(Object.fromEntries(form)).toEqual({
      grant_type: 'client_credentials',
      client_id: 'dataops-client',
      client_secret: SECRETS.clientSecret,
      scope: 'session:role:LOADER',
    });
    expect(data.AUTHENTICATOR).toBe('OAUTH');
    expect(data.TOKEN).toBe(SECRETS.accessToken);
    expect(data.CLIENT_ENVIRONMENT.OAUTH_TYPE).toBe('OAUTH_CLIENT_CREDENTIALS');
    expectNoSecret(logs, [SECRETS.clientSecret, SECRETS.accessToken]);
  });

  test("workload identity: GitHub's OIDC token for the audience, presented with provider OIDC", async () => {
    // The driver refuses workload identity against a host that is not Snowflake's unless told.
    const previous = process.env.SNOWFLAKE_WIF_ALLOWED_HOST_SUFFIXES;
    process.env.SNOWFLAKE_WIF_ALLOWED_HOST_SUFFIXES = '127.0.0.1';
    try {
      const { data, logs } = await login({
        ...baseEnv(),
        SNOWFLAKE_AUTHENTICATOR: 'WORKLOAD_IDENTITY',
        ACTIONS_ID_TOKEN_REQUEST_URL: `${baseUrl}/github-oidc?api-version=2.0`,
        ACTIONS_ID_TOKEN_REQUEST_TOKEN: SECRETS.requestToken,
      });
      const oidc = captured.find((c) => c.path.startsWith('/github-oidc'))!;
      const url = new URL(oidc.path, baseUrl);
      expect(url.searchParams.get('api-version')).toBe('2.0');
      expect(url.searchParams.get('audience')).toBe('snowflakecomputing.com');
      expect(oidc.headers.authorization).toBe(`bearer ${SECRETS.requestToken}`);
      expect(data).toMatchObject({ AUTHENTICATOR: 'WORKLOAD_IDENTITY', PROVIDER: 'OIDC', TOKEN: SECRETS.oidcToken });
      expect(data.LOGIN_NAME).toBeUndefined();
      expectNoSecret(logs, [SECRETS.requestToken, SECRETS.oidcToken]);
    } finally {
      if (previous === undefined) delete process.env.SNOWFLAKE_WIF_ALLOWED_HOST_SUFFIXES;
      else process.env.SNOWFLAKE_WIF_ALLOWED_HOST_SUFFIXES = previous;
    }
  });

  test('a refused login is a WarehouseError with the code, naming the account and method, never the secret', async () => {
    loginAnswer = { status: 200, body: { success: false, code: '390100', message: 'Incorrect username or password was specified.', data: null } };
    const error = await SnowflakeWarehouse.open(
      snowflakeSettingsFromEnv({ ...baseEnv(), SNOWFLAKE_USER: 'dataops_ci', SNOWFLAKE_TOKEN: SECRETS.token }),
      { retry: { baseDelayMs: 1 } },
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SnowflakeWarehouseError);
    expect(error).toMatchObject({ code: '390100' });
    expect((error as Error).message).toMatch(/^cannot log in to Snowflake \(http:\/\/127\.0\.0\.1:\d+, PROGRAMMATIC_ACCESS_TOKEN, user dataops_ci\): Snowflake error 390100: Incorrect username or password/);
    expectNoSecret([(error as Error).message, (error as Error).stack ?? ''], [SECRETS.token]);
  });

  test('the driver writes no snowflake.log into the working directory', () => {
    expect(existsSync(join(process.cwd(), 'snowflake.log'))).toBe(false);
  });
});

describe('settings from environment variables', () => {
  const full = { SNOWFLAKE_ACCOUNT: 'myorg-myacct', SNOWFLAKE_USER: 'dataops_ci', SNOWFLAKE_DATABASE: 'ANALYTICS' };

  test.each([
    [{ ...full, SNOWFLAKE_ACCOUNT: undefined }, 'SNOWFLAKE_ACCOUNT is not set: the Snowflake account identifier'],
    [{ ...full, SNOWFLAKE_DATABASE: undefined, SNOWFLAKE_TOKEN: 'x-token-1' }, 'SNOWFLAKE_DATABASE is not set'],
    [full, 'SNOWFLAKE_AUTHENTICATOR is not set: expected one of SNOWFLAKE_JWT, PROGRAMMATIC_ACCESS_TOKEN, OAUTH_CLIENT_CREDENTIALS, WORKLOAD_IDENTITY'],
    [{ ...full, SNOWFLAKE_AUTHENTICATOR: 'snowflake' }, 'SNOWFLAKE_AUTHENTICATOR is "snowflake": expected one of SNOWFLAKE_JWT'],
    [{ ...full, SNOWFLAKE_AUTHENTICATOR: 'SNOWFLAKE_JWT' }, 'SNOWFLAKE_PRIVATE_KEY is not set: key-pair authentication (SNOWFLAKE_JWT) needs the private key (PEM), or SNOWFLAKE_PRIVATE_KEY_PATH'],
    [{ ...full, SNOWFLAKE_AUTHENTICATOR: 'PROGRAMMATIC_ACCESS_TOKEN' }, 'SNOWFLAKE_TOKEN is not set: PROGRAMMATIC_ACCESS_TOKEN authentication needs the programmatic access token'],
    [{ ...full, SNOWFLAKE_TOKEN: 'x-token-1', SNOWFLAKE_USER: undefined }, 'SNOWFLAKE_USER is not set: PROGRAMMATIC_ACCESS_TOKEN authentication needs the Snowflake login name'],
    [{ ...full, SNOWFLAKE_AUTHENTICATOR: 'OAUTH_CLIENT_CREDENTIALS', SNOWFLAKE_OAUTH_CLIENT_ID: 'c' }, 'SNOWFLAKE_OAUTH_CLIENT_SECRET is not set'],
    [{ ...full, SNOWFLAKE_AUTHENTICATOR: 'WORKLOAD_IDENTITY' }, "ACTIONS_ID_TOKEN_REQUEST_URL is not set: WORKLOAD_IDENTITY authentication needs GitHub's OIDC token endpoint (give the job `permissions: id-token: write`)"],
    [{ ...full, SNOWFLAKE_TOKEN: 'x-token-1', SNOWFLAKE_PORT: '8443' }, 'SNOWFLAKE_HOST is not set: SNOWFLAKE_PORT is set, but not the host it belongs to'],
  ] as Array<[Record<string, string | undefined>, string]>)('%#: %s', (env, message) => {
    const error = (() => {
      try {
        snowflakeSettingsFromEnv(env);
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(WarehouseError);
    expect((error as Error).message).toContain(message);
  });

  test('names can be changed, host/port/protocol make the access URL, and secrets are registered for masking', async () => {
    const settings = snowflakeSettingsFromEnv(
      { PROD_SF_ACCOUNT: 'myorg-prod', SNOWFLAKE_HOST: 'localhost', SNOWFLAKE_PORT: '8080', SNOWFLAKE_PROTOCOL: 'http', SNOWFLAKE_DATABASE: 'RAW', SNOWFLAKE_USER: 'u', SNOWFLAKE_TOKEN: 'registered-token-77' },
      { account: 'PROD_SF_ACCOUNT' },
    );
    expect(settings).toMatchObject({
      account: 'myorg-prod',
      accessUrl: 'http://localhost:8080',
      authenticator: 'PROGRAMMATIC_ACCESS_TOKEN',
      credentials: { authenticator: 'PROGRAMMATIC_ACCESS_TOKEN', token: 'registered-token-77' },
    });
    const { mask } = await import('../../../src/secrets.js');
    expect(mask('token=registered-token-77')).toBe('token=***');
  });
});

describe('statements and the dialect', () => {
  test('statements split at top-level semicolons only', () => {
    expect(splitStatements(`SELECT ';' AS a; SELECT 'it''s;' AS b -- c;\n; SELECT $$;$$; /* ; */ SELECT "a;b" FROM t;;`)).toEqual([
      `SELECT ';' AS a`,
      `SELECT 'it''s;' AS b -- c;`,
      'SELECT $$;$$',
      '/* ; */ SELECT "a;b" FROM t',
    ]);
    expect(splitStatements(`SELECT 'a\\';b'`)).toEqual([`SELECT 'a\\';b'`]);
  });

  test.each([
    ['CREATE OR REPLACE TEMP TABLE x AS SELECT 1', 'ddl'],
    ['-- why\n  drop table x', 'ddl'],
    ['ALTER TABLE t ADD COLUMN c INT', 'ddl'],
    ['ALTER SESSION SET QUERY_TAG = 1', 'control'],
    ['MERGE INTO t USING s ON 1=1 WHEN MATCHED THEN DELETE', 'dml'],
    ['TRUNCATE TABLE t', 'dml'],
    ['COPY INTO t FROM @s', 'dml'],
    ['WITH a AS (SELECT 1) SELECT * FROM a', 'read'],
    ["PUT 'file:///x' @s", 'file'],
    ['COMMIT', 'control'],
  ])('%s is %s', (sql, kind) => {
    expect(statementKind(sql)).toBe(kind);
  });

  test('the dialect renders Snowflake SQL', () => {
    const d = snowflakeDialect;
    expect(d.jsonText('_record', ['customer', 'email'])).toBe(`GET_PATH(_record, 'customer.email')::VARCHAR`);
    expect(d.jsonText('_record', ['lines', '0', 'my key'])).toBe(`GET_PATH(_record, 'lines[0]."my key"')::VARCHAR`);
    expect(d.explode('b._record', ['lines'], 'e')).toEqual({
      join: `, LATERAL FLATTEN(INPUT => GET_PATH(b._record, 'lines')) AS e`,
      index: 'e.index',
      value: 'e.value',
    });
    expect(d.columnType('decimal(12, 2)')).toBe('NUMBER(12,2)');
    expect(d.columnType('timestamp')).toBe('TIMESTAMP_NTZ');
    // integer is NUMBER(38,0), held to BIGINT's range; double is FLOAT, held to finite values.
    expect(d.tryConvert('x', 'integer')).toBe(
      'CASE WHEN TRY_CAST(x AS NUMBER(38,0)) BETWEEN -9223372036854775808 AND 9223372036854775807 THEN TRY_CAST(x AS NUMBER(38,0)) END',
    );
    expect(d.tryConvert('x', 'double')).toBe('CASE WHEN ABS(TRY_CAST(x AS DOUBLE)) <= 1.7976931348623157e308 THEN TRY_CAST(x AS DOUBLE) END');
    expect(d.tryConvert('x', 'decimal(12,2)')).toBe('TRY_CAST(x AS NUMBER(12,2))');
    expect(d.joinNonNull(['a', 'b'])).toBe(`ARRAY_TO_STRING(ARRAY_COMPACT(ARRAY_CONSTRUCT(a, b)), ',')`);
    // Snowflake reads backslash escapes in string constants: \s must be sent as \\s.
    expect(d.regexpFullMatch('email', '^[^@\\s]+@[^@\\s]+$')).toBe(`REGEXP_LIKE(email, '^[^@\\\\s]+@[^@\\\\s]+$')`);
    expect([d.jsonType, d.timestampType]).toEqual(['VARIANT', 'TIMESTAMP_NTZ']);
  });
});

describe('a login that gets no answer', () => {
  test('is given up after loginTimeoutSeconds with a message naming the account, not retried for minutes', async () => {
    // A login endpoint that takes the request and never answers (a firewall that drops, a wrong proxy).
    const silent = createServer(() => undefined);
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', () => resolve()));
    const url = `http://127.0.0.1:${(silent.address() as { port: number }).port}`;
    try {
      const settings = snowflakeSettingsFromEnv({ ...baseEnv(), SNOWFLAKE_ACCESS_URL: url, SNOWFLAKE_AUTHENTICATOR: 'PROGRAMMATIC_ACCESS_TOKEN', SNOWFLAKE_USER: 'u', SNOWFLAKE_TOKEN: SECRETS.token });
      const refused = await SnowflakeWarehouse.open(settings, { loginTimeoutSeconds: 1 }).catch((e: unknown) => e);
      expect(refused).toBeInstanceOf(WarehouseError);
      expect((refused as Error).message).toBe(
        `cannot log in to Snowflake (${url}): no answer within 1 s; check the account identifier or URL and that this runner can reach it`,
      );
    } finally {
      silent.closeAllConnections();
      await new Promise((resolve) => silent.close(resolve));
    }
  }, 20_000);
});
