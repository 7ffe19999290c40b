// What a SQL model says about itself for people reading the catalog, written where a reader of the file
// looks: the prose lines of its leading comment block describe the model, and a trailing comment on a
// select item's line describes that column (`revenue_usd, -- revenue net of refunds`). Comments are not
// part of a model's definition (graph/fingerprint.ts drops them), so editing them rebuilds nothing.
import { tokenize, type Token } from '../sql/tokenize.js';
import { OPTION_LINE } from './model-options.js';

export interface ModelDocs {
  /** The leading comment block's prose, paragraphs separated by a blank line; undefined when it has none. */
  description?: string;
  /** Output column (lower case) -> its trailing comment. */
  columns: Record<string, string>;
}

export function modelDocs(text: string): ModelDocs {
  return { description: leadingDescription(text), columns: columnComments(text) };
}

/** The leading comment block's lines that are not `-- word: value` options. */
function leadingDescription(text: string): string | undefined {
  const paragraphs: string[][] = [[]];
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line !== '' && !line.startsWith('--')) break;
    if (OPTION_LINE.test(line)) continue;
    const prose = line.replace(/^--+/, '').trim();
    if (prose === '') paragraphs.push([]);
    else paragraphs[paragraphs.length - 1].push(prose);
  }
  const description = paragraphs.filter((p) => p.length > 0).map((p) => p.join(' ')).join('\n\n');
  return description === '' ? undefined : description;
}

/** Keywords that end the select list of a SELECT at its own depth. */
const LIST_END = new Set(['from', 'where', 'group', 'having', 'qualify', 'order', 'limit', 'union', 'intersect', 'except', 'minus', 'window', 'fetch']);
/** A last word that is the end of an expression, not an alias (`CASE ... END`). */
const NOT_ALIAS = new Set(['end', 'null', 'true', 'false']);
/** Words that an operand follows (`NOT x`, `x IS y`): the word after them is not an alias. */
const OPERATOR_WORDS = new Set(['not', 'and', 'or', 'is', 'in', 'like', 'ilike', 'between', 'case', 'when', 'then', 'else', 'interval', 'distinct']);

/**
 * The trailing line comment of each item of the query's outermost select list (the first SELECT at depth
 * zero: after a WITH's parenthesised queries, and the first branch of a UNION, which names the columns).
 * A comment counts when it is on the line where the item ends, before or after its comma.
 */
function columnComments(text: string): Record<string, string> {
  const tokens = tokenize(text);
  const start = outerSelect(tokens);
  if (start < 0) return {};
  const items: Array<{ significant: Token[]; comments: Token[] }> = [];
  let current: { significant: Token[]; comments: Token[] } = { significant: [], comments: [] };
  let depth = 0;
  let i = start + 1;
  while (i < tokens.length && (tokens[i].kind === 'ws' || tokens[i].kind === 'comment')) i++;
  if (isWord(tokens[i], 'distinct') || isWord(tokens[i], 'all')) i++;
  for (; i < tokens.length; i++) {
    const t = tokens[i];
    if (t.kind === 'ws') continue;
    if (t.text === '(') depth++;
    else if (t.text === ')') depth--;
    if (depth === 0 && t.text === ';') {
      // `last_item; -- its comment`: the statement ends, its line does not.
      const after = tokens.slice(i + 1).find((n) => n.kind !== 'ws' || n.text.includes('\n'));
      if (after?.kind === 'comment') current.comments.push(after);
      break;
    }
    if (depth < 0 || (depth === 0 && t.kind === 'word' && LIST_END.has(t.text.toLowerCase()))) break;
    if (depth === 0 && t.text === ',') {
      items.push(current);
      current = { significant: [], comments: [] };
    } else if (t.kind === 'comment') {
      // A comment after the comma, on the line the previous item ended, is that item's.
      const previous = current.significant.length === 0 ? items[items.length - 1] : undefined;
      (previous ?? current).comments.push(t);
    } else current.significant.push(t);
  }
  items.push(current);
  const out: Record<string, string> = {};
  for (const item of items) {
    const last = item.significant[item.significant.length - 1];
    const name = outputName(item.significant);
    if (!last || !name) continue;
    const comment = item.comments.find((c) => c.line === last.line && c.offset > last.offset && /^(--|\/\/)/.test(c.text));
    const description = comment?.text.replace(/^(--+|\/\/+)/, '').trim();
    if (description) out[name] = description;
  }
  return out;
}

function outerSelect(tokens: Token[]): number {
  let depth = 0;
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i];
    if (t.text === '(') depth++;
    else if (t.text === ')') depth--;
    else if (depth === 0 && isWord(t, 'select')) return i;
  }
  return -1;
}

/** An item's column name: its alias (with or without AS), or the column it names; undefined for `*` or an unnamed expression. */
function outputName(item: Token[]): string | undefined {
  const last = item[item.length - 1];
  if (!last || (last.kind !== 'word' && last.kind !== 'qident')) return undefined;
  const name = last.kind === 'qident' ? last.text.slice(1, -1).replace(/""/g, '"') : last.text;
  const before = item[item.length - 2];
  if (before === undefined || before.text === '.' || isWord(before, 'as')) return name.toLowerCase();
  // `expr alias`: the word follows the end of an expression, not an operator.
  const endsExpression = (before.kind === 'word' && !OPERATOR_WORDS.has(before.text.toLowerCase())) || before.kind === 'qident' || before.kind === 'number' || before.kind === 'string' || before.text === ')';
  if (endsExpression && last.kind === 'word' && !NOT_ALIAS.has(last.text.toLowerCase())) return name.toLowerCase();
  if (endsExpression && last.kind === 'qident') return name.toLowerCase();
  return undefined;
}

function isWord(token: Token | undefined, word: string): boolean {
  return token?.kind === 'word' && token.text.toLowerCase() === word;
}
