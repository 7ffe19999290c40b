// `dataops retention` and `dataops erase`: what removes data from the layers, on a schedule or on request.
import type { Command } from 'commander';
import { ConfigError, UsageError } from '../errors.js';
import { eraseSubject, parseEraseKey } from '../governance/erase.js';
import { loadProject } from '../project.js';
import { newRunId } from '../state/meta.js';
import { applyRetention, formatRetention } from '../state/retention.js';
import { withWarehouse, type Settings } from '../settings.js';
import type { Io } from './io.js';

export function addLifecycleCommands(program: Command, { settings, io }: { settings: () => Settings; io: Io }): void {
  program
    .command('retention')
    .description('remove what each layer holds past dataops.yml retention: (landing files, bronze, rejected rows, run history), as every hourly run does; prints the counts per layer and table')
    .argument('[pipelines...]', 'pipeline names (default: all)')
    .option('--dry-run', 'print what would be removed; remove nothing')
    .option('--json', 'print the counts as JSON')
    .action(async (names: string[], opts: { dryRun?: boolean; json?: boolean }) => {
      const s = settings();
      if (!s.retentionSeconds || Object.keys(s.retentionSeconds).length === 0) {
        io.err('retention: dataops.yml sets no retention: (e.g. retention: { bronze: 400d }); nothing to do');
        return;
      }
      const project = await loadProject(s.projectDir, s.env);
      const unknown = names.filter((n) => !project.pipelines.some((p) => p.name === n));
      if (unknown.length) throw new UsageError(`unknown pipeline ${unknown.join(', ')} (pipelines: ${project.pipelines.map((p) => p.name).join(', ')})`);
      const pipelines = names.length ? names : project.pipelines.map((p) => p.name);
      const counts = await withWarehouse(s, (w) => applyRetention(w, project.graph, { keep: s.retentionSeconds!, landingDir: s.landingDir, pipelines, dryRun: opts.dryRun }), { command: 'retention', ...(opts.dryRun ? {} : { runId: newRunId(), pipelines }), log: io.err });
      io.out(opts.json ? JSON.stringify(counts, null, 2) : formatRetention(counts, opts.dryRun).join('\n'));
    });

  program
    .command('erase')
    .description("remove a subject's records from every layer on request (landing files, bronze, silver, rejected rows, check samples), rebuild the models that read them, and record the erasure in meta.erasures (counts, never the value)")
    .requiredOption('--key <column=value>', 'the subject, by a column the silver tables have, e.g. customer_id=123')
    .option('--dry-run', 'print how many records each layer holds; remove nothing')
    .option('--json', 'print the result as JSON')
    .action(async (opts: { key: string; dryRun?: boolean; json?: boolean }) => {
      const key = parseEraseKey(opts.key);
      const s = settings();
      const project = await loadProject(s.projectDir, s.env);
      const failures = project.diagnostics.filter((d) => d.severity === 'error' && d.code !== 'env_unset');
      if (failures.length) throw new ConfigError(failures);
      const runId = newRunId();
      const pipelines = project.pipelines.map((p) => p.name);
      const result = await withWarehouse(s, (w) => eraseSubject(w, project, { key, landingDir: s.landingDir, runId, dryRun: opts.dryRun }), {
        command: 'erase', ...(opts.dryRun ? {} : { runId, pipelines }), log: io.err,
      });
      if (opts.json) {
        io.out(JSON.stringify(result, null, 2));
        return;
      }
      const verb = opts.dryRun ? 'would be erased' : 'erased';
      for (const c of result.counts) io.out(`${c.layer}: ${c.table}: ${c.rows} ${c.layer === 'landing' ? 'records' : 'rows'} ${verb}`);
      for (const model of result.rebuilt) io.out(`rebuild: ${model}${opts.dryRun ? ' would be rebuilt' : ' rebuilt'} from what is left`);
      for (const note of result.notes) io.err(`note: ${note}`);
      if (result.erasureId) io.out(`recorded as ${result.erasureId} in meta.erasures (the key's name and the counts; not its value)`);
    });
}
