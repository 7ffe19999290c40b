// The names of unaliased result columns. Snowflake names such a column after the expression as written, with
// identifiers and keywords in upper case (SELECT to_date(s) gives TO_DATE(S), v::varchar gives V::VARCHAR);
// DuckDB names it after the SQL it runs, so where the translation rewrote the expression (sf_to_date(...)) the
// item gets Snowflake's name as an alias.
import { isGroup, isName, isOp, isToken, isWord, nextSignificant, previousSignificant, trimNodes, type SqlNode } from './tree.js';

/** Words that end a SELECT list. */
const LIST_END = new Set(['FROM', 'WHERE', 'GROUP', 'HAVING', 'QUALIFY', 'ORDER', 'LIMIT', 'UNION', 'INTERSECT', 'EXCEPT', 'MINUS', 'INTO', 'WINDOW']);

/** The items of the SELECT list directly in `nodes`, as [start, end) ranges without surrounding trivia. */
export function selectItems(nodes: SqlNode[]): Array<[number, number]> {
  let i = nodes.findIndex((n) => isWord(n, 'SELECT'));
  if (i < 0) return [];
  i = nextSignificant(nodes, i + 1);
  if (isWord(nodes[i], 'DISTINCT', 'ALL')) i = nextSignificant(nodes, i + 1);
  const items: Array<[number, number]> = [];
  let start = i;
  for (let k = i; k <= nodes.length; k++) {
    const n = nodes[k];
    const word = isToken(n) && n.kind === 'word' ? n.text.toUpperCase() : '';
    const ends = k === nodes.length || isOp(n, ',') || isOp(n, ';') || LIST_END.has(word);
    if (ends) {
      let a = start;
      let b = k;
      while (a < b && trimNodes([nodes[a]]).length === 0) a++;
      while (b > a && trimNodes([nodes[b - 1]]).length === 0) b--;
      if (b > a) items.push([a, b]);
      if (!isOp(n, ',')) break;
      start = k + 1;
    }
  }
  return items;
}

/** Whether a select item has an alias: `expr AS name`, or `expr name` after something that ends an expression. */
export function hasAlias(item: SqlNode[]): boolean {
  const last = item.length - 1;
  if (last < 1 || !isName(item[last]) || isWord(item[last], 'END')) return false;
  const before = item[previousSignificant(item, last)];
  const kind = isToken(before) ? before.kind : 'group';
  if (isWord(before, 'AS')) return true;
  return ['group', 'word', 'qident', 'string', 'number'].includes(kind);
}

/** Whether a select item is a column, a qualified column or a star, which keep their names. */
export function isPlainColumn(item: SqlNode[]): boolean {
  return item.every((n, k) => (k % 2 === 0 ? isName(n) || isOp(n, '*') : isOp(n, '.')));
}

/** The name Snowflake gives an unaliased expression: its text, words upper-cased, literals and quoted names kept. */
export function snowflakeColumnName(item: SqlNode[]): string {
  const parts: string[] = [];
  const walk = (nodes: SqlNode[]): void => {
    for (const n of nodes) {
      if (isGroup(n)) {
        parts.push(n.open.text);
        walk(n.children);
        parts.push(n.close?.text ?? '');
      } else if (n.kind === 'ws' || n.kind === 'comment') {
        if (!parts[parts.length - 1]?.endsWith(' ')) parts.push(' ');
      } else parts.push(n.kind === 'word' ? n.text.toUpperCase() : n.text);
    }
  };
  walk(item);
  return parts.join('').trim();
}
