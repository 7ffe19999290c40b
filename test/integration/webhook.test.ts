// The alert webhook against real loopback receivers (node:http on 127.0.0.1): what it posts, and that its
// URL, whose path is the secret in Slack's hooks, never shows in what the step prints, whatever the
// receiver answers (an error page that echoes the URL, a redirect, silence).
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { runAlerts, type Alert } from '../../src/alerts/alerts.js';
import { deliverAlerts } from '../../src/alerts/deliver.js';
import { webhookFromEnv, WEBHOOK_ENV } from '../../src/alerts/webhook.js';
import { createGitHub, type GitHub } from '../../src/github/client.js';
import type { CheckOutcome } from '../../src/quality/checks.js';
import { mask } from '../../src/secrets.js';
import { startFakeGitHub, type FakeGitHub } from '../helpers/github-api.js';

const SECRET = 'T0001/B0002/xoxbSecretHookToken7f3c9a1e';
const TOKEN = 'ghs_webhookTest0123456789abcdefghijkl';
const repo = { owner: 'acme-retail', repo: 'dataops' };

interface Received {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
}

interface Receiver {
  url: string;
  received: Received[];
  close(): Promise<void>;
}

/** A receiver that records each request and answers as `answer` says. */
async function startReceiver(answer: (req: Received, res: ServerResponse) => void): Promise<Receiver> {
  const received: Received[] = [];
  const sockets = new Set<import('node:net').Socket>();
  const server: Server = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (body += chunk));
    req.on('end', () => {
      const r = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, body };
      received.push(r);
      answer(r, res);
    });
  });
  server.on('connection', (s) => (sockets.add(s), s.on('close', () => sockets.delete(s))));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    received,
    close: () => new Promise<void>((resolve) => {
      for (const s of sockets) s.destroy();
      server.close(() => resolve());
    }),
  };
}

let fake: FakeGitHub;
let github: GitHub;
const receivers: Receiver[] = [];

beforeAll(async () => {
  fake = await startFakeGitHub({ token: TOKEN, ...repo });
  github = createGitHub(TOKEN, { GITHUB_API_URL: fake.url });
});

afterAll(async () => {
  await fake?.close();
});

afterEach(async () => {
  for (const r of receivers.splice(0)) await r.close();
});

async function receiver(answer: (req: Received, res: ServerResponse) => void): Promise<Receiver> {
  const r = await startReceiver(answer);
  receivers.push(r);
  return r;
}

function failingCheck(status: CheckOutcome['status'] = 'fail'): CheckOutcome {
  return {
    pipeline: 'stores', file: 'pipelines/stores.yml', line: 12, table: 'silver.stores', check: 'not_null(store_id)', kind: 'not_null',
    severity: 'error', status, failing_rows: status === 'pass' ? 0 : 3, message: status === 'pass' ? 'ok' : '3 failing rows', sql: 'SELECT * FROM silver.stores WHERE store_id IS NULL',
    table_rows: null, samples: [],
  };
}

function alertsOf(runId: string, options: { runFails: boolean; check: CheckOutcome['status'] }): Alert[] {
  return runAlerts({
    earlierFailures: options.runFails ? [{ pipeline: 'stores', step: 'ingest', error: 'stores: HTTP 503 from https://api.example/stores' }] : [],
    pipelines: [{ pipeline: 'stores', batches: [], silverLoads: [], checks: [failingCheck(options.check)] }],
  }, { runId, runUrl: `https://github.com/acme-retail/dataops/actions/runs/${runId}` });
}

/** Everything a step would print about the delivery: its problems, and the lines the caller logs. */
function printed(delivery: Awaited<ReturnType<typeof deliverAlerts>>): string {
  return [...delivery.problems, ...delivery.events.map((e) => mask(`${e.alert.summary} ${e.url ?? ''}`))].join('\n');
}

function expectHidden(text: string, url: string): void {
  expect(text).not.toContain(SECRET);
  expect(text).not.toContain(encodeURIComponent(SECRET));
  expect(text).not.toContain(url);
  expect(text).not.toContain('xoxbSecretHookToken');
}

describe('the alert webhook', () => {
  it('posts one Slack-compatible message with what changed: opened, failed again, recovered, each with its issue', async () => {
    const hook = await receiver((_req, res) => res.writeHead(200, { 'content-type': 'text/plain' }).end('ok'));
    const url = webhookFromEnv({ [WEBHOOK_ENV]: `${hook.url}/services/${SECRET}` })!;
    const targets = { github: { client: github, repo, kinds: ['run', 'check'] as const }, webhook: url };

    const first = await deliverAlerts(alertsOf('run_1', { runFails: true, check: 'fail' }), { ...targets, runId: 'run_1' });
    const again = await deliverAlerts(alertsOf('run_2', { runFails: false, check: 'fail' }), { ...targets, runId: 'run_2' });
    const quiet = await deliverAlerts(alertsOf('run_3', { runFails: false, check: 'pass' }), { ...targets, runId: 'run_3' });
    const none = await deliverAlerts(alertsOf('run_4', { runFails: false, check: 'pass' }), { ...targets, runId: 'run_4' });

    expect([first, again, quiet, none].map((d) => d.problems)).toEqual([[], [], [], []]);
    // Nothing changed in run_4: no message.
    expect([first, again, quiet, none].map((d) => d.webhookSent)).toEqual([true, true, true, false]);
    expect(hook.received.map((r) => [r.method, r.url, r.headers['content-type']])).toEqual(Array(3).fill(['POST', `/services/${SECRET}`, 'application/json; charset=utf-8']));
    const texts = hook.received.map((r) => (JSON.parse(r.body) as { text: string }).text);
    expect(Object.keys(JSON.parse(hook.received[0].body))).toEqual(['text']);
    const [runIssue, checkIssue] = first.issues!.opened;
    expect(texts[0].split('\n')).toEqual([
      'dataops in acme-retail/dataops: 2 failing (run run_1)',
      `🔴 pipeline stores: run run_1 failed: ingest: stores: HTTP 503 from https://api.example/stores <${runIssue.url}|issue>`,
      `🔴 silver.stores not_null(store_id) failed: 3 failing rows (pipelines/stores.yml:12) <${checkIssue.url}|issue>`,
    ]);
    // The run recovered while the check failed again; then the check recovered.
    expect(texts[1].split('\n')).toEqual([
      'dataops in acme-retail/dataops: 1 failing, 1 recovered (run run_2)',
      `🔁 silver.stores not_null(store_id) failed: 3 failing rows (pipelines/stores.yml:12) <${checkIssue.url}|issue>`,
      `✅ pipeline stores: run run_2 succeeded <${runIssue.url}|issue>`,
    ]);
    expect(texts[2]).toBe(`dataops in acme-retail/dataops: 1 recovered (run run_3)\n✅ silver.stores not_null(store_id) passes again <${checkIssue.url}|issue>`);
    expect(fake.violations).toEqual([]);
    for (const d of [first, again, quiet]) expectHidden(printed(d), url.href);
  });

  it('without issues, says what is failing on every run; warnings send nothing', async () => {
    const hook = await receiver((_req, res) => res.writeHead(204).end());
    const url = webhookFromEnv({ [WEBHOOK_ENV]: `${hook.url}/services/${SECRET}` })!;
    const failing = await deliverAlerts(alertsOf('run_1', { runFails: false, check: 'fail' }), { webhook: url, runId: 'run_1' });
    const warned = await deliverAlerts(runAlerts({ earlierFailures: [], pipelines: [{ pipeline: 'stores', batches: [], silverLoads: [], checks: [{ ...failingCheck('warn'), severity: 'warn' }] }] }, { runId: 'run_2' }), { webhook: url, runId: 'run_2' });
    expect([failing.webhookSent, warned.webhookSent]).toEqual([true, false]);
    expect(hook.received).toHaveLength(1);
    expect((JSON.parse(hook.received[0].body) as { text: string }).text).toContain('🔴 silver.stores not_null(store_id) failed: 3 failing rows');
  });

  it.each([
    {
      what: 'an error page that echoes the URL, raw and encoded',
      answer: (req: Received, res: ServerResponse) => res.writeHead(500, { 'content-type': 'application/json' }).end(JSON.stringify({ error: `no such hook ${req.url}`, encoded: encodeURIComponent(req.url) })),
      problem: /failed with HTTP 500: \{"error":"no such hook \*\*\*","encoded":"\*\*\*"\}/,
    },
    {
      what: 'a redirect to another server (not followed)',
      answer: (req: Received, res: ServerResponse) => res.writeHead(302, { location: `http://127.0.0.2:9${req.url}` }).end(),
      problem: /failed with HTTP 302 \(a redirect, which is not followed: set the final URL\)/,
    },
    {
      what: 'a receiver that never answers (the wait is bounded)',
      answer: () => undefined,
      problem: /failed: no answer within 0\.3 s/,
    },
  ])('warns without the URL or its secret on $what', async ({ answer, problem }) => {
    const hook = await receiver(answer);
    const url = webhookFromEnv({ [WEBHOOK_ENV]: `${hook.url}/services/${SECRET}?token=${SECRET}` })!;
    const delivery = await deliverAlerts(alertsOf('run_1', { runFails: true, check: 'pass' }), { webhook: url, webhookTimeoutMs: 300, runId: 'run_1' });
    expect(delivery.webhookSent).toBe(false);
    expect(delivery.problems).toEqual([expect.stringMatching(problem)]);
    expect(hook.received).toHaveLength(1);
    expectHidden(printed(delivery), url.href);
  });

  it('refuses a value that is not an http(s) URL without showing it', () => {
    expect(() => webhookFromEnv({ [WEBHOOK_ENV]: `hooks.example.com/${SECRET}` })).toThrow(/DATAOPS_ALERT_WEBHOOK_URL is not a URL \(its value is not shown: it is a secret\)/);
    try {
      webhookFromEnv({ [WEBHOOK_ENV]: `hooks.example.com/${SECRET}` });
    } catch (e) {
      expect((e as Error).message).not.toContain(SECRET);
    }
    expect(webhookFromEnv({ [WEBHOOK_ENV]: ' ' })).toBeUndefined();
  });
});
