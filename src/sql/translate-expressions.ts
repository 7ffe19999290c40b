// Expressions: literals, names, calls (functions.ts translates the calls it handles), paths and casts on them,
// arithmetic with Snowflake's NUMBER scales, row comparisons, FROM VALUES, and LATERAL FLATTEN (flatten.ts).
import { arrayConstruct, isHandled, translateCall, undefinedElementMessage, unsupportedFunctionHint, type Arg } from './functions.js';
import { CLAUSE_WORDS, isKnownSnowflakeFunction, PASS_THROUGH } from './function-names.js';
import { divisionSql } from './numbers.js';
import { type LateralUse } from './lateral-aliases.js';
import { duckdbString, type Token } from './tokenize.js';
import { isBracket, isGroup, isName, isOp, isParen, isToken, isTrivia, isWord, nextSignificant, previousSignificant, sourceText, splitNodes, trimNodes, type Group, type SqlNode } from './tree.js';

import { CALLABLE_KEYWORDS, NAME_CONTEXT, firstRow, isFromItem, isIntegerLiteral, itemKind, KEYWORDS, LITERAL_WORDS, materialize, matchingEnd, NILADIC, stringLiteral, TYPED_LITERALS, UNSUPPORTED_SYNTAX, type Item, type Operand, type RenderedItem } from './translate-syntax.js';
import { flattenClause, type FlattenContext } from './flatten.js';
import { CastTranslator } from './translate-casts.js';

export abstract class ExpressionTranslator extends CastTranslator {
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
  protected arithmetic(nodes: SqlNode[], items: RenderedItem[]): string {
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
  protected prepareRowIn(nodes: SqlNode[]): void {
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

  protected item(nodes: SqlNode[], i: number): Item {
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

  protected operator(nodes: SqlNode[], i: number): Item {
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

  protected word(nodes: SqlNode[], i: number): Item {
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
      if (isParen(nodes[paren])) return flattenClause(this.flattenContext(), nodes, i, nodes[next] as Token, nodes[paren] as Group, paren + 1);
    }
    if (upper === 'TABLE' && isParen(nodes[next])) {
      const inner = trimNodes((nodes[next] as Group).children);
      if (isWord(inner[0], 'FLATTEN') && isParen(inner[nextSignificant(inner, 1)])) {
        return flattenClause(this.flattenContext(), nodes, i, inner[0] as Token, inner[nextSignificant(inner, 1)] as Group, next + 1);
      }
    }
    if (upper === 'FLATTEN' && isParen(nodes[next]) && isWord(nodes[previousSignificant(nodes, i)], 'FROM', 'JOIN')) {
      return flattenClause(this.flattenContext(), nodes, i, t, nodes[next] as Group, next + 1);
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

  protected isCallPosition(nodes: SqlNode[], i: number): boolean {
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
  protected expression(nodes: SqlNode[], i: number): Item {
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

  protected primary(nodes: SqlNode[], i: number): { operand: Operand; end: number; pathable: boolean } {
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

  protected call(nodes: SqlNode[], upper: string, name: string, nameToken: Token, group: Group, end: number, start: number): Item {
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
  protected lateralChecked(text: string, uses: LateralUse[], nameToken: Token, group: Group): string {
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
  protected isCall(nodes: SqlNode[], upper: string, start: number, end: number): boolean {
    if (CLAUSE_WORDS.has(upper)) return false;
    const prev = nodes[previousSignificant(nodes, start)];
    if (isWord(prev, 'AS') || isGroup(prev)) return false;
    const after = nextSignificant(nodes, end);
    return !(isWord(nodes[after], 'AS') && isParen(nodes[nextSignificant(nodes, after + 1)]));
  }

  protected args(group: Group): Arg[] {
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

  /** An uncast VARIANT path compared with text, or in arithmetic, is compared or computed as JSON on DuckDB. */
  protected checkVariantUse(nodes: SqlNode[], start: number, end: number): void {
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

  /** FROM VALUES (...), (...) [AS] t[(cols)]: Snowflake names the columns column1, column2, ... */
  protected fromValues(nodes: SqlNode[], i: number): Item {
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
  protected valuesAlias(nodes: SqlNode[], last: number, body: string, width: number): Item {
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

  /** What FLATTEN's translation uses of the translator. */
  private flattenContext(): FlattenContext {
    return {
      render: (nodes, compact) => this.render(nodes, compact),
      error: (at, message) => this.error(at, message),
      placeLiteral: (at, shown) => this.placeLiteral(at, shown),
      padding: (source, out) => this.padding(source, out),
      nextAlias: () => {
        this.flattenCount++;
        return this.flattenCount === 1 ? 'flatten' : `flatten_${this.flattenCount}`;
      },
    };
  }
}
