// DuckDB's errors in the user's terms. A model, report page, check or `dataops sql` runs Snowflake SQL that
// the translator turned into DuckDB SQL; when DuckDB refuses it or fails while running it, the message names
// DuckDB's classes ("Binder Error"), types (INT64) and the translation's own functions (date_diff, sf_*),
// none of which the user wrote. Every such message goes through here: it is re-phrased with Snowflake's
// wording and type names and the function as the user wrote it, placed at file:line:col (DuckDB's LINE n and
// caret when it gives them, else the function named in the source, else the statement), and given a hint.
import { formatDiagnostic, lineLocator, WarehouseError, type Diagnostic } from '../errors.js';
import { tokenize } from './tokenize.js';
import type { TranslatedStatement } from './translate.js';

/** Where the failing SQL came from: the file, its text, and the statement's place in that text. */
export interface SqlSource {
  file: string;
  /** The source text; its lines are the file's lines (DuckDB's "LINE n" counts them). */
  text: string;
  /** Characters put before the source's first line when it ran (e.g. "CREATE TABLE x AS "). */
  statementPrefixLength?: number;
  /** The failing statement's offsets in `text` (default: all of it). */
  statement?: { start: number; end: number };
}

/** DuckDB's internal names -> the Snowflake functions (or operators) that translate to them, most likely first. */
const INTERNAL_NAMES: Record<string, string[]> = {
  date_diff: ['DATEDIFF', 'TIMESTAMPDIFF', 'TIMEDIFF'],
  sf_datediff_week: ['DATEDIFF', 'TIMESTAMPDIFF'],
  sf_add_days: ['DATEADD', 'TIMESTAMPADD', 'TIMEADD'],
  sf_add_months: ['DATEADD', 'TIMESTAMPADD'],
  sf_add_micros: ['DATEADD', 'TIMESTAMPADD', 'TIMEADD'],
  sf_add_months_eom: ['ADD_MONTHS'],
  sf_temporal: ['DATEADD', 'DATEDIFF', 'DATE_TRUNC', 'DATE_PART', 'EXTRACT', 'TIMESTAMPADD', 'TIMESTAMPDIFF', 'LAST_DAY'],
  sf_try_temporal: ['DATE_PART', 'EXTRACT'],
  sf_date_trunc: ['DATE_TRUNC', 'TRUNC'],
  date_trunc: ['DATE_TRUNC', 'TRUNC'],
  sf_last_day: ['LAST_DAY'],
  make_date: ['DATE_FROM_PARTS', 'DATEFROMPARTS'],
  make_time: ['TIME_FROM_PARTS', 'TIMEFROMPARTS'],
  make_timestamp: ['TIMESTAMP_FROM_PARTS', 'TO_TIMESTAMP', 'TO_TIMESTAMP_NTZ'],
  sf_epoch_to_timestamp: ['TO_TIMESTAMP', 'TO_TIMESTAMP_NTZ'],
  sf_scaled_epoch_to_timestamp: ['TO_TIMESTAMP', 'TO_TIMESTAMP_NTZ'],
  sf_text_to_timestamp: ['TO_TIMESTAMP', 'TO_TIMESTAMP_NTZ', 'TO_DATE'],
  sf_timestamp_text: ['TO_TIMESTAMP', 'TO_TIMESTAMP_NTZ'],
  sf_other_text_to_timestamp: ['TO_TIMESTAMP', 'TO_TIMESTAMP_NTZ', 'TO_DATE'],
  sf_text_to_timestamptz: ['TO_TIMESTAMP_TZ', 'TO_TIMESTAMP_LTZ'],
  sf_to_timestamp_ntz: ['TO_TIMESTAMP', 'TO_TIMESTAMP_NTZ'],
  sf_to_timestamp_tz: ['TO_TIMESTAMP_TZ', 'TO_TIMESTAMP_LTZ'],
  strptime: ['TO_TIMESTAMP', 'TO_DATE', 'TO_TIME'],
  try_strptime: ['TRY_TO_TIMESTAMP', 'TRY_TO_DATE', 'TRY_TO_TIME'],
  strftime: ['TO_VARCHAR', 'TO_CHAR'],
  sf_to_varchar: ['TO_VARCHAR', 'TO_CHAR'],
  sf_json_text: ['TO_JSON', 'TO_VARCHAR'],
  sf_parse_json: ['PARSE_JSON'],
  json: ['PARSE_JSON'],
  sf_get: ['GET'],
  json_extract: ['GET_PATH', 'GET'],
  json_extract_string: ['GET_PATH', 'GET'],
  list_extract: ['GET'],
  array_extract: ['GET'],
  list_value: ['ARRAY_CONSTRUCT'],
  list_concat: ['ARRAY_CAT', 'ARRAY_PREPEND', 'ARRAY_APPEND'],
  struct_pack: ['OBJECT_CONSTRUCT'],
  string_split: ['SPLIT'],
  regexp_full_match: ['RLIKE', 'REGEXP_LIKE'],
  regexp_matches: ['REGEXP_LIKE', 'RLIKE'],
  regexp_extract: ['REGEXP_SUBSTR'],
  regexp_extract_all: ['REGEXP_SUBSTR_ALL', 'REGEXP_SUBSTR'],
  epoch_ms: ['TO_TIMESTAMP'],
  to_seconds: ['DATEADD'],
  sf_div: ['/'],
  sf_ndiv: ['/'],
  sf_fdiv: ['/'],
  sf_div_scale: ['/'],
  sf_mul: ['*'],
  sf_round_half_even: ['ROUND'],
  sf_round_quotient: ['/'],
};

/** The Snowflake name of a DuckDB-internal function: from the table, else sf_try_x -> TRY_X, sf_x -> X. */
export function snowflakeNames(internal: string): string[] {
  const lower = internal.toLowerCase();
  const known = INTERNAL_NAMES[lower] ?? INTERNAL_NAMES[lower.replace(/_\d+$/, '')];
  if (known) return known;
  if (lower.startsWith('sf_')) return [lower.slice(3).toUpperCase()];
  return [internal.toUpperCase()];
}

/** Names the translation writes that a user never does: replaced in any message that still has them. */
const INTERNAL_NAME = new RegExp(`\\b(sf_\\w+|${Object.keys(INTERNAL_NAMES).filter((n) => !n.startsWith('sf_')).join('|')})\\b`, 'g');

/** DuckDB type names -> Snowflake's. */
export function snowflakeType(duckdb: string): string {
  const t = duckdb.trim().toUpperCase();
  const decimal = /^DECIMAL\((\d+),\s*(\d+)\)$/.exec(t);
  if (decimal) return `NUMBER(${decimal[1]},${decimal[2]})`;
  if (/^(U?(TINY|SMALL|BIG|HUGE)?INT(EGER)?|INT\d+|UINT\d+|DECIMAL|INTEGER_LITERAL|NUMERIC)$/.test(t)) return 'NUMBER';
  if (/^(DOUBLE|FLOAT|REAL|FLOAT\d*)$/.test(t)) return 'FLOAT';
  if (/^(VARCHAR|STRING_LITERAL|TEXT|STRING)$/.test(t)) return 'VARCHAR';
  if (/\[\]$/.test(t)) return 'ARRAY';
  if (t === 'JSON') return 'VARIANT';
  if (/^STRUCT\b/.test(t) || /^MAP\b/.test(t)) return 'OBJECT';
  if (t === 'TIMESTAMP WITH TIME ZONE' || t === 'TIMESTAMPTZ') return 'TIMESTAMP_TZ';
  if (/^TIMESTAMP(_S|_MS|_NS)?$/.test(t)) return 'TIMESTAMP_NTZ';
  if (t === 'BLOB') return 'BINARY';
  if (t === 'BOOL') return 'BOOLEAN';
  if (t === 'INTERVAL') return 'INTERVAL';
  return t;
}

/** A list of DuckDB types as written in its messages ("JSON[], STRING_LITERAL") in Snowflake's names. */
function typeList(list: string): string {
  return splitTopLevel(list).map(snowflakeType).join(', ');
}

function splitTopLevel(list: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let current = '';
  for (const ch of list) {
    if (ch === '(' || ch === '[') depth++;
    if (ch === ')' || ch === ']') depth--;
    if (ch === ',' && depth === 0) {
      out.push(current);
      current = '';
    } else current += ch;
  }
  if (current.trim() !== '') out.push(current);
  return out;
}

/** What a kind of value is called in Snowflake's "... is not recognized" messages. */
function valueKind(duckdbType: string): string {
  const sf = snowflakeType(duckdbType);
  if (sf.startsWith('NUMBER') || sf === 'FLOAT') return 'Numeric value';
  if (sf === 'DATE') return 'Date';
  if (sf.startsWith('TIMESTAMP')) return 'Timestamp';
  if (sf === 'TIME') return 'Time';
  if (sf === 'BOOLEAN') return 'Boolean value';
  return `${sf} value`;
}

function tryFunctionFor(duckdbType: string): string {
  const sf = snowflakeType(duckdbType);
  if (sf.startsWith('NUMBER')) return 'TRY_TO_NUMBER (or TRY_CAST)';
  if (sf === 'FLOAT') return 'TRY_TO_DOUBLE (or TRY_CAST)';
  if (sf === 'DATE') return 'TRY_TO_DATE';
  if (sf.startsWith('TIMESTAMP')) return 'TRY_TO_TIMESTAMP';
  if (sf === 'TIME') return 'TRY_TO_TIME';
  if (sf === 'BOOLEAN') return 'TRY_TO_BOOLEAN';
  return 'TRY_CAST';
}

interface Rephrased {
  message: string;
  hint?: string;
  /** The DuckDB-internal (or user) function the message is about, looked up in the source to place it. */
  func?: string;
  /** A word of the source the message is about (a column, a keyword), when there is no function. */
  word?: string;
  /** A value the message is about, looked up as a string literal in the source. */
  literal?: string;
  /** The word is a table: the message names it as the source does, schema and all (DuckDB gives only its last part). */
  qualified?: boolean;
}

/** The translation's own refusal (sf_refuse in macros.ts): DuckDB fails to cast its message to BOOLEAN. */
const OWN_REFUSAL = /Could not convert string '([^\n]*?:\d+:\d+: [^\n]*)' to BOOL/;

/**
 * The translator's own message when a DuckDB error is one of its refusals (`file:line:col: construct: why`),
 * raised while DuckDB plans the query or on the row that decides; else undefined.
 */
export function ownRefusal(message: string): string | undefined {
  return OWN_REFUSAL.exec(message)?.[1];
}

const SUBSET_HINT = 'see docs/sql-dialect.md for the Snowflake SQL that runs the same on DuckDB';

/** DuckDB's messages, by shape: each rephrased in Snowflake's words (the messages Snowflake itself gives, where it has one). */
const REPHRASINGS: Array<{ pattern: RegExp; rephrase: (m: RegExpExecArray) => Rephrased }> = [
  {
    // The translation's own refusal: its text is already the user's, with its place.
    pattern: OWN_REFUSAL,
    rephrase: (m) => ({ message: m[1] }),
  },
  {
    pattern: /^Could not convert string '([\s\S]*)' to '?([\w()]+(?: ?\(\d+(?:, ?\d+)?\))?)'?(?: when casting from source column .*)?$/,
    rephrase: (m) => ({
      message: `${valueKind(m[2])} '${m[1]}' is not recognized`,
      hint: `the text cannot be read as ${snowflakeType(m[2])}: use ${tryFunctionFor(m[2])} to get NULL for such values, or fix the data`,
      literal: m[1],
    }),
  },
  {
    pattern: /^Malformed JSON at byte (\d+) of input: ([^.]*)\.(?: *Input: "?([\s\S]*?)"?)?$/,
    rephrase: (m) => ({
      message: `Error parsing JSON: ${m[2]}, pos ${Number(m[1]) + 1}${m[3] === undefined ? '' : ` in '${m[3]}'`}`,
      hint: 'use TRY_PARSE_JSON to get NULL for text that is not JSON, or fix the data',
      func: 'sf_parse_json',
    }),
  },
  {
    pattern: /^Date out of range: (.*)$/,
    rephrase: (m) => ({
      message: `Date '${m[1]}' is out of range`,
      hint: 'a month or day outside its range (which Snowflake carries into the next month or year) is not supported here: give a month from 1 to 12 and a day that the month has',
      func: 'make_date',
    }),
  },
  {
    pattern: /^(timestamp|date|time) field value "([^"]*)" has a timestamp that is not UTC\.?/i,
    rephrase: (m) => ({
      message: `Timestamp '${m[2]}' has a UTC offset, which a TIMESTAMP_NTZ value cannot keep here`,
      hint: 'convert it with TO_TIMESTAMP_NTZ(...), which drops the offset as Snowflake does, or keep the instant in a TIMESTAMP_TZ column',
      literal: m[2],
    }),
  },
  {
    pattern: /^(timestamp|date|time) field value out of range: "([^"]*)"/i,
    rephrase: (m) => ({ message: `${valueKind(m[1])} '${m[2]}' is not recognized`, hint: `use ${tryFunctionFor(m[1])} to get NULL for such values, or fix the data`, literal: m[2] }),
  },
  {
    pattern: /^(?:invalid )?(date|timestamp|time) field format: "([^"]*)"/i,
    rephrase: (m) => ({ message: `${valueKind(m[1])} '${m[2]}' is not recognized`, hint: `use ${tryFunctionFor(m[1])} to get NULL for such values, or fix the data`, literal: m[2] }),
  },
  {
    pattern: /^No function matches the given name and argument types '(\w+)\((.*)\)'/,
    rephrase: (m) => ({
      message: `invalid argument types for function '${m[1]}': (${typeList(m[2])})`,
      hint: 'cast the arguments to the types the function takes, e.g. x::NUMBER or x::VARCHAR',
      func: m[1],
    }),
  },
  {
    pattern: /^Could not choose a best candidate function for the function call "(\w+)\((.*)\)"/,
    rephrase: (m) => ({ message: `invalid argument types for function '${m[1]}': (${typeList(m[2])})`, hint: 'cast the arguments, e.g. x::NUMBER or x::VARCHAR', func: m[1] }),
  },
  {
    pattern: /^Macro (\w+)\(\) has multiple overloads/,
    rephrase: (m) => ({
      message: `cannot tell the type of an argument of '${m[1]}'`,
      hint: 'a column alias defined earlier in the same SELECT list has no type yet on DuckDB: repeat its expression, or compute it in a subquery',
      func: m[1],
    }),
  },
  {
    pattern: /^(?:Scalar|Aggregate|Table) Function with name "?(\w+)"? does not exist!?/,
    rephrase: (m) => ({ message: `Unknown function ${m[1].toUpperCase()}`, hint: `the function is not in the supported subset: ${SUBSET_HINT}`, func: m[1] }),
  },
  {
    pattern: /^Table with name "?([\w.]+)"? does not exist!?/,
    rephrase: (m) => ({ message: `Object '${m[1]}' does not exist`, hint: 'create the table first, or check its schema-qualified name', word: m[1], qualified: true }),
  },
  {
    pattern: /^Referenced column "([^"]+)" not found(?: in FROM clause)?!?(?:\s*Candidate bindings: ([^\n]*))?/,
    rephrase: (m) => ({ message: `invalid identifier '${m[1].toUpperCase()}'`, hint: m[2] ? `columns with similar names: ${m[2].trim()}` : 'check the column name', word: m[1] }),
  },
  {
    pattern: /^Ambiguous reference to column name "([^"]+)"/,
    rephrase: (m) => ({ message: `ambiguous column name '${m[1].toUpperCase()}'`, hint: 'qualify it with its table name or alias', word: m[1] }),
  },
  {
    pattern: /^syntax error at or near "([^"]*)"/,
    rephrase: (m) => ({ message: `syntax error: unexpected ${/^['"]/.test(m[1]) ? m[1] : `'${m[1]}'`}`, hint: SUBSET_HINT, word: m[1] }),
  },
  {
    pattern: /^syntax error at end of input/,
    rephrase: () => ({ message: 'syntax error: unexpected end of the statement', hint: 'the statement is incomplete' }),
  },
  {
    pattern: /^STAR expression is only allowed as the root element/,
    rephrase: () => ({ message: '* with ILIKE, EXCLUDE or a table name inside a function call is not supported here', hint: 'name the columns in the call instead' }),
  },
  {
    pattern: /^window function calls cannot be nested/,
    rephrase: () => ({ message: 'a window function inside another window function is not supported here', hint: 'compute the inner one in a subquery, then use its column' }),
  },
  {
    pattern: /^Overflow in (\w+) of (\w+) \((.*)\)!?/,
    rephrase: (m) => ({ message: `Number out of representable range: ${m[1]} of ${snowflakeType(m[2])} (${m[3]})`, hint: 'cast to a wider NUMBER(38, s) or FLOAT before the arithmetic' }),
  },
  {
    pattern: /^Unimplemented type for cast \((.+) -> (.+)\)$/,
    rephrase: (m) => ({ message: `cannot cast ${snowflakeType(m[1])} to ${snowflakeType(m[2])}`, hint: 'convert through VARCHAR or with a TO_* function' }),
  },
  {
    pattern: /^Cannot compare values of type (.+) and type (.+?)(?: - an explicit cast is required)?$/,
    rephrase: (m) => ({ message: `cannot compare ${snowflakeType(m[1])} with ${snowflakeType(m[2])}`, hint: 'cast one side to the other\'s type' }),
  },
];

/** "Binder Error: x" -> "x"; DuckDB's classes mean nothing to a user of Snowflake SQL. */
const DUCKDB_CLASS = /^(?:[A-Z][A-Za-z]*(?: [A-Za-z]+)* )?Error: /;

/** file:line:col: that a macro's own error() put in front of its message (numbers.ts does). */
const EMBEDDED_LOCATION = /^(.+?):(\d+):(\d+): /;

/**
 * The message of a DuckDB error in Snowflake's terms, with its hint, and the function (as the user wrote it,
 * when `source` has it) it is about. Only the headline counts: DuckDB's "LINE n:" echo of the translated SQL,
 * its candidate lists and "Did you mean" (DuckDB's function names) are left out.
 */
export function rephraseDuckDBError(raw: string): Rephrased {
  const text = raw.split('\n  in SQL:')[0];
  const lines = text.split('\n');
  let headline = lines[0].trim();
  while (DUCKDB_CLASS.test(headline)) headline = headline.replace(DUCKDB_CLASS, '');
  // Candidate bindings are on the next line for a missing column.
  const withNext = /^Referenced column/.test(headline) && lines[1] ? `${headline} ${lines[1].trim()}` : headline;
  for (const { pattern, rephrase } of REPHRASINGS) {
    const m = pattern.exec(withNext);
    if (m) return withQualifiedName(rephrase(m), lines);
  }
  return { message: headline.replace(/\.$/, ''), hint: SUBSET_HINT };
}

/**
 * DuckDB names a missing table without its schema ("Table with name orders"); its "LINE n:" echo and caret
 * show the name as written (silver.orders), which is the one the user can look for.
 */
function withQualifiedName(rephrased: Rephrased, lines: string[]): Rephrased {
  if (!rephrased.qualified || !rephrased.word || rephrased.word.includes('.')) return rephrased;
  const echo = lines.findIndex((line) => /^LINE \d+: /.test(line));
  const caret = echo >= 0 ? lines[echo + 1]?.indexOf('^') ?? -1 : -1;
  if (caret < 0) return rephrased;
  const written = /^(?:(?:\w+|"[^"]*")\s*\.\s*)*(?:\w+|"[^"]*")/.exec(lines[echo].slice(caret))?.[0];
  const last = written?.split('.').pop()?.trim().replace(/^"|"$/g, '');
  if (!written || last?.toLowerCase() !== rephrased.word.toLowerCase()) return rephrased;
  const name = written.replace(/\s+/g, '');
  return { ...rephrased, message: rephrased.message.replace(`'${rephrased.word}'`, `'${name}'`), word: name };
}

/** A DuckDB error's text in Snowflake's terms with its hint, for SQL that has no file (the checks declared in YAML). */
export function duckdbErrorText(raw: string): string {
  const { message, hint } = rephraseDuckDBError(raw);
  return (hint ? `${message}; ${hint}` : message).replace(INTERNAL_NAME, (name) => snowflakeNames(name)[0]);
}

/**
 * A DuckDB error of translated Snowflake SQL as a diagnostic in the user's terms, at file:line:col: DuckDB's
 * "LINE n:" and caret when the message has them (a Snowflake error's "line n at position p" likewise), else
 * where the source calls the function the message is about, else the failing statement's first word.
 */
export function sqlErrorDiagnostic(raw: string, source: SqlSource): Diagnostic {
  const { file, text } = source;
  const bare = raw.split('\n  in SQL:')[0];
  const snowflake = /line (\d+) at position (\d+)/.exec(bare);
  if (snowflake && !/^LINE \d+:/m.test(bare)) {
    // Snowflake's own message: already in its terms.
    const line = Number(snowflake[1]);
    const col = Math.max(1, Number(snowflake[2]) + 1 - (line === 1 ? (source.statementPrefixLength ?? 0) : 0));
    return { file, line, col, severity: 'error', message: bare.replace(/\s+/g, ' ').trim() };
  }
  const rephrased = rephraseDuckDBError(bare);
  let headline = bare.split('\n')[0].replace(DUCKDB_CLASS, '').replace(DUCKDB_CLASS, '');
  headline = ownRefusal(headline) ?? headline;
  const embedded = EMBEDDED_LOCATION.exec(headline);
  if (embedded && embedded[1] === file) {
    return { file, line: Number(embedded[2]), col: Number(embedded[3]), severity: 'error', message: inUserTerms(headline.slice(embedded[0].length), text) };
  }
  const code = codeOnly(text);
  const start = source.statement?.start ?? 0;
  const end = source.statement?.end ?? text.length;
  let at = caretPosition(bare, text, source.statementPrefixLength);
  let message = rephrased.message;
  if (rephrased.func) {
    const found = findCall(code, start, end, rephrased.func);
    if (found) {
      at ??= found.offset;
      message = message.replace(new RegExp(`'${rephrased.func}'|\\b${rephrased.func}\\b`, 'i'), (m) => (m.startsWith("'") ? `'${found.name}'` : found.name));
    }
  } else if (rephrased.literal !== undefined && at === undefined) {
    const i = text.slice(start, end).indexOf(`'${rephrased.literal.replace(/'/g, "''")}'`);
    const j = i >= 0 ? i : text.slice(start, end).indexOf(`'${rephrased.literal.replace(/'/g, "\\'")}'`);
    if (j >= 0) at = start + j;
  } else if (rephrased.word) {
    const last = escapeRegExp(rephrased.word.split('.').pop()!);
    const found = new RegExp(rephrased.qualified ? `(?:(?:\\w+|"[^"]*")\\s*\\.\\s*)*\\b${last}\\b` : `\\b${last}\\b`, 'i').exec(code.slice(start, end));
    if (found) {
      at ??= start + found.index;
      if (rephrased.qualified) message = message.replace(`'${rephrased.word}'`, `'${found[0]}'`);
    }
  }
  at ??= firstWord(code, start, end);
  const { line, col } = lineLocator(text)(at);
  const full = rephrased.hint ? `${message}; ${rephrased.hint}` : message;
  return { file, line, col, severity: 'error', message: inUserTerms(full, text) };
}

/** What is left of DuckDB's vocabulary after the rephrasing: internal function names become Snowflake's. */
function inUserTerms(message: string, source: string): string {
  const code = codeOnly(source);
  return message.replace(INTERNAL_NAME, (name) => findCall(code, 0, code.length, name)?.name ?? snowflakeNames(name)[0]);
}

/** The first call in code[start, end) of one of the Snowflake functions `internal` stands for (or of `internal` itself). */
function findCall(code: string, start: number, end: number, internal: string): { name: string; offset: number } | undefined {
  const slice = code.slice(start, end);
  for (const name of [...snowflakeNames(internal), internal]) {
    if (!/^\w+$/.test(name)) {
      const i = slice.indexOf(name);
      if (i >= 0) return { name, offset: start + i };
      continue;
    }
    const m = new RegExp(`\\b${name}\\s*\\(`, 'i').exec(slice);
    if (m) return { name: name.toUpperCase(), offset: start + m.index };
  }
  return undefined;
}

/**
 * The offset in `text` of DuckDB's "LINE n:" and caret, when the message has them. The caret is in the
 * translated line, whose length differs from the source's where the translation rewrote something, so the
 * word under the caret is looked up in the source line, nearest to where the caret points.
 */
function caretPosition(message: string, text: string, statementPrefixLength: number | undefined): number | undefined {
  const lines = message.split('\n');
  const at = lines.findIndex((l) => /^LINE \d+:/.test(l));
  if (at < 0) return undefined;
  const prefix = /^LINE (\d+): ?/.exec(lines[at])!;
  const line = Number(prefix[1]);
  const fileLines = text.split('\n');
  const fileLine = fileLines[line - 1] ?? '';
  let col = 1;
  const caret = lines[at + 1]?.indexOf('^') ?? -1;
  if (caret >= 0) {
    const statementLine = lines[at].slice(prefix[0].length);
    const caretCol = caret - prefix[0].length;
    // On line 1 the statement has a prefix before the source's text.
    const shift = line === 1 ? (statementPrefixLength ?? Math.max(0, statementLine.length - fileLine.length)) : 0;
    const estimate = caretCol - shift;
    const word = /^(\w+|"[^"]*"|\S)/.exec(statementLine.slice(caretCol))?.[0];
    let best = -1;
    if (word) {
      const lowerLine = fileLine.toLowerCase();
      for (let i = lowerLine.indexOf(word.toLowerCase()); i >= 0; i = lowerLine.indexOf(word.toLowerCase(), i + 1)) {
        if (best < 0 || Math.abs(i - estimate) < Math.abs(best - estimate)) best = i;
      }
    }
    col = Math.max(1, Math.min(best >= 0 ? best + 1 : estimate + 1, fileLine.length + 1));
  }
  let offset = 0;
  for (let i = 0; i < line - 1 && i < fileLines.length; i++) offset += fileLines[i].length + 1;
  return offset + col - 1;
}

/** The text with comments and string literals blanked out (same length, same lines): names are looked up in code only. */
function codeOnly(text: string): string {
  return tokenize(text)
    .map((t) => (t.kind === 'comment' || t.kind === 'string' || t.kind === 'error' ? t.text.replace(/[^\n]/g, ' ') : t.text))
    .join('');
}

function firstWord(code: string, start: number, end: number): number {
  const m = /\S/.exec(code.slice(start, end));
  return m ? start + m.index : start;
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** SQL the warehouse refused or failed to run, at the place in the user's file. */
export class SqlError extends WarehouseError {
  override name = 'SqlError';
  constructor(readonly diagnostic: Diagnostic) {
    super(formatDiagnostic(diagnostic));
  }
}

/**
 * Runs a translated script one statement at a time, so a failure is placed at its own statement (DuckDB's
 * runtime errors name no line); returns the last statement's rows. Without statements (SQL the warehouse
 * runs as written, on Snowflake) the script runs whole.
 */
export async function runScript<T>(
  source: { file: string; text: string },
  translation: { sql: string; statements?: TranslatedStatement[] },
  run: (sql: string) => Promise<T[]>,
): Promise<T[]> {
  const statements = translation.statements ?? [{ sql: translation.sql, start: 0, end: source.text.length }];
  let rows: T[] = [];
  for (const statement of statements) {
    if (codeOnly(statement.sql).replace(/;/g, '').trim() === '') continue;
    // Blank lines and spaces before the statement keep DuckDB's "LINE n" and caret where they are in the source.
    const { line, col } = lineLocator(source.text)(statement.start);
    const lead = '\n'.repeat(line - 1) + ' '.repeat(col - 1);
    try {
      rows = await run(`${lead}${statement.sql}`);
    } catch (e) {
      throw new SqlError(sqlErrorDiagnostic((e as Error).message, { ...source, statementPrefixLength: 0, statement }));
    }
  }
  return rows;
}
