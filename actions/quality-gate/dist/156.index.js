export const id = 156;
export const ids = [156];
export const modules = {

/***/ 87156:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

// ESM COMPAT FLAG
__webpack_require__.r(__webpack_exports__);

// EXPORTS
__webpack_require__.d(__webpack_exports__, {
  DEFAULT_OIDC_AUDIENCE: () => (/* reexport */ DEFAULT_OIDC_AUDIENCE),
  SNOWFLAKE_AUTHENTICATORS: () => (/* reexport */ SNOWFLAKE_AUTHENTICATORS),
  SNOWFLAKE_ENV_NAMES: () => (/* reexport */ SNOWFLAKE_ENV_NAMES),
  SnowflakeWarehouse: () => (/* binding */ SnowflakeWarehouse),
  SnowflakeWarehouseError: () => (/* reexport */ SnowflakeWarehouseError),
  fetchGitHubOidcToken: () => (/* reexport */ fetchGitHubOidcToken),
  openSnowflakeFromEnv: () => (/* binding */ openSnowflakeFromEnv),
  queryTagFor: () => (/* reexport */ adapter/* queryTagFor */.a6),
  snowflakeDialect: () => (/* reexport */ snowflakeDialect),
  snowflakeSettingsFromEnv: () => (/* reexport */ snowflakeSettingsFromEnv),
  snowflakeString: () => (/* reexport */ tokenize/* snowflakeString */.mh),
  splitStatements: () => (/* reexport */ splitStatements),
  statementKind: () => (/* reexport */ statementKind)
});

// EXTERNAL MODULE: external "node:crypto"
var external_node_crypto_ = __webpack_require__(77598);
// EXTERNAL MODULE: external "node:fs/promises"
var promises_ = __webpack_require__(51455);
// EXTERNAL MODULE: external "node:path"
var external_node_path_ = __webpack_require__(76760);
// EXTERNAL MODULE: external "node:timers/promises"
var external_node_timers_promises_ = __webpack_require__(58500);
;// CONCATENATED MODULE: ./src/warehouse/aws-node-warning.ts
// snowflake-sdk loads the AWS SDK (for stages on S3), which on Node 20 warns, on every command that
// touches Snowflake, that its releases after January 2027 will need Node 22. It says nothing about the
// command being run, so it is turned off with the SDK's own switch for exactly that warning (imported
// before snowflake-sdk, which checks it as it loads). A value the user set is kept.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';


// EXTERNAL MODULE: ./node_modules/snowflake-sdk/dist/index.js
var dist = __webpack_require__(10618);
var dist_default = /*#__PURE__*/__webpack_require__.n(dist);
// EXTERNAL MODULE: ./src/errors.ts
var errors = __webpack_require__(83916);
// EXTERNAL MODULE: ./src/secrets.ts
var secrets = __webpack_require__(27194);
// EXTERNAL MODULE: ./src/warehouse/adapter.ts
var adapter = __webpack_require__(42176);
// EXTERNAL MODULE: ./src/sql/tokenize.ts
var tokenize = __webpack_require__(10571);
;// CONCATENATED MODULE: ./src/warehouse/snowflake-dialect.ts
// The dialect: the SQL fragments the engine renders differently per warehouse, in Snowflake SQL.


/** A GET_PATH path: a.b[0], with keys that are not plain identifiers double-quoted. */
function getPath(path) {
    return (0,tokenize/* snowflakeString */.mh)(path
        .map((p, i) => (/^\d+$/.test(p) ? `[${p}]` : /^[A-Za-z_][A-Za-z0-9_]*$/.test(p) ? `${i ? '.' : ''}${p}` : `${i ? '.' : ''}"${p.replace(/"/g, '""')}"`))
        .join(''));
}
function snowflakeColumnType(type) {
    const simple = {
        string: 'VARCHAR',
        integer: 'NUMBER(38,0)',
        bigint: 'NUMBER(38,0)',
        double: 'DOUBLE',
        boolean: 'BOOLEAN',
        date: 'DATE',
        timestamp: 'TIMESTAMP_NTZ',
        json: 'VARIANT',
    };
    const decimal = /^decimal\((\d+),\s*(\d+)\)$/i.exec(type);
    if (decimal)
        return `NUMBER(${decimal[1]},${decimal[2]})`;
    return simple[type] ?? type.toUpperCase();
}
/** The greatest finite double. */
const MAX_DOUBLE = '1.7976931348623157e308';
const snowflakeDialect = {
    // A VARIANT string cast to VARCHAR loses its JSON quotes; a JSON null becomes SQL NULL; objects,
    // arrays and numbers become their JSON text.
    jsonText: (json, path) => (path.length ? `GET_PATH(${json}, ${getPath(path)})::VARCHAR` : `${json}::VARCHAR`),
    jsonValue: (json, path) => (path.length ? `GET_PATH(${json}, ${getPath(path)})` : json),
    explode: (json, path, alias) => ({
        // FLATTEN yields nothing for NULL input; callers select arrays only (FLATTEN also walks objects).
        join: `, LATERAL FLATTEN(INPUT => ${snowflakeDialect.jsonValue(json, path)}) AS ${alias}`,
        index: `${alias}.index`,
        value: `${alias}.value`,
    }),
    arrayLength: (json, path) => {
        const value = snowflakeDialect.jsonValue(json, path);
        return `CASE WHEN IS_ARRAY(${value}) THEN ARRAY_SIZE(${value}) END`;
    },
    columnType: snowflakeColumnType,
    tryConvert: (text, type) => {
        // Through TIMESTAMP_TZ so an offset such as +02:00 is applied, not dropped (TIMESTAMP_NTZ
        // ignores it); text without an offset is read in the session time zone, which is UTC.
        if (type === 'timestamp')
            return `CONVERT_TIMEZONE('UTC', TRY_CAST(${text} AS TIMESTAMP_TZ))::TIMESTAMP_NTZ`;
        if (type === 'json')
            return `TRY_PARSE_JSON(${text})`;
        const value = `TRY_CAST(${text} AS ${snowflakeColumnType(type)})`;
        // FLOAT holds inf and NaN ('inf', or 1e400 rounded up); a double column holds finite numbers only.
        // NaN compares greater than every number, so it fails the test too.
        if (type === 'double')
            return `CASE WHEN ABS(${value}) <= ${MAX_DOUBLE} THEN ${value} END`;
        // integer and bigint are NUMBER(38,0) here: held to BIGINT's range, as on DuckDB.
        if (type === 'integer' || type === 'bigint')
            return `CASE WHEN ${value} BETWEEN ${-(2n ** 63n)} AND ${2n ** 63n - 1n} THEN ${value} END`;
        return value;
    },
    // ARRAY_COMPACT drops the NULLs ARRAY_CONSTRUCT keeps (the same as ARRAY_CONSTRUCT_COMPACT, which
    // fakesnow 0.12.1 fails to bind); an empty array joins to ''.
    joinNonNull: (exprs) => (exprs.length ? `ARRAY_TO_STRING(ARRAY_COMPACT(ARRAY_CONSTRUCT(${exprs.join(', ')})), ',')` : `''`),
    jsonType: 'VARIANT',
    // REGEXP_LIKE matches the whole string (it is implicitly anchored).
    regexpFullMatch: (expr, pattern) => `REGEXP_LIKE(${expr}, ${(0,tokenize/* snowflakeString */.mh)(pattern)})`,
    timestampType: 'TIMESTAMP_NTZ',
    quote: tokenize/* snowflakeString */.mh,
    epochSeconds: (expr) => `DATE_PART(EPOCH_SECOND, ${expr})`,
    now: `CONVERT_TIMEZONE('UTC', CURRENT_TIMESTAMP())::TIMESTAMP_NTZ`,
    plusSeconds: (expr, seconds) => `DATEADD(second, ${Math.trunc(seconds)}, ${expr})`,
};

;// CONCATENATED MODULE: ./src/warehouse/snowflake-settings.ts
// The Snowflake connection as the environment describes it: the account, the authenticator and its
// credentials (every secret registered for masking), and GitHub's OIDC token for workload identity.
// No driver here: reading settings must not load snowflake-sdk.


const SNOWFLAKE_AUTHENTICATORS = ['SNOWFLAKE_JWT', 'PROGRAMMATIC_ACCESS_TOKEN', 'OAUTH_CLIENT_CREDENTIALS', 'WORKLOAD_IDENTITY'];
/** The environment variable behind each setting; any of them can be renamed. */
const SNOWFLAKE_ENV_NAMES = {
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
};
/** With no OIDC_AUDIENCE_LIST on the Snowflake user, Snowflake expects this audience. */
const DEFAULT_OIDC_AUDIENCE = 'snowflakecomputing.com';
/**
 * Reads the connection settings from environment variables. Every secret is registered for masking.
 * A missing variable is one WarehouseError that names it (and, for the authenticator, the choices).
 */
function snowflakeSettingsFromEnv(env, names = {}) {
    const n = { ...SNOWFLAKE_ENV_NAMES, ...names };
    const get = (key) => {
        const value = env[n[key]]?.trim();
        return value ? value : undefined;
    };
    const need = (key, why) => {
        const value = get(key);
        if (value === undefined)
            throw new errors/* WarehouseError */.kQ(`${n[key]} is not set: ${why}`);
        return value;
    };
    const secret = (value) => ((0,secrets/* registerSecret */.cl)(value), value);
    const accessUrl = get('accessUrl') ?? accessUrlFromHost(get('host'), get('port'), get('protocol'), n);
    const account = get('account');
    if (!account && !accessUrl) {
        throw new errors/* WarehouseError */.kQ(`${n.account} is not set: the Snowflake account identifier (orgname-accountname), or ${n.accessUrl} with the account's URL`);
    }
    const authenticator = (get('authenticator')?.toUpperCase() ?? inferAuthenticator(get, n));
    if (!SNOWFLAKE_AUTHENTICATORS.includes(authenticator)) {
        throw new errors/* WarehouseError */.kQ(`${n.authenticator} is ${JSON.stringify(get('authenticator'))}: expected one of ${SNOWFLAKE_AUTHENTICATORS.join(', ')}`);
    }
    let credentials;
    switch (authenticator) {
        case 'SNOWFLAKE_JWT': {
            const privateKey = secret(normalizePem(get('privateKey')));
            const privateKeyPath = get('privateKeyPath');
            if (!privateKey && !privateKeyPath) {
                throw new errors/* WarehouseError */.kQ(`${n.privateKey} is not set: key-pair authentication (SNOWFLAKE_JWT) needs the private key (PEM), or ${n.privateKeyPath} with its file`);
            }
            credentials = { authenticator, privateKey, privateKeyPath, privateKeyPassphrase: secret(get('privateKeyPassphrase')) };
            break;
        }
        case 'PROGRAMMATIC_ACCESS_TOKEN':
            credentials = { authenticator, token: secret(need('token', 'PROGRAMMATIC_ACCESS_TOKEN authentication needs the programmatic access token')) };
            break;
        case 'OAUTH_CLIENT_CREDENTIALS':
            credentials = {
                authenticator,
                clientId: need('oauthClientId', 'OAUTH_CLIENT_CREDENTIALS authentication needs the OAuth client id'),
                clientSecret: secret(need('oauthClientSecret', 'OAUTH_CLIENT_CREDENTIALS authentication needs the OAuth client secret')),
                tokenRequestUrl: get('oauthTokenRequestUrl'),
                scope: get('oauthScope'),
            };
            break;
        case 'WORKLOAD_IDENTITY': {
            const why = (what) => `WORKLOAD_IDENTITY authentication needs GitHub's OIDC ${what} (give the job \`permissions: id-token: write\`)`;
            credentials = {
                authenticator,
                oidc: {
                    requestUrl: need('oidcRequestUrl', why('token endpoint')),
                    requestToken: secret(need('oidcRequestToken', why('request token'))),
                    audience: get('oidcAudience') ?? DEFAULT_OIDC_AUDIENCE,
                },
            };
            break;
        }
    }
    const user = get('user');
    if (!user && (authenticator === 'SNOWFLAKE_JWT' || authenticator === 'PROGRAMMATIC_ACCESS_TOKEN')) {
        throw new errors/* WarehouseError */.kQ(`${n.user} is not set: ${authenticator} authentication needs the Snowflake login name`);
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
function accessUrlFromHost(host, port, protocol, n) {
    if (!host) {
        if (port || protocol)
            throw new errors/* WarehouseError */.kQ(`${n.host} is not set: ${port ? n.port : n.protocol} is set, but not the host it belongs to`);
        return undefined;
    }
    const scheme = (protocol ?? 'https').toLowerCase().replace(/:$/, '');
    if (scheme !== 'https' && scheme !== 'http')
        throw new errors/* WarehouseError */.kQ(`${n.protocol} is ${JSON.stringify(protocol)}: expected https or http`);
    if (port && !/^\d{1,5}$/.test(port))
        throw new errors/* WarehouseError */.kQ(`${n.port} is ${JSON.stringify(port)}: expected a port number`);
    return `${scheme}://${host}${port ? `:${port}` : ''}`;
}
function inferAuthenticator(get, n) {
    if (get('privateKey') || get('privateKeyPath'))
        return 'SNOWFLAKE_JWT';
    if (get('token'))
        return 'PROGRAMMATIC_ACCESS_TOKEN';
    if (get('oauthClientId'))
        return 'OAUTH_CLIENT_CREDENTIALS';
    throw new errors/* WarehouseError */.kQ(`${n.authenticator} is not set: expected one of ${SNOWFLAKE_AUTHENTICATORS.join(', ')} ` +
        `(or set the credential it infers from: ${n.privateKey}/${n.privateKeyPath}, ${n.token} or ${n.oauthClientId})`);
}
/** A PEM pasted into a one-line secret often has literal "\n" sequences instead of newlines. */
function normalizePem(pem) {
    if (!pem)
        return undefined;
    const text = !pem.includes('\n') && pem.includes('\\n') ? pem.replace(/\\n/g, '\n') : pem;
    return text.endsWith('\n') ? text : `${text}\n`;
}
/**
 * GitHub Actions' OIDC token for an audience: GET $ACTIONS_ID_TOKEN_REQUEST_URL&audience=… with the
 * request token as a bearer token; the answer is { "value": "<jwt>" }.
 */
async function fetchGitHubOidcToken(oidc, fetchFn = fetch) {
    const url = new URL(oidc.requestUrl);
    url.searchParams.set('audience', oidc.audience);
    let response;
    try {
        response = await fetchFn(url, { headers: { Authorization: `bearer ${oidc.requestToken}`, Accept: 'application/json' } });
    }
    catch (e) {
        throw new errors/* WarehouseError */.kQ(`cannot reach GitHub's OIDC token endpoint (${SNOWFLAKE_ENV_NAMES.oidcRequestUrl}): ${(0,secrets/* mask */.dK)(e.message)}`);
    }
    if (!response.ok) {
        throw new errors/* WarehouseError */.kQ(`GitHub's OIDC token endpoint answered HTTP ${response.status}; the job needs \`permissions: id-token: write\` for WORKLOAD_IDENTITY`);
    }
    const body = (await response.json().catch(() => undefined));
    if (typeof body?.value !== 'string' || !body.value) {
        throw new errors/* WarehouseError */.kQ(`GitHub's OIDC token endpoint answered without a token (expected {"value": "<jwt>"})`);
    }
    (0,secrets/* registerSecret */.cl)(body.value);
    return body.value;
}

;// CONCATENATED MODULE: ./src/warehouse/snowflake-statements.ts
// What the driver's errors mean (a session gone, a transient failure, a statement refused), and SQL
// split into statements and classified by what they do to a transaction.


/** A statement Snowflake refused or could not run: its error code, SQL state and query id. */
class SnowflakeWarehouseError extends errors/* WarehouseError */.kQ {
    code;
    sqlState;
    queryId;
    constructor(message, 
    /** Snowflake's error code, e.g. '002003' (object does not exist), or the driver's (e.g. '401001'). */
    code, sqlState, queryId) {
        super(message);
        this.code = code;
        this.sqlState = sqlState;
        this.queryId = queryId;
    }
}
// The session is gone: log in again (statements sent on it did not run). 401004 is how the driver
// reports Snowflake's "session token invalid" answer to a query.
const SESSION_GONE = new Set(['390104', '390111', '390112', '390114', '401004']);
// Worth another try: the driver's network and response failures, after its own HTTP retries, and
// Snowflake's "internal error" / "processing aborted" codes.
const TRANSIENT = new Set(['401001', '401002', '402001', '402002', '000603', '000604', '000630', '390400']);
// The driver's own "connection never established / terminated" codes.
const NOT_CONNECTED = new Set(['407001', '407002']);
const LOST_TRANSACTION = 'the Snowflake session ended inside a transaction, so Snowflake rolled it back: ';
function codeOf(e) {
    const code = e?.code;
    return code === undefined || code === null ? undefined : String(code);
}
function toWarehouseError(e, sql, prefix = '') {
    const err = e;
    const code = codeOf(e);
    // The message often repeats "<code> (<state>): "; say it once.
    const text = String(err?.message ?? e).replace(/^\d{6} \([0-9A-Z]{5}\): /, '');
    const where = sql === undefined ? '' : `\n  in SQL: ${sql.length > 500 ? `${sql.slice(0, 500)}…` : sql}`;
    const label = code ? `Snowflake error ${code}${err?.sqlState ? ` (${err.sqlState})` : ''}` : 'Snowflake error';
    return new SnowflakeWarehouseError((0,secrets/* mask */.dK)(`${prefix}${label}: ${text}${where}`), code, err?.sqlState, err?.data?.queryId);
}
// Statements: splitting and classifying
/** Splits SQL into statements at top-level semicolons (not in strings, identifiers, $$…$$ or comments). */
function splitStatements(sql) {
    const out = [];
    let start = 0;
    let i = 0;
    while (i < sql.length) {
        const c = sql[i];
        const next = sql[i + 1];
        if (c === "'") {
            for (i++; i < sql.length; i++) {
                if (sql[i] === '\\')
                    i++;
                else if (sql[i] === "'") {
                    if (sql[i + 1] === "'")
                        i++;
                    else
                        break;
                }
            }
            i++;
        }
        else if (c === '"') {
            i = sql.indexOf('"', i + 1);
            while (i !== -1 && sql[i + 1] === '"')
                i = sql.indexOf('"', i + 2);
            i = i === -1 ? sql.length : i + 1;
        }
        else if (c === '$' && next === '$') {
            const end = sql.indexOf('$$', i + 2);
            i = end === -1 ? sql.length : end + 2;
        }
        else if ((c === '-' && next === '-') || (c === '/' && next === '/')) {
            const end = sql.indexOf('\n', i);
            i = end === -1 ? sql.length : end + 1;
        }
        else if (c === '/' && next === '*') {
            const end = sql.indexOf('*/', i + 2);
            i = end === -1 ? sql.length : end + 2;
        }
        else if (c === ';') {
            out.push(sql.slice(start, i));
            i++;
            start = i;
        }
        else {
            i++;
        }
    }
    out.push(sql.slice(start));
    return out.map((s) => s.trim()).filter((s) => stripComments(s) !== '');
}
function stripComments(sql) {
    return sql.replace(/^(\s|--[^\n]*(\n|$)|\/\/[^\n]*(\n|$)|\/\*[\s\S]*?\*\/)+/, '');
}
/** What a statement does to a transaction: DDL commits it, DML needs it, the rest leave it alone. */
function statementKind(sql) {
    const words = stripComments(sql).slice(0, 64).toUpperCase().split(/[\s(]+/);
    const [first, second] = words;
    if (['CREATE', 'DROP', 'UNDROP', 'GRANT', 'REVOKE', 'COMMENT'].includes(first))
        return 'ddl';
    if (first === 'ALTER')
        return second === 'SESSION' ? 'control' : 'ddl';
    if (['SELECT', 'WITH', 'SHOW', 'DESCRIBE', 'DESC', 'LIST', 'LS', 'EXPLAIN', 'VALUES'].includes(first))
        return 'read';
    if (['PUT', 'GET', 'REMOVE', 'RM'].includes(first))
        return 'file';
    if (['BEGIN', 'START', 'COMMIT', 'ROLLBACK', 'USE', 'SET', 'UNSET'].includes(first))
        return 'control';
    return 'dml';
}

;// CONCATENATED MODULE: ./src/warehouse/snowflake.ts
// The production warehouse: Snowflake through its Node driver (snowflake-sdk). It keeps the Warehouse
// contract of the embedded DuckDB: rows come back as plain JSON-friendly objects with lower-case
// column names, `execute` returns the rows changed, `transaction` is all-or-nothing, and bronze is
// appended in bulk with the same MD5 record hash and the same skipping of exact copies.
//
// Snowflake-specific behaviour worth knowing:
// - A DDL statement (CREATE, ALTER, DROP...) commits the open transaction, temporary objects included.
//   `transaction` therefore opens the transaction lazily, at the first DML statement, so that DDL
//   before it (CREATE TABLE IF NOT EXISTS, CREATE TEMP TABLE AS) runs in autocommit and is not a
//   problem. DDL after it commits the work so far, exactly as Snowflake would; the adapter does that
//   commit itself, so the emulator behaves the same, and logs a warning naming the statement.
// - Sessions expire; a statement that finds its session gone logs in again and is re-sent, unless a
//   transaction was open (Snowflake rolled it back with the session, and saying so is the only honest
//   answer). Transient failures (network, internal errors) are retried with backoff, re-sending the
//   same request id so Snowflake does not run a statement twice.
// - The query tag (`dataops:<pipeline>:<run>`) and the UTC time zone travel with every statement as
//   statement parameters rather than ALTER SESSION, so a tag can also be set for one statement.




// First: it must run before snowflake-sdk loads.









// What callers use of the warehouse's parts, from one front door.



// ---------------------------------------------------------------------------------------------
// Driver logging: through mask(), to whoever opened a warehouse with a `log`, else nowhere
// (left alone, the driver writes snowflake.log into the working directory).
const logSinks = new Set();
let configuredLevel;
function configureDriverLogging(level) {
    if (configuredLevel === level)
        return;
    configuredLevel = level;
    const emit = (tag) => (message) => {
        if (logSinks.size === 0)
            return;
        const line = (0,secrets/* mask */.dK)(`snowflake-sdk ${tag}: ${message}`);
        for (const sink of logSinks)
            sink(line);
    };
    dist_default().configure({
        logLevel: level,
        customLogger: { error: emit('ERROR'), warn: emit('WARN'), info: emit('INFO'), debug: emit('DEBUG'), trace: emit('TRACE') },
    });
}
const DEFAULT_LOGIN_TIMEOUT_SECONDS = 60;
/** The session's temporary stage and table that bronze files pass through. */
const LOAD_STAGE = 'dataops_load_stage';
const LOAD_LINES = 'dataops_load_lines';
class SnowflakeWarehouse {
    settings;
    options;
    kind = 'snowflake';
    // attachReadOnly is DuckDB's stand-in for a share; Snowflake reads a shared database by name.
    capabilities = { merge: true, attachReadOnly: false, exclusiveWriter: false, fileStage: true };
    dialect = snowflakeDialect;
    location;
    connection;
    queryTag;
    tx;
    loadObjectsReady = false;
    log;
    attempts;
    baseDelayMs;
    constructor(settings, options) {
        this.settings = settings;
        this.options = options;
        this.location = `snowflake://${settings.account ?? new URL(settings.accessUrl).host}/${settings.database}.${settings.schema ?? 'PUBLIC'}`;
        this.queryTag = options.queryTag;
        this.log = options.log ? (line) => options.log((0,secrets/* mask */.dK)(line)) : () => undefined;
        this.attempts = Math.max(1, options.retry?.attempts ?? 4);
        this.baseDelayMs = options.retry?.baseDelayMs ?? 500;
    }
    /** Logs in (with retries for transient failures); the error names what failed, never a secret. */
    static async open(settings, options = {}) {
        configureDriverLogging(options.driverLogLevel ?? 'WARN');
        if (options.log)
            logSinks.add(options.log);
        const warehouse = new SnowflakeWarehouse(settings, options);
        try {
            await warehouse.connect();
        }
        catch (e) {
            if (options.log)
                logSinks.delete(options.log);
            throw e;
        }
        return warehouse;
    }
    /** Tags every later statement of this session (null/undefined: no tag), e.g. queryTagFor(pipeline, run). */
    setQueryTag(tag) {
        this.queryTag = tag === undefined ? undefined : tag.slice(0, 2000);
    }
    /** Models are written in Snowflake SQL: nothing to translate. */
    translate(snowflakeSql) {
        return { sql: snowflakeSql, diagnostics: [] };
    }
    async query(sql, options = {}) {
        let last = { rows: [], updated: 0 };
        for (const statement of splitStatements(sql))
            last = await this.run(statement, options);
        return last.rows;
    }
    async execute(sql, options = {}) {
        let updated = 0;
        for (const statement of splitStatements(sql))
            updated = (await this.run(statement, options)).updated;
        return updated;
    }
    async transaction(fn) {
        // Nested calls join the outer transaction: Snowflake transactions do not nest.
        if (this.tx)
            return fn();
        const tx = { begun: false };
        this.tx = tx;
        try {
            const result = await fn();
            if (tx.begun)
                await this.runOne('COMMIT', {});
            return result;
        }
        catch (e) {
            if (tx.begun)
                await this.runOne('ROLLBACK', {}).catch(() => undefined);
            throw e;
        }
        finally {
            this.tx = undefined;
        }
    }
    /**
     * PUT + COPY INTO, then one INSERT … SELECT. The file goes to a temporary stage as it is (gzip on the
     * way), is read back one line per row (CSV with a delimiter JSON text cannot contain, no quoting, no
     * escapes), so MD5 is taken of each record's exact text, as on DuckDB.
     *
     * Chosen over array binds (INSERT … VALUES (?) with one bind row per record, then the same
     * INSERT … SELECT): measured against fakesnow through this driver, 2,000 records took 0.1-0.35 s
     * this way and 10-19 s as array binds (fakesnow runs a bind array row by row); 10,000 records took
     * 0.4 s. On Snowflake itself, array binds past CLIENT_STAGE_ARRAY_BINDING_THRESHOLD are uploaded
     * to a temporary stage as CSV by the driver anyway, so staging the file we already have takes the
     * same path without holding and re-encoding every record in memory, and a request body never
     * approaches Snowflake's size limit however big the batch.
     */
    async appendBronze(table, file, batch) {
        await this.ensureLoadObjects();
        const dir = `${batch.batchId.replace(/[^A-Za-z0-9_.-]/g, '_').slice(0, 100)}-${(0,external_node_crypto_.randomUUID)().slice(0, 8)}`;
        await this.execute(`TRUNCATE TABLE ${LOAD_LINES}`);
        // The driver reports a failed upload as a result row, not as an error.
        const put = await this.run(`PUT ${(0,tokenize/* snowflakeString */.mh)(`file://${(0,external_node_path_.resolve)(file)}`)} @${LOAD_STAGE}/${dir}/ AUTO_COMPRESS = TRUE OVERWRITE = TRUE`, {});
        const failed = put.rows.find((r) => r.status !== 'UPLOADED' && r.status !== 'SKIPPED');
        if (put.rows.length === 0 || failed) {
            const why = failed ? `${failed.status}: ${failed.message}` : 'the driver uploaded nothing';
            throw new errors/* WarehouseError */.kQ(`cannot upload ${file} to the Snowflake stage ${LOAD_STAGE}: ${why}`);
        }
        const copy = await this.run(`COPY INTO ${LOAD_LINES} (line) FROM @${LOAD_STAGE}/${dir}/
       FILE_FORMAT = (TYPE = CSV FIELD_DELIMITER = '\u0001' FIELD_OPTIONALLY_ENCLOSED_BY = NONE ESCAPE_UNENCLOSED_FIELD = NONE)
       FORCE = TRUE PURGE = TRUE`, {});
        if (!copy.rows.some((r) => r.status === 'LOADED')) {
            throw new errors/* WarehouseError */.kQ(`COPY INTO ${LOAD_LINES} loaded no file from @${LOAD_STAGE}/${dir}/: ${JSON.stringify(copy.rows[0] ?? {})}`);
        }
        const recent = batch.copiesSince ? `t._fetched_at >= ${(0,tokenize/* snowflakeString */.mh)(batch.copiesSince.toISOString())}::TIMESTAMP_NTZ AND ` : '';
        return this.execute(`INSERT INTO ${table} (_batch_id, _source, _fetched_at, _record_hash, _record)
       SELECT ${(0,tokenize/* snowflakeString */.mh)(batch.batchId)}, ${(0,tokenize/* snowflakeString */.mh)(batch.source)},
              ${(0,tokenize/* snowflakeString */.mh)(batch.fetchedAt.toISOString())}::TIMESTAMP_NTZ, l.hash, PARSE_JSON(l.line)
       FROM (SELECT line, MD5(line) AS hash FROM ${LOAD_LINES} WHERE line IS NOT NULL
             QUALIFY ROW_NUMBER() OVER (PARTITION BY MD5(line) ORDER BY line) = 1) AS l
       WHERE NOT EXISTS (SELECT 1 FROM ${table} AS t WHERE ${recent}t._record_hash = l.hash)`);
    }
    async attachReadOnly(name, _path) {
        throw new errors/* WarehouseError */.kQ(`${name}: Snowflake reads a shared database by name (e.g. ${name.toUpperCase()}.SCHEMA.TABLE); there is nothing to attach`);
    }
    async replaceTable(table, replacement) {
        // SWAP exchanges the two tables' names in one atomic step; the old rows then go with the other name.
        if (await this.tableExists(table)) {
            await this.execute(`ALTER TABLE ${table} SWAP WITH ${replacement}`);
            await this.execute(`DROP TABLE ${replacement}`);
        }
        else {
            await this.execute(`ALTER TABLE ${replacement} RENAME TO ${table}`);
        }
    }
    async tableExists(qualifiedName) {
        const parts = qualifiedName.split('.');
        const [table, schema, database] = [parts.pop(), parts.pop(), parts.pop()];
        // Unquoted identifiers are stored upper-case.
        const name = (part) => (0,tokenize/* snowflakeString */.mh)(/^[A-Za-z_][A-Za-z0-9_$]*$/.test(part) ? part.toUpperCase() : part.replace(/^"|"$/g, ''));
        const catalog = database ? `${database}.` : '';
        const rows = await this.query(`SELECT 1 AS found FROM ${catalog}information_schema.tables
       WHERE table_schema = ${schema ? name(schema) : 'CURRENT_SCHEMA()'} AND table_name = ${name(table)}`);
        return rows.length > 0;
    }
    async close() {
        if (this.options.log)
            logSinks.delete(this.options.log);
        const connection = this.connection;
        this.connection = undefined;
        if (connection?.isUp())
            await new Promise((resolve) => connection.destroy(() => resolve()));
    }
    // ------------------------------------------------------------------------------------------
    /** One statement, inside the transaction rules (lazy BEGIN; DDL commits). */
    async run(sql, options) {
        const tx = this.tx;
        if (tx) {
            const kind = statementKind(sql);
            if (kind === 'dml' && !tx.begun) {
                await this.runOne('BEGIN TRANSACTION', {});
                tx.begun = true;
            }
            else if (kind === 'ddl' && tx.begun) {
                this.log(`warning: on Snowflake a DDL statement commits the open transaction; the work so far is committed before: ${sql.slice(0, 200)}`);
                await this.runOne('COMMIT', {});
                tx.begun = false;
            }
        }
        return this.runOne(sql, options);
    }
    /** Sends one statement: re-login when the session is gone, backoff and resend when transient. */
    async runOne(sql, options) {
        const requestId = (0,external_node_crypto_.randomUUID)();
        for (let attempt = 1;; attempt++) {
            try {
                if (!this.connection?.isUp()) {
                    // A new session would run the rest of the transaction's statements outside it.
                    if (this.tx?.begun)
                        throw new SnowflakeWarehouseError(`${LOST_TRANSACTION}the connection is down\n  in SQL: ${sql.slice(0, 500)}`);
                    await this.connect();
                }
                return await this.send(sql, requestId, options);
            }
            catch (e) {
                // Ours already (a failed login was retried where it happened).
                if (e instanceof errors/* WarehouseError */.kQ)
                    throw e;
                const code = codeOf(e);
                const gone = code !== undefined && (SESSION_GONE.has(code) || NOT_CONNECTED.has(code));
                if (gone && this.tx?.begun) {
                    this.tx.begun = false;
                    this.dropConnection();
                    throw toWarehouseError(e, sql, LOST_TRANSACTION);
                }
                if (attempt < this.attempts && (gone || (code !== undefined && TRANSIENT.has(code)))) {
                    const what = gone ? 'Snowflake session expired; logging in again' : `transient Snowflake error ${code}; retrying`;
                    this.log(`${what} (attempt ${attempt + 1} of ${this.attempts})`);
                    if (gone)
                        this.dropConnection();
                    else
                        await (0,external_node_timers_promises_.setTimeout)(backoff(this.baseDelayMs, attempt));
                    continue;
                }
                throw toWarehouseError(e, sql);
            }
        }
    }
    /** Forgets a dead session; destroying it stops the driver's keep-alive timer (its logout may fail). */
    dropConnection() {
        const connection = this.connection;
        this.connection = undefined;
        connection?.destroy(() => undefined);
    }
    send(sql, requestId, options) {
        const connection = this.connection;
        const tag = options.queryTag ?? this.queryTag;
        return new Promise((resolve, reject) => {
            connection.execute({
                sqlText: sql,
                requestId,
                rowMode: 'array',
                // VARIANT comes back as its JSON text, as DuckDB returns JSON; numbers as their text, so
                // integers past 2^53 are not rounded (see toPlain).
                fetchAsString: ['JSON', 'Number'],
                parameters: { TIMEZONE: 'UTC', ...(tag ? { QUERY_TAG: tag } : {}) },
                complete: (err, statement, rows) => {
                    if (err)
                        return reject(err);
                    try {
                        const columns = statement.getColumns() ?? [];
                        const names = (0,adapter/* uniqueColumnNames */.k$)(columns.map((c) => c.getName().toLowerCase()));
                        const types = columns.map((c) => c.getType());
                        const plain = (rows ?? []).map((values) => {
                            const row = {};
                            values.forEach((v, i) => (row[names[i]] = toPlain(v, types[i])));
                            return row;
                        });
                        resolve({ rows: plain, updated: Math.max(0, statement.getNumUpdatedRows() ?? 0) });
                    }
                    catch (e) {
                        reject(e);
                    }
                },
            });
        });
    }
    async connect() {
        let lastError;
        for (let attempt = 1; attempt <= this.attempts; attempt++) {
            try {
                const connection = dist_default().createConnection(await this.connectionOptions());
                await this.logIn(connection);
                this.connection = connection;
                this.loadObjectsReady = false; // temporary objects die with their session
                return;
            }
            catch (e) {
                if (e instanceof errors/* WarehouseError */.kQ)
                    throw e;
                lastError = e;
                const code = codeOf(e);
                if (attempt === this.attempts || code === undefined || !TRANSIENT.has(code))
                    break;
                this.log(`Snowflake login failed with ${code}; retrying (attempt ${attempt + 1} of ${this.attempts})`);
                await (0,external_node_timers_promises_.setTimeout)(backoff(this.baseDelayMs, attempt));
            }
        }
        const s = this.settings;
        const who = `${s.accessUrl ?? s.account}, ${s.authenticator}${s.user ? `, user ${s.user}` : ''}`;
        throw toWarehouseError(lastError, undefined, `cannot log in to Snowflake (${who}): `);
    }
    /** One login, bounded: the driver would retry an account it cannot reach for minutes. */
    async logIn(connection) {
        const seconds = this.options.loginTimeoutSeconds ?? DEFAULT_LOGIN_TIMEOUT_SECONDS;
        let timer;
        const timedOut = new Promise((_, reject) => {
            timer = setTimeout(() => {
                const s = this.settings;
                reject(new errors/* WarehouseError */.kQ(`cannot log in to Snowflake (${s.accessUrl ?? s.account}): no answer within ${seconds} s; check the account identifier or URL and that this runner can reach it`));
            }, seconds * 1000);
        });
        // connectAsync resolves whether or not the login worked; only its callback sees the error.
        let failure;
        const login = connection.connectAsync((err) => {
            failure = err;
        });
        try {
            await Promise.race([login, timedOut]);
        }
        catch (e) {
            // Stop the driver's own retries; it may not have a session to end.
            connection.destroy(() => undefined);
            throw e;
        }
        finally {
            clearTimeout(timer);
        }
        if (failure)
            throw failure;
    }
    /** The driver's options for one login; workload identity fetches a fresh OIDC token each time. */
    async connectionOptions() {
        const s = this.settings;
        const c = s.credentials;
        const options = {
            account: s.account ?? new URL(s.accessUrl).hostname.split('.')[0],
            ...(s.accessUrl ? { accessUrl: s.accessUrl } : {}),
            ...(s.user ? { username: s.user } : {}),
            ...(s.role ? { role: s.role } : {}),
            ...(s.warehouse ? { warehouse: s.warehouse } : {}),
            database: s.database,
            schema: s.schema ?? 'PUBLIC',
            application: 'dataops',
            // With fetchAsString (see send) a NULL would otherwise arrive as the text 'NULL'.
            representNullAsStringNull: false,
            authenticator: c.authenticator,
            // Hourly runs can sit in one step for a long time; keep the session from idling out.
            clientSessionKeepAlive: true,
        };
        switch (c.authenticator) {
            case 'SNOWFLAKE_JWT': {
                let privateKey = c.privateKey;
                if (!privateKey && c.privateKeyPath) {
                    try {
                        privateKey = normalizePem(await (0,promises_.readFile)(c.privateKeyPath, 'utf8'));
                    }
                    catch (e) {
                        throw new errors/* WarehouseError */.kQ(`cannot read the private key file ${c.privateKeyPath} (${SNOWFLAKE_ENV_NAMES.privateKeyPath}): ${e.message}`);
                    }
                    (0,secrets/* registerSecret */.cl)(privateKey);
                }
                return { ...options, privateKey, ...(c.privateKeyPassphrase ? { privateKeyPass: c.privateKeyPassphrase } : {}) };
            }
            case 'PROGRAMMATIC_ACCESS_TOKEN':
                return { ...options, token: c.token };
            case 'OAUTH_CLIENT_CREDENTIALS': {
                const tokenUrl = c.tokenRequestUrl;
                // The driver refuses plain-http token endpoints unless told; allow that only on loopback.
                const loopbackHttp = tokenUrl !== undefined && /^http:\/\/(127\.0\.0\.1|localhost|\[::1\])(:|\/|$)/.test(tokenUrl);
                return {
                    ...options,
                    oauthClientId: c.clientId,
                    oauthClientSecret: c.clientSecret,
                    ...(tokenUrl ? { oauthTokenRequestUrl: tokenUrl } : {}),
                    ...(c.scope ? { oauthScope: c.scope } : {}),
                    ...(loopbackHttp ? { oauthHttpAllowed: true } : {}),
                };
            }
            case 'WORKLOAD_IDENTITY':
                return {
                    ...options,
                    workloadIdentityProvider: 'OIDC',
                    token: await fetchGitHubOidcToken(c.oidc, this.options.fetch ?? fetch),
                };
        }
    }
    /** The temporary stage and table bronze files pass through, once per session. */
    async ensureLoadObjects() {
        if (this.loadObjectsReady && this.connection?.isUp())
            return;
        await this.execute(`CREATE TEMPORARY STAGE IF NOT EXISTS ${LOAD_STAGE}`);
        await this.execute(`CREATE TEMPORARY TABLE IF NOT EXISTS ${LOAD_LINES} (line VARCHAR)`);
        this.loadObjectsReady = true;
    }
}
/** Exponential backoff with full jitter: up to base·2^(attempt-1), at least a quarter of it. */
function backoff(baseMs, attempt) {
    const cap = baseMs * 2 ** (attempt - 1);
    return cap / 4 + Math.random() * (cap * 3) / 4;
}
/**
 * Driver values to the JSON-friendly ones DuckDB's adapter returns: numbers (an integer too big for a
 * double stays text), dates as YYYY-MM-DD, timestamps as ISO strings, VARIANT as its JSON text.
 */
function toPlain(value, type) {
    if (value === null || value === undefined)
        return null;
    if (typeof value === 'string' && (type === 'fixed' || type === 'real')) {
        const n = Number(value);
        if (type === 'fixed' && /^-?\d+$/.test(value) && !Number.isSafeInteger(n))
            return value;
        return Number.isNaN(n) && /^-?inf/i.test(value) ? (value.startsWith('-') ? -Infinity : Infinity) : n;
    }
    if (value instanceof Date)
        return type === 'date' ? value.toISOString().slice(0, 10) : value.toISOString();
    if (Buffer.isBuffer(value))
        return value.toString('hex');
    return value;
}
/** The Snowflake warehouse the environment describes (see snowflakeSettingsFromEnv). */
async function openSnowflakeFromEnv(env, options = {}) {
    return SnowflakeWarehouse.open(snowflakeSettingsFromEnv(env, options.names), options);
}


/***/ })

};
