// A page per run: for each pipeline it ran, what each step did, the batches it fetched, the silver loads
// with their conservation (bronze = accepted + rejected), the checks with their messages and failing rows
// (and the SQL that finds them), the rows it rejected by reason, schema drift, and its errors in full;
// then the models it built and every table's size and freshness after it.
import type { VNode } from 'preact';

import { formatCount, formatDuration } from '../../report/format.js';
import { isConserved, sortChecksBySeverity } from '../../report/tally.js';
import type { PipelineRunRecord, RunRecord } from '../../state/run-record.js';
import { CheckSamples } from './check-samples.js';
import { CheckBadge, ConservationBadge, ErrorText, Facts, Link, RunBadge, Section, Table, Time } from '../components.js';
import { pagePaths } from '../links.js';

export function RunPage({ record }: { record: RunRecord }): VNode {
  return (
    <>
      <p class="crumb"><Link to={pagePaths.overview}>← Overview</Link></p>
      <h1>Run <code>{record.run_id}</code></h1>
      <Facts entries={[
        ['Status', <RunBadge state={record.status} />],
        ['Started', <Time iso={record.started_at} />],
        ['Finished', <Time iso={record.finished_at} />],
        ['Duration', formatDuration(record.duration_seconds)],
        ['Pipelines', <>{record.pipelines.map((p, i) => <>{i > 0 && ', '}<Link to={pagePaths.pipeline(p.pipeline)}>{p.pipeline}</Link></>)}</>],
      ]} />
      {record.pipelines.map((p) => <PipelineRun run={p} />)}
      <Section id="models" heading="Models built">
        {record.models.length === 0 ? <p>This run built no SQL models.</p> : (
          <Table caption="SQL models the run built, in build order, with their rows after it" columns={['Model', 'File', { label: 'Rows', numeric: true }, 'Built at']}>
            {record.models.map((m) => (
              <tr><th scope="row">{m.model}</th><td><code>{m.file}</code></td><td class="n">{formatCount(m.rows)}</td><td><Time iso={m.built_at} /></td></tr>
            ))}
          </Table>
        )}
      </Section>
      {record.tables.length > 0 && (
        <Section id="tables" heading="Tables after the run">
          <Table caption="Each table's rows after the run, and how far its freshness field lagged (tables with a freshness SLA)" columns={['Table', 'Pipeline', { label: 'Rows', numeric: true }, 'Freshness field', 'Newest', { label: 'Lag', numeric: true }]}>
            {record.tables.map((t) => (
              <tr>
                <th scope="row">{t.table}</th><td>{t.pipeline ?? '—'}</td><td class="n">{formatCount(t.rows)}</td>
                <td>{t.freshness_field ? <code>{t.freshness_field}</code> : '—'}</td><td><Time iso={t.newest_at} /></td><td class="n">{formatDuration(t.lag_seconds)}</td>
              </tr>
            ))}
          </Table>
        </Section>
      )}
    </>
  );
}

function PipelineRun({ run }: { run: PipelineRunRecord }): VNode {
  const id = (part: string) => `${run.pipeline}-${part}`;
  const rejected = run.batches.reduce((n, b) => n + b.rejected, 0) + run.silver_loads.reduce((n, l) => n + l.rejected, 0);
  return (
    <Section id={id('run')} heading={`Pipeline ${run.pipeline}`}>
      <Facts entries={[
        ['Status', <RunBadge state={run.status} />],
        ['Duration', formatDuration(run.duration_seconds)],
        ['Loaded', `${formatCount(run.batches.reduce((n, b) => n + b.bronze_rows, 0))} rows to bronze from ${formatCount(run.batches.length)} batches; ${formatCount(rejected)} rejected`],
        ...(run.error ? [['Error', <ErrorText text={run.error} />] as [string, VNode]] : []),
      ]} />
      <h3 id={id('steps')}>Steps</h3>
      <Table caption={`Each step of ${run.pipeline}'s run; the first failed step is the root cause of what follows`} columns={['Step', 'Status', 'Started', 'Finished', 'Error']}>
        {run.steps.map((s) => (
          <tr>
            <th scope="row">{s.step}</th><td><RunBadge state={s.status} /></td><td><Time iso={s.started_at} /></td><td><Time iso={s.finished_at} /></td>
            <td class="message">{s.error ? <ErrorText text={s.error} /> : '—'}</td>
          </tr>
        ))}
      </Table>
      <h3 id={id('batches')}>Batches</h3>
      {run.batches.length === 0 ? <p>No batches: nothing was fetched.</p> : (
        <Table caption={`Batches ${run.pipeline} fetched`} columns={['Batch', 'Resource', { label: 'Received', numeric: true }, { label: 'Bronze rows', numeric: true }, { label: 'Rejected', numeric: true }, 'Cursor', 'Fetched at']}>
          {run.batches.map((b) => (
            <tr>
              <th scope="row"><code>{b.batch_id}</code></th>
              <td>{b.resource}{b.backfill && <> (backfill from <Time iso={b.backfill.from} /> to <Time iso={b.backfill.to} />)</>}</td>
              <td class="n">{formatCount(b.received)}</td><td class="n">{formatCount(b.bronze_rows)}</td><td class="n">{formatCount(b.rejected)}</td>
              <td>{b.cursor_before || b.cursor_after ? <><code>{b.cursor_before ?? '—'}</code> → <code>{b.cursor_after ?? '—'}</code></> : '—'}</td>
              <td><Time iso={b.fetched_at} /></td>
            </tr>
          ))}
        </Table>
      )}
      <h3 id={id('silver-loads')}>Silver loads</h3>
      {run.silver_loads.length === 0 ? <p>No silver loads.</p> : (
        <Table caption="Silver loads: bronze = accepted + rejected" columns={['Table', 'Batch', { label: 'Bronze', numeric: true }, { label: 'Accepted', numeric: true }, { label: 'Rejected', numeric: true }, { label: 'Inserted', numeric: true }, { label: 'Updated', numeric: true }, 'Conserved']}>
          {run.silver_loads.map((l) => (
            <tr>
              <th scope="row">{l.table}</th><td><code>{l.batch_id}</code></td>
              <td class="n">{formatCount(l.bronze)}</td><td class="n">{formatCount(l.accepted)}</td><td class="n">{formatCount(l.rejected)}</td>
              <td class="n">{formatCount(l.inserted)}</td><td class="n">{formatCount(l.updated)}</td><td><ConservationBadge conserved={isConserved(l)} /></td>
            </tr>
          ))}
        </Table>
      )}
      <h3 id={id('checks')}>Checks</h3>
      {run.checks.length === 0 ? <p>No checks ran.</p> : (
        <Table caption="Check results, failing first, with the SQL that returns the failing rows" columns={['Check', 'Table', 'Severity', 'Status', { label: 'Failing rows', numeric: true }, 'Message']}>
          {sortChecksBySeverity(run.checks).map((c) => (
            <tr>
              <th scope="row">{c.check}</th><td>{c.table}</td><td>{c.severity}</td><td><CheckBadge status={c.status} /></td>
              <td class="n">{formatCount(c.failing_rows)}</td>
              <td class="message">{c.message}{c.status !== 'pass' && c.sql ? <details><summary>SQL returning the failing rows</summary><pre class="sql">{c.sql}</pre></details> : null}</td>
            </tr>
          ))}
        </Table>
      )}
      {run.checks.some((c) => (c.samples?.length ?? 0) > 0) && <CheckSamples checks={sortChecksBySeverity(run.checks)} />}
      {run.rejected.length > 0 && (
        <>
          <h3 id={id('rejected')}>Rejected rows</h3>
          <Table caption="Rows this run rejected, by reason (a row with two reasons counts under each)" columns={['Reason', 'Table', { label: 'Rows', numeric: true }]}>
            {run.rejected.map((r) => <tr><th scope="row">{r.reason}</th><td>{r.table}</td><td class="n">{formatCount(r.rows)}</td></tr>)}
          </Table>
        </>
      )}
      {run.schema_drift.length > 0 && (
        <>
          <h3 id={id('drift')}>Schema drift</h3>
          <Table caption="Fields that appeared, disappeared or changed type in this run's batches (no record was dropped)" columns={['Field', 'Resource', 'Change', 'Type']}>
            {run.schema_drift.map((c) => (
              <tr><th scope="row"><code>{c.path}</code></th><td>{c.resource}</td><td>{c.change.replace('_', ' ')}</td><td>{c.old_type ?? '—'} → {c.new_type ?? '—'}</td></tr>
            ))}
          </Table>
        </>
      )}
    </Section>
  );
}
