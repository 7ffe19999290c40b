// A custom check is one SQL file under sql/checks/: a SELECT that returns the failing rows (none means it
// passes), in Snowflake SQL like the models. Its leading comment block says which table it is about and
// when it warns or fails, in the models' `-- option: value` form (config/model-options.ts):
//   -- table: gold.daily_sales
//   -- error_if: > 1%
import type { Diagnostic } from '../errors.js';
import { DEFAULT_CHECK_SAMPLES, checkLevels, type RawCheckLevels } from './pipeline.js';
import { OPTION_LINE } from './model-options.js';
import { parseSelect } from './sql-model.js';
import type { DeclaredCheck } from './types.js';

export const SQL_CHECKS_DIR = 'sql/checks';

export interface SqlCheckFile {
  check: DeclaredCheck;
  /** The pipeline whose run checks it, when the file names one (`-- pipeline: retail_pos`). */
  pipeline?: string;
}

const OPTIONS: Record<string, string> = {
  table: 'gold.daily_sales',
  severity: 'warn',
  warn_if: '> 0',
  error_if: '> 1%',
  samples: '20',
  pipeline: 'retail_pos',
};

/** Every option a check file's leading comment block may set, as documented in README.md and schemas/README.md. */
export const CHECK_OPTION_NAMES: readonly string[] = Object.keys(OPTIONS);

export function parseSqlCheck(file: string, text: string): { found?: SqlCheckFile; diagnostics: Diagnostic[] } {
  // One SELECT, as a model is; the tables it reads are what the check depends on.
  const parsed = parseSelect(file, text);
  const diagnostics = [...parsed.diagnostics];
  const values = new Map<string, { value: string; line: number; col: number }>();
  const lines = text.split('\n');
  let blockEnd = 1;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].trim();
    if (line === '') continue;
    if (!line.startsWith('--')) break;
    blockEnd = i + 1;
    const option = OPTION_LINE.exec(line);
    if (!option) continue;
    const [, name, value] = option;
    const col = lines[i].indexOf(name) + 1;
    if (!(name in OPTIONS)) {
      const known = Object.entries(OPTIONS).map(([k, example]) => `${k}: ${example}`).join('; ');
      diagnostics.push({ file, line: i + 1, col, severity: 'error', message: `unknown check option "${name}" (options: ${known}); a comment line that starts with "word:" is read as an option` });
      continue;
    }
    values.set(name, { value, line: i + 1, col });
  }
  const at = (name: string) => values.get(name) ?? { line: blockEnd, col: 1, value: '' };
  const problem = (name: string, message: string) => diagnostics.push({ file, line: at(name).line, col: at(name).col, severity: 'error', message: `${name}: ${message}` });
  const table = values.get('table')?.value;
  if (table === undefined) {
    diagnostics.push({ file, line: 1, col: 1, severity: 'error', message: `a check names the table it is about in its leading comment block (e.g. -- table: ${OPTIONS.table}): its size is what a percentage threshold is of, and its pipeline's run checks it` });
  } else if (!/^(bronze|silver|gold)\.[a-z_][a-z0-9_]*$/.test(table)) {
    problem('table', `"${table}" is not a schema-qualified table (expected e.g. ${OPTIONS.table})`);
  }
  const raw: RawCheckLevels = { severity: values.get('severity')?.value, warn_if: values.get('warn_if')?.value, error_if: values.get('error_if')?.value };
  const levels = checkLevels(raw, problem);
  let samples = DEFAULT_CHECK_SAMPLES;
  if (values.has('samples')) {
    samples = Number(at('samples').value);
    if (!/^\d+$/.test(at('samples').value) || samples > 1000) problem('samples', `"${at('samples').value}" is not a number of rows: expected a whole number from 0 to 1000`);
  }
  if (diagnostics.length > 0 || table === undefined) return { diagnostics };
  const name = file.replace(/^.*\//, '').replace(/\.sql$/, '');
  const reads = [...new Set(parsed.references.map((r) => r.table))];
  return {
    found: {
      check: { table, spec: { kind: 'sql', name, select: parsed.select, reads }, ...levels, scope: 'all', samples, line: 1, file },
      pipeline: values.get('pipeline')?.value,
    },
    diagnostics,
  };
}
