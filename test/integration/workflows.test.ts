// Every workflow under .github/workflows parses and validates with GitHub's own parser
// (@actions/workflow-parser, the one behind the Actions editor tooling), and keeps the security rules:
// permissions declared, third-party actions pinned by commit, no pull_request_target, secrets only
// through env:, untrusted values never pasted into scripts. The action.yml files go through the same
// parser. The parser ships ESM that imports JSON without attributes, which Node refuses: vitest.config.ts
// has Vite bundle it (server.deps.inline).
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { convertWorkflowTemplate, NoOperationTraceWriter, parseWorkflow } from '@actions/workflow-parser';
import { parseAction } from '@actions/workflow-parser/actions/action-parser';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const workflowDir = join(root, '.github', 'workflows');
const workflowFiles = readdirSync(workflowDir).filter((f) => /\.ya?ml$/.test(f)).sort();

interface Step {
  uses?: string;
  run?: string;
  with?: Record<string, unknown>;
  env?: Record<string, unknown>;
}
interface Job {
  permissions?: unknown;
  uses?: string;
  steps?: Step[];
  concurrency?: { group?: string; 'cancel-in-progress'?: boolean };
  strategy?: { matrix?: Record<string, unknown> };
}
interface Workflow {
  on: Record<string, unknown> | string | string[];
  permissions?: unknown;
  jobs: Record<string, Job>;
}

const read = (file: string) => readFileSync(join(workflowDir, file), 'utf8');
const load = (file: string) => parse(read(file)) as Workflow;

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
    expect(Object.keys((on.workflow_dispatch as { inputs: Record<string, unknown> }).inputs)).toEqual(['pipelines']);
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

  it('pull-request: builds what changed on a copy and keeps one comment', () => {
    const w = load('pull-request.yml');
    expect(Object.keys(w.on)).toEqual(['pull_request']);
    const steps = Object.values(w.jobs).flatMap((j) => j.steps ?? []);
    expect(steps.some((s) => s.run?.includes('git diff --name-only'))).toBe(true);
    expect(steps.some((s) => s.run?.includes('dataops env create'))).toBe(true);
    const gate = steps.find((s) => s.uses === './actions/quality-gate')!;
    expect(gate.with?.['pr-comment']).toBe(true);
    expect(Object.values(w.jobs).map((j) => j.permissions)).toEqual([{ contents: 'read', 'pull-requests': 'write' }]);
  });

  it('pages: builds the site with dataops report and deploys it with the Pages actions', () => {
    const w = load('pages.yml');
    const steps = Object.values(w.jobs).flatMap((j) => j.steps ?? []);
    expect(steps.some((s) => s.run === 'npx dataops report --out _site')).toBe(true);
    expect(steps.some((s) => s.uses?.startsWith('actions/upload-pages-artifact@'))).toBe(true);
    expect(steps.some((s) => s.uses?.startsWith('actions/deploy-pages@'))).toBe(true);
    expect(w.jobs.deploy.permissions).toEqual({ pages: 'write', 'id-token': 'write' });
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
