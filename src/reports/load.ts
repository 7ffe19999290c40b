// Finding the report pages: reports/**/*.md, a subfolder being a section of the site. A file named
// [name].md is a templated page: one page per value of its front matter's `pages:` query.
import { readdir } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { ConfigError, nameList, type Diagnostic } from '../errors.js';
import { readConfigFile, type FileLimit } from '../config/config-file.js';
import { declaredTables, type Project } from '../project.js';
import { META_TABLES, queryShapeProblems, queryTables } from './queries.js';
import { reportRules } from './rules.js';
import { parseReport, type ReportSource } from './syntax.js';

export const REPORTS_DIR = 'reports';
export const REPORT_FILE_LIMIT: FileLimit = { noun: 'report pages', bytes: 1_000_000 };

export interface ReportFile extends ReportSource {
  /** The subfolder under reports/ ('' at the top), e.g. 'stores'. */
  section: string;
  /** The file name without .md, e.g. 'daily-sales' or '[store]'. */
  name: string;
  /** A templated page's param: 'store' for [store].md. */
  param?: string;
  /** Every schema-qualified table its queries read, sorted (for lineage). */
  tablesRead: string[];
  columnUses: ReturnType<typeof reportRules>['columnUses'];
}

const PLAIN_NAME = /^[A-Za-z0-9_-]+$/;
const TEMPLATE_NAME = /^\[([a-z_][a-z0-9_]*)\]$/;

/** Every report page of the project, parsed and checked as far as it can be without a warehouse. */
export async function loadReports(project: Pick<Project, 'dir' | 'pipelines' | 'models'>): Promise<{ reports: ReportFile[]; diagnostics: Diagnostic[] }> {
  const reports: ReportFile[] = [];
  const diagnostics: Diagnostic[] = [];
  const tables = reportTables(project);
  const known = nameList([...tables].sort(), 50);
  for (const file of await listReportFiles(project.dir)) {
    const parts = file.slice(REPORTS_DIR.length + 1, -'.md'.length).split('/');
    const name = parts.pop()!;
    const bad = [...parts, ...(TEMPLATE_NAME.test(name) ? [] : [name])].find((p) => !PLAIN_NAME.test(p));
    if (bad !== undefined) {
      diagnostics.push({ file, line: 1, col: 1, severity: 'error', message: `"${bad}": report folder and file names are letters, digits, - and _ (or [name].md for a templated page), as they become the page's address` });
      continue;
    }
    const read = readConfigFile(project.dir, file, REPORT_FILE_LIMIT);
    if (read.diagnostic) {
      diagnostics.push(read.diagnostic);
      continue;
    }
    const report = parseReportFile(file, read.text, tables, known);
    diagnostics.push(...report.diagnostics);
    reports.push(report);
  }
  return { reports, diagnostics };
}

/** One report file (project-relative path under reports/), parsed and checked against the project's tables. */
export function parseReportFile(file: string, text: string, tables: ReadonlySet<string>, known = nameList([...tables].sort(), 50)): ReportFile {
  const parts = file.slice(REPORTS_DIR.length + 1, -'.md'.length).split('/');
  const name = parts.pop()!;
  const param = TEMPLATE_NAME.exec(name)?.[1];
  const source = parseReport(file, text);
  const rules = reportRules(source, param);
  source.diagnostics.push(...rules.diagnostics, ...source.queries.flatMap((q) => queryShapeProblems(file, q, tables, known)));
  const tablesRead = [...new Set(source.queries.flatMap((q) => queryTables(q).map((t) => t.table)))].sort();
  return { ...source, section: parts.join('/'), name, param, tablesRead, columnUses: rules.columnUses };
}

/** Every table a report may read: the project's, and meta's. */
export function reportTables(project: Pick<Project, 'pipelines' | 'models'>): Set<string> {
  return new Set([...declaredTables(project.pipelines, project.models).keys(), ...META_TABLES]);
}

async function listReportFiles(root: string): Promise<string[]> {
  let entries;
  try {
    entries = await readdir(join(root, REPORTS_DIR), { recursive: true, withFileTypes: true });
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return [];
    if (code === 'ENOTDIR') throw new ConfigError([{ file: REPORTS_DIR, line: 1, col: 1, severity: 'error', message: `${REPORTS_DIR} is a file; it must be a folder` }]);
    throw e;
  }
  return entries
    .filter((e) => e.isFile() && e.name.endsWith('.md'))
    .map((e) => relative(root, join(e.parentPath, e.name)).split(sep).join('/'))
    .sort();
}
