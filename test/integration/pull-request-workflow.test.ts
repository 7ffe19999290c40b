// pull-request.yml, job by job: the base commit checked out and planned against, the files handed to the
// gate (the plan and the data diff), the Snowflake clone's name and who names production, the closed-PR
// job, the permissions of each job; and, by GitHub's own expression evaluator (@actions/expressions, the
// one behind the workflow parser) over each kind of pull_request event, which job runs: a fork never
// takes the Snowflake path. The rules every workflow keeps are in workflows.test.ts.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { data, Evaluator, Lexer, Parser } from '@actions/expressions';
import { truthy } from '@actions/expressions/result';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { snowflakeCloneName } from '../../src/environments.js';
import { REPO } from '../helpers/project.js';

interface Step {
  id?: string;
  if?: string;
  uses?: string;
  run?: string;
  with?: Record<string, unknown>;
  env?: Record<string, unknown>;
  'continue-on-error'?: boolean;
}
interface Job {
  if?: string;
  permissions?: unknown;
  env?: Record<string, unknown>;
  steps?: Step[];
}

const read = (file: string) => readFileSync(join(REPO, '.github', 'workflows', file), 'utf8');
const w = parse(read('pull-request.yml')) as { on: unknown; jobs: Record<string, Job> };

describe('pull-request.yml', () => {
  const step = (job: Job, test: (s: Step) => boolean) => {
    const i = job.steps!.findIndex(test);
    expect(i, 'step').toBeGreaterThanOrEqual(0);
    return { i, step: job.steps![i] };
  };
  const byId = (job: Job, id: string) => step(job, (s) => s.id === id);

  it('runs on pull requests, closed ones included, with one job per path and least permissions', () => {
    expect(w.on).toEqual({ pull_request: { types: ['opened', 'synchronize', 'reopened', 'closed'] } });
    expect(Object.fromEntries(Object.entries(w.jobs).map(([id, j]) => [id, j.permissions]))).toEqual({
      gate: { contents: 'read', 'pull-requests': 'write' },
      snowflake: { contents: 'read', 'pull-requests': 'write', 'id-token': 'write' },
      // Closing a pull request drops its clone: nothing to comment, nothing to write in the repository.
      'drop-clone': { contents: 'read', 'id-token': 'write' },
    });
  });

  it.each(['gate', 'snowflake'])('%s: the base commit is checked out, planned against, and the gate gets the plan and the diff', (id) => {
    const job = w.jobs[id];
    const base = step(job, (s) => s.run === 'git worktree add --detach "$RUNNER_TEMP/base" HEAD^1');
    const scope = byId(job, 'scope');
    expect(base.i).toBeLessThan(scope.i);
    expect(scope.step.run).toContain('npx dataops changed --files-from "$RUNNER_TEMP/changed.txt" --base-project "$RUNNER_TEMP/base" --json > "$RUNNER_TEMP/scope.json"');
    const [ingest, transform, diff, gate] = ['ingest', 'transform', 'diff', 'gate'].map((s) => byId(job, s));
    expect([scope.i, ingest.i, transform.i, diff.i, gate.i]).toEqual([scope.i, ingest.i, transform.i, diff.i, gate.i].sort((a, b) => a - b));
    expect(diff.step.run).toMatch(/^npx dataops diff --base \S+ --changes-from "\$RUNNER_TEMP\/scope\.json" --json > "\$RUNNER_TEMP\/diff\.json"$/);
    // The diff informs the comment; it never fails the job.
    expect(diff.step['continue-on-error']).toBe(true);
    expect(gate.step.with).toMatchObject({
      'scope-file': '${{ runner.temp }}/scope.json',
      'diff-file': "${{ steps.diff.outcome != 'skipped' && format('{0}/diff.json', runner.temp) || '' }}",
      'pr-comment': true,
    });
  });

  it("gate (DuckDB): the base's definitions are built on a copy of the pull request's bronze, then compared", () => {
    const job = w.jobs.gate;
    expect(job.env).toMatchObject({ DATAOPS_TARGET: 'duckdb', DATAOPS_DATABASE: '.dataops/pr.duckdb' });
    const [ingest, build, transform, diff] = ['ingest', 'base-build', 'transform', 'diff'].map((s) => byId(job, s));
    expect([ingest.i, build.i, transform.i]).toEqual([ingest.i, ingest.i + 1, ingest.i + 2]);
    expect(build.step.run).toContain('npx dataops env create base\n');
    expect(build.step.run).toContain(`pipelines=$(jq -r '.basePipelines | join(" ")' "$RUNNER_TEMP/scope.json")`);
    expect(build.step.run).toContain('npx dataops -C "$RUNNER_TEMP/base" --database "$GITHUB_WORKSPACE/.dataops/base.duckdb" run $pipelines --step transform');
    expect(diff.step.run).toContain('--base .dataops/base.duckdb');
    // The base's build informs the diff; its failure never skips the pull request's own build.
    expect(build.step['continue-on-error']).toBe(true);
    expect(diff.step.if).toBe("steps.base-build.outcome == 'success' && steps.transform.outcome == 'success'");
    // Nothing of Snowflake on this path (its condition aside): no OIDC token, no Snowflake variable or secret.
    expect(JSON.stringify({ ...job, if: undefined })).not.toMatch(/SNOWFLAKE|id-token/);
  });

  it('snowflake: builds into the clone `dataops env create` names, and only the cloning step names production', () => {
    const job = w.jobs.snowflake;
    const vars = { SNOWFLAKE_DATABASE: 'DATAOPS' };
    const env = (name: string) => evaluateTemplate(String(job.env![name]), pullRequestContext({ vars, number: 42 }));
    expect(job.env).toMatchObject({ DATAOPS_TARGET: 'snowflake', SNOWFLAKE_AUTHENTICATOR: 'WORKLOAD_IDENTITY', SNOWFLAKE_ROLE: '${{ vars.SNOWFLAKE_PR_ROLE }}' });
    expect(env('SNOWFLAKE_DATABASE')).toBe(snowflakeCloneName('DATAOPS', env('PR_ENVIRONMENT')));
    expect([env('PR_ENVIRONMENT'), env('PRODUCTION_DATABASE')]).toEqual(['pr_42', 'DATAOPS']);
    const clone = byId(job, 'clone');
    expect(clone.step.run).toBe('npx dataops env create "$PR_ENVIRONMENT"');
    expect(job.steps!.filter((s) => s.env && 'SNOWFLAKE_DATABASE' in s.env)).toEqual([clone.step]);
    expect(clone.step.env!.SNOWFLAKE_DATABASE).toBe('${{ vars.SNOWFLAKE_DATABASE }}');
    expect(clone.i).toBeLessThan(byId(job, 'ingest').i);
    expect(byId(job, 'diff').step.run).toContain('--base "$PRODUCTION_DATABASE"');
    // Keyless: no long-lived Snowflake secret reaches pull-request code.
    expect(read('pull-request.yml')).not.toMatch(/secrets\.SNOWFLAKE/);
  });

  it('drop-clone: drops this pull request\'s clone with the base branch\'s code when the pull request closes', () => {
    const job = w.jobs['drop-clone'];
    expect(job.steps!.at(-1)!.run).toBe('npx dataops env drop "$PR_ENVIRONMENT"');
    expect(job.steps![0].with?.ref).toBe('${{ github.event.pull_request.base.sha }}');
    const context = pullRequestContext({ vars: { SNOWFLAKE_DATABASE: 'DATAOPS' }, number: 7 });
    expect(evaluateTemplate(String(job.env!.PR_ENVIRONMENT), context)).toBe('pr_7');
    expect(evaluateTemplate(String(job.env!.SNOWFLAKE_DATABASE), context)).toBe('DATAOPS');
  });

  // Which job runs, by GitHub's own expression evaluator over each kind of event.
  const configured = { SNOWFLAKE_ACCOUNT: 'acme-dataops', SNOWFLAKE_PR_ROLE: 'DATAOPS_PR', SNOWFLAKE_DATABASE: 'DATAOPS' };
  it.each([
    { who: 'a fork', fork: true, vars: configured, action: 'synchronize', runs: ['gate'] },
    { who: 'a fork', fork: true, vars: configured, action: 'closed', runs: [] },
    { who: 'a branch, Snowflake set up for pull requests', fork: false, vars: configured, action: 'opened', runs: ['snowflake'] },
    { who: 'a branch, Snowflake set up for pull requests', fork: false, vars: configured, action: 'closed', runs: ['drop-clone'] },
    { who: 'a branch, Snowflake for production only (no pull-request role)', fork: false, vars: { ...configured, SNOWFLAKE_PR_ROLE: '' }, action: 'synchronize', runs: ['gate'] },
    { who: 'a branch, no Snowflake', fork: false, vars: {}, action: 'reopened', runs: ['gate'] },
    { who: 'a branch, no Snowflake', fork: false, vars: {}, action: 'closed', runs: [] },
  ])('$who, $action: runs $runs', ({ fork, vars, action, runs }) => {
    const context = pullRequestContext({ vars, number: 42, fork, action });
    const running = Object.entries(w.jobs).filter(([, job]) => evaluateCondition(job.if ?? 'true', context)).map(([id]) => id);
    expect(running).toEqual(runs);
  });
});

// ---------------------------------------------------------------------------------------------------
// GitHub's expression evaluator over a pull_request event's context.

type ExpressionData = data.ExpressionData;
// pull_request event's context.

interface PullRequestContext {
  vars: Record<string, string>;
  number: number;
  fork?: boolean;
  action?: string;
}

function pullRequestContext({ vars, number, fork = false, action = 'synchronize' }: PullRequestContext): Record<string, unknown> {
  return {
    vars,
    github: {
      repository: 'acme-retail/dataops',
      event: { action, pull_request: { number, head: { repo: { full_name: fork ? 'someone/dataops' : 'acme-retail/dataops' } }, base: { sha: 'b'.repeat(40) } } },
    },
    runner: { temp: '/home/runner/work/_temp' },
  };
}

function toData(value: unknown): ExpressionData {
  if (typeof value === 'string') return new data.StringData(value);
  if (typeof value === 'number') return new data.NumberData(value);
  if (typeof value === 'boolean') return new data.BooleanData(value);
  if (value && typeof value === 'object') return new data.Dictionary(...Object.entries(value).map(([key, v]) => ({ key, value: toData(v) })));
  return new data.Null();
}

function evaluate(source: string, context: Record<string, unknown>): ExpressionData {
  const { tokens } = new Lexer(source.trim()).lex();
  const contexts = new data.Dictionary(...Object.entries(context).map(([key, value]) => ({ key, value: toData(value) })));
  return new Evaluator(new Parser(tokens, Object.keys(context), []).parse(), contexts).evaluate();
}

/** A job's or step's `if:`, as the runner decides it. */
function evaluateCondition(source: string, context: Record<string, unknown>): boolean {
  return truthy(evaluate(source.replace(/^\s*\$\{\{([\s\S]*)\}\}\s*$/, '$1'), context));
}

/** A string with `${{ }}` in it, as the runner fills it in. */
function evaluateTemplate(text: string, context: Record<string, unknown>): string {
  return text.replace(/\$\{\{([\s\S]*?)\}\}/g, (_, source: string) => evaluate(source, context).coerceString());
}
