// The translator's state and what every layer uses: diagnostics, places for run-time errors, the nodes whose
// rendering statement-level rewrites replace. The layers build on it in one direction: casts and paths
// (translate-casts.ts), expressions (translate-expressions.ts), statements (translate-statements.ts), and the
// Translator itself (translate.ts).
import type { Diagnostic } from '../errors.js';
import { type Renderer } from './functions.js';
import { type LateralUse } from './lateral-aliases.js';
import { duckdbString, type Token } from './tokenize.js';
import { firstToken, type SqlNode } from './tree.js';

import { type Operand } from './translate-syntax.js';

/** One statement of the text: its DuckDB SQL (with its ';') and its offsets in the source text. */
export interface TranslatedStatement {
  sql: string;
  start: number;
  end: number;
}

export abstract class TranslatorBase implements Renderer {
  protected readonly diags = new Map<string, Diagnostic>();
  protected readonly setInText = new Set<string>();
  protected readonly warnedVariables = new Set<string>();
  /** Nodes whose rendering is replaced (statement-level rewrites); '' drops a node. */
  protected readonly overrides = new Map<SqlNode, string | (() => string)>();
  protected flattenCount = 0;
  /** Date function calls (by name token) whose arguments name an earlier alias of their SELECT list. */
  protected lateralUses = new Map<Token, LateralUse[]>();
  protected compactDepth = 0;
  protected readonly variables: Map<string, string>;
  statements: TranslatedStatement[] = [];
  /** The columns of the tables this text creates, by lower-cased table name (for INSERT ... VALUES). */
  protected readonly tableColumns = new Map<string, Array<{ name: string; type: string }>>();

  constructor(
    readonly file: string,
    variables: Map<string, string>,
  ) {
    this.variables = new Map([...variables].map(([k, v]) => [k.toLowerCase(), v]));
  }

  abstract render(nodes: SqlNode[], compact?: boolean): string;
  protected abstract primary(nodes: SqlNode[], i: number): { operand: Operand; end: number; pathable: boolean };
  /** A session variable's value ($name). */
  protected abstract variable(t: Token): string;

  error(at: SqlNode, message: string, severity: Diagnostic['severity'] = 'error'): void {
    const t = firstToken(at);
    const d: Diagnostic = { file: this.file, line: t.line, col: t.col, message, severity };
    this.diags.set(`${d.line}:${d.col}:${message}`, d);
  }

  place(at: Token): string {
    return `${this.file}:${at.line}:${at.col}`;
  }

  /** A SQL string naming where a construct is (file:line:col: the construct as written), for errors raised at run time. */
  placeLiteral(at: SqlNode, shown: string): string {
    const t = firstToken(at);
    const text = shown.replace(/\s+/g, ' ').trim();
    return duckdbString(`${this.file}:${t.line}:${t.col}: ${text.length > 80 ? text.slice(0, 77) + '...' : text}`);
  }

  protected warn(at: SqlNode, message: string): void {
    this.error(at, message, 'warning');
  }

  protected trivia(t: Token): string {
    if (this.compactDepth > 0) return ' ';
    if (t.kind === 'comment' && t.text.startsWith('//')) return `--${t.text.slice(2)}`;
    return t.text;
  }

  /** Line breaks to append so a rewrite spans as many lines as its source did. */
  protected padding(source: string, out: string): string {
    if (this.compactDepth > 0) return '';
    const missing = (source.match(/\n/g) ?? []).length - (out.match(/\n/g) ?? []).length;
    return missing > 0 ? '\n'.repeat(missing) : '';
  }

  diagnostics(): Diagnostic[] {
    return [...this.diags.values()].sort((a, b) => a.line - b.line || a.col - b.col);
  }
}
