// Every workflow under .github/workflows parses and validates with GitHub's own parser
// (@actions/workflow-parser, the one behind the Actions editor tooling), and keeps the security rules:
// permissions declared, third-party actions pinned by commit, no pull_request_target, secrets only
// through env:, untrusted values never pasted into scripts. The action.yml files go through the same
// parser. Then the rules for production data and secrets: no pull-request cache can restore a production
// one, no artifact holds a database, heredoc delimiters into $GITHUB_OUTPUT/$GITHUB_ENV are random, and
// the sources' variables (read from pipelines/*.yml) reach every step that needs them and no other. The parser ships ESM that imports JSON without attributes, which Node refuses: vitest.config.ts
// has Vite bundle it (server.deps.inline).
import { execFile } from 'node:child_process';
import { chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';
import { convertWorkflowTemplate, NoOperationTraceWriter, parseWorkflow } from '@actions/workflow-parser';
import { parseAction } from '@actions/workflow-parser/actions/action-parser';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const workflowDir = join(root, '.github', 'workflows');
const workflowFiles = readdirSync(workflowDir).filter((f) => /\.ya?ml$/.test(f)).sort();

interface Step {
  id?: string;
  if?: string;
  name?: string;
  uses?: string;
  run?: string;
  with?: Record<string, unknown>;
  env?: Record<string, unknown>;
}
interface Job {
  if?: string;
  permissions?: unknown;
  uses?: string;
  env?: Record<string, unknown>;
  steps?: Step[];
  concurrency?: { group?: string; 'cancel-in-progress'?: boolean };
  strategy?: { matrix?: Record<string, unknown> };
}
interface Workflow {
  on: Record<string, unknown> | string | string[];
  permissions?: unknown;
  env?: Record<string, unknown>;
  jobs: Record<string, Job>;
}

const read = (file: string) => readFileSync(join(workflowDir, file), 'utf8');
const load = (file: string) => parse(read(file)) as Workflow;
const events = (w: Workflow) => (typeof w.on === 'string' ? [w.on] : Array.isArray(w.on) ? w.on : Object.keys(w.on));
const onPullRequests = (w: Workflow) => events(w).some((e) => e.startsWith('pull_request'));

it('has the four workflows', () => {
  expect(workflowFiles).toEqual(expect.arrayContaining(['ci.yml', 'ingest.yml', 'pages.yml', 'pull-request.yml']));
});

describe.each(workflowFiles)('.github/workflows/%s', (file) => {
  it("parses and validates with GitHub's workflow parser, without errors", async () => {
    expect(await workflowErrors(file, read(file))).toEqual([]);
  });

  it('keeps the security rules', () => {
    expect(securityProblems(read(file))).toEqual([]);
  });
});

it('pins each action to one commit across all workflows', () => {
  const pins = new Map<string, Set<string>>();
  for (const file of workflowFiles) {
    for (const [, action, sha] of read(file).matchAll(/uses:\s*([\w.-]+\/[\w./-]+)@([0-9a-f]{40})/g)) {
      pins.set(action, (pins.get(action) ?? new Set()).add(sha));
    }
  }
  for (const [action, shas] of pins) expect([...shas], action).toHaveLength(1);
});

describe('what each workflow promises', () => {
  it('ingest: hourly and on demand; a plan job feeds a matrix of pipelines that never overlap', () => {
    const w = load('ingest.yml');
    const on = w.on as Record<string, { inputs?: Record<string, unknown> } | Array<{ cron: string }>>;
    expect((on.schedule as Array<{ cron: string }>)[0].cron).toMatch(/^\d+ \* \* \* \*$/);
    expect(Object.keys((on.workflow_dispatch as { inputs: Record<string, unknown> }).inputs)).toEqual(['pipelines', 'from', 'to']);
    const plan = w.jobs.plan.steps!.find((s) => s.run?.includes('dataops plan --due'));
    expect(plan).toBeDefined();
    const run = w.jobs.run;
    expect(run.strategy?.matrix?.pipeline).toBe('${{ fromJSON(needs.plan.outputs.pipelines) }}');
    expect(run.concurrency).toEqual({ group: 'ingest-${{ matrix.pipeline }}', 'cancel-in-progress': false });
    const local = run.steps!.filter((s) => s.uses?.startsWith('./')).map((s) => s.uses);
    expect(local).toEqual(['./actions/ingest', './actions/transform', './actions/quality-gate']);
    const [, transform, gate] = run.steps!.filter((s) => s.uses?.startsWith('./'));
    expect(transform.with?.['run-id']).toBe('${{ steps.ingest.outputs.run-id }}');
    expect(gate.with?.['run-id']).toBe('${{ steps.ingest.outputs.run-id }}');
    expect(run.steps!.some((s) => s.uses?.startsWith('actions/upload-artifact@'))).toBe(true);
  });

  it('ingest: by hand with from and to, the ingest step backfills that window, and transform and the gate follow it', () => {
    const w = load('ingest.yml');
    const ingest = w.jobs.run.steps!.find((s) => s.uses === './actions/ingest')!;
    expect(ingest.with).toMatchObject({ 'backfill-from': '${{ inputs.from }}', 'backfill-to': '${{ inputs.to }}' });
    const plan = w.jobs.plan.steps!.find((s) => s.id === 'plan')!;
    expect(plan.env).toMatchObject({ REQUESTED: '${{ inputs.pipelines }}', BACKFILL_FROM: '${{ inputs.from }}', BACKFILL_TO: '${{ inputs.to }}' });
  });

  describe("ingest: the plan step's script, run by bash with dataops stubbed", () => {
    const script = load('ingest.yml').jobs.plan.steps!.find((s) => s.id === 'plan')!.run!;
    it.each([
      { case: 'an hourly run takes the due pipelines', env: {}, code: 0, pipelines: ['retail_pos'], summary: 'Due: retail_pos' },
      { case: 'a backfill of the pipelines named', env: { REQUESTED: 'catalog inventory', BACKFILL_FROM: '2026-11-15', BACKFILL_TO: '2026-11-16' }, code: 0, pipelines: ['catalog', 'inventory'], summary: 'Backfill from 2026-11-15 to 2026-11-16: catalog inventory' },
      { case: 'a backfill of all', env: { REQUESTED: 'all', BACKFILL_FROM: '2026-11-15', BACKFILL_TO: '2026-11-16' }, code: 0, pipelines: ['catalog', 'retail_pos'], summary: 'Backfill from 2026-11-15 to 2026-11-16: catalog retail_pos' },
      { case: 'a backfill with no pipelines named', env: { BACKFILL_FROM: '2026-11-15', BACKFILL_TO: '2026-11-16' }, code: 1, error: '::error::a backfill takes the pipelines to backfill: name them, or all' },
      { case: 'from without to', env: { REQUESTED: 'all', BACKFILL_FROM: '2026-11-15' }, code: 1, error: '::error::a backfill takes both from and to' },
    ])('$case', async ({ env, code, pipelines, summary, error }) => {
      const dir = mkdtempSync(join(tmpdir(), 'dataops-plan-step-'));
      try {
        // `npx dataops plan --due` names retail_pos; `plan --json` lists catalog and retail_pos.
        writeFileSync(join(dir, 'npx'), `#!/bin/sh
case "$*" in
  "dataops plan --due") echo retail_pos ;;
  "dataops plan --json") echo '{"tables":[],"due":[{"pipeline":"catalog"},{"pipeline":"retail_pos"}]}' ;;
esac
`);
        chmodSync(join(dir, 'npx'), 0o755);
        for (const file of ['output', 'summary']) writeFileSync(join(dir, file), '');
        const vars = { PATH: `${dir}:${process.env.PATH}`, GITHUB_OUTPUT: join(dir, 'output'), GITHUB_STEP_SUMMARY: join(dir, 'summary'), ...env };
        const ran = await promisify(execFile)('bash', ['-e', '-c', script], { env: vars }).then(
          (r) => ({ code: 0, stdout: r.stdout }),
          (e: { code: number; stdout: string }) => ({ code: e.code, stdout: e.stdout }),
        );
        expect(ran.code).toBe(code);
        if (error) expect(ran.stdout.trim()).toBe(error);
        else {
          expect(readFileSync(join(dir, 'output'), 'utf8')).toBe(`pipelines=${JSON.stringify(pipelines)}\n`);
          expect(readFileSync(join(dir, 'summary'), 'utf8')).toBe(`${summary}\n`);
        }
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  });

  it.each(['ingest.yml', 'pages.yml'])('%s: the landing files travel in the DuckDB file\'s cache entry', (file) => {
    const both = ['.dataops/dev.duckdb', '.dataops/landing'];
    const caches = Object.values(load(file).jobs).flatMap((j) => j.steps ?? []).filter((s) => /^actions\/cache(\/\w+)?@/.test(s.uses ?? ''));
    expect(caches.length).toBeGreaterThan(1);
    for (const step of caches) {
      const paths = String(step.with?.path).split('\n').map((p) => p.trim()).filter(Boolean);
      // Only an entry saved before the landing files joined is restored by the database's path alone.
      if (step.if?.includes("steps.restore.outputs.cache-matched-key == ''")) expect(paths).toEqual(['.dataops/dev.duckdb']);
      else expect(paths).toEqual(both);
    }
  });

  it('each step that signs in to Snowflake has the least role it needs (dataops grants), never a job-wide one', () => {
    // The role each step's Snowflake session gets: the step's env, else its job's.
    const roleOf = (job: Job, step: Step) => step.env?.SNOWFLAKE_ROLE ?? job.env?.SNOWFLAKE_ROLE;
    const ingest = load('ingest.yml').jobs.run;
    const step = (uses: string) => ingest.steps!.find((s) => s.uses === uses)!;
    expect(ingest.env?.SNOWFLAKE_ROLE).toBeUndefined();
    expect(roleOf(ingest, step('./actions/ingest'))).toBe('${{ vars.SNOWFLAKE_LOADER_ROLE || vars.SNOWFLAKE_ROLE }}');
    expect(roleOf(ingest, step('./actions/transform'))).toBe('${{ vars.SNOWFLAKE_TRANSFORMER_ROLE || vars.SNOWFLAKE_ROLE }}');
    expect(roleOf(ingest, step('./actions/quality-gate'))).toBe('${{ vars.SNOWFLAKE_TRANSFORMER_ROLE || vars.SNOWFLAKE_ROLE }}');
    const pages = load('pages.yml').jobs.build;
    expect(roleOf(pages, pages.steps!.find((s) => s.run === 'npx dataops report --out _site')!)).toBe('${{ vars.SNOWFLAKE_REPORTER_ROLE || vars.SNOWFLAKE_ROLE }}');
    // Pull requests: only the read-only pull-request role, whatever the step.
    for (const [name, job] of Object.entries(load('pull-request.yml').jobs)) {
      for (const s of job.steps ?? []) {
        const role = roleOf(job, s);
        if (role !== undefined) expect(role, `${name}: ${s.name ?? s.uses ?? s.run}`).toBe('${{ vars.SNOWFLAKE_PR_ROLE }}');
      }
    }
  });

  it('ci: the suite runs the browser tests in a real Chrome and keeps their screenshots as an artifact, even when a test fails', () => {
    const steps = load('ci.yml').jobs.test.steps ?? [];
    const test = steps.findIndex((s) => s.run === 'npm test');
    expect(steps[test]?.env?.CHROMIUM_PATH).toBe('/usr/bin/google-chrome');
    const upload = steps.findIndex((s) => s.uses?.startsWith('actions/upload-artifact@') && s.with?.path === 'test-results/screenshots');
    expect(upload).toBeGreaterThan(test);
    expect(steps[upload].if).toMatch(/!cancelled\(\)/);
  });

  it('pages: builds the site with dataops report and deploys it with the Pages actions', () => {
    const w = load('pages.yml');
    const steps = Object.values(w.jobs).flatMap((j) => j.steps ?? []);
    expect(steps.some((s) => s.run === 'npx dataops report --out _site')).toBe(true);
    // With no warehouse state the report says so; the demo's data is never published as the report.
    expect(steps.filter((s) => s.run?.includes('dataops demo'))).toEqual([]);
    expect(steps.some((s) => s.uses?.startsWith('actions/upload-pages-artifact@'))).toBe(true);
    expect(steps.some((s) => s.uses?.startsWith('actions/deploy-pages@'))).toBe(true);
    expect(w.jobs.deploy.permissions).toEqual({ pages: 'write', 'id-token': 'write' });
    // A failed report page fails the build job but not the publishing of the site it wrote.
    const upload = steps.find((s) => s.uses?.startsWith('actions/upload-pages-artifact@'))!;
    expect(upload.if).toMatch(/!cancelled\(\) && steps\.site\.outputs\.built == 'true'/);
    expect(steps.find((s) => s.id === 'site')?.if).toMatch(/!cancelled\(\) && hashFiles\('_site\/index\.html'\) != ''/);
    expect(w.jobs.deploy.if).toMatch(/!cancelled\(\) && needs\.build\.outputs\.site-built == 'true'/);
  });
});

describe.each(['ingest', 'transform', 'quality-gate'])('actions/%s/action.yml', (name) => {
  it("parses and validates with GitHub's action parser", () => {
    const content = readFileSync(join(root, 'actions', name, 'action.yml'), 'utf8');
    const result = parseAction({ name: `actions/${name}/action.yml`, content }, new NoOperationTraceWriter());
    expect(result.context.errors.getErrors().map((e) => e.message)).toEqual([]);
    expect(result.value).toBeDefined();
  });
});

// A parse without errors means something only if the parser does report the mistakes that matter.
describe("GitHub's parser rejects a broken copy of ingest.yml", () => {
  it.each([
    { mistake: 'a misspelt key', from: 'cancel-in-progress: false', to: 'cancel-in-progres: false', error: /Unexpected value 'cancel-in-progres'/ },
    { mistake: 'a context not available there', from: 'max-parallel: ${{', to: 'max-parallel: ${{ secrets.X }} #', error: /Unrecognized named-value: 'secrets'/ },
    { mistake: 'a need of an unknown job', from: 'needs: plan', to: 'needs: plann', error: /depends on unknown job 'plann'/ },
    { mistake: 'a cron with four fields', from: "cron: '17 * * * *'", to: "cron: '17 * * *'", error: /Invalid cron expression/ },
  ])('$mistake', async ({ from, to, error }) => {
    const content = read('ingest.yml');
    expect(content).toContain(from);
    const errors = await workflowErrors('ingest.yml', content.replace(from, to));
    expect(errors.join('\n')).toMatch(error);
  });
});

/** Errors from parsing (the schema, expressions and their contexts) and from converting (needs, cron, matrix). */
async function workflowErrors(name: string, content: string): Promise<string[]> {
  const result = parseWorkflow({ name, content }, new NoOperationTraceWriter());
  if (!result.value) return result.context.errors.getErrors().map((e) => e.message);
  const template = await convertWorkflowTemplate(result.context, result.value);
  const messages = result.context.errors.getErrors().map((e) => e.message);
  for (const e of template.errors ?? []) if (!messages.includes(e.Message)) messages.push(e.Message);
  return messages;
}

describe('the security rules catch', () => {
  const bad = `
on: pull_request_target
permissions: write-all
jobs:
  build:
    runs-on: ubuntu-24.04
    steps:
      - uses: actions/checkout@v4
      - uses: actions/setup-node@49933ea5288caeca8642d1e84afbd3f7d6820020
      - run: echo "\${{ github.event.pull_request.title }}"
      - uses: ./actions/ingest
        with:
          token: \${{ secrets.API_TOKEN }}
`;
  const problems = securityProblems(bad);
  it.each([
    /pull_request_target/,
    /permissions: write-all/,
    /actions\/checkout@v4: not pinned/,
    /actions\/setup-node@\w+: no version comment/,
    /run script pastes \$\{\{ github\.event\.pull_request\.title \}\}/,
    /secret outside env: jobs\.build\.steps\.3\.with\.token/,
    /actions\/checkout without persist-credentials: false/,
  ])('%s', (problem) => {
    expect(problems.join('\n')).toMatch(problem);
  });
});

/**
 * The rules, each problem one line: permissions declared (write scopes per job only), third-party actions
 * pinned by SHA with a version comment, no pull_request_target, secrets only in env: maps, no ${{ }}
 * pasted into run: scripts (a PR title or an input there is a script injection; an env variable is data),
 * and checkouts that do not leave the token in .git/config.
 */
function securityProblems(content: string): string[] {
  const problems: string[] = [];
  const workflow = parse(content) as Workflow;
  const events = typeof workflow.on === 'string' ? [workflow.on] : Array.isArray(workflow.on) ? workflow.on : Object.keys(workflow.on);
  if (events.includes('pull_request_target')) problems.push('runs on pull_request_target');

  const broad = ['write-all', 'read-all'];
  if (workflow.permissions === undefined) problems.push('no workflow-level permissions: the default token may be read-write');
  else if (broad.includes(workflow.permissions as string)) problems.push(`permissions: ${workflow.permissions}`);
  else if (typeof workflow.permissions === 'object' && workflow.permissions) {
    for (const [scope, level] of Object.entries(workflow.permissions)) if (level === 'write') problems.push(`workflow-level ${scope}: write reaches every job`);
  }
  for (const [id, job] of Object.entries(workflow.jobs)) {
    if (job.permissions === undefined && (workflow.permissions === undefined || JSON.stringify(workflow.permissions) === '{}')) {
      problems.push(`job ${id} declares no permissions`);
    } else if (broad.includes(job.permissions as string)) problems.push(`job ${id} permissions: ${job.permissions}`);
    for (const step of job.steps ?? []) {
      for (const e of expressions(step.run)) problems.push(`job ${id}: run script pastes \${{ ${e} }}`);
      if (step.uses?.startsWith('actions/checkout@') && step.with?.['persist-credentials'] !== false) {
        problems.push(`job ${id}: actions/checkout without persist-credentials: false`);
      }
    }
  }

  for (const line of content.split('\n').filter((l) => /^\s*(-\s+)?uses:/.test(l))) {
    const ref = /uses:\s*([^\s#]+)/.exec(line)![1];
    if (ref.startsWith('./')) continue;
    if (!/^[\w.-]+\/[\w./-]+@[0-9a-f]{40}$/.test(ref)) problems.push(`${ref}: not pinned to a full commit SHA`);
    else if (!/@[0-9a-f]{40} # v\d+\.\d+\.\d+$/.test(line)) problems.push(`${ref}: no version comment (# vX.Y.Z) naming the SHA`);
  }

  walk(workflow, [], (path, value) => {
    // Allowed only as the value of one variable of an env: map (workflow, job or step level).
    if (/\bsecrets\b/.test(expressions(value).join(' ')) && path.at(-2) !== 'env') problems.push(`secret outside env: ${path.join('.')}`);
  });
  if (/toJSON\(\s*secrets\s*\)/i.test(content)) problems.push('toJSON(secrets) exposes every secret');
  return problems;
}

/** The text inside each ${{ }} of a string. */
function expressions(value: unknown): string[] {
  if (typeof value !== 'string') return [];
  return [...value.matchAll(/\$\{\{([\s\S]*?)\}\}/g)].map((m) => m[1].trim());
}

function walk(node: unknown, path: string[], visit: (path: string[], value: unknown) => void): void {
  if (Array.isArray(node)) node.forEach((item, i) => walk(item, [...path, String(i)], visit));
  else if (node && typeof node === 'object') for (const [key, value] of Object.entries(node)) walk(value, [...path, key], visit);
  else visit(path, node);
}

// ---------------------------------------------------------------------------------------------------
// Production data stays out of pull requests and artifacts.

describe('caches and artifacts: nothing produced from production data reaches a pull request or an artifact', () => {
  const productionPrefixes = workflowFiles.map(load).filter((w) => !onPullRequests(w)).flatMap((w) => cacheKeys(w, 'save').map(staticPrefix));

  it('the production caches have a fixed key prefix (the hourly runs save them)', () => {
    expect([...new Set(productionPrefixes)]).toEqual(['dataops-duckdb-']);
  });

  it.each(workflowFiles.filter((f) => onPullRequests(load(f))))('%s restores no cache a production key could match', (file) => {
    expect(cacheProblems(load(file), productionPrefixes)).toEqual([]);
  });

  it("pull-request.yml keeps each pull request's cache apart, and a fork's apart from a branch's", () => {
    const keys = cacheKeys(load('pull-request.yml'), 'restore');
    expect(keys.length).toBeGreaterThan(0);
    for (const key of keys) {
      expect(key).toContain('github.event.pull_request.number');
      expect(key).toMatch(/head\.repo\.full_name != github\.repository && 'fork' \|\| 'branch'/);
    }
  });

  it.each(workflowFiles)('%s uploads no database file as an artifact', (file) => {
    expect(artifactProblems(load(file))).toEqual([]);
  });

  describe('the rules catch', () => {
    const w = parse(`
on: pull_request
env: { ANY: dataops- }
jobs:
  gate:
    steps:
      - uses: actions/cache/restore@27d5ce7f107fe9357f9df03efb73ab90386fccae # v5.0.5
        with: { path: db, key: 'pr-\${{ github.run_id }}', restore-keys: "pr-x-\\ndataops-duckdb-" }
      - uses: actions/cache/restore@27d5ce7f107fe9357f9df03efb73ab90386fccae # v5.0.5
        with: { path: db, key: '\${{ env.ANY }}\${{ github.run_id }}' }
      - uses: actions/cache@27d5ce7f107fe9357f9df03efb73ab90386fccae # v5.0.5
        with: { path: db, key: '\${{ github.sha }}' }
      - uses: actions/upload-artifact@bbbca2ddaa5d8feaa63e36b76fdaad77386f024f # v7.0.0
        with: { name: run, path: ".dataops/dev.duckdb\\n.dataops/site" }
      - uses: actions/upload-artifact@bbbca2ddaa5d8feaa63e36b76fdaad77386f024f # v7.0.0
        with: { name: all, path: .dataops }
`) as Workflow;
    const problems = [...cacheProblems(w, ['dataops-duckdb-']), ...artifactProblems(w)].join('\n');
    it.each([
      /job gate: cache key "dataops-duckdb-" can restore a production cache \(dataops-duckdb-\.\.\.\)/,
      /job gate: cache key "dataops-\$\{\{ github\.run_id \}\}" can restore a production cache/,
      /job gate: cache key "\$\{\{ github\.sha \}\}" can restore a production cache/,
      /job gate: artifact "run" uploads \.dataops\/dev\.duckdb, a database file/,
      /job gate: artifact "all" uploads \.dataops, a database file/,
    ])('%s', (problem) => expect(problems).toMatch(problem));
    it('and nothing else', () => expect(problems.split('\n')).toHaveLength(5));
  });
});

/** Keys (key and each restore key, with `${{ env.X }}` filled in) of the workflow's cache steps of one kind. */
function cacheKeys(w: Workflow, kind: 'save' | 'restore'): string[] {
  const keys: string[] = [];
  for (const job of Object.values(w.jobs)) {
    for (const step of job.steps ?? []) {
      const action = /^actions\/cache(\/(save|restore))?@/.exec(step.uses ?? '');
      if (!action || (action[2] && action[2] !== kind)) continue;
      const env = { ...w.env, ...job.env, ...step.env };
      const fill = (text: string) => text.replace(/\$\{\{\s*env\.(\w+)\s*\}\}/g, (whole, name: string) => (name in env ? String(env[name]) : whole));
      keys.push(fill(String(step.with?.key ?? '')));
      if (kind === 'restore') keys.push(...String(step.with?.['restore-keys'] ?? '').split('\n').map((k) => k.trim()).filter(Boolean).map(fill));
    }
  }
  return keys;
}

/** The literal start of a key, before its first expression: all a prefix match can rely on. */
function staticPrefix(key: string): string {
  return key.split('${{')[0];
}

/**
 * A restore key matches every saved key that starts with it. It can match a production key when either
 * literal start is a prefix of the other (an expression may expand to anything).
 */
function cacheProblems(w: Workflow, productionPrefixes: string[]): string[] {
  const problems: string[] = [];
  for (const [id, job] of Object.entries(w.jobs)) {
    for (const key of cacheKeys({ ...w, jobs: { [id]: job } }, 'restore')) {
      const start = staticPrefix(key);
      const clash = productionPrefixes.find((p) => p.startsWith(start) || start.startsWith(p));
      if (clash !== undefined) problems.push(`job ${id}: cache key "${key}" can restore a production cache (${clash}...)`);
    }
  }
  return problems;
}

/** Artifacts are readable by anyone who can read the repository: no database file, nor a folder that holds one. */
function artifactProblems(w: Workflow): string[] {
  const problems: string[] = [];
  for (const [id, job] of Object.entries(w.jobs)) {
    for (const step of job.steps ?? []) {
      if (!step.uses?.startsWith('actions/upload-artifact@')) continue;
      for (const path of String(step.with?.path ?? '').split('\n').map((p) => p.trim()).filter(Boolean)) {
        if (/\.duckdb$|^\.?\/?\.dataops\/?$|^\.\/?$/.test(path)) problems.push(`job ${id}: artifact "${step.with?.name}" uploads ${path}, a database file or a folder that holds one`);
      }
    }
  }
  return problems;
}

// ---------------------------------------------------------------------------------------------------
// Multi-line outputs: a fixed heredoc delimiter lets a value that holds it (a file name from a pull
// request) end the value early and write outputs of its own.

it.each(workflowFiles)('%s writes $GITHUB_OUTPUT and $GITHUB_ENV with random heredoc delimiters only', (file) => {
  const steps = Object.values(load(file).jobs).flatMap((j) => j.steps ?? []);
  expect(steps.flatMap((s) => heredocProblems(s.run ?? ''))).toEqual([]);
});

describe('the heredoc rule', () => {
  it.each([
    { script: `{ echo 'files<<EOF'; cat list; echo EOF; } >> "$GITHUB_OUTPUT"`, problems: ['fixed heredoc delimiter EOF'] },
    { script: `cat <<'END' >> "$GITHUB_ENV"\nA=1\nEND`, problems: ['fixed heredoc delimiter END'] },
    { script: `delim=EOF\n{ echo "files<<$delim"; cat list; echo "$delim"; } >> "$GITHUB_OUTPUT"`, problems: ['heredoc delimiter $delim is not random (set it from openssl rand)'] },
    { script: `delim="EOF_$(openssl rand -hex 16)"\n{ echo "files<<$delim"; cat list; echo "$delim"; } >> "$GITHUB_OUTPUT"`, problems: [] },
    { script: `jq -r . <<< "$json" >> "$GITHUB_OUTPUT"`, problems: [] },
    { script: `cat <<EOF\nnot an output\nEOF`, problems: [] },
  ])('$script', ({ script, problems }) => {
    expect(heredocProblems(script)).toEqual(problems);
  });
});

/** In a script that writes $GITHUB_OUTPUT or $GITHUB_ENV, every `<<` delimiter is a variable set from `openssl rand`. */
function heredocProblems(script: string): string[] {
  if (!/GITHUB_(OUTPUT|ENV)\b/.test(script)) return [];
  const problems: string[] = [];
  for (const [, , delimiter] of script.matchAll(/(?<!<)<<(?!<)-?\s*(['"]?)(\$\{?\w+\}?|[A-Za-z_][\w-]*)\1/g)) {
    if (!delimiter.startsWith('$')) {
      problems.push(`fixed heredoc delimiter ${delimiter}`);
      continue;
    }
    const name = delimiter.replace(/[${}]/g, '');
    if (!new RegExp(`(^|[\\s;])${name}=[^\\n]*\\$\\(openssl rand `, 'm').test(script)) problems.push(`heredoc delimiter ${delimiter} is not random (set it from openssl rand)`);
  }
  return problems;
}

// ---------------------------------------------------------------------------------------------------
// The sources' variables: every step that needs them (it fetches, names unset variables, or masks the
// sources' secrets in the data it shows) has each one, and no other step gets any.

/** Every `{ env: NAME }` in pipelines/*.yml; required when it has no default. */
const pipelineVariables = (() => {
  const found = new Map<string, { required: boolean }>();
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) node.forEach(visit);
    else if (node && typeof node === 'object') {
      const record = node as Record<string, unknown>;
      if (typeof record.env === 'string') {
        const required = record.default === undefined || (found.get(record.env)?.required ?? false);
        found.set(record.env, { required });
      } else Object.values(record).forEach(visit);
    }
  };
  for (const file of readdirSync(join(root, 'pipelines')).filter((f) => /\.ya?ml$/.test(f))) visit(parse(readFileSync(join(root, 'pipelines', file), 'utf8')));
  return found;
})();

it("reads the sources' variables from pipelines/*.yml", () => {
  expect(Object.fromEntries(pipelineVariables)).toEqual({
    DEMO_API_URL: { required: true },
    DEMO_API_TOKEN: { required: true },
    DEMO_REFERENCE_DB: { required: false },
  });
});

describe.each(workflowFiles)("%s: the sources' variables", (file) => {
  it('reach every step that needs them, and no other', () => {
    expect(variableProblems(load(file), read(file), pipelineVariables)).toEqual([]);
  });
});

it('ingest.yml and pull-request.yml need them (the rule above is not vacuous)', () => {
  const needing = (file: string) => Object.values(load(file).jobs).flatMap((j) => j.steps ?? []).filter(needsSources).length;
  // pull-request.yml, in each of its two build jobs: validate and changed, the ingest, and the diff.
  expect([needing('ingest.yml'), needing('pull-request.yml')]).toEqual([1, 6]);
});

describe('the variables rule catches', () => {
  const content = `
on: push
jobs:
  run:
    env: { DEMO_API_URL: x }
    steps:
      - run: echo "DEMO_API_TOKEN=x" >> "$GITHUB_ENV"
      - id: ingest
        uses: ./actions/ingest
      - run: npx dataops validate
        env: { DEMO_API_TOKEN: x }
      - uses: ./actions/transform
        env: { DEMO_API_TOKEN: x }
      - id: base-build
        run: npx dataops -C "$RUNNER_TEMP/base" --database base.duckdb run stores --step transform
      - id: full-run
        run: npx dataops --database "$DB" run stores
      - id: diff
        run: npx dataops diff --base base.duckdb --json
`;
  const problems = variableProblems(parse(content) as Workflow, content, pipelineVariables).join('\n');
  it.each([
    /job run step 1 \(run\): writes \$GITHUB_ENV, which hands what it writes to every later step/,
    /job run step 1 \(run\): does not need the sources' variables but gets DEMO_API_URL/,
    /job run step ingest: needs the sources' variables but lacks DEMO_API_TOKEN/,
    /job run step 4 \(\.\/actions\/transform\): does not need the sources' variables but gets DEMO_API_URL, DEMO_API_TOKEN/,
    // A run of the transform step only calls no source, after global options or not; a whole run does.
    /job run step base-build: does not need the sources' variables but gets DEMO_API_URL/,
    /job run step full-run: needs the sources' variables but lacks DEMO_API_TOKEN/,
    // The diff shows table data, with the sources' secrets masked in it: it needs to know them.
    /job run step diff: needs the sources' variables but lacks DEMO_API_TOKEN/,
    /DEMO_API_TOKEN is set in 2 env: maps; keep one \(a YAML anchor reuses it\)/,
  ])('%s', (problem) => expect(problems).toMatch(problem));
});

/** The CLI's options that take a value before its command (`dataops -C dir --database f run`). */
const GLOBAL_OPTIONS_WITH_VALUE = new Set(['-C', '--project', '--database', '--target', '--wait']);

/**
 * A step that needs the sources' variables: one that calls a source (the ingest action; `dataops backfill`;
 * `dataops run` unless its `--step` leaves the ingest out, or it replays landed files), one that names unset variables
 * (`dataops validate`), or one that shows table data with the sources' secrets masked in it (`dataops diff`).
 */
function needsSources(step: Step): boolean {
  if (step.uses === './actions/ingest') return true;
  // A command (at a line's start, after ; && || | ( or a shell keyword), not words inside a message.
  for (const [, , , rest] of (step.run ?? '').matchAll(/(^|[;&|(]\s*|\b(if|then|else|do|!)\s+)(?:npx\s+)?dataops\b(.*)$/gm)) {
    // This command's words, up to the shell's next separator, unquoted.
    const words = rest.split(/[;&|)>]/)[0].trim().split(/\s+/).map((w) => w.replace(/^["']|["']$/g, ''));
    let i = 0;
    while (i < words.length && words[i].startsWith('-')) i += GLOBAL_OPTIONS_WITH_VALUE.has(words[i]) ? 2 : 1;
    const [command, ...args] = words.slice(i);
    if (command === 'validate' || command === 'diff' || command === 'backfill') return true;
    if (command === 'run' && !args.includes('--replay')) {
      const at = args.indexOf('--step');
      const end = args.findIndex((a, j) => j > at && a.startsWith('-'));
      const steps = at < 0 ? ['ingest'] : args.slice(at + 1, end < 0 ? undefined : end);
      if (steps.includes('ingest')) return true;
    }
  }
  return false;
}

function variableProblems(w: Workflow, content: string, variables: Map<string, { required: boolean }>): string[] {
  const problems: string[] = [];
  for (const [id, job] of Object.entries(w.jobs)) {
    (job.steps ?? []).forEach((step, i) => {
      const label = `job ${id} step ${step.id ?? `${i + 1} (${step.uses ?? 'run'})`}`;
      if (/GITHUB_ENV\b/.test(step.run ?? '')) problems.push(`${label}: writes $GITHUB_ENV, which hands what it writes to every later step`);
      const scope = new Set(Object.keys({ ...w.env, ...job.env, ...step.env }));
      const given = [...variables.keys()].filter((name) => scope.has(name));
      if (needsSources(step)) {
        const lacking = [...variables].filter(([name, v]) => v.required && !scope.has(name)).map(([name]) => name);
        if (lacking.length) problems.push(`${label}: needs the sources' variables but lacks ${lacking.join(', ')}`);
      } else if (given.length) problems.push(`${label}: does not need the sources' variables but gets ${given.join(', ')}`);
    });
  }
  // One place per workflow to add a source's variables: an alias (*name) of the map does not repeat it.
  for (const name of variables.keys()) {
    const maps = content.match(new RegExp(`^\\s*(\\{\\s*)?${name}:`, 'gm'))?.length ?? 0;
    const inline = content.match(new RegExp(`[{,]\\s*${name}:`, 'g'))?.length ?? 0;
    if (maps + inline > 1) problems.push(`${name} is set in ${maps + inline} env: maps; keep one (a YAML anchor reuses it)`);
  }
  return problems;
}
