// Statements: SET / UNSET / USE, CREATE TABLE and VIEW options and column types, ALTER TABLE, INSERT ... VALUES
// into tables this text creates, MERGE and UPDATE targets, and the statement-wide rewrites (aggregate-only ORDER
// BY, empty LIMIT, result column names, set operation guards, lateral aliases in date functions).
import { findSetOperation, guardedFirstQuery } from './set-operations.js';
import { findLateralAliasUses } from './lateral-aliases.js';
import { hasAlias, isPlainColumn, selectItems, snowflakeColumnName } from './result-names.js';
import { duckdbString, type Token } from './tokenize.js';
import { previousSignificant, isGroup, isName, isOp, isParen, isToken, isTrivia, isWord, nextSignificant, sourceText, splitNodes, trimNodes, type Group, type SqlNode } from './tree.js';

import { hasPlainAggregate, tableKey, TIMESTAMP_WITH_OFFSET, unquotedName, UNSUPPORTED_CREATE, UNSUPPORTED_STATEMENTS } from './translate-syntax.js';
import { ExpressionTranslator } from './translate-expressions.js';

export abstract class StatementTranslator extends ExpressionTranslator {
  protected statement(nodes: SqlNode[]): string {
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
  protected prepareResultNames(nodes: SqlNode[]): void {
    for (const n of nodes) if (isGroup(n)) this.prepareResultNames(n.children);
    for (const [start, end] of selectItems(nodes)) {
      const item = nodes.slice(start, end);
      if (hasAlias(item) || isPlainColumn(item)) continue;
      this.replaceRange(item, (text) => {
        // Unchanged text, a star (* EXCLUDE ...) and a lone literal (its escapes rewritten) keep DuckDB's name.
        const lone = item.length === 1 && isToken(item[0]) && item[0].kind === 'string';
        if (text.replace(/\s+/g, ' ').trim() === sourceText(item).replace(/\s+/g, ' ').trim() || isOp(item[0], '*') || lone) return text;
        return `${text} AS "${snowflakeColumnName(item).replace(/"/g, '""')}"`;
      });
    }
  }

  /**
   * Renders `range` (consecutive nodes of one list) as `wrap` of its usual rendering: the first node's override
   * renders them all, with the overrides they had before, and the others render as nothing.
   */
  protected replaceRange(range: SqlNode[], wrap: (text: string, flattensBefore: number) => string): void {
    const saved = range.map((n) => this.overrides.get(n));
    const own = (): void => range.forEach((n, k) => this.overrides.set(n, k === 0 ? rendered : ''));
    const rendered = (): string => {
      range.forEach((n, k) => (saved[k] === undefined ? this.overrides.delete(n) : this.overrides.set(n, saved[k]!)));
      try {
        const flattensBefore = this.flattenCount;
        return wrap(this.render(range), flattensBefore);
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
  protected prepareSetOperations(nodes: SqlNode[], recursiveCte = false): void {
    nodes.forEach((n, i) => {
      if (isGroup(n)) this.prepareSetOperations(n.children, isRecursiveCteBody(nodes, i));
    });
    // A recursive common table expression's queries cannot be copied: the copies would refer to it inside itself.
    const op = recursiveCte ? undefined : findSetOperation(nodes);
    if (!op) return;
    const [start, end] = op.branches[0];
    this.replaceRange(nodes.slice(start, end), (text, flattensBefore) => {
      // The copies are rendered again, on one line, each unnamed FLATTEN with the name its query gives it.
      const after = this.flattenCount;
      this.flattenCount = flattensBefore;
      const copies = op.branches.map(([s, e]) => this.render(nodes.slice(s, e), true).trim());
      this.flattenCount = after;
      return guardedFirstQuery(text, copies, op.byName, this.placeLiteral(op.operator, op.shown));
    });
  }

  /**
   * INSERT INTO t [(cols)] VALUES (...): text with a UTC offset going into a TIMESTAMP_NTZ column loses its
   * offset in Snowflake ('2024-05-09 08:50:57.891 -0700' is stored as 2024-05-09 08:50:57.891; docs:
   * date-time-input-output, TIMESTAMP_NTZ ignores the time zone), where DuckDB refuses it. Only for tables this
   * text creates, whose column types are known here.
   */
  protected prepareInsertValues(nodes: SqlNode[], into: number): void {
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
  protected prepareEmptyLimits(nodes: SqlNode[]): void {
    for (let i = 0; i < nodes.length; i++) {
      const n = nodes[i];
      if (isGroup(n)) this.prepareEmptyLimits(n.children);
      if (!isWord(n, 'LIMIT', 'OFFSET')) continue;
      const value = nodes[nextSignificant(nodes, i + 1)];
      if (isToken(value) && value.kind === 'string' && value.value === '') this.overrides.set(value, isWord(n, 'LIMIT') ? 'NULL' : '0');
    }
  }

  /** MERGE ... THEN UPDATE ALL BY NAME / INSERT ALL BY NAME is DuckDB's UPDATE BY NAME / INSERT BY NAME. */
  protected prepareMergeByName(nodes: SqlNode[]): void {
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
  protected prepareAggregateOrderBy(nodes: SqlNode[]): void {
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
  protected setStatement(nodes: SqlNode[], first: number): string {
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

  protected noteSet(name: string): void {
    this.setInText.add(name);
    // A SET in the text wins over a value given by the caller, as it would in the session.
    this.variables.delete(name);
  }

  protected unsetStatement(nodes: SqlNode[], first: number): string {
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

  protected useStatement(nodes: SqlNode[], first: number, secondIndex: number, second: string): string {
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
  protected prepareCreate(nodes: SqlNode[], first: number): void {
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
  protected declaredColumns(group: Group): Array<{ name: string; type: string }> {
    return splitNodes(group.children).flatMap((part) => {
      const k = nextSignificant(part, 0);
      const head = part[k];
      if (!isName(head) || isWord(head, 'CONSTRAINT', 'PRIMARY', 'UNIQUE', 'FOREIGN')) return [];
      const type = this.parseType(part, nextSignificant(part, k + 1));
      return [{ name: unquotedName(head as Token), type: type?.mapped.duckdb.toUpperCase() ?? '' }];
    });
  }

  /** Column definitions: types mapped; constraints Snowflake does not enforce are dropped. */
  protected columnDefinitions(group: Group): string {
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

  protected prepareAlterTable(nodes: SqlNode[], tableIndex: number): void {
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
  protected prepareSetTargets(nodes: SqlNode[]): void {
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
}

/** Whether nodes[i] is the body of a common table expression that refers to its own name (a recursive one). */
function isRecursiveCteBody(nodes: SqlNode[], i: number): boolean {
  const as = previousSignificant(nodes, i);
  if (!isWord(nodes[as], 'AS')) return false;
  let name = previousSignificant(nodes, as);
  if (isParen(nodes[name])) name = previousSignificant(nodes, name);
  const cte = nodes[name];
  if (!isName(cte)) return false;
  const key = cte.text.replace(/"/g, '').toUpperCase();
  const refers = (list: SqlNode[]): boolean => list.some((n) => (isGroup(n) ? refers(n.children) : isName(n) && n.text.replace(/"/g, '').toUpperCase() === key));
  return refers((nodes[i] as Group).children);
}
