// A column alias used later in the same SELECT list (SELECT x + 1 AS a, DATEADD(day, a, d)) inside the date
// functions whose DuckDB macros have typed overloads: DuckDB binds a lateral alias without a type, so it cannot
// pick the overload and refuses. Snowflake reads such a name as a column of the FROM clause when there is one,
// else as the alias; the translation puts the alias's expression in the argument and checks, row by row, that
// the name as DuckDB reads it (the same rule) has the same value, refusing the statement where it does not.
import { selectItems } from './result-names.js';
import type { Token } from './tokenize.js';
import { isGroup, isName, isOp, isWord, nextSignificant, previousSignificant, splitNodes, trimNodes, type SqlNode } from './tree.js';

/** The functions whose arguments get an earlier alias's expression. */
const DATE_FUNCTIONS = new Set(['DATEADD', 'TIMEADD', 'TIMESTAMPADD', 'DATEDIFF', 'TIMEDIFF', 'TIMESTAMPDIFF']);

export interface LateralUse {
  /** The alias as written where it is used. */
  name: Token;
  /** The alias's expression, as written in the SELECT list. */
  expression: SqlNode[];
}

/** For each date function call (by its name token) whose arguments use an earlier alias of its SELECT list. */
export function findLateralAliasUses(nodes: SqlNode[], found = new Map<Token, LateralUse[]>()): Map<Token, LateralUse[]> {
  for (const n of nodes) if (isGroup(n)) findLateralAliasUses(n.children, found);
  const aliases = new Map<string, SqlNode[]>();
  for (const [start, end] of selectItems(nodes)) {
    const core = nodes.slice(start, end);
    collectUses(core, aliases, found);
    const alias = aliasOf(core);
    // An alias whose own expression reads the same name (TO_DATE(d) AS d) is shadowed by that column anyway.
    if (alias && !mentions(alias.expression, alias.key)) aliases.set(alias.key, alias.expression);
  }
  return found;
}

/** `expr AS name` or `expr name` at the end of a select item. */
function aliasOf(core: SqlNode[]): { key: string; expression: SqlNode[] } | undefined {
  const last = core.length - 1;
  const name = core[last];
  if (!isName(name) || last < 1) return undefined;
  const before = previousSignificant(core, last);
  if (isWord(core[before], 'AS')) return { key: nameKey(name as Token), expression: trimNodes(core.slice(0, before)) };
  // `expr name` only after something that ends an expression: a group, a literal, a name or END.
  const prev = core[before] as SqlNode | undefined;
  const kind = prev === undefined || isGroup(prev) ? 'group' : (prev as Token).kind;
  const ends = kind === 'group' || kind === 'word' || kind === 'qident' || kind === 'string' || kind === 'number';
  if (before < 0 || !ends || isWord(name, 'END') || isWord(prev, 'SELECT', 'DISTINCT')) return undefined;
  return { key: nameKey(name as Token), expression: trimNodes(core.slice(0, before + 1)) };
}

function collectUses(nodes: SqlNode[], aliases: Map<string, SqlNode[]>, found: Map<Token, LateralUse[]>): void {
  if (aliases.size === 0) return;
  for (let i = 0; i < nodes.length; i++) {
    const n = nodes[i];
    if (!isGroup(n)) {
      const paren = nodes[nextSignificant(nodes, i + 1)];
      if (isWord(n) && DATE_FUNCTIONS.has(n.text.toUpperCase()) && isGroup(paren) && !isOp(nodes[previousSignificant(nodes, i)], '.')) {
        const uses = splitNodes(paren.children).flatMap((arg) => {
          const only = trimNodes(arg);
          const expression = only.length === 1 && isName(only[0]) ? aliases.get(nameKey(only[0] as Token)) : undefined;
          return expression ? [{ name: only[0] as Token, expression }] : [];
        });
        if (uses.length) found.set(n, uses);
      }
      continue;
    }
    // Not into subqueries: their names are their own.
    if (!isWord(n.children[nextSignificant(n.children, 0)], 'SELECT', 'WITH')) collectUses(n.children, aliases, found);
  }
}

function mentions(nodes: SqlNode[], key: string): boolean {
  return nodes.some((n) => (isGroup(n) ? mentions(n.children, key) : isName(n) && nameKey(n) === key));
}

/** Unquoted names compare case-insensitively (as upper case), quoted ones as written. */
function nameKey(t: Token): string {
  return t.kind === 'qident' ? t.text.slice(1, -1).replace(/""/g, '"') : t.text.toUpperCase();
}
