// The site's front page: the verdict, the headline numbers (each saying what period it covers), what needs
// someone, every pipeline's last run and every table's freshness.
import type { VNode } from 'preact';

import type { StatusReport } from '../../state/types.js';
import { formatCount } from '../../report/format.js';
import { isFreshnessBreach, sortChecksBySeverity, tallyPipeline, tallyReport, type ReportState } from '../../report/tally.js';
import { Badge, CheckBadge, ConservationBadge, ErrorText, Facts, Link, Note, RunBadge, Section, Table, Time } from '../components.js';
import { pagePaths } from '../links.js';
import { FreshnessTable } from './freshness-table.js';
import { describePeriod, type OperationsHistory } from '../history-input.js';

/** The overview's verdict: "All good" only when nothing fails and nothing warns. */
const OVERALL: Record<ReportState, VNode> = {
  ok: <Badge text="All good" tone="ok" />,
  warn: <Badge text="Warnings" tone="warn" />,
  fail: <Badge text="Needs attention" tone="bad" />,
};

export function OverviewPage({ report, operations, tablePages }: { report: StatusReport; operations?: OperationsHistory; tablePages?: ReadonlySet<string> }): VNode {
  const total = tallyReport(report);
  const history = operations && [...operations.runs.values()].flat();
  return (
    <>
      <h1>Data-ops status</h1>
      <Facts entries={[
        ['Overall', OVERALL[total.state]],
        ['Target', <>{report.target.kind} · <code>{report.target.database}</code></>],
        ['Generated', <Time iso={report.generated_at} />],
        ['Failed runs', <>{formatCount(total.failedRuns)} of {formatCount(report.pipelines.length)} <Note>pipelines whose last run failed</Note></>],
        ['Rows loaded', <>{formatCount(total.loaded)} <Note>by each pipeline’s last run</Note></>],
        ['Rejected', <>{formatCount(total.rejected)} <Note>by each pipeline’s last run; each pipeline page lists all rejected rows kept</Note></>],
        ['Checks', <>{formatCount(total.checksPassed)} passed, {formatCount(total.checksWarned)} warned, {formatCount(total.checksFailed)} failed <Note>in each pipeline’s latest checked run</Note></>],
        ...(history && operations
          ? [['Runs over time', <>{formatCount(history.reduce((n, p) => n + p.runs, 0))} runs, {formatCount(history.reduce((n, p) => n + p.failed, 0))} failed <Note>over {describePeriod(operations.window)}, all pipelines</Note></>] as [string, VNode]]
          : []),
        ['Conservation', <><ConservationBadge conserved={report.conservation_ok && total.conserved} /> <Note>bronze = accepted + rejected for every silver load of each last run</Note></>],
      ]} />
      <Attention report={report} />
      <Section id="pipelines" heading="Pipelines">
        {report.pipelines.length === 0 ? <p>No pipelines reported.</p> : (
          <Table
            caption="Each pipeline’s last run"
            columns={['Pipeline', 'Last run', 'Started', { label: 'Loaded', numeric: true }, { label: 'Accepted', numeric: true },
              { label: 'Rejected', numeric: true }, { label: 'Checks passed', numeric: true },
              { label: 'Checks warned', numeric: true }, { label: 'Checks failed', numeric: true }, 'Conservation']}
          >
            {report.pipelines.map((pipeline) => {
              const tally = tallyPipeline(pipeline);
              return (
                <tr>
                  <th scope="row"><Link to={pagePaths.pipeline(pipeline.name)}>{pipeline.name}</Link></th>
                  <td><RunBadge state={pipeline.last_run?.status ?? null} /></td>
                  <td><Time iso={pipeline.last_run?.started_at ?? null} /></td>
                  <td class="n">{formatCount(tally.loaded)}</td>
                  <td class="n">{formatCount(tally.accepted)}</td>
                  <td class="n">{formatCount(tally.rejected)}</td>
                  <td class="n">{formatCount(tally.checksPassed)}</td>
                  <td class="n">{formatCount(tally.checksWarned)}</td>
                  <td class="n">{formatCount(tally.checksFailed)}</td>
                  <td><ConservationBadge conserved={tally.conserved} /></td>
                </tr>
              );
            })}
          </Table>
        )}
      </Section>
      <Section id="freshness" heading="Freshness">
        <FreshnessTable tables={report.tables} caption="Every table, its rows and how fresh it is" withPipeline tablePages={tablePages} />
      </Section>
    </>
  );
}

/** What needs someone: failed runs with their root cause, failing and warning checks, late tables. */
function Attention({ report }: { report: StatusReport }): VNode | null {
  const failed = report.pipelines.filter((p) => p.last_run?.status === 'failed');
  const checks = report.pipelines.flatMap((p) => sortChecksBySeverity(p.checks.filter((c) => c.status !== 'pass')).map((check) => ({ pipeline: p.name, check })));
  const late = report.tables.filter(isFreshnessBreach);
  if (failed.length + checks.length + late.length === 0) return null;
  return (
    <Section id="attention" heading="Needs attention">
      {failed.length > 0 && (
        <Table caption="Failed runs: each pipeline whose last run failed, with its errors (root cause first)" columns={['Pipeline', 'Run', 'Error']}>
          {failed.map((p) => (
            <tr>
              <th scope="row"><Link to={pagePaths.pipeline(p.name)}>{p.name}</Link></th>
              <td><code>{p.last_run!.run_id}</code></td>
              <td class="message"><ErrorText text={p.last_run!.error ?? '(no error recorded)'} /></td>
            </tr>
          ))}
        </Table>
      )}
      {checks.length > 0 && (
        <Table caption="Checks that failed or warned" columns={['Check', 'Table', 'Pipeline', 'Status', { label: 'Failing rows', numeric: true }, 'Message']}>
          {checks.map(({ pipeline, check }) => (
            <tr>
              <th scope="row">{check.check}</th>
              <td>{check.table}</td>
              <td>{pipeline}</td>
              <td><CheckBadge status={check.status} /></td>
              <td class="n">{formatCount(check.failing_rows)}</td>
              <td class="message">{check.message}</td>
            </tr>
          ))}
        </Table>
      )}
      {late.length > 0 && <FreshnessTable tables={late} caption="Tables past their freshness SLA" withPipeline />}
    </Section>
  );
}
