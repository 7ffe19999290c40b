// Snowflake SQL -> DuckDB SQL for a documented subset (docs/sql-dialect.md), so the same model SQL gives the
// same rows on both. It works on tokens grouped by brackets: nothing inside a string literal or a comment is
// ever rewritten, line breaks are kept so DuckDB's "LINE n" still points at the source line, and a construct
// outside the subset is a diagnostic with file, line, column and a hint, never a silently different result.
import type { Diagnostic } from '../errors.js';
import { isConstantExpression, seqReference, SEQ_REFUSED } from './flatten.js';
import { arrayConstruct, isHandled, translateCall, undefinedElementMessage, unsupportedFunctionHint, type Arg, type Renderer } from './functions.js';
import { CLAUSE_WORDS, isKnownSnowflakeFunction, PASS_THROUGH } from './function-names.js';
import {
  duckdbJsonPath,
  mapType,
  MULTIWORD_TYPES,
  parseSnowflakePath,
  snowflakePathText,
  type MappedType,
  type PathStep,
} from './snowflake.js';
import { divisionSql } from './numbers.js';
import { findSetOperation, guardedFirstQuery } from './set-operations.js';
import { findLateralAliasUses, type LateralUse } from './lateral-aliases.js';
import { hasAlias, isPlainColumn, selectItems, snowflakeColumnName } from './result-names.js';
import { duckdbString, tokenize, type Token } from './tokenize.js';
import {
  buildTree,
  firstToken,
  isBracket,
  isGroup,
  isName,
  isOp,
  isParen,
  isToken,
  isTrivia,
  isWord,
  nextSignificant,
  previousSignificant,
  sourceText,
  splitNodes,
  trimNodes,
  type Group,
  type SqlNode,
} from './tree.js';

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

export interface TranslatedStatement {
  sql: string;
  start: number;
  end: number;
}

export function translateSnowflakeToDuckDB(sql: string, options: TranslateOptions = {}): Translation {
  const translator = new Translator(options.file ?? '<sql>', options.variables ?? new Map());
  const out = translator.translate(sql);
  return { sql: out, diagnostics: translator.diagnostics(), statements: translator.statements };
}

/** Words that are never a column, a path base or a function name. */
const KEYWORDS = new Set(
  `SELECT FROM WHERE GROUP ORDER BY HAVING QUALIFY LIMIT OFFSET FETCH UNION ALL EXCEPT INTERSECT MINUS JOIN INNER
   LEFT RIGHT FULL OUTER CROSS NATURAL ASOF ON USING AS AND OR NOT IN IS LIKE ILIKE RLIKE REGEXP BETWEEN CASE WHEN
   THEN ELSE END DISTINCT WITH RECURSIVE OVER PARTITION ROWS RANGE PRECEDING FOLLOWING UNBOUNDED INTO VALUES SET
   UPDATE DELETE INSERT MERGE MATCHED CREATE REPLACE TABLE VIEW EXISTS DESC ASC NULLS LATERAL FILTER WITHIN ANY
   SOME ESCAPE TOP WINDOW RETURNING DEFAULT PRIMARY CONSTRAINT UNIQUE REFERENCES FOREIGN CHECK COLLATE`.split(/\s+/),
);

/** Keywords that may be followed by a parenthesis without being a function call. */
const CALLABLE_KEYWORDS = new Set(['LEFT', 'RIGHT', 'REPLACE', 'FILTER', 'RLIKE', 'INSERT', 'COLLATE']);

/** Words after which a parenthesised list is a column list, not a call. */
const NAME_CONTEXT = new Set(['INTO', 'TABLE', 'VIEW', 'EXISTS', 'UPDATE', 'JOIN']);

const LITERAL_WORDS = new Set(['NULL', 'TRUE', 'FALSE']);

const TYPED_LITERALS: Record<string, string> = {
  DATE: 'DATE',
  TIME: 'TIME',
  TIMESTAMP: 'TIMESTAMP',
  TIMESTAMP_NTZ: 'TIMESTAMP',
  TIMESTAMPNTZ: 'TIMESTAMP',
  DATETIME: 'TIMESTAMP',
  TIMESTAMP_LTZ: 'TIMESTAMPTZ',
  TIMESTAMPLTZ: 'TIMESTAMPTZ',
  TIMESTAMP_TZ: 'TIMESTAMPTZ',
  TIMESTAMPTZ: 'TIMESTAMPTZ',
};

/** Niladic functions and what they become; Snowflake allows them with empty parentheses too. */
const NILADIC: Record<string, string> = {
  CURRENT_TIMESTAMP: 'current_timestamp',
  LOCALTIMESTAMP: 'current_timestamp',
  SYSTIMESTAMP: 'current_timestamp',
  GETDATE: 'current_timestamp',
  CURRENT_DATE: 'current_date',
  CURRENT_TIME: 'current_time',
  LOCALTIME: 'current_time',
  SYSDATE: "(now() AT TIME ZONE 'UTC')",
};

/** Syntax outside the subset: the word, what follows it (if anything), and the hint. */
const UNSUPPORTED_SYNTAX: { words: string[]; construct: string; hint: string }[] = [
  { words: ['CONNECT', 'BY'], construct: 'CONNECT BY', hint: 'rewrite the hierarchy as a recursive CTE (WITH RECURSIVE)' },
  { words: ['START', 'WITH'], construct: 'START WITH ... CONNECT BY', hint: 'rewrite the hierarchy as a recursive CTE (WITH RECURSIVE)' },
  { words: ['MATCH_RECOGNIZE'], construct: 'MATCH_RECOGNIZE', hint: 'rewrite the pattern with window functions (LAG/LEAD, running sums)' },
  { words: ['PIVOT'], construct: 'PIVOT', hint: 'use conditional aggregation, e.g. SUM(IFF(k = \'a\', v, 0)) AS a' },
  { words: ['UNPIVOT'], construct: 'UNPIVOT', hint: 'use UNION ALL of one SELECT per column' },
  { words: ['SAMPLE'], construct: 'SAMPLE', hint: 'sampled rows differ between warehouses; filter deterministically instead' },
  { words: ['TABLESAMPLE'], construct: 'TABLESAMPLE', hint: 'sampled rows differ between warehouses; filter deterministically instead' },
  { words: ['CHANGES'], construct: 'CHANGES', hint: 'change tracking is outside the subset' },
  { words: ['MATCH_CONDITION'], construct: 'ASOF JOIN ... MATCH_CONDITION', hint: 'use a window function to pick the nearest row' },
];

/** Statements that have no DuckDB counterpart. */
const UNSUPPORTED_STATEMENTS: Record<string, string> = {
  COPY: 'load files through the engine (bronze loading), not COPY INTO',
  PUT: 'stages are outside the subset',
  GET: 'stages are outside the subset',
  LIST: 'stages are outside the subset',
  LS: 'stages are outside the subset',
  REMOVE: 'stages are outside the subset',
  RM: 'stages are outside the subset',
  CALL: 'stored procedures are outside the subset',
  EXECUTE: 'EXECUTE IMMEDIATE and tasks are outside the subset',
  GRANT: 'access control is managed outside the models',
  REVOKE: 'access control is managed outside the models',
  UNDROP: 'time travel is outside the subset',
};

const UNSUPPORTED_CREATE: Record<string, string> = {
  STAGE: 'stages are outside the subset',
  PIPE: 'pipes are outside the subset',
  STREAM: 'streams are outside the subset',
  TASK: 'tasks are outside the subset; schedules live in the pipeline YAML',
  SEQUENCE: 'use ROW_NUMBER() or a natural key',
  FUNCTION: 'user-defined functions are outside the subset',
  PROCEDURE: 'stored procedures are outside the subset',
  DATABASE: 'environments are chosen by the connection, not created in SQL',
  WAREHOUSE: 'warehouses are managed outside the models',
  ROLE: 'access control is managed outside the models',
  USER: 'access control is managed outside the models',
  DYNAMIC: 'dynamic tables are outside the subset; use a model file',
  EXTERNAL: 'external tables are outside the subset',
  FILE: 'file formats are outside the subset',
  TAG: 'tags are outside the subset',
  MASKING: 'policies are outside the subset',
  ROW: 'policies are outside the subset',
  NETWORK: 'outside the subset',
  INTEGRATION: 'outside the subset',
  STORAGE: 'outside the subset',
  NOTIFICATION: 'outside the subset',
  ALERT: 'outside the subset',
};

interface PathExpr {
  base: string;
  steps: (PathStep | { expr: string })[];
}

interface Item {
  text: string;
  end: number;
}

/** A primary expression: its text, and what a following cast needs to know about it. */
interface Operand {
  text: string;
  path?: PathExpr;
  literal?: 'null' | 'string' | 'number' | 'other';
}

class Translator implements Renderer {
  private readonly diags = new Map<string, Diagnostic>();
  private readonly setInText = new Set<string>();
  private readonly warnedVariables = new Set<string>();
  /** Nodes whose rendering is replaced (statement-level rewrites); '' drops a node. */
  private readonly overrides = new Map<SqlNode, string | (() => string)>();
  private flattenCount = 0;
  /** Date function calls (by name token) whose arguments name an earlier alias of their SELECT list. */
  private lateralUses = new Map<Token, LateralUse[]>();
  private compactDepth = 0;
  private readonly variables: Map<string, string>;

  constructor(
    readonly file: string,
    variables: Map<string, string>,
  ) {
    this.variables = new Map([...variables].map(([k, v]) => [k.toLowerCase(), v]));
  }

  statements: TranslatedStatement[] = [];
  /** The columns of the tables this text creates, by lower-cased table name (for INSERT ... VALUES). */
  private readonly tableColumns = new Map<string, Array<{ name: string; type: string }>>();

  diagnostics(): Diagnostic[] {
    return [...this.diags.values()].sort((a, b) => a.line - b.line || a.col - b.col);
  }

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

  private warn(at: SqlNode, message: string): void {
    this.error(at, message, 'warning');
  }

  translate(sql: string): string {
    const tokens = tokenize(sql);
    for (const t of tokens) {
      if (t.kind === 'error') {
        const what = t.text.startsWith("'") || t.text.startsWith('$$') ? 'string literal' : t.text.startsWith('"') ? 'quoted identifier' : 'comment';
        this.error(t, `unterminated ${what}`);
      }
    }
    const tree = buildTree(tokens);
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

  // ---------------------------------------------------------------- statements

  private statement(nodes: SqlNode[]): string {
    const first = nextSignificant(nodes, 0);
    const head = nodes[first];
    if (!isWord(head)) return this.render(nodes);
    const word = head.text.toUpperCase();
    const secondIndex = nextSignificant(nodes, first + 1);
    const second = isWord(nodes[secondIndex]) ? (nodes[secondIndex] as Token).text.toUpperCase() : '';
    if (word === 'SET') return this.setStatement(nodes, first);
    if (word === 'UNSET') return this.unsetStatement(nodes, first);
    if (UNSUPPORTED_STATEMENTS[word]) {
      this.error(head, `${word} is not supported on DuckDB: ${UNSUPPORTED_STATEMENTS[word]}`);
      return sourceText(nodes);
    }
    if (word === 'ALTER' && (second === 'SESSION' || second === 'ACCOUNT' || second === 'USER' || second === 'WAREHOUSE')) {
      this.error(head, `ALTER ${second} is not supported on DuckDB: session and account settings belong to the connection`);
      return sourceText(nodes);
    }
    if (word === 'USE') return this.useStatement(nodes, first, secondIndex, second);
    if (word === 'CREATE') this.prepareCreate(nodes, first);
    if (word === 'ALTER' && second === 'TABLE') this.prepareAlterTable(nodes, secondIndex);
    if (word === 'INSERT' && (second === 'OVERWRITE' || second === 'ALL' || second === 'FIRST')) {
      this.error(nodes[secondIndex], `INSERT ${second} is not supported: use DELETE (or TRUNCATE) then INSERT, one table per statement`);
    }
    if (word === 'INSERT' && second === 'INTO') this.prepareInsertValues(nodes, secondIndex);
    if (word === 'MERGE' || word === 'UPDATE') this.prepareSetTargets(nodes);
    if (word === 'MERGE') this.prepareMergeByName(nodes);
    this.prepareAggregateOrderBy(nodes);
    this.prepareEmptyLimits(nodes);
    this.prepareResultNames(nodes);
    this.prepareSetOperations(nodes);
    this.lateralUses = findLateralAliasUses(nodes);
    return this.render(nodes);
  }

  /**
   * An unaliased select item the translation rewrites gets the name Snowflake gives it (result-names.ts), not
   * the one DuckDB would make from the rewrite. Applies to every SELECT list of the statement.
   */
  private prepareResultNames(nodes: SqlNode[]): void {
    for (const n of nodes) if (isGroup(n)) this.prepareResultNames(n.children);
    for (const [start, end] of selectItems(nodes)) {
      const item = nodes.slice(start, end);
      if (hasAlias(item) || isPlainColumn(item)) continue;
      this.replaceRange(item, (text) => {
        const source = sourceText(item);
        if (text.replace(/\s+/g, ' ').trim() === source.replace(/\s+/g, ' ').trim()) return text;
        return `${text} AS "${snowflakeColumnName(item).replace(/"/g, '""')}"`;
      });
    }
  }

  /**
   * Renders `range` (consecutive nodes of one list) as `wrap` of its usual rendering: the first node's override
   * renders them all, with the overrides they had before, and the others render as nothing.
   */
  private replaceRange(range: SqlNode[], wrap: (text: string) => string): void {
    const saved = range.map((n) => this.overrides.get(n));
    const own = (): void => range.forEach((n, k) => this.overrides.set(n, k === 0 ? rendered : ''));
    const rendered = (): string => {
      range.forEach((n, k) => (saved[k] === undefined ? this.overrides.delete(n) : this.overrides.set(n, saved[k]!)));
      try {
        return wrap(this.render(range));
      } finally {
        own();
      }
    };
    own();
  }

  /**
   * A set operation's first query gets a guard refusing text combined with another type (set-operations.ts).
   * Runs after the other statement-level rewrites: the first query's own overrides are kept for its rendering.
   */
  private prepareSetOperations(nodes: SqlNode[]): void {
    for (const n of nodes) if (isGroup(n)) this.prepareSetOperations(n.children);
    const op = findSetOperation(nodes);
    if (!op) return;
    const [start, end] = op.branches[0];
    this.replaceRange(nodes.slice(start, end), (text) => {
      // The copies are rendered again, on one line: unnamed FLATTENs keep the names the queries themselves get.
      const count = this.flattenCount;
      const copies = op.branches.map(([s, e]) => this.render(nodes.slice(s, e), true).trim());
      this.flattenCount = count;
      return guardedFirstQuery(text, copies, op.byName, this.placeLiteral(op.operator, op.shown));
    });
  }

  /**
   * INSERT INTO t [(cols)] VALUES (...): text with a UTC offset going into a TIMESTAMP_NTZ column loses its
   * offset in Snowflake ('2024-05-09 08:50:57.891 -0700' is stored as 2024-05-09 08:50:57.891; docs:
   * date-time-input-output, TIMESTAMP_NTZ ignores the time zone), where DuckDB refuses it. Only for tables this
   * text creates, whose column types are known here.
   */
  private prepareInsertValues(nodes: SqlNode[], into: number): void {
    let k = nextSignificant(nodes, into + 1);
    const nameStart = k;
    while (k + 2 < nodes.length && isOp(nodes[k + 1], '.')) k += 2;
    const declared = this.tableColumns.get(tableKey(sourceText(nodes.slice(nameStart, k + 1))));
    if (!declared) return;
    k = nextSignificant(nodes, k + 1);
    let targets = declared;
    if (isParen(nodes[k])) {
      const named = splitNodes((nodes[k] as Group).children).map((p) => trimNodes(p)[0]);
      targets = named.map((n) => declared.find((c) => isToken(n) && c.name === unquotedName(n)) ?? { name: '', type: '' });
      k = nextSignificant(nodes, k + 1);
    }
    if (!isWord(nodes[k], 'VALUES')) return;
    for (let row = nextSignificant(nodes, k + 1); isParen(nodes[row]); row = nextSignificant(nodes, nextSignificant(nodes, row + 1) + 1)) {
      splitNodes((nodes[row] as Group).children).forEach((value, i) => {
        const only = trimNodes(value);
        const t = only[0];
        if (only.length !== 1 || !isToken(t) || t.kind !== 'string') return;
        const stamp = TIMESTAMP_WITH_OFFSET.exec(t.value ?? '');
        if (!stamp) return;
        // NTZ keeps the wallclock time; TZ and LTZ keep the instant (DuckDB reads an offset only without the space).
        if (targets[i]?.type === 'TIMESTAMP') this.overrides.set(t, duckdbString(stamp[1]));
        if (targets[i]?.type === 'TIMESTAMPTZ' || targets[i]?.type === 'TIMESTAMP WITH TIME ZONE') this.overrides.set(t, duckdbString(`${stamp[1]}${stamp[2]}`));
      });
      if (!isOp(nodes[nextSignificant(nodes, row + 1)], ',')) break;
    }
  }

  /**
   * LIMIT '' and LIMIT $$$$ mean no limit, OFFSET '' and OFFSET $$$$ no offset (docs: constructs/limit, for
   * drivers that bind an incomplete parameter list); DuckDB would read the text as a number and fail.
   */
  private prepareEmptyLimits(nodes: SqlNode[]): void {
    for (let i = 0; i < nodes.length; i++) {
      const n = nodes[i];
      if (isGroup(n)) this.prepareEmptyLimits(n.children);
      if (!isWord(n, 'LIMIT', 'OFFSET')) continue;
      const value = nodes[nextSignificant(nodes, i + 1)];
      if (isToken(value) && value.kind === 'string' && value.value === '') this.overrides.set(value, isWord(n, 'LIMIT') ? 'NULL' : '0');
    }
  }

  /** MERGE ... THEN UPDATE ALL BY NAME / INSERT ALL BY NAME is DuckDB's UPDATE BY NAME / INSERT BY NAME. */
  private prepareMergeByName(nodes: SqlNode[]): void {
    for (let i = 0; i < nodes.length; i++) {
      if (!isWord(nodes[i], 'UPDATE', 'INSERT')) continue;
      const all = nextSignificant(nodes, i + 1);
      const by = nextSignificant(nodes, all + 1);
      if (isWord(nodes[all], 'ALL') && isWord(nodes[by], 'BY') && isWord(nodes[nextSignificant(nodes, by + 1)], 'NAME')) {
        this.overrides.set(nodes[all], '');
        if (isTrivia(nodes[all + 1])) this.overrides.set(nodes[all + 1], '');
      }
    }
  }

  /**
   * An aggregate-only query (aggregates, no GROUP BY) returns one row, and Snowflake accepts an ORDER BY on the
   * aggregated columns there (docs: ARRAY_AGG examples); DuckDB rejects it, so the ORDER BY is dropped: one row
   * has one order. Applies to the statement and to every subquery.
   */
  private prepareAggregateOrderBy(nodes: SqlNode[]): void {
    for (const n of nodes) if (isGroup(n)) this.prepareAggregateOrderBy(n.children);
    const top = (word: string): number[] => nodes.flatMap((n, i) => (isWord(n, word) ? [i] : []));
    const selects = top('SELECT');
    if (selects.length !== 1 || ['UNION', 'EXCEPT', 'INTERSECT', 'MINUS'].some((w) => top(w).length) || top('GROUP').some((i) => isWord(nodes[nextSignificant(nodes, i + 1)], 'BY'))) return;
    const order = top('ORDER').find((i) => isWord(nodes[nextSignificant(nodes, i + 1)], 'BY'));
    if (order === undefined || order < selects[0]) return;
    const from = top('FROM').find((i) => i > selects[0] && i < order) ?? order;
    if (!hasPlainAggregate(nodes.slice(selects[0] + 1, from))) return;
    let end = order;
    while (end < nodes.length && !isWord(nodes[end], 'LIMIT', 'OFFSET', 'FETCH')) end++;
    for (let i = order; i < end; i++) {
      const t = nodes[i];
      // Line breaks stay, so DuckDB's LINE n still points at the source line.
      this.overrides.set(t, isToken(t) && t.kind === 'ws' && t.text.includes('\n') ? '\n'.repeat(t.text.split('\n').length - 1) : isTrivia(t) ? ' ' : '');
    }
  }

  /** SET x = expr -> SET VARIABLE x = expr; SET (a, b) = (1, 2) -> one SET VARIABLE each. */
  private setStatement(nodes: SqlNode[], first: number): string {
    const lead = this.render(nodes.slice(0, first));
    const k = nextSignificant(nodes, first + 1);
    const eq = nodes.findIndex((n, i) => i > k && isOp(n, '='));
    if (eq < 0) {
      this.error(nodes[first], 'SET expects SET <name> = <expression>');
      return sourceText(nodes);
    }
    const target = nodes[k];
    const valueNodes = nodes.slice(eq + 1);
    if (isParen(target)) {
      const names = splitNodes(target.children).map((p) => trimNodes(p));
      const v = nextSignificant(valueNodes, 0);
      const values = isParen(valueNodes[v]) ? splitNodes((valueNodes[v] as Group).children) : [];
      if (names.length !== values.length || names.some((n) => n.length !== 1 || !isWord(n[0]))) {
        this.error(target, 'SET (a, b) = (x, y) needs as many names as values');
        return sourceText(nodes);
      }
      const out = names.map((n, i) => {
        const name = (n[0] as Token).text.toLowerCase();
        this.noteSet(name);
        return `SET VARIABLE ${name} = ${this.render(values[i]).trim()}`;
      });
      return lead + out.join('; ') + this.padding(sourceText(nodes), out.join('; '));
    }
    if (!isWord(target)) {
      this.error(target ?? nodes[first], 'SET expects a variable name');
      return sourceText(nodes);
    }
    const name = target.text.toLowerCase();
    this.noteSet(name);
    return `${lead}SET VARIABLE ${name}${this.render(nodes.slice(k + 1, eq))}=${this.render(valueNodes)}`;
  }

  private noteSet(name: string): void {
    this.setInText.add(name);
    // A SET in the text wins over a value given by the caller, as it would in the session.
    this.variables.delete(name);
  }

  private unsetStatement(nodes: SqlNode[], first: number): string {
    const k = nextSignificant(nodes, first + 1);
    const target = nodes[k];
    if (target === undefined) {
      this.error(nodes[first], 'UNSET expects a variable name');
      return sourceText(nodes);
    }
    const names = isParen(target) ? splitNodes(target.children).map((p) => sourceText(trimNodes(p))) : [sourceText([target])];
    const lead = this.render(nodes.slice(0, first));
    return lead + names.map((n) => `RESET VARIABLE ${n.toLowerCase()}`).join('; ');
  }

  private useStatement(nodes: SqlNode[], first: number, secondIndex: number, second: string): string {
    if (second === 'DATABASE' || second === 'SCHEMA') {
      this.overrides.set(nodes[secondIndex], '');
      return this.render(nodes);
    }
    if (second === 'WAREHOUSE' || second === 'ROLE' || second === 'SECONDARY') {
      this.error(nodes[first], `USE ${second} is not supported: warehouses and roles belong to the connection, not to the SQL`);
      return sourceText(nodes);
    }
    return this.render(nodes);
  }

  /** CREATE [OR REPLACE] [modifiers] TABLE|VIEW ...: drops Snowflake-only options, maps column types. */
  private prepareCreate(nodes: SqlNode[], first: number): void {
    let k = nextSignificant(nodes, first + 1);
    const wordAt = (i: number): string => (isWord(nodes[i]) ? (nodes[i] as Token).text.toUpperCase() : '');
    if (wordAt(k) === 'OR') k = nextSignificant(nodes, nextSignificant(nodes, k + 1) + 1);
    let object = '';
    for (; k < nodes.length; k = nextSignificant(nodes, k + 1)) {
      const w = wordAt(k);
      if (w === 'TRANSIENT' || w === 'SECURE' || w === 'LOCAL' || w === 'GLOBAL' || w === 'MATERIALIZED') {
        this.overrides.set(nodes[k], '');
      } else if (w === 'VOLATILE') {
        this.overrides.set(nodes[k], 'TEMP');
      } else if (w === 'TEMPORARY' || w === 'TEMP' || w === 'RECURSIVE') {
        // kept
      } else {
        object = w;
        break;
      }
    }
    if (UNSUPPORTED_CREATE[object]) {
      this.error(nodes[k], `CREATE ${object} is not supported on DuckDB: ${UNSUPPORTED_CREATE[object]}`);
      return;
    }
    if (object !== 'TABLE' && object !== 'VIEW') return;
    // The name, possibly after IF NOT EXISTS.
    k = nextSignificant(nodes, k + 1);
    const ifNotExists = wordAt(k) === 'IF';
    if (ifNotExists) k = nextSignificant(nodes, nextSignificant(nodes, nextSignificant(nodes, k + 1) + 1) + 1);
    const nameStart = k;
    while (k + 2 < nodes.length && isOp(nodes[k + 1], '.')) k += 2;
    const name = sourceText(nodes.slice(nameStart, k + 1));
    k = nextSignificant(nodes, k + 1);
    let columns: Group | undefined;
    if (isParen(nodes[k])) {
      const group = nodes[k] as Group;
      if (object === 'TABLE') {
        columns = group;
        this.overrides.set(group, () => `(${this.columnDefinitions(group)})`);
        this.tableColumns.set(tableKey(name), this.declaredColumns(group));
      }
      k = nextSignificant(nodes, k + 1);
    }
    // Table and view options up to AS / CLONE / LIKE.
    while (k < nodes.length) {
      const w = wordAt(k);
      if (w === 'AS' && columns) {
        // CREATE TABLE t (col type, ...) AS SELECT: Snowflake gives the query's columns, by position, the declared
        // names and types. DuckDB has no such form: the table is created as declared, then filled by INSERT,
        // which converts each column to its declared type as Snowflake does.
        if (ifNotExists) this.error(nodes[k], 'CREATE TABLE IF NOT EXISTS ... (columns) AS SELECT is not supported: drop IF NOT EXISTS, or create the table and INSERT in two statements');
        this.overrides.set(nodes[k], `; INSERT INTO ${name}`);
        return;
      }
      if (w === 'AS') return;
      if (w === 'CLONE') {
        this.overrides.set(nodes[k], 'AS SELECT * FROM');
        return;
      }
      if (w === 'LIKE') {
        this.error(nodes[k], 'CREATE TABLE ... LIKE is not supported: list the columns, or CREATE TABLE ... AS SELECT ... WHERE FALSE');
        return;
      }
      if (w === 'CLUSTER' || w === 'COPY' || w === 'COMMENT' || w === 'DATA_RETENTION_TIME_IN_DAYS' || w === 'MAX_DATA_EXTENSION_TIME_IN_DAYS' || w === 'CHANGE_TRACKING' || w === 'DEFAULT_DDL_COLLATION' || w === 'ENABLE_SCHEMA_EVOLUTION' || w === 'WITH' || w === 'TAG') {
        // Options that change storage or metadata, never the rows: dropped.
        let j = k;
        this.overrides.set(nodes[j], '');
        j = nextSignificant(nodes, j + 1);
        if (w === 'CLUSTER' && wordAt(j) === 'BY') {
          this.overrides.set(nodes[j], '');
          j = nextSignificant(nodes, j + 1);
          if (isParen(nodes[j])) this.overrides.set(nodes[j], '');
        } else if (w === 'COPY' && wordAt(j) === 'GRANTS') {
          this.overrides.set(nodes[j], '');
        } else if (isOp(nodes[j], '=')) {
          this.overrides.set(nodes[j], '');
          j = nextSignificant(nodes, j + 1);
          if (nodes[j]) this.overrides.set(nodes[j], '');
        } else if (isParen(nodes[j])) {
          this.overrides.set(nodes[j], '');
        } else {
          j = k;
        }
        k = nextSignificant(nodes, j + 1);
        continue;
      }
      return;
    }
  }

  /** The declared columns of a CREATE TABLE, by position: lower-cased name and DuckDB type ('' when none is given). */
  private declaredColumns(group: Group): Array<{ name: string; type: string }> {
    return splitNodes(group.children).flatMap((part) => {
      const k = nextSignificant(part, 0);
      const head = part[k];
      if (!isName(head) || isWord(head, 'CONSTRAINT', 'PRIMARY', 'UNIQUE', 'FOREIGN')) return [];
      const type = this.parseType(part, nextSignificant(part, k + 1));
      return [{ name: unquotedName(head as Token), type: type?.mapped.duckdb.toUpperCase() ?? '' }];
    });
  }

  /** Column definitions: types mapped; constraints Snowflake does not enforce are dropped. */
  private columnDefinitions(group: Group): string {
    const parts = splitNodes(group.children);
    const kept: string[] = [];
    for (const part of parts) {
      const k = nextSignificant(part, 0);
      const head = part[k];
      if (isWord(head, 'CONSTRAINT', 'PRIMARY', 'UNIQUE', 'FOREIGN')) continue;
      if (!isName(head)) {
        kept.push(this.render(part));
        continue;
      }
      const typeAt = nextSignificant(part, k + 1);
      const type = this.parseType(part, typeAt);
      if (!type) {
        kept.push(this.render(part));
        continue;
      }
      // Column constraints Snowflake does not enforce are dropped; the rest renders as one sequence.
      const drop = (from: number, to: number): void => {
        for (let d = from; d < to; d++) this.overrides.set(part[d], '');
      };
      for (let j = type.end; j < part.length; j++) {
        const n = part[j];
        if (isWord(n, 'PRIMARY', 'UNIQUE')) {
          const key = nextSignificant(part, j + 1);
          const to = isWord(part[key], 'KEY') ? key + 1 : j + 1;
          drop(j, to);
          j = to - 1;
        } else if (isWord(n, 'REFERENCES')) {
          let to = nextSignificant(part, j + 1) + 1;
          while (isOp(part[to], '.') && part[to + 1]) to += 2;
          if (isParen(part[nextSignificant(part, to)])) to = nextSignificant(part, to) + 1;
          drop(j, to);
          j = to - 1;
        } else if (isWord(n, 'COMMENT')) {
          const to = nextSignificant(part, j + 1) + 1;
          drop(j, to);
          j = to - 1;
        } else if (isWord(n, 'AUTOINCREMENT', 'IDENTITY', 'MASKING')) {
          this.error(n, `${(n as Token).text.toUpperCase()} is not supported on DuckDB: generate keys in the SELECT (e.g. ROW_NUMBER()) or drop the option`);
        }
      }
      const rest = this.render(part.slice(type.end));
      kept.push(this.render(part.slice(0, typeAt)) + type.text + rest);
    }
    return kept.join(',');
  }

  private prepareAlterTable(nodes: SqlNode[], tableIndex: number): void {
    for (let i = tableIndex; i < nodes.length; i++) {
      if (!isWord(nodes[i], 'ADD')) continue;
      let k = nextSignificant(nodes, i + 1);
      if (isWord(nodes[k], 'COLUMN')) k = nextSignificant(nodes, k + 1);
      if (isWord(nodes[k], 'IF')) k = nextSignificant(nodes, nextSignificant(nodes, nextSignificant(nodes, k + 1) + 1) + 1);
      const typeAt = nextSignificant(nodes, k + 1);
      const type = this.parseType(nodes, typeAt);
      if (!type) return;
      const typed = nodes.slice(typeAt, type.end);
      this.overrides.set(typed[0], type.text);
      for (const n of typed.slice(1)) this.overrides.set(n, '');
      return;
    }
  }

  /** MERGE ... UPDATE SET t.col = ... and UPDATE t SET t.col = ...: DuckDB takes unqualified targets. */
  private prepareSetTargets(nodes: SqlNode[]): void {
    for (let i = 0; i < nodes.length; i++) {
      if (!isWord(nodes[i], 'SET')) continue;
      let expectTarget = true;
      for (let j = i + 1; j < nodes.length; j++) {
        const n = nodes[j];
        if (isWord(n, 'WHEN', 'WHERE', 'FROM')) break;
        if (isTrivia(n)) continue;
        if (isOp(n, ',')) {
          expectTarget = true;
          continue;
        }
        if (expectTarget && isName(n) && isOp(nodes[j + 1], '.') && nodes[j + 2] && !isOp(nodes[j + 3], '.')) {
          this.overrides.set(n, '');
          this.overrides.set(nodes[j + 1], '');
          j += 2;
        }
        expectTarget = false;
      }
    }
  }

  // ---------------------------------------------------------------- expressions

  render(nodes: SqlNode[], compact = false): string {
    if (compact) this.compactDepth++;
    try {
      this.prepareRowIn(nodes);
      const items: RenderedItem[] = [];
      let i = 0;
      while (i < nodes.length) {
        const n = nodes[i];
        const override = this.overrides.get(n);
        if (override !== undefined) {
          items.push({ text: typeof override === 'string' ? override : override(), start: i, end: i + 1, kind: 'other' });
          i++;
          continue;
        }
        if (isTrivia(n)) {
          items.push({ text: this.trivia(n as Token), start: i, end: i + 1, kind: 'trivia' });
          i++;
          continue;
        }
        const item = this.item(nodes, i);
        items.push({ text: item.text, start: i, end: item.end, kind: itemKind(nodes, i, item.end) });
        i = item.end;
      }
      return this.arithmetic(nodes, items);
    } finally {
      if (compact) this.compactDepth--;
    }
  }

  /**
   * Joins rendered items, turning each `a / b` into sf_div(a, b, at) and `a * b` into sf_mul(a, b, at), so
   * NUMBER results get Snowflake's scale (numbers.ts). `*`, `/` and `%` bind tighter than anything else
   * between two operands here, so an operand chain is read left to right: a * b / c is sf_div(a * b, c).
   */
  private arithmetic(nodes: SqlNode[], items: RenderedItem[]): string {
    let out = '';
    let k = 0;
    while (k < items.length) {
      if (items[k].kind !== 'operand') {
        out += items[k].text;
        k++;
        continue;
      }
      let acc = items[k].text;
      const accStart = items[k].start;
      let accInteger = isIntegerLiteral(nodes, items[k]);
      let j = k + 1;
      for (;;) {
        let t = j;
        let before = '';
        while (items[t]?.kind === 'trivia') before += items[t++].text;
        const op = items[t];
        if (!op || op.kind !== 'op' || !['*', '/', '%'].includes(op.text)) break;
        let u = t + 1;
        let after = '';
        while (items[u]?.kind === 'trivia' || (items[u]?.kind === 'op' && (items[u].text === '-' || items[u].text === '+'))) after += items[u++].text;
        const right = items[u];
        if (!right || right.kind !== 'operand') break;
        const at = (): string => {
          const opToken = nodes[op.start] as Token;
          const shown = sourceText(nodes.slice(accStart, right.end)).replace(/\s+/g, ' ').trim();
          return duckdbString(`${this.file}:${opToken.line}:${opToken.col}: ${shown.length > 80 ? shown.slice(0, 77) + '...' : shown}`);
        };
        // Spaces around the operator go; line breaks and comments stay, so lines keep their numbers.
        const left = `${acc}${/^ *$/.test(before) ? '' : before}`;
        const rightText = `${/^ *$/.test(after) ? ' ' : after}${right.text}`;
        if (op.text === '/') acc = divisionSql(left, rightText, at());
        else if (op.text === '*' && !accInteger && !isIntegerLiteral(nodes, right)) acc = `sf_mul(${left},${rightText}, ${at()})`;
        else acc += `${before}${op.text}${after}${right.text}`;
        accInteger = false;
        j = u + 1;
      }
      out += acc;
      k = j;
    }
    return out;
  }

  /**
   * (a, b) [NOT] IN ((x, y), ...) as (a = x AND b = y) OR ..., and (a, b) = (x, y) as a = x AND b = y: a row with a NULL member is then NULL, not a
   * match, as in Snowflake (docs: in, "(4, 5, NULL) IN ((4, 5, NULL), (7, 8, 9))" is NULL); DuckDB compares the
   * rows as structs, where NULL members are equal.
   */
  private prepareRowIn(nodes: SqlNode[]): void {
    const isRow = (n: SqlNode | undefined): n is Group =>
      isParen(n) && splitNodes(n.children).length > 1 && !isWord(n.children[nextSignificant(n.children, 0)], 'SELECT', 'WITH');
    for (let i = 0; i < nodes.length; i++) {
      const left = nodes[i];
      if (!isRow(left) || this.overrides.has(left)) continue;
      let k = nextSignificant(nodes, i + 1);
      const op = nodes[k];
      const right = nodes[nextSignificant(nodes, k + 1)];
      if ((isOp(op, '=') || isOp(op, '<>') || isOp(op, '!=')) && isRow(right) && splitNodes(right.children).length === splitNodes(left.children).length) {
        // (a, b) = (x, y) is a = x AND b = y; <> is its negation, NULL when a member is NULL and the rest equal.
        const end = nextSignificant(nodes, k + 1) + 1;
        this.overrides.set(left, () => {
          const lefts = splitNodes(left.children).map((p) => this.render(p, true).trim());
          const rights = splitNodes(right.children).map((p) => this.render(p, true).trim());
          const all = lefts.map((l, m) => `${l} = ${rights[m]}`).join(' AND ');
          const text = isOp(op, '=') ? `(${all})` : `(NOT (${all}))`;
          return text + this.padding(sourceText(nodes.slice(i, end)), text);
        });
        for (let d = i + 1; d < end; d++) this.overrides.set(nodes[d], '');
        i = end - 1;
        continue;
      }
      const not = isWord(nodes[k], 'NOT');
      if (not) k = nextSignificant(nodes, k + 1);
      const list = nodes[nextSignificant(nodes, k + 1)];
      if (!isWord(nodes[k], 'IN') || !isParen(list)) continue;
      const width = splitNodes(left.children).length;
      const rows = splitNodes(list.children).map((p) => trimNodes(p));
      if (!rows.every((r) => r.length === 1 && isRow(r[0]) && splitNodes((r[0] as Group).children).length === width)) continue;
      const end = nextSignificant(nodes, k + 1) + 1;
      this.overrides.set(left, () => {
        const lefts = splitNodes(left.children).map((p) => this.render(p, true).trim());
        const alternatives = rows.map((r) => {
          const rights = splitNodes((r[0] as Group).children).map((p) => this.render(p, true).trim());
          return `(${lefts.map((l, m) => `${l} = ${rights[m]}`).join(' AND ')})`;
        });
        const text = `(${not ? 'NOT ' : ''}(${alternatives.join(' OR ')}))`;
        return text + this.padding(sourceText(nodes.slice(i, end)), text);
      });
      for (let d = i + 1; d < end; d++) this.overrides.set(nodes[d], '');
      i = end - 1;
    }
  }

  private trivia(t: Token): string {
    if (this.compactDepth > 0) return ' ';
    if (t.kind === 'comment' && t.text.startsWith('//')) return `--${t.text.slice(2)}`;
    return t.text;
  }

  /** Line breaks to append so a rewrite spans as many lines as its source did. */
  private padding(source: string, out: string): string {
    if (this.compactDepth > 0) return '';
    const missing = (source.match(/\n/g) ?? []).length - (out.match(/\n/g) ?? []).length;
    return missing > 0 ? '\n'.repeat(missing) : '';
  }

  private item(nodes: SqlNode[], i: number): Item {
    const n = nodes[i];
    if (isGroup(n)) {
      if (n.open.text === '{') {
        this.error(n, 'object constants {...} are not supported: use OBJECT_CONSTRUCT_KEEP_NULL(...)');
        return { text: sourceText(n), end: i + 1 };
      }
      if (isParen(n) && isWord(n.children[nextSignificant(n.children, 0)], 'VALUES') && isFromItem(nodes, i)) {
        return this.valuesAlias(nodes, i, `(${this.render(n.children)})`, splitNodes(firstRow(n)?.children ?? []).length);
      }
      return this.expression(nodes, i);
    }
    switch (n.kind) {
      case 'string':
      case 'number':
      case 'qident':
      case 'var':
        return this.expression(nodes, i);
      case 'error':
        return { text: n.text, end: i + 1 };
      case 'op':
        return this.operator(nodes, i);
      case 'word':
        return this.word(nodes, i);
      default:
        return { text: n.text, end: i + 1 };
    }
  }

  private operator(nodes: SqlNode[], i: number): Item {
    const t = nodes[i] as Token;
    if (t.text === '::') {
      // A cast after something that is not a primary (CASE ... END::int): map the type only.
      const type = this.parseType(nodes, nextSignificant(nodes, i + 1));
      if (type) return { text: `::${type.text}`, end: type.end };
    }
    if (t.text === ':') this.error(t, "bind variables (:name) are not supported; a ':' path needs a column or expression before it");
    if (t.text === '@') this.error(t, 'stage references (@stage) are not supported on DuckDB');
    return { text: t.text, end: i + 1 };
  }

  private word(nodes: SqlNode[], i: number): Item {
    const t = nodes[i] as Token;
    const upper = t.text.toUpperCase();
    const next = nextSignificant(nodes, i + 1);
    for (const u of UNSUPPORTED_SYNTAX) {
      if (u.words[0] !== upper) continue;
      if (u.words.length === 2 && !isWord(nodes[next], u.words[1])) continue;
      if (upper === 'START' && previousSignificant(nodes, i) < 0) continue; // START TRANSACTION
      if ((upper === 'SAMPLE' || upper === 'CHANGES') && !isParen(nodes[next])) continue;
      this.error(t, `${u.construct} is not supported on DuckDB: ${u.hint}`);
    }
    if (upper === 'MINUS' && !isParen(nodes[next])) return { text: 'EXCEPT', end: i + 1 };
    if (upper === 'TOP' && isWord(nodes[previousSignificant(nodes, i)], 'SELECT', 'DISTINCT')) {
      this.error(t, 'SELECT TOP n is not supported: use LIMIT n');
    }
    if ((upper === 'REGEXP' || upper === 'RLIKE') && !isParen(nodes[next])) {
      this.error(t, `the ${upper} operator is not supported: use REGEXP_LIKE(subject, pattern)`);
    }
    if ((upper === 'LIKE' || upper === 'ILIKE') && isWord(nodes[next], 'ANY', 'ALL', 'SOME')) {
      this.error(t, `${upper} ${(nodes[next] as Token).text.toUpperCase()} is not supported: combine LIKE conditions with OR / AND`);
    }
    if (upper === 'AT' || upper === 'BEFORE') {
      if (isParen(nodes[next]) && (nodes[next] as Group).children.some((c) => isOp(c, '=>'))) {
        this.error(t, `time travel (${upper}(...)) is not supported on DuckDB`);
      }
    }
    if (upper === 'COLLATE' && isToken(nodes[next]) && (nodes[next] as Token).kind === 'string') {
      this.error(t, `COLLATE ${(nodes[next] as Token).text} is not supported on DuckDB: collations compare, sort and convert case differently there; use UPPER() or LOWER() on both sides for a case-insensitive comparison`);
    }
    if (upper === 'LATERAL' && isWord(nodes[next], 'FLATTEN')) {
      const paren = nextSignificant(nodes, next + 1);
      if (isParen(nodes[paren])) return this.flatten(nodes, i, nodes[next] as Token, nodes[paren] as Group, paren + 1);
    }
    if (upper === 'TABLE' && isParen(nodes[next])) {
      const inner = trimNodes((nodes[next] as Group).children);
      if (isWord(inner[0], 'FLATTEN') && isParen(inner[nextSignificant(inner, 1)])) {
        return this.flatten(nodes, i, inner[0] as Token, inner[nextSignificant(inner, 1)] as Group, next + 1);
      }
    }
    if (upper === 'FLATTEN' && isParen(nodes[next]) && isWord(nodes[previousSignificant(nodes, i)], 'FROM', 'JOIN')) {
      return this.flatten(nodes, i, t, nodes[next] as Group, next + 1);
    }
    if (upper === 'VALUES' && isWord(nodes[previousSignificant(nodes, i)], 'FROM', 'JOIN')) {
      return this.fromValues(nodes, i);
    }
    if (upper === 'CASE' && matchingEnd(nodes, i) > i) return this.expression(nodes, i);
    if (KEYWORDS.has(upper) && !(CALLABLE_KEYWORDS.has(upper) && isParen(nodes[next]) && this.isCallPosition(nodes, i))) {
      return { text: t.text, end: i + 1 };
    }
    return this.expression(nodes, i);
  }

  private isCallPosition(nodes: SqlNode[], i: number): boolean {
    const prev = nodes[previousSignificant(nodes, i)];
    if (isWord(prev, ...NAME_CONTEXT)) return false;
    const t = nodes[i] as Token;
    // INSERT (a, b) VALUES ... in MERGE is a clause; INSERT(s, pos, len, ins) elsewhere is the function.
    if (t.text.toUpperCase() === 'INSERT' && (prev === undefined || isWord(prev, 'THEN'))) return false;
    // FILTER (WHERE ...) after an aggregate is a clause, not a call.
    if (t.text.toUpperCase() === 'FILTER') {
      const g = nodes[nextSignificant(nodes, i + 1)] as Group;
      return !isWord(g.children[nextSignificant(g.children, 0)], 'WHERE');
    }
    return true;
  }

  /** A primary (literal, name, call, parenthesis, array constant) and its path and cast suffixes. */
  private expression(nodes: SqlNode[], i: number): Item {
    const primary = this.primary(nodes, i);
    let operand: Operand = primary.operand;
    let end = primary.end;
    const pathable = primary.pathable;
    for (;;) {
      // Colon and bracket paths must touch what they follow: raw:a.b, raw['a'], arr[0].
      if (pathable && isOp(nodes[end], ':') && this.isPathKey(nodes[end + 1])) {
        const p = this.pathSteps(nodes, end + 1, operand);
        operand = { text: materialize(p.path), path: p.path };
        end = p.end;
        continue;
      }
      if (pathable && isBracket(nodes[end])) {
        const p = this.pathSteps(nodes, end, operand);
        operand = { text: materialize(p.path), path: p.path };
        end = p.end;
        continue;
      }
      const k = nextSignificant(nodes, end);
      if (isOp(nodes[k], '::')) {
        const type = this.parseType(nodes, nextSignificant(nodes, k + 1));
        if (!type) {
          this.error(nodes[k], "'::' must be followed by a type");
          return { text: operand.text + this.render(nodes.slice(end, k + 1)), end: k + 1 };
        }
        operand = { text: this.cast(operand, type.mapped, false, '::') };
        end = type.end;
        continue;
      }
      break;
    }
    if (operand.path && this.compactDepth === 0) this.checkVariantUse(nodes, i, end);
    return { text: operand.text, end };
  }

  private primary(nodes: SqlNode[], i: number): { operand: Operand; end: number; pathable: boolean } {
    const n = nodes[i];
    if (isGroup(n)) {
      if (n.open.text === '[') {
        // An array constant: [1, 'a'] is ARRAY_CONSTRUCT(1, 'a').
        const parts = splitNodes(n.children).filter((p) => trimNodes(p).length > 0);
        const literalNull = parts.map(trimNodes).find((p) => p.length === 1 && isWord(p[0], 'NULL'));
        if (literalNull) this.error(literalNull[0], undefinedElementMessage('an array constant with a SQL NULL element'));
        const elements = parts.map((p) => this.render(p));
        const place = this.placeLiteral(n.open, sourceText(n));
        return { operand: { text: arrayConstruct(elements, place) + this.padding(sourceText(n), '') }, end: i + 1, pathable: true };
      }
      return { operand: { text: `(${this.render(n.children)})` }, end: i + 1, pathable: true };
    }
    const t = n as Token;
    if (t.kind === 'string') {
      return { operand: { text: stringLiteral(t), literal: 'string' }, end: i + 1, pathable: false };
    }
    if (t.kind === 'number') return { operand: { text: t.text, literal: 'number' }, end: i + 1, pathable: false };
    if (t.kind === 'var') return { operand: { text: this.variable(t) }, end: i + 1, pathable: true };
    const upper = t.kind === 'word' ? t.text.toUpperCase() : '';
    if (LITERAL_WORDS.has(upper)) {
      return { operand: { text: t.text, literal: upper === 'NULL' ? 'null' : 'other' }, end: i + 1, pathable: false };
    }
    if (upper === 'CASE') {
      // CASE ... END is one primary, so a cast after END applies to the whole expression.
      const end = matchingEnd(nodes, i);
      if (end > i) {
        return { operand: { text: `${t.text}${this.render(nodes.slice(i + 1, end))}${(nodes[end] as Token).text}` }, end: end + 1, pathable: true };
      }
    }
    const next = nextSignificant(nodes, i + 1);
    if (TYPED_LITERALS[upper] && isToken(nodes[next]) && (nodes[next] as Token).kind === 'string') {
      return { operand: { text: `${TYPED_LITERALS[upper]} ${stringLiteral(nodes[next] as Token)}`, literal: 'other' }, end: next + 1, pathable: false };
    }
    if (upper === 'X' && isToken(nodes[i + 1]) && (nodes[i + 1] as Token).kind === 'string') {
      // X'EF' is a BINARY value in Snowflake; DuckDB reads it as a bit string, so functions on it give other answers.
      this.error(t, `binary literals (${t.text}${(nodes[i + 1] as Token).text}) are not supported: binary values are outside the subset; work on the hex text instead, e.g. '${((nodes[i + 1] as Token).value ?? '').toLowerCase()}'`);
      return { operand: { text: sourceText(nodes.slice(i, i + 2)), literal: 'other' }, end: i + 2, pathable: false };
    }
    if (upper === 'INTERVAL' && isToken(nodes[next]) && (nodes[next] as Token).kind === 'string') {
      const value = ((nodes[next] as Token).value ?? '').replace(/,/g, ' ');
      return { operand: { text: `INTERVAL ${duckdbString(value)}`, literal: 'other' }, end: next + 1, pathable: false };
    }
    if (NILADIC[upper]) {
      let end = i + 1;
      if (isParen(nodes[next]) && trimNodes((nodes[next] as Group).children).length <= 1) end = next + 1;
      return { operand: { text: NILADIC[upper] }, end, pathable: false };
    }
    // A name: a.b.c, possibly ending in a call a.b(...).
    let end = i + 1;
    let name = t.text;
    while (isOp(nodes[end], '.') && (isName(nodes[end + 1]) || isOp(nodes[end + 1], '*'))) {
      name += '.' + (nodes[end + 1] as Token).text;
      end += 2;
    }
    const paren = nextSignificant(nodes, end);
    if (isParen(nodes[paren]) && (t.kind === 'word' || t.kind === 'qident') && this.isCallPosition(nodes, i)) {
      const group = nodes[paren] as Group;
      const qualified = end > i + 1;
      const nameToken = nodes[end - 1] as Token;
      const result = this.call(nodes, qualified ? '' : upper, name, nameToken, group, paren + 1, i);
      return { operand: { text: result.text }, end: result.end, pathable: true };
    }
    return { operand: { text: name }, end, pathable: !KEYWORDS.has(upper) || end > i + 1 };
  }

  private call(nodes: SqlNode[], upper: string, name: string, nameToken: Token, group: Group, end: number, start: number): Item {
    const hint = upper ? unsupportedFunctionHint(upper) : undefined;
    if (hint) {
      this.error(nameToken, `${upper} is not supported on DuckDB: ${hint}`);
      return { text: name + sourceText(group), end };
    }
    if (upper && isHandled(upper)) {
      const lateral = this.lateralUses.get(nameToken) ?? [];
      for (const use of lateral) this.overrides.set(use.name, () => `(${this.render(use.expression, true).trim()})`);
      const args = this.args(group);
      const result = translateCall({ name: upper, nameToken, group, args, nodes, end, r: this });
      if (result !== undefined) {
        let text = typeof result === 'string' ? result : result.text;
        if (lateral.length) text = this.lateralChecked(text, lateral, nameToken, group);
        const stop = typeof result === 'string' ? end : result.end;
        return { text: text + this.padding(sourceText(nodes.slice(start, stop)), text), end: stop };
      }
    }
    if (upper === 'CAST' || upper === 'TRY_CAST') return { text: this.castCall(upper, group, nameToken), end };
    const unqualified = nodes[start] === nameToken;
    if (unqualified && !PASS_THROUGH.has(upper) && this.isCall(nodes, upper, start, end)) {
      this.error(
        nameToken,
        isKnownSnowflakeFunction(upper)
          ? `${upper} is not supported on DuckDB: the translator has no exact equivalent (docs/sql-dialect.md lists the functions it translates)`
          : `unknown function ${name}: not a Snowflake function the translator knows; only the functions docs/sql-dialect.md lists run on DuckDB`,
      );
      return { text: name + sourceText(group), end };
    }
    // LAG(x) IGNORE NULLS OVER (...) is written LAG(x IGNORE NULLS) OVER (...) in DuckDB.
    const k = nextSignificant(nodes, end);
    const nullsAt = nextSignificant(nodes, k + 1);
    if (isWord(nodes[k], 'IGNORE', 'RESPECT') && isWord(nodes[nullsAt], 'NULLS')) {
      const words = `${(nodes[k] as Token).text.toUpperCase()} NULLS`;
      return { text: `${name}(${this.render(group.children)} ${words})`, end: nullsAt + 1 };
    }
    return { text: `${name}(${this.render(group.children)})`, end };
  }

  /**
   * A date function with an earlier alias's expression in its arguments (lateral-aliases.ts): its value where
   * each name, as DuckDB reads it (a FROM column first, as in Snowflake, else the alias), equals the expression.
   */
  private lateralChecked(text: string, uses: LateralUse[], nameToken: Token, group: Group): string {
    const same = uses.map((u) => `${u.name.text} IS NOT DISTINCT FROM (${this.render(u.expression, true).trim()})`).join(' AND ');
    const names = [...new Set(uses.map((u) => u.name.text))].join(', ');
    const place = this.placeLiteral(nameToken, `${nameToken.text}${sourceText(group)}`);
    const why = `: ${names} is a column of the FROM clause and an alias earlier in this SELECT list with another value; Snowflake reads the column there, which DuckDB cannot do inside this function: rename the alias`;
    return `CASE WHEN sf_lateral(${same}, ${place} || ${duckdbString(why)}) THEN ${text} END`;
  }

  /**
   * Whether a name followed by a parenthesis is a function call, not a clause (GROUP BY ROLLUP (...)), an
   * alias's column list (AS t(a, b), (VALUES ...) v(a)) or a common table expression's (WITH c (a) AS (...)).
   */
  private isCall(nodes: SqlNode[], upper: string, start: number, end: number): boolean {
    if (CLAUSE_WORDS.has(upper)) return false;
    const prev = nodes[previousSignificant(nodes, start)];
    if (isWord(prev, 'AS') || isGroup(prev)) return false;
    const after = nextSignificant(nodes, end);
    return !(isWord(nodes[after], 'AS') && isParen(nodes[nextSignificant(nodes, after + 1)]));
  }

  private args(group: Group): Arg[] {
    if (trimNodes(group.children).length === 0) return [];
    return splitNodes(group.children).map((nodes) => {
      const core = trimNodes(nodes);
      const arg: Arg = { nodes, text: this.render(nodes) };
      const only = core.length === 1 ? core[0] : undefined;
      if (isToken(only) && only.kind === 'string') arg.string = only.value ?? '';
      if (isToken(only) && only.kind === 'number') arg.number = Number(only.text);
      if (core.length === 2 && isOp(core[0], '-') && isToken(core[1]) && core[1].kind === 'number') arg.number = -Number(core[1].text);
      if (isWord(only)) arg.word = only.text.toUpperCase();
      return arg;
    });
  }

  /** CAST(x AS type) and TRY_CAST(x AS type). */
  private castCall(upper: string, group: Group, nameToken: Token): string {
    const children = group.children;
    let as = -1;
    for (let k = children.length - 1; k >= 0; k--) {
      if (isWord(children[k], 'AS')) {
        as = k;
        break;
      }
    }
    const typeAt = nextSignificant(children, as + 1);
    const type = as >= 0 ? this.parseType(children, typeAt) : undefined;
    if (!type || nextSignificant(children, type.end) < children.length) {
      this.error(nameToken, `${upper} expects ${upper}(<expression> AS <type>)`);
      return `${nameToken.text}(${this.render(children)})`;
    }
    const exprNodes = children.slice(0, as);
    const core = trimNodes(exprNodes);
    const operand: Operand = { text: this.render(exprNodes).trim() };
    if (core.length === 1 && isToken(core[0])) {
      const k = core[0].kind;
      if (k === 'string') operand.literal = 'string';
      else if (k === 'number') operand.literal = 'number';
      else if (isWord(core[0], 'NULL')) operand.literal = 'null';
    }
    if (core.some((c) => isOp(c, ':') || isBracket(c))) {
      // Keep the path structure when the whole expression is one path: CAST(raw:a AS STRING).
      const e = this.expressionOperand(core);
      if (e?.path) operand.path = e.path;
    }
    return this.cast(operand, type.mapped, upper === 'TRY_CAST', 'call') + this.padding(sourceText(children), '');
  }

  private expressionOperand(core: SqlNode[]): Operand | undefined {
    const saved = this.compactDepth;
    this.compactDepth++;
    try {
      const primary = this.primary(core, 0);
      let operand = primary.operand;
      let end = primary.end;
      while (primary.pathable && end < core.length && ((isOp(core[end], ':') && this.isPathKey(core[end + 1])) || isBracket(core[end]))) {
        const p = this.pathSteps(core, isOp(core[end], ':') ? end + 1 : end, operand);
        operand = { text: materialize(p.path), path: p.path };
        end = p.end;
      }
      return end === core.length ? operand : undefined;
    } finally {
      this.compactDepth = saved;
    }
  }

  /** Renders a cast with Snowflake's semantics for the target type. */
  private cast(operand: Operand, type: MappedType, tryCast: boolean, style: '::' | 'call'): string {
    const plain = (): string =>
      style === '::' && !tryCast ? `${operand.text}::${type.duckdb}` : `${tryCast ? 'TRY_CAST' : 'CAST'}(${operand.text} AS ${type.duckdb})`;
    if (operand.literal === 'null') return plain();
    switch (type.category) {
      case 'varchar': {
        // A cast to VARCHAR(n) or CHAR(n) fails for longer text (TRY_CAST gives NULL); it never cuts it.
        const fit = (text: string): string => (type.length === undefined ? text : `${tryCast ? 'sf_try_fit_text' : 'sf_fit_text'}(${text}, ${type.length})`);
        if (operand.literal) return fit(plain());
        if (operand.path && operand.path.steps.every((s) => !('expr' in s))) {
          // raw:customer.email::string is the text itself, without JSON quotes.
          return fit(`json_extract_string(${operand.path.base}, ${duckdbString(duckdbJsonPath(operand.path.steps as PathStep[]))})`);
        }
        return fit(`sf_to_varchar(${operand.text})`);
      }
      case 'variant':
        // 'a'::VARIANT is a JSON string "a", not text parsed as JSON.
        return operand.path ? operand.text : `sf_to_variant(${operand.text})`;
      case 'date':
        // Text in Snowflake's other AUTO formats ('15-Mar-2024', '03/15/2024') becomes a DATE as well.
        if (operand.literal === 'string' && /^'\d{4}-\d{2}-\d{2}'$/.test(operand.text)) return plain();
        if (operand.literal && operand.literal !== 'string') return plain();
        if (operand.literal === 'string') return `${tryCast ? 'sf_try_to_date' : 'sf_to_date'}(${operand.text})`;
        // A VARIANT path keeps DuckDB's JSON cast; any other expression is read as text only when it is text
        // (sf_temporal has just two overloads, so a lateral column alias still binds).
        if (operand.path) return plain();
        return `${tryCast ? 'TRY_CAST' : 'CAST'}(${tryCast ? 'sf_try_temporal' : 'sf_temporal'}(${operand.text}) AS DATE)`;
      case 'timestamp_ntz':
        return `${tryCast ? 'sf_try_to_timestamp_ntz' : 'sf_to_timestamp_ntz'}(${operand.text})`;
      case 'timestamp_tz':
        return `${tryCast ? 'sf_try_to_timestamp_tz' : 'sf_to_timestamp_tz'}(${operand.text})`;
      default:
        return plain();
    }
  }

  /** A type at nodes[i]: NUMBER(12,2), TIMESTAMP_NTZ, DOUBLE PRECISION, TIMESTAMP WITH TIME ZONE... */
  private parseType(nodes: SqlNode[], i: number): { text: string; mapped: MappedType; end: number } | undefined {
    const first = nodes[i];
    if (!isWord(first)) return undefined;
    const words = [first.text.toUpperCase()];
    let end = i + 1;
    for (const multi of MULTIWORD_TYPES) {
      if (multi[0] !== words[0]) continue;
      let k = end;
      let ok = true;
      const found: number[] = [];
      for (const w of multi.slice(1)) {
        const j = nextSignificant(nodes, k);
        if (!isWord(nodes[j], w)) {
          ok = false;
          break;
        }
        found.push(j);
        k = j + 1;
      }
      if (ok) {
        words.push(...multi.slice(1));
        end = k;
        break;
      }
    }
    let args: string[] = [];
    const paren = nextSignificant(nodes, end);
    if (isParen(nodes[paren])) {
      args = splitNodes((nodes[paren] as Group).children).map((p) => sourceText(trimNodes(p)));
      end = paren + 1;
    }
    const mapped = mapType(words.length > 1 ? words.join(' ') : first.text, args);
    return { text: mapped.duckdb + this.padding(sourceText(nodes.slice(i, end)), ''), mapped, end };
  }

  private isPathKey(n: SqlNode | undefined): boolean {
    return isName(n);
  }

  /** Path steps from nodes[i]: a key after ':' (then .key and [..] steps), or a [..] step. */
  private pathSteps(nodes: SqlNode[], i: number, base: Operand): { path: PathExpr; end: number } {
    const path: PathExpr = base.path ? { base: base.path.base, steps: [...base.path.steps] } : { base: base.text, steps: [] };
    let end = i;
    const key = (t: Token): string => (t.kind === 'qident' ? t.text.slice(1, -1).replace(/""/g, '"') : t.text);
    if (this.isPathKey(nodes[end])) {
      path.steps.push({ key: key(nodes[end] as Token) });
      end++;
    }
    for (;;) {
      if (isOp(nodes[end], '.') && this.isPathKey(nodes[end + 1])) {
        path.steps.push({ key: key(nodes[end + 1] as Token) });
        end += 2;
      } else if (isBracket(nodes[end])) {
        const inner = trimNodes((nodes[end] as Group).children);
        const only = inner.length === 1 ? inner[0] : undefined;
        if (isToken(only) && only.kind === 'string') path.steps.push({ key: only.value ?? '' });
        else if (isToken(only) && only.kind === 'number' && /^\d+$/.test(only.text)) path.steps.push({ index: Number(only.text) });
        else path.steps.push({ expr: this.render((nodes[end] as Group).children).trim() });
        end++;
      } else {
        return { path, end };
      }
    }
  }

  /** An uncast VARIANT path compared with text, or in arithmetic, is compared or computed as JSON on DuckDB. */
  private checkVariantUse(nodes: SqlNode[], start: number, end: number): void {
    const k = nextSignificant(nodes, end);
    const next = nodes[k];
    const after = nodes[nextSignificant(nodes, k + 1)];
    const isString = (n: SqlNode | undefined): boolean => isToken(n) && n.kind === 'string';
    const comparison = ['=', '<>', '!=', '<', '>', '<=', '>='];
    const before = nodes[previousSignificant(nodes, start)];
    const beforeOp = nodes[previousSignificant(nodes, previousSignificant(nodes, start))];
    const nextOp = isToken(next) && next.kind === 'op' ? next.text : '';
    const nextWord = isWord(next) ? next.text.toUpperCase() : '';
    const beforeOpText = isToken(before) && before.kind === 'op' ? before.text : '';
    const shown = sourceText(nodes.slice(start, end));
    if ((comparison.includes(nextOp) && isString(after)) || ['LIKE', 'ILIKE', 'IN'].includes(nextWord)) {
      this.error(next, `compare a VARIANT path after casting it, e.g. ${shown}::string ${nextOp || nextWord} ...`);
    } else if (comparison.includes(beforeOpText) && isString(beforeOp)) {
      this.error(before, `compare a VARIANT path after casting it, e.g. ... ${beforeOpText} ${shown}::string`);
    } else if (['+', '-', '*', '/', '%', '||'].includes(nextOp)) {
      this.error(next, `cast a VARIANT path before arithmetic or concatenation, e.g. ${shown}::number`);
    }
  }

  private variable(t: Token): string {
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

  /**
   * LATERAL FLATTEN(input => ..., path => ..., outer => ..., mode => ...) [AS] f[(cols)] as a LATERAL subquery
   * over json_each with Snowflake's columns SEQ, KEY, PATH, INDEX, VALUE, THIS. The index comes from the JSON
   * key, never from row order (json_each's order is not stable).
   */
  private flatten(nodes: SqlNode[], start: number, nameToken: Token, group: Group, after: number): Item {
    let input: string | undefined;
    let inputNodes: SqlNode[] = [];
    let steps: PathStep[] = [];
    let outer = false;
    let mode = 'BOTH';
    for (const part of splitNodes(group.children)) {
      const arrow = part.findIndex((n) => isOp(n, '=>'));
      const valueNodes = arrow >= 0 ? part.slice(arrow + 1) : part;
      const name = arrow >= 0 ? sourceText(trimNodes(part.slice(0, arrow))).toUpperCase() : input === undefined ? 'INPUT' : '?';
      const core = trimNodes(valueNodes);
      const only = core.length === 1 ? core[0] : undefined;
      if (name === 'INPUT') {
        input = this.render(valueNodes).trim();
        inputNodes = valueNodes;
      }
      else if (name === 'PATH') {
        const parsed = isToken(only) && only.kind === 'string' ? parseSnowflakePath(only.value ?? '') : undefined;
        if (!parsed) this.error(core[0] ?? nameToken, "FLATTEN path must be a string literal such as 'a.b[0]'");
        else steps = parsed;
      } else if (name === 'OUTER') {
        if (isWord(only, 'TRUE', 'FALSE')) outer = isWord(only, 'TRUE');
        else this.error(only ?? nameToken, 'FLATTEN outer must be TRUE or FALSE');
      } else if (name === 'RECURSIVE') {
        if (!isWord(only, 'FALSE')) this.error(only ?? nameToken, 'FLATTEN recursive => TRUE is not supported: flatten each level with its own LATERAL FLATTEN');
      } else if (name === 'MODE') {
        const m = isToken(only) && only.kind === 'string' ? (only.value ?? '').toUpperCase() : '';
        if (m === 'BOTH' || m === 'ARRAY' || m === 'OBJECT') mode = m;
        else this.error(only ?? nameToken, "FLATTEN mode must be 'OBJECT', 'ARRAY' or 'BOTH'");
      } else {
        this.error(part.find((n) => !isTrivia(n)) ?? nameToken, `FLATTEN: unknown argument ${name}; expected input, path, outer, recursive or mode`);
      }
    }
    if (input === undefined) {
      this.error(nameToken, 'FLATTEN needs input => <expression>');
      input = 'NULL';
    }
    // The alias, and an optional column list.
    let end = after;
    let alias = '';
    let columns = '';
    let k = nextSignificant(nodes, end);
    if (isWord(nodes[k], 'AS')) k = nextSignificant(nodes, k + 1);
    const aliasNode = nodes[k];
    if (isName(aliasNode) && !(aliasNode.kind === 'word' && KEYWORDS.has(aliasNode.text.toUpperCase()))) {
      alias = (aliasNode as Token).text;
      end = k + 1;
      const c = nextSignificant(nodes, end);
      if (isParen(nodes[c])) {
        columns = `(${this.render((nodes[c] as Group).children)})`;
        end = c + 1;
      }
    } else {
      this.flattenCount++;
      alias = this.flattenCount === 1 ? 'flatten' : `flatten_${this.flattenCount}`;
    }
    // SEQ: 1 for a constant input (one input row); otherwise refused where this query selects it, and a failing
    // value where an outer query could (DuckDB drops the column, and so the failure, when nothing reads it).
    let seq = '1';
    if (!isConstantExpression(inputNodes)) {
      const ref = seqReference(nodes, start, alias);
      if (ref) this.error(ref, SEQ_REFUSED);
      seq = `CAST(sf_refuse(${this.placeLiteral(nameToken, `${nameToken.text}(...) SEQ`)} || ${duckdbString(`: ${SEQ_REFUSED}`)}) AS BIGINT)`;
    }
    const jp = steps.length ? duckdbString(duckdbJsonPath(steps)) : '';
    const self = jp ? `json_extract(_s._in, ${jp})` : '_s._in';
    const types = mode === 'ARRAY' ? `('ARRAY')` : mode === 'OBJECT' ? `('OBJECT')` : `('ARRAY', 'OBJECT')`;
    const prefix = snowflakePathText(steps);
    const keyPath = `CASE WHEN regexp_full_match(_e.key, '[A-Za-z_][A-Za-z0-9_$]*') THEN ${duckdbString(prefix ? prefix + '.' : '')} || _e.key ELSE ${duckdbString(prefix)} || '[''' || _e.key || ''']' END`;
    const sql =
      `LATERAL (SELECT ${seq} AS "seq", ` +
      `CASE WHEN json_type(${self}) = 'OBJECT' THEN _e.key END AS "key", ` +
      // An OUTER row (no element) has the path of what was flattened: '' for the input itself (docs: FLATTEN, OUTER).
      `CASE WHEN _e.key IS NULL THEN ${duckdbString(prefix)} WHEN json_type(${self}) = 'ARRAY' THEN ${duckdbString(prefix)} || '[' || _e.key || ']' ELSE ${keyPath} END AS "path", ` +
      `CASE WHEN json_type(${self}) = 'ARRAY' THEN CAST(_e.key AS BIGINT) END AS "index", ` +
      `_e.value AS "value", ${self} AS "this" ` +
      `FROM (SELECT CAST(${input} AS JSON) AS _in) AS _s ${outer ? 'LEFT ' : ''}JOIN ` +
      `json_each(CASE WHEN json_type(${self}) IN ${types} THEN ${self} END) AS _e ON TRUE ` +
      `ORDER BY TRY_CAST(_e.key AS BIGINT), _e.key) AS ${alias}${columns}`;
    return { text: sql + this.padding(sourceText(nodes.slice(start, end)), sql), end };
  }

  /** FROM VALUES (...), (...) [AS] t[(cols)]: Snowflake names the columns column1, column2, ... */
  private fromValues(nodes: SqlNode[], i: number): Item {
    const rows: Group[] = [];
    let end = i + 1;
    for (;;) {
      const k = nextSignificant(nodes, end);
      if (!isParen(nodes[k])) break;
      rows.push(nodes[k] as Group);
      end = k + 1;
      const comma = nextSignificant(nodes, end);
      if (!isOp(nodes[comma], ',') || !isParen(nodes[nextSignificant(nodes, comma + 1)])) break;
      end = comma + 1;
    }
    const width = rows.length ? splitNodes(rows[0].children).length : 0;
    return this.valuesAlias(nodes, end - 1, `(${this.render(nodes.slice(i, end))})`, width);
  }

  /** A VALUES list with its alias; without a column list the columns are column1, column2, ... */
  private valuesAlias(nodes: SqlNode[], last: number, body: string, width: number): Item {
    let end = last + 1;
    let k = nextSignificant(nodes, end);
    if (isWord(nodes[k], 'AS')) k = nextSignificant(nodes, k + 1);
    const aliasNode = nodes[k];
    let alias = '_values';
    if (isName(aliasNode) && !(aliasNode.kind === 'word' && KEYWORDS.has(aliasNode.text.toUpperCase()))) {
      alias = (aliasNode as Token).text;
      end = k + 1;
      const c = nextSignificant(nodes, end);
      if (isParen(nodes[c])) return { text: `${body} AS ${alias}(${this.render((nodes[c] as Group).children)})`, end: c + 1 };
    }
    const names = Array.from({ length: width }, (_, n) => `column${n + 1}`).join(', ');
    return { text: `${body} AS ${alias}(${names})`, end };
  }
}

interface RenderedItem {
  text: string;
  /** The nodes it came from: nodes[start, end). */
  start: number;
  end: number;
  kind: 'trivia' | 'op' | 'operand' | 'other';
}

/** What a rendered item is to arithmetic: an operand, an operator, or something that ends an operand chain. */
/** Timestamp text with a UTC offset (or Z) after it; group 1 is the wallclock time, group 2 the offset. */
const TIMESTAMP_WITH_OFFSET = /^\s*(\d{4}-\d{1,2}-\d{1,2}[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)\s*(Z|[+-]\d{2}(?::?\d{2})?)\s*$/i;

/** A table's key in tableColumns: its last name part, lower-cased, unquoted. */
function tableKey(name: string): string {
  return name.split('.').pop()!.replace(/"/g, '').trim().toLowerCase();
}

function unquotedName(t: Token): string {
  return t.kind === 'qident' ? t.text.slice(1, -1).replace(/""/g, '"').toLowerCase() : t.text.toLowerCase();
}

function itemKind(nodes: SqlNode[], start: number, end: number): RenderedItem['kind'] {
  const n = nodes[start];
  if (isToken(n) && n.kind === 'op') return end === start + 1 ? 'op' : 'other';
  if (isWord(n) && end === start + 1 && KEYWORDS.has(n.text.toUpperCase())) return 'other';
  return 'operand';
}

function isIntegerLiteral(nodes: SqlNode[], item: RenderedItem): boolean {
  const n = nodes[item.start];
  return item.end === item.start + 1 && isToken(n) && n.kind === 'number' && /^\d+$/.test(n.text);
}

const AGGREGATES = new Set(
  `COUNT SUM AVG MIN MAX ARRAY_AGG ARRAYAGG ARRAY_UNIQUE_AGG LISTAGG STRING_AGG OBJECT_AGG MEDIAN MODE ANY_VALUE COUNT_IF
   BOOLAND_AGG BOOLOR_AGG STDDEV STDDEV_POP STDDEV_SAMP VARIANCE VARIANCE_POP VARIANCE_SAMP VAR_POP VAR_SAMP CORR COVAR_POP
   COVAR_SAMP APPROX_COUNT_DISTINCT MIN_BY MAX_BY PERCENTILE_CONT PERCENTILE_DISC KURTOSIS SKEW`.split(/\s+/),
);

/** Whether a select list holds an aggregate call that is not a window function (outside subqueries). */
function hasPlainAggregate(nodes: SqlNode[]): boolean {
  for (let i = 0; i < nodes.length; i++) {
    const n = nodes[i];
    if (isGroup(n)) {
      if (!isWord(n.children[nextSignificant(n.children, 0)], 'SELECT', 'WITH') && hasPlainAggregate(n.children)) return true;
      continue;
    }
    if (!isWord(n) || !AGGREGATES.has(n.text.toUpperCase()) || !isParen(nodes[nextSignificant(nodes, i + 1)])) continue;
    let k = nextSignificant(nodes, nextSignificant(nodes, i + 1) + 1);
    if (isWord(nodes[k], 'WITHIN')) k = nextSignificant(nodes, nextSignificant(nodes, nextSignificant(nodes, k + 1) + 1) + 1);
    if (isWord(nodes[k], 'FILTER')) k = nextSignificant(nodes, nextSignificant(nodes, k + 1) + 1);
    if (!isWord(nodes[k], 'OVER')) return true;
  }
  return false;
}

/** Index of the END that closes the CASE at nodes[i], or -1. */
function matchingEnd(nodes: SqlNode[], i: number): number {
  let depth = 0;
  for (let k = i; k < nodes.length; k++) {
    if (isWord(nodes[k], 'CASE')) depth++;
    else if (isWord(nodes[k], 'END')) {
      depth--;
      if (depth === 0) return k;
    }
  }
  return -1;
}

function isFromItem(nodes: SqlNode[], i: number): boolean {
  const prev = nodes[previousSignificant(nodes, i)];
  return isWord(prev, 'FROM', 'JOIN') || isOp(prev, ',');
}

function firstRow(values: Group): Group | undefined {
  const k = nextSignificant(values.children, nextSignificant(values.children, 0) + 1);
  return isParen(values.children[k]) ? (values.children[k] as Group) : undefined;
}

/** A JSON path expression as DuckDB SQL; dynamic steps (raw[i]) go through sf_get. */
function materialize(p: PathExpr): string {
  let expr = p.base;
  let pending: PathStep[] = [];
  const flush = (): void => {
    if (pending.length) expr = `json_extract(${expr}, ${duckdbString(duckdbJsonPath(pending))})`;
    pending = [];
  };
  for (const step of p.steps) {
    if ('expr' in step) {
      flush();
      expr = `sf_get(${expr}, ${step.expr})`;
    } else {
      pending.push(step);
    }
  }
  flush();
  return expr;
}

/** A Snowflake string literal as DuckDB writes it; unchanged when it has no escapes. */
function stringLiteral(t: Token): string {
  const value = t.value ?? '';
  if (t.text.startsWith("'") && !t.text.includes('\\')) return t.text;
  return duckdbString(value, t.text);
}
