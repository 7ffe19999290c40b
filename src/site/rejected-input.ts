// The rejected-rows explorer's input: meta.rejected's counts by table and reason, and each reason's newest
// records, masked where a column is declared sensitive (src/governance) before any page sees them. A sample
// is pretty-printed JSON, cut to a few KB; a record whose text is not JSON (cut when it was stored, or not
// UTF-8) cannot have its sensitive fields found, so in a table with any it is not shown at all.
import type { Pipeline } from '../config/types.js';
import { maskRecord, type MaskRuleName } from '../governance/masking.js';
import { sensitiveFieldsOf } from '../governance/sensitive-fields.js';
import { readRejectedCounts, readRejectedSamples, type RejectedSample, type RejectedTableCounts } from '../state/rejected.js';
import type { Warehouse } from '../warehouse/adapter.js';

/** Records shown per reason unless the build says otherwise. */
export const DEFAULT_SAMPLES_PER_REASON = 5;
/** A sample's text is cut here: enough to see what was wrong, small enough for many per page. */
export const SAMPLE_TEXT_CHARS = 4096;

export interface RejectedExplorer {
  samplesPerReason: number;
  /** Every table with rejected rows kept, by name. */
  tables: RejectedTable[];
}

export interface RejectedTable extends RejectedTableCounts {
  /** The sensitive columns whose values are masked in this table's samples, with their rule. */
  masked: Array<{ column: string; rule: MaskRuleName }>;
  /** Per reason (as in `reasons`), its newest records. */
  samples: ReadonlyMap<string, ShownSample[]>;
}

export interface ShownSample extends Omit<RejectedSample, 'record' | 'table' | 'reason'> {
  /** What the page shows: pretty-printed and masked JSON, the stored text, or null when it is withheld. */
  text: string | null;
  /** Why the text is withheld, cut or shown as stored; absent when it is the whole record. */
  note?: string;
}

export interface RejectedExplorerOptions {
  samplesPerReason?: number;
}

export async function readRejectedExplorer(warehouse: Warehouse, pipelines: readonly Pipeline[], options: RejectedExplorerOptions = {}): Promise<RejectedExplorer> {
  const samplesPerReason = options.samplesPerReason ?? DEFAULT_SAMPLES_PER_REASON;
  const counts = await readRejectedCounts(warehouse);
  const samples = await readRejectedSamples(warehouse, counts.flatMap((t) => t.reasons.map((r) => ({ table: t.table, reason: r.reason }))), samplesPerReason);
  const tables = counts.map((t): RejectedTable => {
    const byReason = new Map<string, ShownSample[]>();
    for (const s of samples.filter((x) => x.table === t.table)) {
      const list = byReason.get(s.reason) ?? [];
      list.push(showSample(pipelines, s));
      byReason.set(s.reason, list);
    }
    const columns = new Map<string, MaskRuleName>();
    for (const elementIndex of [null, 0]) for (const f of sensitiveFieldsOf(pipelines, { table: t.table, elementIndex })) columns.set(f.column, f.rule);
    return { ...t, masked: [...columns].map(([column, rule]) => ({ column, rule })).sort((a, b) => a.column.localeCompare(b.column)), samples: byReason };
  });
  return { samplesPerReason, tables };
}

export function showSample(pipelines: readonly Pipeline[], sample: RejectedSample): ShownSample {
  const { record, table: _table, reason: _reason, ...rest } = sample;
  const fields = sensitiveFieldsOf(pipelines, { table: sample.table, elementIndex: sample.element_index });
  if (record === null) return { ...rest, text: null, note: 'no record text was kept' };
  let parsed: unknown;
  try {
    parsed = JSON.parse(record);
  } catch {
    if (fields.length > 0) {
      return { ...rest, text: null, note: `not shown: the stored text is not whole JSON (cut when stored, or not UTF-8), so its sensitive fields (${columnList(fields)}) cannot be masked` };
    }
    return cut({ ...rest, text: record, note: 'the stored text is not whole JSON (cut when stored, or not UTF-8); shown as stored' });
  }
  const masked = maskRecord(parsed, fields);
  const note = masked.wholeRecord
    ? `the record is not a JSON object, so its sensitive fields (${columnList(fields)}) cannot be found: redacted whole`
    : masked.masked > 0 ? `${masked.masked} sensitive ${masked.masked === 1 ? 'value' : 'values'} masked (${[...new Set(fields.map((f) => `${f.column}: ${f.rule}`))].join(', ')})` : undefined;
  return cut({ ...rest, text: JSON.stringify(masked.value, null, 2), note });
}

function cut(sample: ShownSample): ShownSample {
  if (sample.text === null || sample.text.length <= SAMPLE_TEXT_CHARS) return sample;
  const cutNote = `cut at ${SAMPLE_TEXT_CHARS / 1024} KB of ${Math.ceil(sample.text.length / 1024)} KB; the whole record is in meta.rejected (record_hash ${sample.record_hash})`;
  // Not between the two halves of a surrogate pair.
  const end = /[\uD800-\uDBFF]/.test(sample.text[SAMPLE_TEXT_CHARS - 1]) ? SAMPLE_TEXT_CHARS - 1 : SAMPLE_TEXT_CHARS;
  return { ...sample, text: `${sample.text.slice(0, end)}\n…`, note: sample.note ? `${sample.note}; ${cutNote}` : cutNote };
}

function columnList(fields: ReadonlyArray<{ column: string }>): string {
  return [...new Set(fields.map((f) => f.column))].join(', ');
}
