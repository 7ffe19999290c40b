// VARIANT, OBJECT and ARRAY functions: OBJECT_CONSTRUCT, ARRAY_CONSTRUCT and the array builders, PARSE_JSON,
// GET and GET_PATH, the IS_ type tests.
import { JSON_HOLE, UNDEFINED_ELEMENT } from './macros.js';
import { duckdbJsonPath, parseSnowflakePath } from './snowflake.js';

import { type Arg, type CallSite, type Handler, arity, call, compact, lit, text } from './function-calls.js';

export function objectConstruct(keepNull: boolean): Handler {
  return (c) => {
    if (c.args.length === 1 && c.args[0].text.trim() === '*') {
      c.r.error(c.nameToken, `${c.name}(*) is not supported; list the keys and values`);
      return '';
    }
    if (c.args.length === 0) return `'{}'::JSON`;
    if (c.args.length % 2 !== 0) {
      c.r.error(c.nameToken, `${c.name} expects key, value pairs`);
      return '';
    }
    const entries: string[] = [];
    for (let k = 0; k < c.args.length; k += 2) {
      const value = keepNull ? `coalesce(to_json(${c.args[k + 1].text}), 'null'::JSON)` : `to_json(${c.args[k + 1].text})`;
      entries.push(`{'k': CAST(${c.args[k].text} AS VARCHAR), 'v': ${value}}`);
    }
    // NULL values drop their key (OBJECT_CONSTRUCT) or become JSON null (OBJECT_CONSTRUCT_KEEP_NULL).
    return call('sf_object_from_entries', `[${entries.join(',')}]`);
  };
}

/**
 * ARRAY_CONSTRUCT(...) and [...]: `place` names the construct for the run-time error a SQL NULL element raises
 * (Snowflake keeps it as an undefined element, which JSON cannot hold); ARRAY_CONSTRUCT_COMPACT leaves NULLs out.
 */
export function arrayConstruct(elements: string[], place: string | 'compact'): string {
  if (elements.length === 0) return `'[]'::JSON`;
  const list = `[${elements.map((e) => `to_json(${e})`).join(',')}]`;
  return place === 'compact' ? `to_json(list_filter(${list}, lambda e: e IS NOT NULL))` : call('sf_array_of', list, place);
}

/** The message for a literal NULL given as an ARRAY element (see UNDEFINED_ELEMENT). */
export function undefinedElementMessage(construct: string): string {
  return `${construct}: ${UNDEFINED_ELEMENT}`;
}

/** Refuses literal NULL arguments that would become undefined ARRAY elements; true when there are none. */
export function noNullElements(c: CallSite, args: Arg[]): boolean {
  const literal = args.find((a) => a.word === 'NULL');
  if (literal) c.r.error(literal.nodes.find((n) => n.kind !== 'ws') ?? c.nameToken, undefinedElementMessage(`${c.name} with a SQL NULL element`));
  return literal === undefined;
}

export const callPlace = (c: CallSite): string => c.r.placeLiteral(c.nameToken, `${c.nameToken.text}(...)`);

/** ARRAY_APPEND(array, x) / ARRAY_PREPEND(array, x). */
export function arrayAdd(macroName: string): Handler {
  return (c) => (arity(c, 2) && noNullElements(c, [c.args[1]]) ? call(macroName, c.args[0].text, c.args[1].text, ` ${callPlace(c)}`) : '');
}

/** Whether JSON text has an empty element ([1, ,2], [1,]) outside its string literals. */
export function jsonHasHole(text: string): boolean {
  return /[[,]\s*,|,\s*[\]}]/.test(text.replace(/"(?:[^"\\]|\\.)*"/g, '""'));
}

/** PARSE_JSON(text) / TRY_PARSE_JSON(text): a literal with an empty element is refused here, other text at run time. */
export function parseJson(macroName: string): Handler {
  return (c) => {
    if (!arity(c, 1, 2)) return '';
    const [text, parameter] = c.args;
    if (parameter && parameter.string?.toLowerCase() !== 's') {
      // 's' (strict: a duplicate key is an error) is the default; 'd' keeps the last of duplicate keys, which DuckDB's JSON cannot pick.
      c.r.error(parameter.nodes.find((n) => n.kind !== 'ws') ?? c.nameToken, `${c.name}: only the parameter 's' is supported on DuckDB (duplicate keys are an error); got ${parameter.text.trim()}`);
      return '';
    }
    if (text.string !== undefined && jsonHasHole(text.string)) {
      c.r.error(text.nodes.find((n) => n.kind !== 'ws') ?? c.nameToken, `${c.name}: ${JSON_HOLE}`);
      return '';
    }
    return call(macroName, text.text, ` ${callPlace(c)}`);
  };
}

export const GET_PATH: Handler = (c) => {
  if (!arity(c, 2)) return '';
  const path = c.args[1].string;
  const steps = path === undefined ? undefined : parseSnowflakePath(path);
  if (!steps) {
    c.r.error(c.nameToken, `${c.name}: the path must be a string literal such as 'a.b[0]'`);
    return '';
  }
  return steps.length ? call('json_extract', c.args[0].text, ` ${lit(duckdbJsonPath(steps))}`) : c.args[0].text;
};

export const GET: Handler = (c) => {
  if (!arity(c, 2)) return '';
  const [v, k] = c.args;
  if (k.string !== undefined) return call('json_extract', v.text, ` ${lit(duckdbJsonPath([{ key: k.string }]))}`);
  if (k.number !== undefined && Number.isInteger(k.number) && k.number >= 0) {
    return call('json_extract', v.text, ` ${lit(duckdbJsonPath([{ index: k.number }]))}`);
  }
  return call('sf_get', v.text, k.text);
};
