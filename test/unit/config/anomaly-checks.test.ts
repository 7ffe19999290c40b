// `anomaly:` checks in a pipeline file: defaults, and each mistake refused at its line with what is expected.
import { describe, expect, test } from 'vitest';
import { loadPipeline } from '../../../src/config/pipeline.js';
import { formatDiagnostic } from '../../../src/errors.js';

/** A pipeline whose silver.items has columns id, email, updated_at; `checks` is the YAML under silver.items (lines 16 on). */
function pipelineWith(checks: string, freshness = ''): string {
  return `name: anomalies
source:
  kind: http
  base_url: http://127.0.0.1:1
  resources:
    items: { path: /items }
silver:
  items:
    from: items
    key: [id]
    columns:
      id: { path: id, type: integer }
      email: { path: email, type: string }
      updated_at: { path: updated_at, type: timestamp }
checks:
  silver.items:
${checks}
${freshness}`;
}
const load = (text: string) => loadPipeline('pipelines/anomalies.yml', text, {});
const errors = (text: string) => load(text).diagnostics.filter((d) => d.severity === 'error').map(formatDiagnostic);
const SLA = 'freshness:\n  silver.items: { field: updated_at, warn_after: 2h, error_after: 6h }\n';

describe('anomaly checks in the pipeline file', () => {
  test('the defaults: judged per run, the metric decides the rest; freshness_lag is measured from the SLA field', () => {
    const text = pipelineWith(
      ['    - anomaly: { metric: volume }', '    - { anomaly: { metric: null_rate, column: email, sensitivity: 4, min_history: 48, direction: both }, severity: warn }', '    - anomaly: { metric: freshness_lag }', '    - anomaly: { metric: volume, per: day }'].join('\n'),
      SLA,
    );
    const { pipeline, diagnostics } = load(text);
    expect(diagnostics).toEqual([]);
    expect(pipeline!.checks.map((c) => ({ spec: c.spec, severity: c.severity, line: c.line }))).toEqual([
      { spec: { kind: 'anomaly', metric: 'volume', per: 'run' }, severity: 'error', line: 17 },
      { spec: { kind: 'anomaly', metric: 'null_rate', column: 'email', per: 'run', sensitivity: 4, min_history: 48, direction: 'both' }, severity: 'warn', line: 18 },
      { spec: { kind: 'anomaly', metric: 'freshness_lag', per: 'run', field: 'updated_at' }, severity: 'error', line: 19 },
      { spec: { kind: 'anomaly', metric: 'volume', per: 'day' }, severity: 'error', line: 20 },
    ]);
  });

  test.each([
    ['a column metric without a column', '    - anomaly: { metric: null_rate }', /^pipelines\/anomalies\.yml:17:\d+: checks\.silver\.items: anomaly null_rate is about one column: add "column: <name>"$/],
    ['a table metric with a column', '    - anomaly: { metric: volume, column: email }', /^pipelines\/anomalies\.yml:17:\d+: checks\.silver\.items: anomaly volume is about the whole table and takes no column/],
    ['per day for a metric judged per run', '    - anomaly: { metric: distinct_count, column: email, per: day }', /^pipelines\/anomalies\.yml:17:\d+: checks\.silver\.items: anomaly distinct_count: "per: day" is for volume/],
    ['a freshness lag without an SLA', '    - anomaly: { metric: freshness_lag }', /^pipelines\/anomalies\.yml:17:\d+: checks\.silver\.items: anomaly freshness_lag needs a freshness SLA for silver\.items in this file/],
    ['an unknown metric', '    - anomaly: { metric: row_growth }', /^pipelines\/anomalies\.yml:17:26: checks\.silver\.items\.0\.anomaly\.metric: expected one of "volume", "freshness_lag", "null_rate", "distinct_count", got "row_growth"$/],
    ['a sensitivity of zero', '    - anomaly: { metric: volume, sensitivity: 0 }', /^pipelines\/anomalies\.yml:17:\d+: .*sensitivity.*> 0/],
    ['a minimum history too small to judge from', '    - anomaly: { metric: volume, min_history: 1 }', /^pipelines\/anomalies\.yml:17:\d+: .*min_history.*>= 3/],
    ['no metric', '    - anomaly: { column: email }', /^pipelines\/anomalies\.yml:17:\d+: .*missing required key "metric"/],
  ])('refused: %s', (_name, check, expected) => {
    const found = errors(pipelineWith(check));
    expect(found[0], found.join('\n')).toMatch(expected);
  });
});
