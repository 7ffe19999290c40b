// Snowflake SQL -> DuckDB SQL for a documented subset (docs/sql-dialect.md), so the same model SQL gives the
// same rows on both. It works on tokens grouped by brackets: nothing inside a string literal or a comment is
// ever rewritten, line breaks are kept so DuckDB's "LINE n" still points at the source line, and a construct
// outside the subset is a diagnostic with file, line, column and a hint, never a silently different result.
import type { Diagnostic } from '../errors.js';
import { duckdbString, tokenize, type Token } from './tokenize.js';
import { buildTree, isOp, MAX_NESTING, sourceText, splitNodes } from './tree.js';

import { StatementTranslator } from './translate-statements.js';
import type { TranslatedStatement } from './translator-base.js';

export type { TranslatedStatement } from './translator-base.js';

export { DUCKDB_SNOWFLAKE_MACROS, DUCKDB_SNOWFLAKE_SETTINGS } from './macros.js';

export interface TranslateOptions {
  /** Named in diagnostics; defaults to '<sql>'. */
  file?: string;
  /**
   * Session variables known before this text runs: `$name` becomes the value, which is Snowflake SQL source
   * text for an expression (for example `'2024-01-01'` or `42`). Names are case-insensitive. A variable
   * neither given here nor SET earlier in the text becomes DuckDB's getvariable('name').
   */
  variables?: Map<string, string>;
}

export interface Translation {
  sql: string;
  diagnostics: Diagnostic[];
  /** Each statement of the text: its DuckDB SQL (with its ';') and its offsets in the source text. */
  statements: TranslatedStatement[];
}

export function translateSnowflakeToDuckDB(sql: string, options: TranslateOptions = {}): Translation {
  const file = options.file ?? '<sql>';
  const translator = new Translator(file, options.variables ?? new Map());
  try {
    const out = translator.translate(sql);
    return { sql: out, diagnostics: translator.diagnostics(), statements: translator.statements };
  } catch (e) {
    // Nesting without brackets (CASE in CASE, thousands deep) can still outrun the stack: an error, not a crash.
    if (!(e instanceof RangeError)) throw e;
    const message = 'the SQL nests too deeply to read (expressions inside expressions, thousands deep); write it flatter (e.g. with a CTE)';
    return { sql: '', diagnostics: [{ file, line: 1, col: 1, message, severity: 'error' }], statements: [] };
  }
}

/** Words that are never a column, a path base or a function name. */

class Translator extends StatementTranslator {
  translate(sql: string): string {
    const tokens = tokenize(sql);
    for (const t of tokens) {
      if (t.kind === 'error') {
        const what = t.text.startsWith("'") || t.text.startsWith('$$') ? 'string literal' : t.text.startsWith('"') ? 'quoted identifier' : 'comment';
        this.error(t, `unterminated ${what}`);
      }
    }
    const tree = buildTree(tokens);
    if (tree.tooDeep) {
      this.error(tree.tooDeep, `brackets nested more than ${MAX_NESTING} deep; write the expression flatter (e.g. with a CTE)`);
      this.statements = [];
      return '';
    }
    for (const t of tree.unbalanced) this.error(t, `unbalanced '${t.text}'`);
    const statements = splitNodes(tree.nodes, ';');
    const separators = tree.nodes.filter((n) => isOp(n, ';')) as Token[];
    let start = 0;
    this.statements = statements.map((s, i) => {
      const text = sourceText(s) + (separators[i]?.text ?? '');
      const statement = { sql: this.statement(s) + (separators[i]?.text ?? ''), start, end: start + text.length };
      start = statement.end;
      return statement;
    });
    return this.statements.map((s) => s.sql).join('');
  }

  protected variable(t: Token): string {
    const name = t.text.slice(1).toLowerCase();
    if (/^\d+$/.test(name)) {
      this.error(t, `positional column references (${t.text}) only exist for staged files, which are outside the subset`);
      return t.text;
    }
    const given = this.variables.get(name);
    if (given !== undefined) {
      const inner = new Translator(this.file, new Map());
      const value = inner.translate(given);
      for (const d of inner.diagnostics()) this.error(t, `in the value of $${name}: ${d.message}`, d.severity);
      return `(${value})`;
    }
    if (!this.setInText.has(name) && !this.warnedVariables.has(name)) {
      this.warnedVariables.add(name);
      this.warn(t, `session variable $${name} is not SET in this text; on DuckDB it must be SET earlier in the session, or it reads as NULL`);
    }
    return `getvariable(${duckdbString(name)})`;
  }
}
