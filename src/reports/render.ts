// Report pages built at report time: every query run on the target, then the Markdown rendered by
// markdown-it with raw HTML off (a report's text and its data are escaped, never injected) and each
// component rendered by its registry entry. A page that fails is never published half-rendered: it
// becomes an error page naming file:line:col, and the other pages still build.
import MarkdownIt from 'markdown-it';
import type { Diagnostic } from '../errors.js';
import { readMaskerFor, type ReadMasker } from '../governance/read-masking.js';
import { formatDiagnostic } from '../errors.js';
import type { Project } from '../project.js';
import { escapeHtml } from '../report/format.js';
import { mask } from '../secrets.js';
import type { Warehouse } from '../warehouse/adapter.js';
import { COMPONENTS, parseWhere, type Row } from './components.js';
import { loadReports, REPORTS_DIR, type ReportFile } from './load.js';
import { ReportError, runQuery } from './queries.js';
import { columnProblems, INTERPOLATION } from './rules.js';
import type { ReportNode } from './syntax.js';

export interface ReportPage {
  /** Site-relative: reports/<section>/<name>.html. */
  path: string;
  title: string;
  /** The subfolder under reports/ ('' at the top). */
  section: string;
  sourceFile: string;
  /** Schema-qualified tables its queries read (lineage). */
  tablesRead: string[];
  bodyHtml: string;
  /** Set when the page could not be built; bodyHtml then says so, with the place at fault. */
  error?: Diagnostic;
  /**
   * Tables it reads that no run has built yet (a new project, or a run of only some steps): the page says
   * so instead of failing, as this is a state to wait out, not a fault of the page.
   */
  missingTables?: string[];
}

export interface RenderReportOptions {
  /** Report files already loaded (loadReports); loaded from the project's reports/ folder when absent. */
  reports?: ReportFile[];
}

const markdown = new MarkdownIt({ html: false, linkify: false, typographer: false });

export async function renderReportPages(warehouse: Warehouse, project: Pick<Project, 'dir' | 'pipelines' | 'models'>, options: RenderReportOptions = {}): Promise<ReportPage[]> {
  const reports = options.reports ?? (await loadReports(project)).reports;
  const pages: ReportPage[] = [];
  // Pages are read by people: sensitive columns are masked as they are read.
  const maskReads = readMaskerFor(warehouse, project);
  for (const report of reports) pages.push(...(await renderReport(warehouse, report, maskReads)));
  return pages;
}

async function renderReport(warehouse: Warehouse, report: ReportFile, maskReads: ReadMasker): Promise<ReportPage[]> {
  const base = { section: report.section, sourceFile: report.file, tablesRead: report.tablesRead };
  const folder = [REPORTS_DIR, ...(report.section ? [report.section] : [])].join('/');
  const fileTitle = report.param ? `${report.section || REPORTS_DIR}: ${report.param}` : report.name;
  const failed = (path: string, title: string, e: unknown): ReportPage => {
    if (!(e instanceof ReportError)) throw e;
    return { ...base, path, title, bodyHtml: errorBody(title, e.diagnostic), error: e.diagnostic };
  };
  const first = report.diagnostics.find((d) => d.severity === 'error');
  if (first) return [failed(`${folder}/${report.param ?? report.name}.html`, fileTitle, new ReportError(first))];
  const missingTables: string[] = [];
  for (const table of report.tablesRead) if (!(await warehouse.tableExists(table))) missingTables.push(table);
  if (missingTables.length) {
    const body = `<h1>${escapeHtml(fileTitle)}</h1>\n<p>No data yet: ${missingTables.map((t) => `<code>${escapeHtml(t)}</code>`).join(', ')} ${missingTables.length === 1 ? 'has' : 'have'} not been built by any run (run the pipelines first: <code>dataops run</code>).</p>\n`;
    return [{ ...base, path: `${folder}/${report.param ?? report.name}.html`, title: fileTitle, bodyHtml: body, missingTables }];
  }
  if (!report.param) {
    try {
      return [{ ...base, path: `${folder}/${report.name}.html`, ...(await renderPage(warehouse, report, {}, maskReads)) }];
    } catch (e) {
      return [failed(`${folder}/${report.name}.html`, fileTitle, e)];
    }
  }
  let values: string[];
  const source = report.queries.find((q) => q.name === report.frontMatter.pages!.value)!;
  try {
    const rows = await runQuery(warehouse, report.file, source, {}, maskReads);
    problemsIn(report, new Map([[source.name, rows]]));
    values = [...new Set(rows.map((r) => r[report.param!]).filter((v) => v !== null && v !== undefined).map(String))];
  } catch (e) {
    return [failed(`${folder}/${report.param}.html`, fileTitle, e)];
  }
  const slugs = pageSlugs(values);
  const pages: ReportPage[] = [];
  for (const [i, value] of values.entries()) {
    const path = `${folder}/${slugs[i]}.html`;
    try {
      pages.push({ ...base, path, ...(await renderPage(warehouse, report, { [report.param]: value }, maskReads)) });
    } catch (e) {
      pages.push(failed(path, `${fileTitle} = ${value}`, e));
    }
  }
  return pages;
}

/** Runs the page's queries and renders it; a ReportError when a query fails or names a column it lacks. */
async function renderPage(warehouse: Warehouse, report: ReportFile, params: Record<string, string>, maskReads: ReadMasker): Promise<{ title: string; bodyHtml: string }> {
  const results = new Map<string, Row[]>();
  for (const query of report.queries) results.set(query.name, await runQuery(warehouse, report.file, query, params, maskReads));
  problemsIn(report, results);
  const state = { title: undefined as string | undefined };
  const html = await renderNodes(report.nodes, { report, results, params, scope: new Map(), state, topLevel: true });
  const title = report.frontMatter.title ? interpolate(report.frontMatter.title.value, params, new Map()) : (state.title ?? report.name);
  return { title, bodyHtml: html };
}

/** Columns are checked again against what the queries gave (validate may not have run); queries with no rows say nothing. */
function problemsIn(report: ReportFile, results: ReadonlyMap<string, Row[]>): void {
  const columns = new Map([...results].filter(([, rows]) => rows.length > 0).map(([name, rows]) => [name, Object.keys(rows[0])]));
  const uses = report.columnUses.filter((u) => results.has(u.query));
  const [problem] = columnProblems(report.file, uses, columns);
  if (problem) throw new ReportError(problem);
}

interface RenderState {
  report: ReportFile;
  results: ReadonlyMap<string, Row[]>;
  params: Record<string, string>;
  /** Loop variables in scope: name -> the current row. */
  scope: ReadonlyMap<string, Row>;
  state: { title?: string };
  topLevel: boolean;
}

async function renderNodes(nodes: ReportNode[], s: RenderState): Promise<string> {
  let html = '';
  for (const node of nodes) {
    if (node.kind === 'markdown') {
      const text = interpolate(node.text, s.params, s.scope, escapeMarkdown);
      if (s.topLevel && s.state.title === undefined) s.state.title = firstHeading(text);
      html += markdown.render(text);
    } else if (node.kind === 'each') {
      for (const row of s.results.get(node.query) ?? []) {
        html += await renderNodes(node.body, { ...s, scope: new Map(s.scope).set(node.variable, row), topLevel: false });
      }
    } else {
      const spec = COMPONENTS[node.name];
      const attributes: Record<string, string> = {};
      for (const a of node.attributes) attributes[a.name] = a.value === true ? 'true' : interpolate(a.value, s.params, s.scope);
      let rows = s.results.get(attributes.data) ?? [];
      const where = attributes.where === undefined ? undefined : parseWhere(attributes.where);
      if (where) rows = rows.filter((r) => valueText(r[where.column]) === where.value);
      html += `${await spec.render({ rows, attributes })}\n`;
    }
  }
  return html;
}

/** {row.column} and {params.name} replaced by their values; other braces are left as written. */
function interpolate(text: string, params: Record<string, string>, scope: ReadonlyMap<string, Row>, escape = (v: string) => v): string {
  return text.replace(INTERPOLATION, (whole, name: string, column: string) => {
    if (name === 'params' && column in params) return escape(params[column]);
    const row = scope.get(name);
    return row ? escape(valueText(row[column])) : whole;
  });
}

function valueText(value: unknown): string {
  return value === null || value === undefined ? '—' : String(value);
}

/** A value put into Markdown stays text: every punctuation mark escaped, line breaks made spaces. */
export function escapeMarkdown(value: string): string {
  return value.replace(/[\r\n]+/g, ' ').replace(/[!-/:-@[-`{-~]/g, (c) => `\\${c}`);
}

function firstHeading(text: string): string | undefined {
  const tokens = markdown.parse(text, {});
  const at = tokens.findIndex((t) => t.type === 'heading_open' && t.tag === 'h1');
  if (at < 0) return undefined;
  return (tokens[at + 1].children ?? []).filter((c) => c.type === 'text' || c.type === 'code_inline').map((c) => c.content).join('');
}

/** File-name-safe page names for a templated page's values, unique among themselves. */
export function pageSlugs(values: readonly string[]): string[] {
  const used = new Set<string>();
  return values.map((value) => {
    const base = value.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 80) || 'page';
    let slug = base;
    for (let n = 2; used.has(slug); n++) slug = `${base}-${n}`;
    used.add(slug);
    return slug;
  });
}

function errorBody(title: string, diagnostic: Diagnostic): string {
  return `<h1>${escapeHtml(title)}</h1>\n<p class="report-error" role="alert">This page could not be built: <code>${escapeHtml(mask(formatDiagnostic(diagnostic)))}</code></p>\n`;
}
