// Types, casts and VARIANT paths: CAST / TRY_CAST / '::' with Snowflake's semantics for each target type, and
// the steps of raw:a.b[0] paths.
import { duckdbJsonPath, mapType, MULTIWORD_TYPES, type MappedType, type PathStep } from './snowflake.js';
import { duckdbString, type Token } from './tokenize.js';
import { isBracket, isName, isOp, isParen, isToken, isWord, nextSignificant, sourceText, splitNodes, trimNodes, type Group, type SqlNode } from './tree.js';

import { materialize, type Operand, type PathExpr } from './translate-syntax.js';
import { TranslatorBase } from './translator-base.js';

export abstract class CastTranslator extends TranslatorBase {
  /** CAST(x AS type) and TRY_CAST(x AS type). */
  protected castCall(upper: string, group: Group, nameToken: Token): string {
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

  protected expressionOperand(core: SqlNode[]): Operand | undefined {
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
  protected cast(operand: Operand, type: MappedType, tryCast: boolean, style: '::' | 'call'): string {
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
  protected parseType(nodes: SqlNode[], i: number): { text: string; mapped: MappedType; end: number } | undefined {
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

  protected isPathKey(n: SqlNode | undefined): boolean {
    return isName(n);
  }

  /** Path steps from nodes[i]: a key after ':' (then .key and [..] steps), or a [..] step. */
  protected pathSteps(nodes: SqlNode[], i: number, base: Operand): { path: PathExpr; end: number } {
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
}
