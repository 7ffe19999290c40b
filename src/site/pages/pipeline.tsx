// A page per pipeline: its last run step by step, batches, silver loads with conservation, checks,
// rejected rows, schema drift, its tables and its recent runs.
import type { VNode } from 'preact';

import type { PipelineStatus, RunHistoryPoint, StatusReport } from '../../state/types.js';
import { formatCount } from '../../report/format.js';
import { isConserved, sortChecksBySeverity, tallyPipeline } from '../../report/tally.js';
import { CheckBadge, ConservationBadge, ErrorText, Facts, Link, RunBadge, Section, Table, Time } from '../components.js';
import { pagePaths } from '../links.js';
import type { OperationsHistory } from '../history-input.js';
import { describePeriod } from '../history-input.js';
import { CheckSamples } from './check-samples.js';
import { CheckStrips } from './check-strip.js';
import { DriftTimeline } from './drift-timeline.js';
import { FreshnessTable } from './freshness-table.js';
import { RecentFailures, RunHistory, RunLink } from './run-history.js';

export function PipelinePage({ report, pipeline, history, operations, charts = [], rejectedPages = new Set(), tablePages }: {
  report: StatusReport;
  pipeline: PipelineStatus;
  history: readonly RunHistoryPoint[];
  /** When given, the runs, checks and drift over time, and links to each recent run's page. */
  operations?: OperationsHistory;
  /** The run duration charts (history-charts.ts runDurationCharts), rendered. */
  charts?: readonly string[];
  /** Tables with a page in the rejected-rows explorer. */
  rejectedPages?: ReadonlySet<string>;
  /** The tables with a catalog page, linked from the pipeline's table list. */
  tablePages?: ReadonlySet<string>;
}): VNode {
  const pages = new Set(operations?.records.map((r) => r.run_id) ?? []);
  const tally = tallyPipeline(pipeline);
  const run = pipeline.last_run;
  const runFacts: Array<[string, VNode | string]> = run
    ? [
        ['Last run', <><RunBadge state={run.status} /> <RunLink runId={run.run_id} pages={pages} /></>],
        ['Started', <Time iso={run.started_at} />],
        ['Finished', <Time iso={run.finished_at} />],
      ]
    : [['Last run', <RunBadge state={null} />]];
  if (run?.error) runFacts.push(['Error', <ErrorText text={run.error} />]);
  const checksOf = pipeline.checks_run_id && pipeline.checks_run_id !== run?.run_id
    ? `Check results of run ${pipeline.checks_run_id} (the last run ran no checks), failing first`
    : 'Check results of the last run, failing first';
  const ownTables = report.tables.filter((t) => t.pipeline === pipeline.name);

  return (
    <>
      <p class="crumb"><Link to={pagePaths.overview}>← All pipelines</Link></p>
      <h1>Pipeline {pipeline.name}</h1>
      {pipeline.description && <p>{pipeline.description}</p>}
      <Facts entries={[
        ['Owner', pipeline.owner ?? '—'],
        ['File', <code>{pipeline.file}</code>],
        ...runFacts,
        ['Loaded', `${formatCount(tally.loaded)} rows to bronze; ${formatCount(tally.accepted)} accepted, ${formatCount(tally.rejected)} rejected`],
        ['Checks', `${formatCount(tally.checksPassed)} passed, ${formatCount(tally.checksWarned)} warned, ${formatCount(tally.checksFailed)} failed`],
        ['Conservation', <ConservationBadge conserved={tally.conserved} />],
      ]} />
      {(run?.steps ?? []).length > 0 && (
        <Section id="steps" heading="Steps of the last run">
          <Table caption="Each step of the last run; the first failed step is the root cause of what follows" columns={['Step', 'Status', 'Started', 'Finished', 'Error']}>
            {run!.steps.map((step) => (
              <tr>
                <th scope="row">{step.step}</th>
                <td><RunBadge state={step.status} /></td>
                <td><Time iso={step.started_at} /></td>
                <td><Time iso={step.finished_at} /></td>
                <td class="message">{step.error ? <ErrorText text={step.error} /> : '—'}</td>
              </tr>
            ))}
          </Table>
        </Section>
      )}
      <Section id="batches" heading="Batches">
        {pipeline.batches.length === 0 ? <p>No batches in the last run.</p> : (
          <Table caption="Batches fetched by the last run" columns={['Batch', 'Resource', { label: 'Received', numeric: true }, { label: 'Bronze rows', numeric: true }, { label: 'Rejected', numeric: true }, 'Fetched at']}>
            {pipeline.batches.map((batch) => (
              <tr>
                <th scope="row"><code>{batch.batch_id}</code></th>
                <td>{batch.resource}{batch.backfill && <> (backfill from <Time iso={batch.backfill.from} /> to <Time iso={batch.backfill.to} />)</>}</td>
                <td class="n">{formatCount(batch.received)}</td>
                <td class="n">{formatCount(batch.bronze_rows)}</td>
                <td class="n">{formatCount(batch.rejected)}</td>
                <td><Time iso={batch.fetched_at} /></td>
              </tr>
            ))}
          </Table>
        )}
      </Section>
      <Section id="silver-loads" heading="Silver loads">
        {pipeline.silver_loads.length === 0 ? <p>No silver loads in the last run.</p> : (
          <Table
            caption="Silver loads of the last run: bronze = accepted + rejected"
            columns={['Table', 'Batch', { label: 'Bronze', numeric: true }, { label: 'Accepted', numeric: true },
              { label: 'Rejected', numeric: true }, { label: 'Inserted', numeric: true }, { label: 'Updated', numeric: true }, 'Conserved']}
          >
            {pipeline.silver_loads.map((load) => (
              <tr>
                <th scope="row">{load.table}</th>
                <td><code>{load.batch_id}</code></td>
                <td class="n">{formatCount(load.bronze)}</td>
                <td class="n">{formatCount(load.accepted)}</td>
                <td class="n">{formatCount(load.rejected)}</td>
                <td class="n">{formatCount(load.inserted)}</td>
                <td class="n">{formatCount(load.updated)}</td>
                <td><ConservationBadge conserved={isConserved(load)} /></td>
              </tr>
            ))}
          </Table>
        )}
      </Section>
      <Section id="checks" heading="Checks">
        {pipeline.checks.length === 0 ? <p>No check results.</p> : (
          <Table caption={checksOf} columns={['Check', 'Table', 'Severity', 'Status', { label: 'Failing rows', numeric: true }, 'Message']}>
            {sortChecksBySeverity(pipeline.checks).map((check) => (
              <tr>
                <th scope="row">{check.check}</th>
                <td>{check.table}</td>
                <td>{check.severity}</td>
                <td><CheckBadge status={check.status} /></td>
                <td class="n">{formatCount(check.failing_rows)}</td>
                <td class="message">{check.message}</td>
              </tr>
            ))}
          </Table>
        )}
      </Section>
      <Section id="check-samples" heading="Failing rows of the checks">
        <CheckSamples checks={sortChecksBySeverity(pipeline.checks)} />
      </Section>
      <Section id="rejected" heading="Rejected rows">
        {pipeline.rejected.length === 0 ? <p>No rejected rows kept.</p> : (
          <>
            <Table caption="Rejected rows kept, by reason; each table links to its records by reason" columns={['Reason', 'Table', { label: 'Rows', numeric: true }]}>
              {pipeline.rejected.map((reason) => (
                <tr>
                  <th scope="row">{reason.reason}</th>
                  <td>{rejectedPages.has(reason.table) ? <Link to={pagePaths.rejectedTable(reason.table)}>{reason.table}</Link> : reason.table}</td>
                  <td class="n">{formatCount(reason.rows)}</td>
                </tr>
              ))}
            </Table>
            <p><Link to={pagePaths.rejected}>All rejected rows, with sample records</Link></p>
          </>
        )}
      </Section>
      {pipeline.schema_drift.length > 0 && (
        <Section id="schema-drift" heading="Schema drift">
          <Table caption="Fields that appeared, disappeared or changed type in the last run (no record was dropped)" columns={['Field', 'Resource', 'Change', 'Type']}>
            {pipeline.schema_drift.map((change) => (
              <tr>
                <th scope="row"><code>{change.path}</code></th>
                <td>{change.resource}</td>
                <td>{change.change.replace('_', ' ')}</td>
                <td>{change.old_type ?? '—'} → {change.new_type ?? '—'}</td>
              </tr>
            ))}
          </Table>
        </Section>
      )}
      <Section id="tables" heading="Tables">
        <FreshnessTable tables={ownTables} caption={`Tables of ${pipeline.name} and their freshness`} withPipeline={false} tablePages={tablePages} />
      </Section>
      {operations ? <PipelineHistory name={pipeline.name} operations={operations} pages={pages} charts={charts} /> : history.length > 0 && (
        <Section id="recent-runs" heading="Recent runs">
          <Table caption={`The ${history.length} most recent runs`} columns={['Run', 'Started', 'Status', { label: 'Rejected', numeric: true }, { label: 'Checks failed', numeric: true }]}>
            {history.map((point) => (
              <tr>
                <th scope="row"><RunLink runId={point.run_id} pages={pages} /></th>
                <td><Time iso={point.started_at} /></td>
                <td><RunBadge state={point.status} /></td>
                <td class="n">{formatCount(point.rejected)}</td>
                <td class="n">{formatCount(point.checks_failed)}</td>
              </tr>
            ))}
          </Table>
        </Section>
      )}
    </>
  );
}

/** The pipeline over the history's period: its runs, each check's results and schema drift. */
function PipelineHistory({ name, operations, pages, charts }: { name: string; operations: OperationsHistory; pages: ReadonlySet<string>; charts: readonly string[] }): VNode {
  const runs = operations.runs.get(name) ?? [];
  const period = describePeriod(operations.window);
  return (
    <>
      <Section id="runs" heading="Runs over time">
        <RunHistory points={runs} window={operations.window} pages={pages} charts={charts} />
        <RecentFailures points={runs} pages={pages} />
      </Section>
      <Section id="check-history" heading="Check history">
        {(operations.checks.get(name) ?? []).length === 0 ? <p>No check results in this period.</p>
          : <CheckStrips checks={operations.checks.get(name)!} caption={`Each check's results over ${period}: one cell per day, then one per run`} />}
      </Section>
      <Section id="drift-timeline" heading="Schema drift over time">
        <DriftTimeline events={operations.drift.get(name) ?? []} pages={pages} caption={`Fields of ${name}'s records that appeared, disappeared or changed type over ${period}, newest first`} />
      </Section>
    </>
  );
}
