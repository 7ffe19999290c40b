// A lossless tokenizer for Snowflake SQL: joining every token's text gives back the input exactly, so a
// translation that only touches some tokens keeps everything else (comments, spacing, line breaks) as written.

export type TokenKind =
  | 'ws' // spaces, tabs, line breaks
  | 'comment' // -- ..., // ..., /* ... */
  | 'string' // '...' (Snowflake backslash escapes) or $$...$$
  | 'qident' // "quoted identifier"
  | 'word' // identifier or keyword
  | 'number'
  | 'var' // $name or $1
  | 'op' // punctuation and operators, including :: : => ( ) [ ] { }
  | 'error'; // an unterminated string, quoted identifier or comment

export interface Token {
  kind: TokenKind;
  text: string;
  /** Offset in the input. */
  offset: number;
  /** 1-based line and column of the first character. */
  line: number;
  col: number;
  /** For strings: the value after Snowflake's escapes are applied. */
  value?: string;
}

const OPERATORS = ['::', '=>', '->>', '->', '<=', '>=', '<>', '!=', '||'];

export function tokenize(sql: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  let line = 1;
  let lineStart = 0;
  const push = (kind: TokenKind, end: number, value?: string): void => {
    const text = sql.slice(i, end);
    tokens.push({ kind, text, offset: i, line, col: i - lineStart + 1, ...(value !== undefined ? { value } : {}) });
    for (let k = text.indexOf('\n'); k >= 0; k = text.indexOf('\n', k + 1)) {
      line++;
      lineStart = i + k + 1;
    }
    i = end;
  };
  while (i < sql.length) {
    const c = sql[i];
    const next = sql[i + 1];
    if (/\s/.test(c)) {
      let j = i + 1;
      while (j < sql.length && /\s/.test(sql[j])) j++;
      push('ws', j);
    } else if ((c === '-' && next === '-') || (c === '/' && next === '/')) {
      const j = sql.indexOf('\n', i);
      push('comment', j < 0 ? sql.length : j);
    } else if (c === '/' && next === '*') {
      const j = sql.indexOf('*/', i + 2);
      if (j < 0) push('error', sql.length);
      else push('comment', j + 2);
    } else if (c === "'") {
      const { end, value } = readString(sql, i);
      push(end < 0 ? 'error' : 'string', end < 0 ? sql.length : end, value);
    } else if (c === '$' && next === '$') {
      const j = sql.indexOf('$$', i + 2);
      if (j < 0) push('error', sql.length);
      else push('string', j + 2, sql.slice(i + 2, j));
    } else if (c === '"') {
      let j = i + 1;
      for (;;) {
        const k = sql.indexOf('"', j);
        if (k < 0) {
          j = -1;
          break;
        }
        if (sql[k + 1] === '"') j = k + 2;
        else {
          j = k + 1;
          break;
        }
      }
      push(j < 0 ? 'error' : 'qident', j < 0 ? sql.length : j);
    } else if (c === '$' && next !== undefined && /[A-Za-z0-9_]/.test(next)) {
      let j = i + 1;
      while (j < sql.length && /[A-Za-z0-9_]/.test(sql[j])) j++;
      push('var', j);
    } else if (/[0-9]/.test(c) || (c === '.' && next !== undefined && /[0-9]/.test(next))) {
      const m = /^(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?/.exec(sql.slice(i))!;
      push('number', i + m[0].length);
    } else if (/[A-Za-z_\u0080-\uffff]/.test(c)) {
      let j = i + 1;
      while (j < sql.length && /[A-Za-z0-9_$\u0080-\uffff]/.test(sql[j])) j++;
      push('word', j);
    } else {
      const op = OPERATORS.find((o) => sql.startsWith(o, i));
      push('op', i + (op ? op.length : 1));
    }
  }
  return tokens;
}

/** Reads a '...' literal with Snowflake's escapes ('' and backslash sequences); end is -1 when unterminated. */
function readString(sql: string, start: number): { end: number; value: string } {
  let value = '';
  let i = start + 1;
  while (i < sql.length) {
    const c = sql[i];
    if (c === "'") {
      if (sql[i + 1] === "'") {
        value += "'";
        i += 2;
        continue;
      }
      return { end: i + 1, value };
    }
    if (c === '\\' && i + 1 < sql.length) {
      const e = sql[i + 1];
      const simple: Record<string, string> = { n: '\n', t: '\t', r: '\r', b: '\b', f: '\f', '0': '\0', "'": "'", '"': '"', '\\': '\\' };
      if (e === 'x' && /^[0-9a-fA-F]{2}$/.test(sql.slice(i + 2, i + 4))) {
        value += String.fromCharCode(parseInt(sql.slice(i + 2, i + 4), 16));
        i += 4;
      } else if (e === 'u' && /^[0-9a-fA-F]{4}$/.test(sql.slice(i + 2, i + 6))) {
        value += String.fromCharCode(parseInt(sql.slice(i + 2, i + 6), 16));
        i += 6;
      } else if (/[0-7]/.test(e) && /^[0-7]{3}$/.test(sql.slice(i + 1, i + 4))) {
        value += String.fromCharCode(parseInt(sql.slice(i + 1, i + 4), 8));
        i += 4;
      } else {
        // Any other escaped character stands for itself: '\d' is 'd', which is why regexes need '\\d'.
        value += simple[e] ?? e;
        i += 2;
      }
      continue;
    }
    value += c;
    i++;
  }
  return { end: -1, value };
}

/** A Snowflake string constant. Snowflake reads backslash escapes inside '...', so they are doubled. */
export function snowflakeString(value: string): string {
  return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "''")}'`;
}

/** A DuckDB string literal for a value; line breaks written as escapes stay escapes so line numbers hold. */
export function duckdbString(value: string, sourceText?: string): string {
  const rawBreaks = sourceText === undefined ? Infinity : (sourceText.match(/\n/g) ?? []).length;
  const valueBreaks = (value.match(/\n/g) ?? []).length;
  if (/[\x00-\x08\x0b\x0c\x0e-\x1f]/.test(value) || valueBreaks > rawBreaks) {
    const escaped = value.replace(/[\\'\x00-\x1f]/g, (ch) => {
      const named: Record<string, string> = { '\\': '\\\\', "'": "\\'", '\n': '\\n', '\t': '\\t', '\r': '\\r', '\b': '\\b', '\f': '\\f' };
      return named[ch] ?? `\\x${ch.charCodeAt(0).toString(16).padStart(2, '0')}`;
    });
    return `E'${escaped}'`;
  }
  return `'${value.replace(/'/g, "''")}'`;
}
