// What a function handler gets and the helpers every family of handlers uses: the call's arguments (already
// translated), the translator it can render and report through, and small builders of DuckDB calls.
import type { Token } from './tokenize.js';
import { duckdbString } from './tokenize.js';
import { type Group, type SqlNode } from './tree.js';
import { canonicalPart, INTERVAL_PARTS } from './snowflake.js';



export interface Arg {
  /** The argument's nodes, trivia included. */
  nodes: SqlNode[];
  /** The translated text, trivia included, so line breaks between arguments survive. */
  text: string;
  /** The value when the argument is a single string literal. */
  string?: string;
  /** The value when the argument is a single (possibly negative) number literal. */
  number?: number;
  /** The upper-cased word when the argument is a single bare word (a date part, TRUE, NULL...). */
  word?: string;
}

/** What handlers may ask of the translator. */
export interface Renderer {
  /** Translated text of nodes; compact drops comments and line breaks (for an argument written twice). */
  render(nodes: SqlNode[], compact?: boolean): string;
  error(at: SqlNode, message: string): void;
  /** The file diagnostics name. */
  readonly file: string;
  /** `file:line:col` of a token, for errors raised when the translated query runs. */
  place(at: Token): string;
  /** A SQL string naming where a construct is (file:line:col: the construct as written), for errors raised at run time. */
  placeLiteral(at: SqlNode, shown: string): string;
}

export interface CallSite {
  /** Upper-cased function name. */
  name: string;
  nameToken: Token;
  group: Group;
  args: Arg[];
  /** The sequence that holds the call, and the index just after its argument list. */
  nodes: SqlNode[];
  end: number;
  r: Renderer;
}

/** Replacement text; `end` when the handler consumed nodes after the argument list (WITHIN GROUP, OVER). */
export type HandlerResult = string | { text: string; end: number };
export type Handler = (c: CallSite) => HandlerResult;

export const call = (name: string, ...args: string[]): string => `${name}(${args.join(',')})`;
export const lit = (s: string): string => duckdbString(s);
export const compact = (c: CallSite, a: Arg): string => c.r.render(a.nodes, true).trim();
/** An argument's text with at least one space before it, for use after a keyword. */
export const sp = (a: Arg): string => (/^\s/.test(a.text) ? a.text : ` ${a.text}`);

export function arity(c: CallSite, min: number, max = min): boolean {
  if (c.args.length < min || c.args.length > max) {
    const expected = min === max ? `${min}` : max === Infinity ? `at least ${min}` : `${min} to ${max}`;
    c.r.error(c.nameToken, `${c.name} expects ${expected} argument(s), got ${c.args.length}`);
    return false;
  }
  return true;
}

/** A date or time part given as a word (day) or a string ('day'). */
export function partArg(c: CallSite, a: Arg | undefined, allowed?: Set<string>): string | undefined {
  const raw = a?.word ?? a?.string;
  const part = raw === undefined ? undefined : canonicalPart(raw);
  if (!part || (allowed && !allowed.has(part))) {
    c.r.error(a?.nodes.find((n) => n.kind !== 'ws') ?? c.nameToken, `${c.name}: unsupported date or time part ${sourceOf(a)}; expected one of ${[...(allowed ?? INTERVAL_PARTS)].join(', ')}`);
    return undefined;
  }
  return part;
}

export function sourceOf(a: Arg | undefined): string {
  return a ? a.text.trim() : '(missing)';
}

/**
 * A date or time argument as DuckDB needs it: a string literal is a TIME when it is only a time of day
 * ('10:59'), an ISO timestamp cast directly, and any other text goes through sf_temporal, which reads
 * Snowflake's AUTO input formats ('15-Mar-2024', '03/15/2024'); a column of text is read the same way at run time.
 */
export function temporal(a: Arg): string {
  const lead = /^\s*/.exec(a.text)![0];
  if (a.word === 'NULL') return `${lead}CAST(NULL AS TIMESTAMP)`;
  if (a.string === undefined) return call('sf_temporal', a.text);
  if (/^\s*\d{1,2}:\d{2}(:\d{2}(\.\d+)?)?\s*$/.test(a.string)) return `${lead}CAST(${a.text.trim()} AS TIME)`;
  if (/^\d{4}-\d{2}-\d{2}([ T]\d{2}:\d{2}(:\d{2}(\.\d+)?)?)?$/.test(a.string.trim())) return `${lead}CAST(${a.text.trim()} AS TIMESTAMP)`;
  return call('sf_temporal', a.text);
}

/** Text for casting a non-literal to VARCHAR with Snowflake's VARIANT and timestamp rules. */
export function text(a: Arg): string {
  return a.string !== undefined ? a.text : call('sf_to_varchar', a.text);
}
