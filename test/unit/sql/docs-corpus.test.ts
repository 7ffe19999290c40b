// Snowflake's own documented examples, each run through `dataops sql` on DuckDB (the CLI's main(), in
// process: one child process per example would be too slow; the last test shows the child process prints
// the same). An example is correct (the rows the page prints), refused (a diagnostic at <query>:line:col
// naming the construct, no DuckDB wording), wrong (other rows) or a crash (an exception or DuckDB's own
// message). Wrong and crash fail unless the example is marked knownWrong; a marked one that now comes out
// correct or refused fails too, so the mark is removed.
//
// DOCS_CORPUS_FINDINGS=<file> writes the wrong and crashing examples, grouped by page, to that file, and
// every example's outcome as JSON next to it (<file>.json), for updating the knownWrong marks.
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../../src/cli/main.js';
import { BIN, ensureBuild } from '../../helpers/build.js';
import { DUCKDB_WORDING } from '../../helpers/duckdb-wording.js';
import { cellMatches, compareRows, documentedInstant, ordersRows } from '../../fixtures/sql/docs-corpus/compare.js';
import { docsCorpus, type DocExample } from '../../fixtures/sql/docs-corpus/index.js';
import { holdoutKnownWrong } from '../../fixtures/sql/docs-corpus/holdout.js';

type Kind = 'correct' | 'refused' | 'wrong' | 'crash';
interface Outcome {
  kind: Kind;
  detail: string;
}

let projectDir: string;

/** The script `dataops sql -q` gets: the page's setup statements, then the example. */
function script(example: DocExample): string {
  return [...(example.setup ?? []), example.sql].join('\n;\n');
}

function argv(example: DocExample): string[] {
  return ['-C', projectDir, '--database', ':memory:', 'sql', '--json', '-q', script(example)];
}

async function runSql(example: DocExample): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await main(argv(example), { out: (t) => (out += t), err: (t) => (err += `${t}\n`), env: {} });
  return { code, out, err };
}

function classify(example: DocExample, run: { code: number; out: string; err: string }): Outcome {
  const refusedExpected = !Array.isArray(example.expected);
  if (run.code !== 0) {
    const message = run.err.trim();
    const clean = /<query>:\d+:\d+/.test(message) && !DUCKDB_WORDING.test(message);
    if (!clean) return { kind: 'crash', detail: message.split('\n').slice(0, 3).join(' / ') };
    return { kind: refusedExpected ? 'correct' : 'refused', detail: message.split('\n')[0] };
  }
  if (refusedExpected) return { kind: 'wrong', detail: `Snowflake rejects this statement; dataops sql returned rows: ${run.out.slice(0, 200)}` };
  const rows = JSON.parse(run.out) as Array<Record<string, unknown>>;
  const actual = rows.map((r) => Object.values(r));
  const differs = compareRows(example.expected as Exclude<DocExample['expected'], { refused: true }>, actual, ordersRows(example.sql), example.orderKey);
  return differs ? { kind: 'wrong', detail: differs } : { kind: 'correct', detail: '' };
}

const outcomes = new Map<string, Outcome>();

beforeAll(async () => {
  projectDir = await mkdtemp(join(tmpdir(), 'dataops-docs-corpus-'));
});

afterAll(async () => {
  await rm(projectDir, { recursive: true, force: true });
  const isHoldout = ([id]: [string, Outcome]) => docsCorpus.find((e) => e.id === id)?.holdout === true;
  const tuned = [...outcomes.entries()].filter((entry) => !isHoldout(entry));
  const holdout = [...outcomes.entries()].filter(isHoldout);
  const count = (of: Array<[string, Outcome]>, k: Kind) => of.filter(([, o]) => o.kind === k).length;
  const known = tuned.filter(([id]) => docsCorpus.find((e) => e.id === id)?.knownWrong).length;
  console.log(
    `docs corpus: ${count(tuned, 'correct')} correct, ${count(tuned, 'refused')} refused, ${known} known wrong (${count(tuned, 'wrong')} wrong, ${count(tuned, 'crash')} crash) of ${tuned.length}`,
  );
  if (holdout.length) {
    console.log(`hold-out: ${count(holdout, 'correct')} correct, ${count(holdout, 'refused')} refused, ${count(holdout, 'wrong')} wrong, ${count(holdout, 'crash')} crash`);
  }
  const all = [...tuned, ...holdout];
  if (process.env.DOCS_CORPUS_FINDINGS) {
    await writeFile(process.env.DOCS_CORPUS_FINDINGS, findings(all));
    await writeFile(`${process.env.DOCS_CORPUS_FINDINGS}.json`, JSON.stringify(Object.fromEntries(all), null, 1));
  }
});

function findings(all: Array<[string, Outcome]>): string {
  const byPage = new Map<string, string[]>();
  for (const [id, o] of all) {
    if (o.kind !== 'wrong' && o.kind !== 'crash') continue;
    const example = docsCorpus.find((e) => e.id === id)!;
    const page = example.source.replace(/^https:\/\/docs\.snowflake\.com\/en\/sql-reference\//, '');
    const lines = byPage.get(page) ?? [];
    lines.push(`- ${id} (${o.kind}): ${o.detail.replace(/\s+/g, ' ').slice(0, 300)}\n  \`${example.sql.replace(/\s+/g, ' ').slice(0, 200)}\``);
    byPage.set(page, lines);
  }
  const sections = [...byPage.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([page, lines]) => `## ${page}\n${lines.join('\n')}`);
  return `# Documented Snowflake examples that dataops sql gets wrong or crashes on\nGenerated by test/unit/sql/docs-corpus.test.ts (DOCS_CORPUS_FINDINGS); grouped by documentation page.\n\n${sections.join('\n\n')}\n`;
}

describe('how a printed cell is compared', () => {
  it.each([
    ['1000.00', 1000, true],
    ['0.333333', 0.3333333333333333, false],
    ['0.333333', 0.333333, true],
    ['3.141592654', Math.PI, true],
    ['60', 59.99999999999999, true],
    ['0.285714', 0.2857142857142857, false],
    ['1.2391E1', 12.391, true],
    ['12', '12', true],
    ['12345678901234567890', '12345678901234567890', true],
    ['TRUE', true, true],
    ['False', false, true],
    ['2019-10-30 13:00:00.000', '2019-10-30T13:00:00.000Z', true],
    ['2019-10-30 13:00:00.000 -0700', '2019-10-30T20:00:00.000Z', true],
    ['Wed, 30 Oct 2019 13:00:00 -0700', '2019-10-30T20:00:00.000Z', true],
    ['2019-10-30', '2019-10-30T00:00:00.000Z', false],
    ['2019-10-30 00:00:00.000', '2019-10-30', false],
    ['{"a":1,"b":2}', '{"b":2,"a":1}', false],
    ['{"a":1,"b":2}', '{"a":1,"b":2}', true],
    ['{\n  "a": 1,\n  "b": 2\n}', '{"b":2,"a":1}', true],
    ['[\n  1,\n  2\n]', [1, 2], true],
    ['"abc"', 'abc', false],
    ['abc', 'abc  ', true],
    [null, null, true],
    [null, '', false],
  ] as const)('%j against %j: %s', (doc, actual, expected) => {
    expect(cellMatches(doc, actual)).toBe(expected);
  });

  it('reads both timestamp forms the documentation prints', () => {
    expect(documentedInstant('2024-04-05 01:02:03.123456789')).toBe(Date.UTC(2024, 3, 5, 1, 2, 3, 123));
    expect(documentedInstant('Fri, 05 Apr 2024 01:02:03 +0200')).toBe(Date.UTC(2024, 3, 4, 23, 2, 3));
  });

  it('compares row order only where the statement orders its rows', () => {
    expect(ordersRows('SELECT a FROM t ORDER BY a')).toBe(true);
    expect(ordersRows('SELECT a, ROW_NUMBER() OVER (ORDER BY a) FROM t')).toBe(false);
    expect(compareRows([['1'], ['2']], [[2], [1]], false)).toBe('');
    expect(compareRows([['1'], ['2']], [[2], [1]], true)).toMatch(/row 1/);
    expect(cellMatches('', '\u0000')).toBe(true);
    expect(cellMatches('', 'a\u0000')).toBe(false);
    const documented = [['a', '1'], ['b', '1'], ['c', '2']];
    expect(compareRows(documented, [['b', 1], ['a', 1], ['c', 2]], true, [1])).toBe('');
    expect(compareRows(documented, [['c', 2], ['a', 1], ['b', 1]], true, [1])).toMatch(/row 1/);
    expect(compareRows(documented, [['b', 1], ['c', 1], ['a', 2]], true, [1])).toMatch(/tied/);
  });
});

describe('Snowflake documentation examples through dataops sql on DuckDB', () => {
  it('has at least 300 examples, each with a unique id and its documentation page', () => {
    expect(docsCorpus.length).toBeGreaterThanOrEqual(300);
    expect(new Set(docsCorpus.map((e) => e.id)).size).toBe(docsCorpus.length);
    for (const e of docsCorpus) expect(e.source, e.id).toMatch(/^https:\/\/docs\.snowflake\.com\/en\/sql-reference\//);
  });

  it('has a hold-out set of at least 150 examples from pages the tuned corpus does not use', () => {
    const holdout = docsCorpus.filter((e) => e.holdout);
    expect(holdout.length).toBeGreaterThanOrEqual(150);
    const tunedPages = new Set(docsCorpus.filter((e) => !e.holdout).map((e) => e.source));
    expect(holdout.filter((e) => tunedPages.has(e.source)).map((e) => e.id)).toEqual([]);
    for (const e of holdout) expect(e.id).toMatch(/^holdout-/);
    const ids = new Set(holdout.map((e) => e.id));
    expect(Object.keys(holdoutKnownWrong).filter((id) => !ids.has(id))).toEqual([]);
  });

  for (const example of docsCorpus) {
    it(example.id, async () => {
      const outcome = classify(example, await runSql(example));
      outcomes.set(example.id, outcome);
      if (example.knownWrong) {
        expect(outcome.kind, `${example.id} is marked knownWrong (${example.knownWrong}) but is now ${outcome.kind}: remove the mark`).toMatch(/^(wrong|crash)$/);
      } else {
        expect(outcome.kind, `${outcome.kind}: ${outcome.detail}\n${script(example)}`).toMatch(/^(correct|refused)$/);
      }
    });
  }
});

describe('the dataops sql command as a child process', () => {
  it('prints the same rows, diagnostics and errors as the in-process runs', async () => {
    await ensureBuild();
    const sample = ['concat-1', 'regexp-substr-2', 'conditional-change-event-2', 'qualify-2', 'merge-3'].map((id) => docsCorpus.find((e) => e.id === id)!);
    for (const example of sample) {
      const inProcess = await runSql(example);
      const child = await promisify(execFile)(process.execPath, [BIN, ...argv(example)], { env: { PATH: process.env.PATH ?? '' } }).then(
        ({ stdout, stderr }) => ({ code: 0, out: stdout, err: stderr }),
        (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, out: e.stdout, err: e.stderr }),
      );
      const trimmed = (r: { code: number; out: string; err: string }) => ({ code: r.code, out: r.out.trimEnd(), err: r.err.trimEnd() });
      expect(trimmed(child), example.id).toEqual(trimmed(inProcess));
    }
  });
});
