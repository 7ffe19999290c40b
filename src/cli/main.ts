// The `dataops` command line. Exit codes: 0 success, 1 errors or error-severity check failures,
// 2 bad usage.
import { randomBytes } from 'node:crypto';
import { existsSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join, relative, resolve } from 'node:path';
import { Command, CommanderError, Option } from 'commander';
import { loadProject, MODEL_DIRS, PIPELINES_DIR } from '../project.js';
import { startDemoApi } from '../demo/server.js';
import { generateRetailData } from '../demo/data.js';
import { writeReferenceDatabase } from '../demo/reference-db.js';
import { STEPS, TARGETS, resolveSettings, runProject, withWarehouse, type RunResult, type Settings, type Step } from '../engine.js';
import { ConfigError, DataOpsError, formatDiagnostic, UsageError } from '../errors.js';
import { runScript } from '../sql/errors.js';
import { renderConsoleSummary } from '../report/console.js';
import { buildNoStateSite, renderNoStateSummary } from '../report/no-state.js';
import { buildSite } from '../site/build.js';
import { readSiteInput } from '../site/input.js';
import { renderSummaryMarkdown, writeStepSummary } from '../report/summary.js';
import { mask, registerSecret } from '../secrets.js';
import { readStatus } from '../state/status.js';
import { addLifecycleCommands } from './lifecycle-commands.js';
import type { Warehouse } from '../warehouse/adapter.js';
import type { StatusReport } from '../state/types.js';
import { validateProject } from '../validate.js';
import { createEnvironment, dropEnvironment } from '../environments.js';
import { planDue } from '../schedule.js';
import { formatPlannedTable, planTables } from '../models/plan.js';
import { parseDuration } from '../config/pipeline.js';
import { parsePrScope, prScope } from '../github/pr-scope.js';
import { formatChangedTable, type ChangedTable } from '../models/change-plan.js';
import { serveDemoApi } from './demo-api.js';
import { diffProject } from '../diff/project-diff.js';
import { DEFAULT_PII_SAMPLE, MAX_PII_SAMPLE, renderPiiScanText, scanPii } from '../governance/scan-pii.js';
import { renderDiffText } from '../diff/render.js';
import { DEFAULT_SAMPLES } from '../diff/table-diff.js';
import { parseWindow } from '../backfill.js';
import { errorCode, formatLogEvent, LOG_FORMATS, resolveLogFormat, type Log, type LogFormat } from '../log.js';
import { cliLog, logRunResult } from './log-output.js';
import { grantsCommand } from './grants.js';
import type { Io } from './io.js';

export type { Io } from './io.js';

const defaultIo: Io = {
  out: (t) => process.stdout.write(t.endsWith('\n') ? t : `${t}\n`),
  err: (t) => process.stderr.write(t.endsWith('\n') ? t : `${t}\n`),
  env: process.env,
  rewrite: process.stdout.isTTY ? (t) => process.stdout.write(t) : undefined,
};

interface GlobalOptions {
  project: string;
  database?: string;
  target?: string;
  wait?: string;
  logFormat?: string;
}

export async function main(argv: string[], io: Io = defaultIo): Promise<number> {
  let exitCode = 0;
  const program = new Command('dataops')
    .description('Declarative data pipelines: sources -> bronze -> silver -> gold, checks and reports.')
    .option('-C, --project <dir>', 'project folder (holds pipelines/ and sql/)', '.')
    .option('--database <path>', 'DuckDB database file (default: $DATAOPS_DATABASE or .dataops/dev.duckdb)')
    .addOption(new Option('--target <kind>', 'warehouse to run on (default: $DATAOPS_TARGET or duckdb)').choices([...TARGETS]))
    .option('--wait <duration>', 'how long to wait for a run that holds the DuckDB file or a pipeline\'s lock (default: 10m for run, or <target>.lock_timeout in dataops.yml; 10s for the other commands)')
    .addOption(new Option('--log-format <format>', 'how run, backfill and demo print their events: text (readable lines), or json (one JSON object per line, for log tools) (default: $DATAOPS_LOG_FORMAT or text)').choices([...LOG_FORMATS]))
    .exitOverride()
    .configureOutput({ writeOut: (t) => io.out(t), writeErr: (t) => io.err(t) })
    .showHelpAfterError('(run dataops --help for usage)');

  const settings = (): Settings => {
    const g = program.opts<GlobalOptions>();
    const waitSeconds = g.wait === undefined ? undefined : parseDurationOption(g.wait, '--wait');
    return resolveSettings({ projectDir: g.project, database: g.database, target: g.target, env: io.env, waitSeconds });
  };
  const set = (code: number) => (exitCode = Math.max(exitCode, code));
  let logFormat = 'text' as LogFormat;
  // The run's events, in the format asked for (set before each command's action runs).
  const eventLog = (): Log => cliLog(io, logFormat);
  program.hook('preAction', () => {
    logFormat = resolveLogFormat(program.opts<GlobalOptions>().logFormat, io.env);
  });
  /** A run's end: the summary (text), or one event per pipeline and one for the run (json); --json: the whole result. */
  const printRunResult = (result: RunResult, opts: { json?: boolean; started: number }) => {
    if (opts.json) io.out(logFormat === 'json' ? JSON.stringify(result) : JSON.stringify(result, null, 2));
    else if (logFormat === 'json') logRunResult(eventLog(), result, Date.now() - opts.started);
    else io.out(runSummary(result));
  };

  program
    .command('validate')
    .description('check every pipeline and SQL file; errors print as file:line:col: message')
    .option('--json', 'print the diagnostics as JSON')
    .option('--allow-missing-env', 'report unset environment variables as warnings (e.g. a fork pull request has no secrets)')
    .action(async (opts: { json?: boolean; allowMissingEnv?: boolean }) => {
      const s = settings();
      const v = await validateProject(s.projectDir, s.env, { allowMissingEnv: opts.allowMissingEnv });
      if (opts.json) io.out(JSON.stringify(v.diagnostics, null, 2));
      else {
        for (const d of v.diagnostics) (d.severity === 'error' ? io.err : io.out)(formatDiagnostic(d));
        io.out(`${v.project.pipelines.length} pipelines, ${v.project.models.length} models: ${v.errors} errors, ${v.warnings} warnings`);
      }
      set(v.errors > 0 ? 1 : 0);
    });

  program
    .command('run')
    .description('ingest, transform and check the named pipelines (default: all)')
    .argument('[pipelines...]', 'pipeline names')
    .addOption(new Option('--step <steps...>', 'run only these steps').choices([...STEPS]))
    .option('--run-id <id>', 'continue a run started by an earlier step')
    .option('--replay <batch_id>', 're-load a batch from its landing file instead of calling the source (see meta.batches)')
    .option('--full-refresh [tables...]', 'rebuild these silver and gold tables (all of them when none is named) from bronze, whatever changed')
    .option('--json', 'print the run result as JSON')
    .action(async (names: string[], opts: { step?: Step[]; runId?: string; replay?: string; fullRefresh?: true | string[]; json?: boolean }) => {
      const s = settings();
      const started = Date.now();
      const result = await runProject(s, {
        pipelines: names,
        steps: opts.step,
        runId: opts.runId,
        replayBatch: opts.replay,
        fullRefresh: opts.fullRefresh === true ? 'all' : opts.fullRefresh,
        log: opts.json ? undefined : eventLog(),
      });
      printRunResult(result, { json: opts.json, started });
      set(result.ok ? 0 : 1);
    });

  program
    .command('backfill')
    .description('fetch a time window of the named pipelines\' sources again (without moving their cursors back), then transform and check as a run does; or, with --model, build the window of gold models again')
    .argument('[pipelines...]', 'pipeline names')
    .requiredOption('--from <date>', 'the window\'s start: a date (YYYY-MM-DD, UTC) or a timestamp (2026-11-20T06:00:00Z)')
    .requiredOption('--to <date>', 'the window\'s end: a date (the whole day is included) or a timestamp (excluded)')
    .option('--resource <names...>', 'only these resources (of one pipeline)')
    .option('--model <names...>', 'instead of fetching: build these gold models\' rows of the window again (incremental ones merge the window; tables and views are rebuilt), and what reads them')
    .addOption(new Option('--step <steps...>', 'run only these steps').choices([...STEPS]))
    .option('--run-id <id>', 'continue a run started by an earlier step')
    .option('--json', 'print the run result as JSON')
    .action(async (names: string[], opts: { from: string; to: string; resource?: string[]; model?: string[]; step?: Step[]; runId?: string; json?: boolean }) => {
      const started = Date.now();
      const window = parseWindow(opts.from, opts.to);
      if (!opts.model && names.length === 0) throw new UsageError('name the pipelines to backfill, or --model gold.<name> to build models\' window again');
      const result = await runProject(settings(), {
        pipelines: names,
        window,
        models: opts.model,
        resources: opts.resource,
        steps: opts.step,
        runId: opts.runId,
        log: opts.json ? undefined : eventLog(),
      });
      printRunResult(result, { json: opts.json, started });
      set(result.ok ? 0 : 1);
    });

  program
    .command('plan')
    .description('what a run would build and why (changed tables and models, new data), and which pipelines are due; writes nothing')
    .option('--due', 'print only the names of the pipelines their schedule makes due, space-separated (for the hourly workflow)')
    .option('--window <duration>', 'with no run history, due if the schedule fired within this window', '1h')
    .option('--json', 'print the plan as JSON: { tables, due }')
    .action(async (opts: { due?: boolean; window: string; json?: boolean }) => {
      const s = settings();
      const windowSeconds = parseDurationOption(opts.window, '--window');
      // A plan of tables says what a run would do, and a run refuses an invalid project (bad SQL included)
      // before it writes anything: so does the plan. --due, for the hourly workflow, needs the schedules only.
      const { project, diagnostics } = opts.due ? await loadProject(s.projectDir, s.env).then((p) => ({ project: p, diagnostics: p.diagnostics })) : await validateProject(s.projectDir, s.env);
      const failures = diagnostics.filter((d) => d.severity === 'error' && d.code !== 'env_unset');
      if (failures.length) throw new ConfigError(failures);
      // Run history lives in the warehouse: Snowflake always has one; a DuckDB file only once created.
      const inspect = async (warehouse?: Warehouse) => ({
        tables: opts.due ? [] : await planTables(warehouse, project.graph),
        due: await planDue(project.pipelines, { windowSeconds, warehouse }),
      });
      const plan = s.target === 'snowflake' || existsSync(s.database)
        ? await withWarehouse(s, (warehouse) => inspect(warehouse), { command: 'plan', log: io.err })
        : await inspect();
      if (opts.json) io.out(JSON.stringify(plan, null, 2));
      else if (opts.due) io.out(plan.due.filter((p) => p.due).map((p) => p.pipeline).join(' '));
      else {
        io.out(plan.tables.length ? 'Tables a run would build:' : 'Tables: every table is up to date with its definition and its inputs.');
        for (const t of plan.tables) io.out(`  ${formatPlannedTable(t)}`);
        io.out('Schedules:');
        for (const p of plan.due) io.out(`  ${p.due ? 'due    ' : 'not due'}  ${p.pipeline.padEnd(20)} ${p.schedule ?? '-'}  ${p.reason}`);
      }
    });

  addLifecycleCommands(program, { settings, io });

  const env = program.command('env').description('pull-request environments: a clone (Snowflake) or a copied database file (DuckDB)');
  for (const [verb, what] of [
    ['create', 'copy the target into a new environment (replacing one of that name)'],
    ['drop', 'delete an environment'],
  ] as const) {
    env
      .command(verb)
      .description(what)
      .argument('<name>', 'e.g. pr_123')
      .option('--json', 'print the environment as JSON')
      .action(async (name: string, opts: { json?: boolean }) => {
        const made = verb === 'create' ? await createEnvironment(settings(), name) : await dropEnvironment(settings(), name);
        if (opts.json) io.out(JSON.stringify(made, null, 2));
        else if (verb === 'drop') io.out(`dropped ${made.location}`);
        else if (made.use.database) io.out(`created ${made.location}; use it with --database ${made.use.database}`);
        else io.out(`created ${made.location}; use it with ${Object.entries(made.use.env ?? {}).map(([k, v]) => `${k}=${v}`).join(' ')}`);
      });
  }

  program
    .command('diff')
    .description('compare the target (a pull request\'s copy) with production: rows added, removed and changed by key, changed columns, schema changes and sample rows, computed inside the warehouse')
    .requiredOption('--base <file or database>', 'production: a DuckDB file (relative to the project folder, as --database is), or on Snowflake the production database')
    .argument('[tables...]', 'schema.table names (default: every silver and gold table of the project that is on either side)')
    .option('--samples <n>', 'changed rows shown per table, with their values before and after', String(DEFAULT_SAMPLES))
    .option('--changes-from <file>', 'compare only the tables a change touches, as `dataops changed --base-project <dir> --json` wrote them: each changed table and what it rebuilds (those on neither side were not built, and are listed as such)')
    .option('--json', 'print the comparison as JSON (shape: see README)')
    .action(async (tables: string[], opts: { base: string; samples: string; changesFrom?: string; json?: boolean }) => {
      if (!/^\d{1,4}$/.test(opts.samples) || Number(opts.samples) > 1000) throw new UsageError(`--samples: expected a whole number from 0 to 1000, got ${JSON.stringify(opts.samples)}`);
      if (opts.changesFrom && tables.length) throw new UsageError('--changes-from: name tables or give --changes-from, not both');
      const changes = opts.changesFrom === undefined ? undefined : await readChanges(opts.changesFrom);
      const report = await diffProject(settings(), { base: opts.base, tables, changes, samples: Number(opts.samples), log: io.err });
      io.out(opts.json ? mask(JSON.stringify(report, null, 2)) : renderDiffText(report));
      // A table that could not be compared fails the command, after the others are shown.
      for (const failed of report.tables.filter((t) => t.error)) io.err(`error: ${mask(failed.error!)}`);
      set(report.tables.some((t) => t.error) ? 1 : 0);
    });

  program
    .command('sql')
    .description('run Snowflake SQL statements on the target')
    .requiredOption('-q, --query <sql>', 'the statements; the last one\'s rows are printed')
    .option('--json', 'print the rows as a JSON array of objects')
    .action(async (opts: { query: string; json?: boolean }) => {
      const rows = await withWarehouse(settings(), async (w) => {
        const translation = w.translate(opts.query, '<query>');
        for (const d of translation.diagnostics.filter((x) => x.severity === 'warning')) io.err(formatDiagnostic(d));
        const errors = translation.diagnostics.filter((d) => d.severity === 'error');
        if (errors.length) throw new ConfigError(errors);
        // A failure is placed at its statement and told in Snowflake's terms (src/sql/errors.ts).
        return runScript({ file: '<query>', text: opts.query }, translation, (sql) => w.query(sql));
      }, { command: 'sql', log: io.err });
      io.out(opts.json ? JSON.stringify(rows, null, 2) : formatTable(rows));
    });

  program
    .command('status')
    .description('tables, freshness, and the last run of every pipeline')
    .option('--json', 'print the status as JSON (shape: see README)')
    .action(async (opts: { json?: boolean }) => {
      const report = await currentStatus(settings(), io);
      io.out(opts.json ? JSON.stringify(report, null, 2) : renderConsoleSummary(report));
    });

  program
    .command('scan-pii')
    .description('suggest silver and gold columns that look like personal data (emails, phones, names, card numbers, IP addresses) from a sample of each table; changes nothing')
    .option('--table <schema.table>', 'scan this table only')
    .option('--sample <n>', 'rows sampled per table', String(DEFAULT_PII_SAMPLE))
    .option('--json', 'print the report as JSON (shape: see README)')
    .action(async (opts: { table?: string; sample: string; json?: boolean }) => {
      if (!/^\d{1,6}$/.test(opts.sample)) throw new UsageError(`--sample: expected a whole number of rows from 1 to ${MAX_PII_SAMPLE}, got ${JSON.stringify(opts.sample)}`);
      const s = settings();
      const project = await loadProject(s.projectDir, s.env);
      const report = await withWarehouse(s, (w) => scanPii(w, project, { table: opts.table, sample: Number(opts.sample) }), { command: 'scan-pii', log: io.err, readOnly: true });
      io.out(opts.json ? JSON.stringify(report, null, 2) : renderPiiScanText(report));
    });

  program
    .command('report')
    .description('build the static report site (with no DuckDB file yet, a page that says so and what to do)')
    .option('--out <dir>', 'output folder (default: .dataops/site)')
    .action(async (opts: { out?: string }) => {
      const s = settings();
      const siteDir = opts.out ? resolveSettings({ projectDir: s.projectDir, siteDir: opts.out }).siteDir : s.siteDir;
      // No DuckDB file: no state at all (none saved yet, or an evicted cache). Say so; opening it would
      // create an empty database whose report looks like a real one with nothing in it.
      if (s.target === 'duckdb' && s.database !== ':memory:' && !existsSync(s.database)) {
        const missing = { database: relative(s.projectDir, s.database) || s.database };
        const { indexPath } = await buildNoStateSite(siteDir, missing);
        await writeStepSummary(renderNoStateSummary(missing), io.env);
        io.err(`warning: no warehouse state: ${missing.database} does not exist; the report says so and what to do (run the pipelines first: dataops run)`);
        io.out(`report: ${indexPath}`);
        return;
      }
      const { indexPath, failedPages } = await publish({ ...s, siteDir }, io);
      io.out(`report: ${indexPath}`);
      set(failedPages > 0 ? 1 : 0);
    });

  program
    .command('demo')
    .description('start the demo API, run every pipeline on DuckDB, build the report (what `npm start` does)')
    .action(async () => {
      set(await demo(settings(), io, logFormat === 'json' ? eventLog() : undefined));
    });

  program
    .command('changed')
    .description('the pipelines to run and gold models to rebuild for a set of changed files (for the pull-request workflow); what it leaves out, and why, goes to stderr')
    .argument('[files...]', 'changed files, relative to the current folder (as `git diff --name-only` prints them at the top)')
    .option('--files-from <file>', 'read more changed files from this file, one a line')
    .option('--base-project <dir>', 'the same project at the base commit (e.g. a `git worktree` of it): adds the plan of the change, each table and model added, removed or redefined, with its category, reasons and what it rebuilds')
    .option('--json', 'print the whole scope as JSON')
    .action(async (files: string[], opts: { filesFrom?: string; baseProject?: string; json?: boolean }) => {
      const s = settings();
      const listed = opts.filesFrom ? (await readFile(opts.filesFrom, 'utf8')).split(/\r?\n/).filter(Boolean) : [];
      const project = await loadProject(s.projectDir, s.env);
      const base = opts.baseProject === undefined ? undefined : await loadBaseProject(opts.baseProject, s);
      const scope = prScope(project, [...files, ...listed].map((f) => relative(s.projectDir, resolve(f))), base);
      // stdout stays the machine-readable answer; what is left out, and why, goes to stderr in both forms.
      if (scope.everything) io.err(`every pipeline runs: ${scope.everything}`);
      for (const skipped of scope.skipped) io.err(`skipped ${skipped.pipeline}: ${skipped.reason}`);
      for (const change of scope.changes ?? []) io.err(formatChangedTable(change));
      io.out(opts.json ? JSON.stringify(scope, null, 2) : scope.pipelines.join(' '));
    });

  program
    .command('grants')
    .description('print the Snowflake DDL for dataops.yml\'s access: roles, grants (incl. FUTURE), service users, masking policies (idempotent)')
    .option('--apply', 'run it on the Snowflake target')
    .option('--check', 'compare the Snowflake target\'s grants with the declaration: missing and extra grants, exit 1 when they differ')
    .option('--repository <owner/name>', 'the GitHub repository the service users trust (default: access.github_repository, then $GITHUB_REPOSITORY)')
    .action(async (opts: { apply?: boolean; check?: boolean; repository?: string }) => {
      set(await grantsCommand(settings(), opts, io));
    });

  program
    .command('demo-api')
    .description('serve the demo API and write its reference database until stopped (where no real source is configured)')
    .option('--write-env <file>', 'write DEMO_API_URL, DEMO_API_TOKEN and DEMO_REFERENCE_DB to this file as NAME=value lines a shell can source (set -a; . FILE; set +a)')
    .action(async (opts: { writeEnv?: string }) => {
      const s = settings();
      const served = await serveDemoApi({ referenceDb: s.env.DEMO_REFERENCE_DB ?? join(s.projectDir, '.dataops', 'reference.duckdb'), envFile: opts.writeEnv });
      io.out(`demo API on ${served.env.DEMO_API_URL}, reference database ${served.env.DEMO_REFERENCE_DB}; stop with SIGTERM`);
      await served.stopped;
    });

  try {
    await program.parseAsync(argv, { from: 'user' });
  } catch (e) {
    if (e instanceof CommanderError) {
      return e.exitCode === 0 || e.code === 'commander.helpDisplayed' || e.code === 'commander.version' ? 0 : 2;
    }
    if (logFormat === 'json') {
      // A log tool reads the failure as it reads every other event.
      const messages = e instanceof ConfigError ? e.diagnostics.map(formatDiagnostic) : [e instanceof DataOpsError ? e.message : e instanceof Error ? `${e.name}: ${e.message}` : String(e)];
      for (const message of messages) io.err(formatLogEvent('json', message, { level: 'error', event: 'error', error_code: errorCode(e) }));
      return e instanceof UsageError ? 2 : 1;
    }
    if (e instanceof ConfigError) {
      for (const d of e.diagnostics) io.err(formatDiagnostic(d));
      return 1;
    }
    if (e instanceof UsageError) {
      io.err(`error: ${e.message}`);
      return 2;
    }
    if (e instanceof DataOpsError) {
      io.err(`error: ${mask(e.message)}`);
      return 1;
    }
    io.err(mask(e instanceof Error ? (e.stack ?? e.message) : String(e)));
    return 1;
  }
  return exitCode;
}

async function currentStatus(s: Settings, io: Io): Promise<StatusReport> {
  const project = await loadProject(s.projectDir, s.env);
  return withWarehouse(s, (w) => readStatus(w, project), { command: 'status', log: io.err });
}

/**
 * Builds the site. A report page that cannot be built is published as a page naming its file:line:col, the
 * others as usual; each failure is printed, and counted for the exit code.
 */
async function publish(s: Settings, io: Io): Promise<{ report: StatusReport; indexPath: string; failedPages: number }> {
  const project = await loadProject(s.projectDir, s.env);
  const input = await withWarehouse(s, (w) => readSiteInput(w, project), { command: 'report', log: io.err });
  const { report } = input;
  const { indexPath } = await buildSite(input, s.siteDir);
  const failed = (input.reportPages ?? []).filter((p) => p.error);
  for (const page of failed) io.err(`error: report page ${page.path} not built: ${mask(formatDiagnostic(page.error!))}`);
  if (await writeStepSummary(renderSummaryMarkdown(report), io.env)) io.out('job summary written to $GITHUB_STEP_SUMMARY');
  return { report, indexPath, failedPages: failed.length };
}

/** npm start: the whole flow against the demo API, on the embedded DuckDB; with `log`, every line is one of its events. */
async function demo(s: Settings, io: Io, log?: Log): Promise<number> {
  const token = `demo-${randomBytes(12).toString('hex')}`;
  registerSecret(token);
  const anchor = new Date();
  const api = await startDemoApi({ token, anchor });
  try {
    const referenceDb = s.env.DEMO_REFERENCE_DB ?? join(s.projectDir, '.dataops', 'reference.duckdb');
    await writeReferenceDatabase(referenceDb, generateRetailData({ anchor }));
    (log ?? io.out)(`demo API on ${api.url}; reference database ${referenceDb}`);
    const env = { ...s.env, DEMO_API_URL: api.url, DEMO_API_TOKEN: token, DEMO_REFERENCE_DB: referenceDb };
    const settings = { ...s, env };
    const started = Date.now();
    const result = await runProject(settings, { log: log ?? cliLog(io, 'text') });
    const { report, indexPath, failedPages } = await publish(settings, { ...io, env, out: log ?? io.out });
    if (log) {
      logRunResult(log, result, Date.now() - started);
      log(`report: ${indexPath}`, { event: 'report' });
      return result.ok && failedPages === 0 ? 0 : 1;
    }
    io.out('');
    io.out(renderConsoleSummary(report, { siteIndex: indexPath }));
    return result.ok && failedPages === 0 ? 0 : 1;
  } finally {
    await api.close();
  }
}

/** The plan of a change, from the file `dataops changed --base-project <dir> --json` wrote. */
async function readChanges(file: string): Promise<ChangedTable[]> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    throw new UsageError(`--changes-from ${file}: cannot read it (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  const scope = parsePrScope(text, file);
  if (!scope.changes) throw new UsageError(`--changes-from ${file}: it has no "changes"; write it with \`dataops changed --base-project <dir> --json\``);
  return scope.changes;
}

/** The project at the base commit: a folder that holds pipelines/ or sql/ (a mistyped path must not read as "everything is new"). */
async function loadBaseProject(dir: string, s: Settings) {
  const folder = resolve(dir);
  if (!existsSync(folder) || !statSync(folder).isDirectory()) throw new UsageError(`--base-project ${dir}: no such folder (expected a checkout of the base commit)`);
  if (![PIPELINES_DIR, ...MODEL_DIRS].some((sub) => existsSync(join(folder, sub)))) {
    throw new UsageError(`--base-project ${dir}: has no ${PIPELINES_DIR}/, ${MODEL_DIRS.map((d) => `${d}/`).join(' or ')} folder (expected a checkout of the base commit, at the project's folder)`);
  }
  return loadProject(folder, s.env);
}

function parseDurationOption(text: string, option: string): number {
  try {
    return parseDuration(text);
  } catch {
    throw new UsageError(`${option}: expected a duration such as 30m, 1h or 1d, got ${JSON.stringify(text)}`);
  }
}

function runSummary(result: RunResult): string {
  const window = result.pipelines.find((p) => p.backfill)?.backfill;
  const lines = [`run ${result.runId}${window ? ` (a backfill of [${window.from}, ${window.to}))` : ''}`];
  for (const p of result.pipelines) {
    const received = p.batches.reduce((n, b) => n + b.bronzeRows, 0);
    const accepted = p.silverLoads.reduce((n, l) => n + l.accepted, 0);
    const rejected = p.silverLoads.reduce((n, l) => n + l.rejected, 0) + p.batches.reduce((n, b) => n + b.rejected, 0);
    const failed = p.checks.filter((c) => c.status === 'fail' || c.status === 'error');
    const warned = p.checks.filter((c) => c.status === 'warn');
    lines.push(
      `  ${p.pipeline}: ${p.error ? `FAILED: ${p.error}` : `${received} loaded, ${accepted} accepted, ${rejected} rejected; checks ${p.checks.length - failed.length - warned.length} passed, ${warned.length} warned, ${failed.length} failed`}`,
    );
    for (const c of [...failed, ...warned]) lines.push(`    ${c.status.toUpperCase()} ${c.table} ${c.check}: ${c.message} (${c.file}:${c.line})`);
  }
  for (const c of result.tableChanges) lines.push(`  ${c.table}: ${c.action}${c.category ? ` (${c.category.replace('_', '-')})` : ''}: ${c.reasons.join('; ')}`);
  if (result.modelError) lines.push(`  gold: FAILED: ${result.modelError}`);
  for (const f of result.earlierFailures) lines.push(`  ${f.pipeline}: the ${f.step} step of this run FAILED earlier: ${f.error}`);
  return lines.join('\n');
}

function formatTable(rows: Record<string, unknown>[]): string {
  if (rows.length === 0) return '(no rows)';
  const columns = Object.keys(rows[0]);
  const cell = (v: unknown) => (v === null || v === undefined ? 'NULL' : typeof v === 'object' ? JSON.stringify(v) : String(v));
  const widths = columns.map((c) => Math.min(60, Math.max(c.length, ...rows.map((r) => cell(r[c]).length))));
  const line = (values: string[]) => values.map((v, i) => v.slice(0, 60).padEnd(widths[i])).join('  ').trimEnd();
  return [line(columns), line(widths.map((w) => '-'.repeat(w))), ...rows.map((r) => line(columns.map((c) => cell(r[c]))))].join('\n') + `\n(${rows.length} rows)`;
}
