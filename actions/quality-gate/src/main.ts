// quality-gate: runs the declared checks and fails the job by the `fail-on` policy; optionally builds
// the report site for Pages, keeps one sticky report comment on the pull request (with the plan and the
// data diff of the change, when given), and keeps one issue per failed pipeline run, failing error-severity
// check and table whose freshness is in error (opened, updated, closed on recovery), and a webhook told of each.
import { readFile } from 'node:fs/promises';
import { relative, resolve } from 'node:path';
import * as core from '@actions/core';
import { loadProject } from '../../../src/project.js';
import { resolveSettings, withWarehouse } from '../../../src/engine.js';
import { ConfigError, type Diagnostic } from '../../../src/errors.js';
import { createGitHub, runContextFromEnv, type GitHub, type RunContext } from '../../../src/github/client.js';
import { freshnessAlerts, runAlerts, type Alert, type AlertKind } from '../../../src/alerts/alerts.js';
import { deliverAlerts } from '../../../src/alerts/deliver.js';
import { webhookFromEnv } from '../../../src/alerts/webhook.js';
import { renderPrComment, upsertPrComment } from '../../../src/github/pr-comment.js';
import { parsePrScope, prScope, type PrScope } from '../../../src/github/pr-scope.js';
import { buildSite } from '../../../src/site/build.js';
import { readSiteInput } from '../../../src/site/input.js';
import { writeStepSummary } from '../../../src/report/summary.js';
import { mask } from '../../../src/secrets.js';
import type { StatusReport } from '../../../src/state/types.js';
import { validateProject } from '../../../src/validate.js';
import { InputError, parseChoice, readInput, readRunSettings, type RunSettings } from '../../shared/src/inputs.js';
import { announceSecrets, logLine } from '../../shared/src/masking.js';
import { FAIL_ON, reportStep, resolveStepSettings, runFailure, runStep, settle, type StepRun } from '../../shared/src/step.js';
import { readDiff, summarizeChange, type ChangeReport } from './change-report.js';
import { INPUTS, OUTPUTS } from './inputs.js';

const BOOLEAN = ['true', 'false'] as const;

interface GitHubSettings {
  token: string;
  prComment: boolean;
  freshnessIssues: boolean;
  /** Issues for failed runs and failing error-severity checks. */
  alertIssues: boolean;
  /** From DATAOPS_ALERT_WEBHOOK_URL (a secret), when set. */
  webhook?: URL;
  changedFiles: string[];
  /** The scope a step with the sources' variables decided (`dataops changed --json`), read from a file. */
  scope?: PrScope;
  /** Where a step before this one wrote `dataops diff --json`; empty: no diff. */
  diffFile: string;
}


export async function run(): Promise<void> {
  let step: StepRun | undefined;
  let scope: PrScope | undefined;
  let inputs: { run: RunSettings; github: GitHubSettings } | undefined;
  const failure = await settle('quality-gate', OUTPUTS, async () => {
    const settings = readRunSettings(INPUTS);
    const failOn = parseChoice(INPUTS.failOn.name, readInput(INPUTS.failOn), FAIL_ON);
    const reportDir = readInput(INPUTS.reportDir);
    const github = await readGitHubSettings();
    inputs = { run: settings, github };
    scope = github.scope;
    if (github.changedFiles.length) {
      const s = resolveStepSettings({ projectDir: settings.projectDir });
      scope = prScope(await loadProject(s.projectDir, s.env), github.changedFiles.map((f) => relative(s.projectDir, resolve(f))));
    }
    if (scope) core.info(`changed files touch pipelines: ${scope.pipelines.join(', ') || 'none'}`);
    // With changed files and no explicit list, only the pipelines the change touches are checked.
    const pipelines = settings.pipelines.length || !scope ? settings.pipelines : scope.pipelines;
    if (scope && pipelines.length === 0) {
      for (const skipped of scope.skipped) core.warning(`${skipped.pipeline} not checked: ${skipped.reason}`);
      core.info('no pipeline to check: none changed, or those that did are not built here');
      for (const output of [OUTPUTS.loaded, OUTPUTS.accepted, OUTPUTS.rejected, OUTPUTS.checksPassed, OUTPUTS.checksWarned, OUTPUTS.checksFailed]) core.setOutput(output, 0);
      const why = scope.skipped.length
        ? `The pipelines they touch are not built here: ${scope.skipped.map((s) => `${s.pipeline} (${s.reason})`).join('; ')}.`
        : 'They touch no pipeline and no model.';
      await writeStepSummary(`## ✅ quality-gate: nothing to check\n\n${scope.files.length} files changed. ${why}\n`, process.env);
      return undefined;
    }
    step = await runStep('quality-gate', { ...settings, pipelines }, ['check']);
    if (reportDir) core.setOutput(OUTPUTS.reportPath, await publishSite(step, reportDir));
    await reportStep(step, OUTPUTS);
    return runFailure(step, failOn);
  });
  if (inputs) {
    const change = await readDiff(inputs.github.diffFile);
    await summarizeChange(scope, change);
    await reportToGitHub(inputs.run, inputs.github, step, scope, change, failure);
  }
  if (failure) core.setFailed(failure);
}

async function readGitHubSettings(): Promise<GitHubSettings> {
  const flag = (spec: { name: string; default: string }) => parseChoice(spec.name, readInput(spec), BOOLEAN) === 'true';
  const settings: GitHubSettings = {
    // The workflow may pass the token as the input or as GITHUB_TOKEN in `env:`.
    token: readInput(INPUTS.githubToken) || process.env.GITHUB_TOKEN || '',
    prComment: flag(INPUTS.prComment),
    freshnessIssues: flag(INPUTS.freshnessIssues),
    alertIssues: flag(INPUTS.alertIssues),
    webhook: readWebhook(),
    changedFiles: readInput(INPUTS.changedFiles).split(/\r?\n/).map((f) => f.trim()).filter(Boolean),
    scope: await readScopeFile(readInput(INPUTS.scopeFile)),
    diffFile: readInput(INPUTS.diffFile),
  };
  if (settings.scope && settings.changedFiles.length) {
    throw new InputError(INPUTS.scopeFile.name, `give one of ${INPUTS.changedFiles.name} and ${INPUTS.scopeFile.name}, not both`);
  }
  if ((settings.prComment || settings.freshnessIssues || settings.alertIssues) && !settings.token) {
    const which = settings.prComment ? INPUTS.prComment.name : settings.freshnessIssues ? INPUTS.freshnessIssues.name : INPUTS.alertIssues.name;
    throw new InputError(INPUTS.githubToken.name, `${which} is true but no token is given; set github-token, or GITHUB_TOKEN in env:`);
  }
  if (settings.token) core.setSecret(settings.token);
  announceSecrets();
  return settings;
}

/** A webhook URL that is not one is a warning, as a webhook that fails is: alerts never decide the gate. */
function readWebhook(): URL | undefined {
  try {
    return webhookFromEnv(process.env);
  } catch (e) {
    core.warning(mask(e instanceof Error ? e.message : String(e)));
    return undefined;
  }
}

async function readScopeFile(file: string): Promise<PrScope | undefined> {
  if (!file) return undefined;
  let text: string;
  try {
    text = await readFile(resolve(file), 'utf8');
  } catch (e) {
    throw new InputError(INPUTS.scopeFile.name, `cannot read ${file}: ${(e as Error).message}`);
  }
  try {
    return parsePrScope(text, file);
  } catch (e) {
    throw new InputError(INPUTS.scopeFile.name, (e as Error).message);
  }
}

/**
 * The PR comment, the alert issues and the webhook. They report on the gate and never decide it: a GitHub
 * API or webhook failure (a fork's read-only token, an outage) is a warning, and the job summary still has
 * everything.
 */
async function reportToGitHub(run: RunSettings, github: GitHubSettings, step: StepRun | undefined, scope: PrScope | undefined, change: ChangeReport, failure: string | undefined): Promise<void> {
  const alerting = Boolean(step) && (github.freshnessIssues || github.alertIssues || Boolean(github.webhook));
  if (!(github.prComment && github.token) && !alerting) return;
  const context = runContextFromEnv();
  const client = github.token ? createGitHub(github.token) : undefined;
  if (github.prComment && client) {
    if (!context.pullRequest) {
      core.info('pr-comment: this run is not for a pull request; no comment posted');
    } else {
      try {
        const body = renderPrComment({
          report: step ? narrowReport(step, scope) : undefined,
          scope,
          // With a scope file this step does not get the sources' variables: their absence here is not a
          // problem, and one unset where it is needed is in the scope's skipped list.
          diagnostics: (await projectDiagnostics(run)).filter((d) => !(github.scope && d.code === 'env_unset')),
          failure,
          runId: step?.result.runId,
          runUrl: context.runUrl,
          blobUrl: context.blobUrl,
          sha: context.pullRequest.headSha,
          ...change,
        });
        const posted = await upsertPrComment(client, context.repo, context.pullRequest.number, body);
        core.setOutput(OUTPUTS.commentUrl, posted.url);
        core.info(`pull request comment ${posted.action}: ${posted.url}`);
      } catch (e) {
        core.warning(`could not post the pull request comment: ${mask(e instanceof Error ? e.message : String(e))}`);
      }
    }
  }
  if (step && alerting) await sendAlerts(step, github, client, context);
}

/** Alerts of the pipelines this step checked, to their issues and the webhook. */
async function sendAlerts(step: StepRun, github: GitHubSettings, client: GitHub | undefined, context: RunContext): Promise<void> {
  const alerts: Alert[] = [];
  const withFreshness = github.freshnessIssues || Boolean(github.webhook);
  try {
    if (withFreshness) {
      const project = await loadProject(step.settings.projectDir, step.settings.env);
      const ran = new Set(step.result.pipelines.map((p) => p.pipeline));
      // Only tables whose SLA the checked pipelines declare: parallel jobs never race on one table's issue.
      const declared = new Set(project.pipelines.filter((p) => ran.has(p.name)).flatMap((p) => p.freshness.map((f) => f.table)));
      alerts.push(...freshnessAlerts(step.report.tables.filter((t) => declared.has(t.name)), { runUrl: context.runUrl }));
    }
    if (github.alertIssues || github.webhook) {
      // A stale table is its freshness alert's to report, not a second one as a failing check.
      alerts.push(...runAlerts(step.result, { runId: step.result.runId, runUrl: context.runUrl }, { skipCheckKinds: withFreshness ? ['freshness'] : [] }));
    }
  } catch (e) {
    core.warning(`could not work out the alerts: ${mask(e instanceof Error ? e.message : String(e))}`);
    return;
  }
  const kinds: AlertKind[] = [...(github.freshnessIssues ? (['freshness'] as const) : []), ...(github.alertIssues ? (['run', 'check'] as const) : [])];
  const delivery = await deliverAlerts(alerts, {
    github: client && kinds.length ? { client, repo: context.repo, kinds } : undefined,
    webhook: github.webhook,
    runId: step.result.runId,
    runUrl: context.runUrl,
  });
  const issues = delivery.issues;
  for (const i of issues?.opened ?? []) core.warning(mask(i.alert.kind === 'freshness' ? `${i.alert.key} is stale: opened issue #${i.number} ${i.url}` : `${i.alert.summary}: opened issue #${i.number} ${i.url}`));
  for (const i of issues?.updated ?? []) core.warning(mask(`${i.alert.summary}: issue #${i.number} updated ${i.url}`));
  for (const i of issues?.alreadyOpen ?? []) core.info(`${i.alert.key} is still stale: issue #${i.number} stays open`);
  for (const i of issues?.closed ?? []) core.info(i.alert.kind === 'freshness' ? `${i.alert.key} recovered: closed issue #${i.number}` : mask(`${i.alert.title.replace(/^\w+ failed: /, '')} recovered: closed issue #${i.number}`));
  if (delivery.webhookSent) core.info(`webhook: ${delivery.events.length} alert${delivery.events.length === 1 ? '' : 's'} posted`);
  for (const problem of delivery.problems) core.warning(problem);
}

async function projectDiagnostics(run: RunSettings): Promise<Diagnostic[]> {
  try {
    const s = resolveSettings({ projectDir: run.projectDir, env: process.env });
    return (await validateProject(s.projectDir, s.env)).diagnostics;
  } catch (e) {
    // A bad dataops.yml is the project's problem to show; anything else, the failure message already says.
    return e instanceof ConfigError ? e.diagnostics : [];
  }
}

/** The status narrowed to what the pull request built: its pipelines, their tables, and the rebuilt models. */
function narrowReport(step: StepRun, scope: PrScope | undefined): StatusReport {
  const pipelines = new Set(step.result.pipelines.map((p) => p.pipeline));
  const models = new Set(scope?.models ?? step.result.models.map((m) => m.model));
  return {
    ...step.report,
    pipelines: step.report.pipelines.filter((p) => pipelines.has(p.name)),
    tables: step.report.tables.filter((t) => (t.pipeline ? pipelines.has(t.pipeline) : models.has(t.name))),
  };
}

/** Builds the site from the status after the checks; a relative folder is inside the project. */
async function publishSite(step: StepRun, reportDir: string): Promise<string> {
  // The site shows every pipeline's latest run, not only this step's.
  const project = await loadProject(step.settings.projectDir, step.settings.env);
  const input = await withWarehouse(step.settings, (w) => readSiteInput(w, project), { command: 'quality-gate', log: logLine });
  const { indexPath } = await buildSite(input, resolve(step.settings.projectDir, reportDir));
  core.info(`report site: ${indexPath}`);
  return indexPath;
}
