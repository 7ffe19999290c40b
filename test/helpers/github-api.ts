// A loopback GitHub REST API for the PR comment and freshness issue flows. Every request is checked
// against GitHub's official OpenAPI description (@octokit/openapi, api.github.com): the operation must
// exist, its path and query parameters must be declared and of the declared type, and its JSON body must
// match the request schema with no undeclared top-level field. Answers are the description's own examples,
// with ids, numbers and bodies set so that the flow works (a created comment is listed afterwards), and
// each answer is itself checked against the response schema. Anything that does not match is recorded in
// `violations` and answered with a 400, so the client fails loudly too.
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import { Ajv, type ValidateFunction } from 'ajv';

const require = createRequire(import.meta.url);

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

interface Parameter {
  name: string;
  in: 'path' | 'query' | 'header';
  required?: boolean;
  schema: JsonObject;
}

interface Operation {
  operationId: string;
  method: string;
  template: string;
  pattern: RegExp;
  pathNames: string[];
  parameters: Parameter[];
  body?: ValidateFunction;
  /** Undeclared top-level body fields are a violation (GitHub ignores some, but a typo is a bug here). */
  bodyFields?: Set<string>;
  responses: Record<string, { example?: Json; validate?: ValidateFunction }>;
}

interface Description {
  operations: Operation[];
  examples: Record<string, Json>;
}

let description: Description | undefined;

/** Parsed once per test process: the description is 13 MB. */
function loadDescription(): Description {
  if (description) return description;
  const spec = JSON.parse(readFileSync(require.resolve('@octokit/openapi/generated/api.github.com.json'), 'utf8')) as {
    paths: Record<string, Record<string, JsonObject>>;
    components: { schemas: JsonObject; parameters: Record<string, Parameter>; examples: Record<string, { value: Json }> };
  };
  const ajv = new Ajv({ strict: false, validateFormats: false, allErrors: true, validateSchema: false });
  ajv.addSchema({ $id: 'gh.json', components: { schemas: toJsonSchema(spec.components.schemas) } } as object, undefined, undefined, false);
  const compiled = new Map<string, ValidateFunction>();
  const compile = (schema: Json): ValidateFunction => {
    const key = JSON.stringify(schema);
    const known = compiled.get(key);
    if (known) return known;
    const validate = ajv.compile(toJsonSchema(absolute(schema)) as object);
    compiled.set(key, validate);
    return validate;
  };
  const resolveRef = <T>(node: T): T => {
    const ref = (node as { $ref?: string }).$ref;
    if (!ref) return node;
    const [, kind, name] = /^#\/components\/(\w+)\/(.+)$/.exec(ref)!;
    return (spec.components as unknown as Record<string, Record<string, T>>)[kind][name];
  };

  const operations: Operation[] = [];
  for (const [template, methods] of Object.entries(spec.paths)) {
    const pathNames = [...template.matchAll(/\{(\w+)\}/g)].map((m) => m[1]);
    const pattern = new RegExp(`^${template.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{\w+\}/g, '([^/]+)')}$`);
    for (const [method, op] of Object.entries(methods)) {
      if (!['get', 'post', 'patch', 'put', 'delete'].includes(method)) continue;
      const parameters = ((op.parameters ?? []) as Json[]).map((p) => resolveRef(p as unknown as Parameter));
      const bodySchema = (op.requestBody as { content?: Record<string, { schema: JsonObject }> } | undefined)?.content?.['application/json']?.schema;
      // Compiled on first use: the description has about a thousand operations.
      let body: ValidateFunction | undefined;
      const responses: Operation['responses'] = {};
      for (const [status, response] of Object.entries((op.responses ?? {}) as Record<string, JsonObject>)) {
        const content = (resolveRef(response).content as Record<string, { schema?: Json; examples?: Record<string, { value?: Json; $ref?: string }> }> | undefined)?.['application/json'];
        const example = content?.examples?.default;
        let validate: ValidateFunction | undefined;
        responses[status] = {
          example: example ? (example.value ?? resolveRef(example as { $ref: string; value?: Json }).value) : undefined,
          get validate() {
            return content?.schema ? (validate ??= compile(content.schema)) : undefined;
          },
        };
      }
      operations.push({
        operationId: op.operationId as string,
        method: method.toUpperCase(),
        template,
        pattern,
        pathNames,
        parameters,
        get body() {
          return bodySchema ? (body ??= compile(bodySchema)) : undefined;
        },
        bodyFields: bodySchema?.properties ? new Set(Object.keys(bodySchema.properties as JsonObject)) : undefined,
        responses,
      });
    }
  }
  // Literal segments win over parameters (/issues/comments/{id} before /issues/{number}/...).
  operations.sort((a, b) => a.pathNames.length - b.pathNames.length);
  const examples = Object.fromEntries(Object.entries(spec.components.examples).map(([k, v]) => [k, v.value]));
  description = { operations, examples };
  return description;
}

/** OpenAPI 3.0 `nullable` without a `type` (beside allOf/anyOf) is not JSON Schema; Ajv needs it spelled out. */
function toJsonSchema(node: Json): Json {
  if (Array.isArray(node)) return node.map(toJsonSchema);
  if (!node || typeof node !== 'object') return node;
  const out: JsonObject = {};
  for (const [k, v] of Object.entries(node)) out[k] = k === 'example' || k === 'examples' ? v : toJsonSchema(v);
  // In OpenAPI 3.0 `nullable` admits null even beside an enum that does not list it.
  if (out.nullable === true && Array.isArray(out.enum) && !out.enum.includes(null)) out.enum = [...out.enum, null];
  if (out.nullable === true && out.type === undefined) {
    const { nullable: _, ...rest } = out;
    return { anyOf: [rest, { type: 'null' }] };
  }
  return out;
}

/** Refs inside a schema taken out of the description point back into it. */
function absolute(node: Json): Json {
  if (Array.isArray(node)) return node.map(absolute);
  if (!node || typeof node !== 'object') return node;
  return Object.fromEntries(Object.entries(node).map(([k, v]) => [k, k === '$ref' && typeof v === 'string' && v.startsWith('#') ? `gh.json${v}` : absolute(v)]));
}

export interface Comment {
  id: number;
  issue: number;
  body: string;
  user: string;
}

export interface Issue {
  number: number;
  title: string;
  body: string;
  labels: string[];
  state: 'open' | 'closed';
  state_reason: string | null;
  isPullRequest: boolean;
}

export interface RecordedRequest {
  operationId: string;
  method: string;
  path: string;
  query: Record<string, string>;
  body?: unknown;
}

export interface FakeGitHub {
  url: string;
  owner: string;
  repo: string;
  comments: Comment[];
  issues: Issue[];
  requests: RecordedRequest[];
  /** Requests (or our answers) that do not match the description; a test expects none. */
  violations: string[];
  /** The next call of this operation is answered with this status and GitHub's error body. */
  failNext(operationId: string, status: number): void;
  /** Adds an open issue or pull request, as if someone had opened it. */
  addIssue(issue: Partial<Issue> & { title: string }): Issue;
  addComment(issue: number, body: string, user?: string): Comment;
  close(): Promise<void>;
}

export async function startFakeGitHub(options: { token: string; owner?: string; repo?: string }): Promise<FakeGitHub> {
  const spec = loadDescription();
  const owner = options.owner ?? 'acme-retail';
  const repo = options.repo ?? 'dataops';
  const comments: Comment[] = [];
  const issues: Issue[] = [];
  const requests: RecordedRequest[] = [];
  const violations: string[] = [];
  const failures = new Map<string, number>();
  let nextCommentId = 1_000_000;
  let nextIssueNumber = 1;
  let clock = Date.parse('2026-11-22T12:00:00Z');
  const now = () => new Date((clock += 1000)).toISOString().replace(/\.\d{3}Z$/, 'Z');
  let base = '';

  const bot = (login: string) => ({ ...((spec.examples['issue-comment'] as JsonObject).user as JsonObject), login, type: login.endsWith('[bot]') ? 'Bot' : 'User' });
  const commentJson = (c: Comment): Json => {
    const template = spec.examples['issue-comment'] as JsonObject;
    return {
      ...template,
      id: c.id,
      node_id: `IC_${c.id}`,
      body: c.body,
      user: bot(c.user),
      url: `${base}/repos/${owner}/${repo}/issues/comments/${c.id}`,
      html_url: `https://github.com/${owner}/${repo}/pull/${c.issue}#issuecomment-${c.id}`,
      issue_url: `${base}/repos/${owner}/${repo}/issues/${c.issue}`,
      created_at: now(),
      updated_at: now(),
    };
  };
  const issueJson = (i: Issue): Json => {
    const template = spec.examples.issue as JsonObject;
    const label = (template.labels as JsonObject[])[0];
    const { pull_request: _, ...withoutPr } = template;
    return {
      ...withoutPr,
      ...(i.isPullRequest ? { pull_request: template.pull_request } : {}),
      id: 500_000 + i.number,
      node_id: `I_${i.number}`,
      number: i.number,
      title: i.title,
      body: i.body,
      state: i.state,
      state_reason: i.state_reason,
      labels: i.labels.map((name, n) => ({ ...label, id: 900 + n, name })),
      url: `${base}/repos/${owner}/${repo}/issues/${i.number}`,
      html_url: `https://github.com/${owner}/${repo}/issues/${i.number}`,
      closed_at: i.state === 'closed' ? now() : null,
    };
  };

  const handlers: Record<string, (req: { params: Record<string, string>; query: Record<string, string>; body: JsonObject }) => { status: number; body: Json; items?: boolean }> = {
    'issues/list-comments': ({ params }) => ({ status: 200, body: comments.filter((c) => c.issue === Number(params.issue_number)).map(commentJson), items: true }),
    'issues/create-comment': ({ params, body }) => {
      const comment = { id: nextCommentId++, issue: Number(params.issue_number), body: String(body.body), user: 'github-actions[bot]' };
      comments.push(comment);
      return { status: 201, body: commentJson(comment) };
    },
    'issues/update-comment': ({ params, body }) => {
      const comment = comments.find((c) => c.id === Number(params.comment_id));
      if (!comment) return { status: 404, body: { message: 'Not Found', documentation_url: 'https://docs.github.com/rest' } };
      comment.body = String(body.body);
      return { status: 200, body: commentJson(comment) };
    },
    'issues/list-for-repo': ({ query }) => {
      const state = query.state ?? 'open';
      const labels = query.labels ? query.labels.split(',') : [];
      const found = issues
        .filter((i) => state === 'all' || i.state === state)
        .filter((i) => labels.every((l) => i.labels.includes(l)))
        // GitHub's default order: newest first.
        .sort((a, b) => b.number - a.number);
      return { status: 200, body: found.map(issueJson), items: true };
    },
    'issues/create': ({ body }) => {
      const issue: Issue = {
        number: nextIssueNumber++,
        title: String(body.title),
        body: String(body.body ?? ''),
        labels: ((body.labels ?? []) as Json[]).map((l) => (typeof l === 'string' ? l : String((l as JsonObject).name))),
        state: 'open',
        state_reason: null,
        isPullRequest: false,
      };
      issues.push(issue);
      return { status: 201, body: issueJson(issue) };
    },
    'issues/update': ({ params, body }) => {
      const issue = issues.find((i) => i.number === Number(params.issue_number));
      if (!issue) return { status: 404, body: { message: 'Not Found', documentation_url: 'https://docs.github.com/rest' } };
      if (body.state === 'open' || body.state === 'closed') issue.state = body.state;
      if (body.state_reason !== undefined) issue.state_reason = body.state_reason as string | null;
      if (typeof body.title === 'string') issue.title = body.title;
      return { status: 200, body: issueJson(issue) };
    },
  };

  const server = createServer((req, res) => {
    void handle(req, res).catch((e: unknown) => {
      violations.push(`server error: ${String(e)}`);
      send(res, 500, { message: String(e) });
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', base);
    const method = req.method ?? 'GET';
    const raw = await readBody(req);
    const reject = (why: string) => {
      violations.push(`${method} ${url.pathname}${url.search}: ${why}`);
      send(res, 400, { message: `does not match GitHub's OpenAPI description: ${why}`, documentation_url: 'https://docs.github.com/rest' });
    };

    const op = spec.operations.find((o) => o.method === method && o.pattern.test(url.pathname));
    if (!op) return reject('no such operation in the description');
    if (req.headers.authorization !== `token ${options.token}` && req.headers.authorization !== `Bearer ${options.token}`) {
      return send(res, 401, { message: 'Bad credentials', documentation_url: 'https://docs.github.com/rest' });
    }
    const values = op.pattern.exec(url.pathname)!.slice(1).map(decodeURIComponent);
    const params = Object.fromEntries(op.pathNames.map((n, i) => [n, values[i]]));
    const query = Object.fromEntries(url.searchParams);
    const problems: string[] = [];
    const given = [...Object.entries(params).map(([name, value]) => ({ where: 'path', name, value })), ...Object.entries(query).map(([name, value]) => ({ where: 'query', name, value }))];
    for (const { where, name, value } of given) {
      const declared = op.parameters.find((p) => p.in === where && p.name === name);
      if (!declared) problems.push(`undeclared ${where} parameter ${name}`);
      else if (!checkScalar(declared.schema, value)) problems.push(`${where} parameter ${name}=${JSON.stringify(value)} is not ${JSON.stringify(declared.schema)}`);
    }
    for (const p of op.parameters.filter((p) => p.required && p.in === 'query')) if (!(p.name in query)) problems.push(`missing required query parameter ${p.name}`);
    let body: JsonObject = {};
    if (raw.length) {
      try {
        body = JSON.parse(raw) as JsonObject;
      } catch {
        problems.push('the body is not JSON');
      }
      if (!op.body) problems.push('a body where the operation takes none');
      else if (!op.body(body)) problems.push(`body: ${ajvErrors(op.body)}`);
      if (op.bodyFields) for (const field of Object.keys(body)) if (!op.bodyFields.has(field)) problems.push(`undeclared body field ${field}`);
    } else if (op.body && ['POST', 'PATCH', 'PUT'].includes(method)) {
      problems.push('no body');
    }
    if (problems.length) return reject(`${op.operationId}: ${problems.join('; ')}`);
    requests.push({ operationId: op.operationId, method, path: url.pathname, query, body: raw.length ? body : undefined });

    const failing = failures.get(op.operationId);
    if (failing) {
      failures.delete(op.operationId);
      const example = op.responses[String(failing)]?.example ?? { message: 'Resource not accessible by integration', documentation_url: 'https://docs.github.com/rest' };
      return send(res, failing, example);
    }
    const handler = handlers[op.operationId];
    if (!handler) return reject(`${op.operationId} is valid but this fake does not answer it`);
    const answer = handler({ params, query, body });
    const declared = op.responses[String(answer.status)];
    if (!declared) return reject(`${op.operationId} does not answer ${answer.status}`);
    let payload = answer.body;
    const headers: Record<string, string> = {};
    if (answer.items && Array.isArray(payload)) {
      const perPage = Number(query.per_page ?? 30);
      const page = Number(query.page ?? 1);
      const last = Math.max(1, Math.ceil(payload.length / perPage));
      if (page < last) {
        const next = new URL(url);
        next.searchParams.set('page', String(page + 1));
        headers.link = `<${next.href}>; rel="next"`;
      }
      payload = payload.slice((page - 1) * perPage, page * perPage);
    }
    const validate = declared.validate;
    if (validate && answer.status < 300 && !validate(payload)) violations.push(`our answer to ${op.operationId}: ${ajvErrors(validate)}`);
    send(res, answer.status, payload, headers);
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url: base,
    owner,
    repo,
    comments,
    issues,
    requests,
    violations,
    failNext: (operationId, status) => void failures.set(operationId, status),
    addIssue: (issue) => {
      const added: Issue = { number: nextIssueNumber++, body: '', labels: [], state: 'open', state_reason: null, isPullRequest: false, ...issue };
      issues.push(added);
      return added;
    },
    addComment: (issue, body, user = 'maria-data') => {
      const added = { id: nextCommentId++, issue, body, user };
      comments.push(added);
      return added;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

function checkScalar(schema: JsonObject, value: string): boolean {
  if (Array.isArray(schema.enum) && !schema.enum.includes(value)) return false;
  if (schema.type === 'integer') return /^-?\d+$/.test(value);
  if (schema.type === 'number') return value.trim() !== '' && Number.isFinite(Number(value));
  if (schema.type === 'boolean') return value === 'true' || value === 'false';
  return true;
}

function ajvErrors(validate: ValidateFunction): string {
  return (validate.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message}`).join(', ');
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let data = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (data += chunk));
    req.on('end', () => resolve(data));
    req.on('error', reject);
  });
}

function send(res: ServerResponse, status: number, body: Json | undefined, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
  res.end(body === undefined ? '' : JSON.stringify(body));
}
