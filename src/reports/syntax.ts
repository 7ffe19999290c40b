// A report page's text, split before markdown-it sees it: front matter, named SQL blocks (```sql name),
// component tags (<BigValue .../>) and {#each} loops, each with its line and column, so every later
// message can point at the place at fault. What is left is plain Markdown.
import { lineLocator, type Diagnostic } from '../errors.js';

export interface Position {
  line: number;
  col: number;
}

export interface ReportQuery {
  name: string;
  /** The block's text, without its fences. */
  sql: string;
  /** File line of the SQL's first line. */
  line: number;
  /** Where the name stands in the info string. */
  at: Position;
  /** `sql name show`: the SQL is also shown on the page, as code. */
  show: boolean;
  /** Every ${params.x} in the SQL, with its offset in `sql`. */
  params: Array<{ name: string; offset: number; length: number }>;
}

export interface Attribute {
  name: string;
  /** true for a bare attribute (`stacked`). */
  value: string | true;
  at: Position;
  /** Where the value's first character is. */
  valueAt: Position;
}

export type ReportNode =
  | { kind: 'markdown'; text: string; line: number }
  | { kind: 'component'; name: string; attributes: Attribute[]; at: Position }
  | { kind: 'each'; query: string; variable: string; at: Position; queryAt: Position; body: ReportNode[] };

export interface FrontMatter {
  title?: { value: string; at: Position };
  /** Templated pages: the query whose rows give one page each. */
  pages?: { value: string; at: Position };
}

export interface ReportSource {
  file: string;
  frontMatter: FrontMatter;
  queries: ReportQuery[];
  nodes: ReportNode[];
  diagnostics: Diagnostic[];
}

const FENCE = /^( {0,3})(`{3,}|~{3,})(.*)$/;
const EACH_OPEN = /^(\s*)\{#each\s+([A-Za-z_][A-Za-z0-9_]*)\s+as\s+([A-Za-z_][A-Za-z0-9_]*)\s*\}\s*$/;
const COMPONENT_START = /^(\s*)<([A-Z][A-Za-z0-9]*)/;
const PARAM = /\$\{\s*([^}]*?)\s*\}/g;
const FRONT_MATTER_KEYS = ['title', 'pages'] as const;

export function parseReport(file: string, rawText: string): ReportSource {
  const text = rawText.replace(/\r\n?/g, '\n');
  const lines = text.split('\n');
  const locate = lineLocator(text);
  const lineStarts: number[] = [];
  for (let i = 0, offset = 0; i < lines.length; offset += lines[i].length + 1, i++) lineStarts.push(offset);
  const diagnostics: Diagnostic[] = [];
  const error = (at: Position, message: string) => diagnostics.push({ file, ...at, severity: 'error', message });

  const frontMatter: FrontMatter = {};
  let i = 0;
  if (lines[0] === '---') {
    const end = lines.indexOf('---', 1);
    if (end < 0) {
      error({ line: 1, col: 1 }, 'front matter is not closed: expected a line "---" after it');
      i = lines.length;
    } else {
      readFrontMatter(lines.slice(1, end), 2, frontMatter, error);
      i = end + 1;
    }
  }

  const queries: ReportQuery[] = [];
  const root: ReportNode[] = [];
  const open: Array<Extract<ReportNode, { kind: 'each' }>> = [];
  const current = () => (open.length ? open[open.length - 1].body : root);
  let markdown: string[] = [];
  let markdownLine = i + 1;
  const flush = (nextLine: number) => {
    if (markdown.some((l) => l.trim() !== '')) current().push({ kind: 'markdown', text: markdown.join('\n'), line: markdownLine });
    markdown = [];
    markdownLine = nextLine;
  };

  while (i < lines.length) {
    const line = lines[i];
    const fence = FENCE.exec(line);
    if (fence && !(fence[2][0] === '`' && fence[3].includes('`'))) {
      const [, indent, marks, info] = fence;
      const close = new RegExp(`^ {0,3}${marks[0] === '`' ? '`' : '~'}{${marks.length},}\\s*$`);
      let end = i + 1;
      while (end < lines.length && !close.test(lines[end])) end++;
      const named = /^sql\s+(\S+)(?:\s+(.*))?$/.exec(info.trim());
      if (!named) {
        markdown.push(...lines.slice(i, end + 1));
        i = end + 1;
        continue;
      }
      const nameCol = indent.length + marks.length + (info.length - info.trimStart().length) + named[0].indexOf(named[1], 3) + 1;
      const at = { line: i + 1, col: nameCol };
      const option = named[2]?.trim();
      if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(named[1])) error(at, `query name "${named[1]}" must be a name (letters, digits and _), as components refer to it`);
      else if (option !== undefined && option !== 'show') error({ line: i + 1, col: nameCol + named[1].length + 1 }, `unknown option "${option}" after the query name (expected nothing, or "show" to also show the SQL)`);
      else if (queries.some((q) => q.name === named[1])) error(at, `query "${named[1]}" is defined twice (first at line ${queries.find((q) => q.name === named[1])!.at.line})`);
      if (end >= lines.length) {
        error({ line: i + 1, col: indent.length + 1 }, `the SQL block "${named[1]}" is not closed: expected a line ${marks} after it`);
        i = end;
        continue;
      }
      const body = lines.slice(i + 1, end).map((l) => l.slice(Math.min(indent.length, l.length - l.trimStart().length)));
      const sql = body.join('\n');
      const query: ReportQuery = { name: named[1], sql, line: i + 2, at, show: option === 'show', params: [] };
      for (const m of sql.matchAll(PARAM)) {
        const where = sqlPosition(query, m.index);
        const name = /^params\.([A-Za-z_][A-Za-z0-9_]*)$/.exec(m[1]);
        if (!name) error(where, `"${m[0]}": the only substitution in a query is \${params.<name>} (a templated page's value)`);
        else if (sql[m.index - 1] === "'" && sql[m.index + m[0].length] === "'") error(where, `write ${m[0]} without quotes around it: it becomes a quoted SQL string`);
        else query.params.push({ name: name[1], offset: m.index, length: m[0].length });
      }
      queries.push(query);
      if (query.show) {
        markdown.push(`${marks}sql`, ...body, marks);
      } else flush(end + 2);
      i = end + 1;
      continue;
    }
    if (/^\s*\{#each\b/.test(line)) {
      flush(i + 2);
      const each = EACH_OPEN.exec(line);
      const at = { line: i + 1, col: line.search(/\S/) + 1 };
      if (!each) error(at, 'expected {#each <query> as <name>} on a line of its own');
      else {
        const node: Extract<ReportNode, { kind: 'each' }> = {
          kind: 'each', query: each[2], variable: each[3], at, queryAt: { line: i + 1, col: line.indexOf(each[2], at.col + 5) + 1 }, body: [],
        };
        current().push(node);
        open.push(node);
      }
      i++;
      continue;
    }
    if (/^\s*\{\/each\b/.test(line)) {
      flush(i + 2);
      const at = { line: i + 1, col: line.search(/\S/) + 1 };
      if (!/^\s*\{\/each\}\s*$/.test(line)) error(at, 'expected {/each} on a line of its own');
      else if (!open.length) error(at, '{/each} without an {#each} before it');
      else open.pop();
      i++;
      continue;
    }
    const component = COMPONENT_START.exec(line);
    if (component) {
      flush(i + 1);
      const parsed = readComponent(text, lineStarts[i] + component[1].length, locate, error);
      if (parsed) current().push(parsed.node);
      const endLine = parsed ? locate(parsed.end).line : i + 1;
      i = endLine;
      markdownLine = i + 1;
      continue;
    }
    if (!markdown.length) markdownLine = i + 1;
    markdown.push(line);
    i++;
  }
  flush(lines.length + 1);
  for (const each of open) error(each.at, `{#each ${each.query} as ${each.variable}} is not closed: expected {/each} after it`);
  return { file, frontMatter, queries, nodes: root, diagnostics };
}

/** File line and column of an offset in a query's SQL. */
export function sqlPosition(query: ReportQuery, offset: number): Position {
  const at = lineLocator(query.sql)(offset);
  return { line: query.line + at.line - 1, col: at.col };
}

function readFrontMatter(lines: string[], firstLine: number, into: FrontMatter, error: (at: Position, message: string) => void): void {
  lines.forEach((text, index) => {
    const at = { line: firstLine + index, col: 1 };
    if (text.trim() === '' || text.trimStart().startsWith('#')) return;
    const m = /^([A-Za-z_][A-Za-z0-9_]*)\s*:\s*(.*?)\s*$/.exec(text);
    if (!m) return error(at, 'expected "key: value" in the front matter');
    const key = m[1] as (typeof FRONT_MATTER_KEYS)[number];
    if (!FRONT_MATTER_KEYS.includes(key)) return error(at, `unknown front matter key "${m[1]}" (expected: ${FRONT_MATTER_KEYS.join(', ')})`);
    const quoted = /^(["'])(.*)\1$/.exec(m[2]);
    const value = quoted ? quoted[2] : m[2];
    if (value === '') return error(at, `${key}: expected a value`);
    into[key] = { value, at: { line: at.line, col: text.indexOf(m[2]) + 1 } };
  });
}

/**
 * A component tag from `<` to `/>`; it may span lines. Attributes are name="value", name='value' or a
 * bare name (true). Returns undefined after an error.
 */
function readComponent(
  text: string,
  start: number,
  locate: (offset: number) => Position,
  error: (at: Position, message: string) => void,
): { node: Extract<ReportNode, { kind: 'component' }>; end: number } | undefined {
  const name = /^<([A-Za-z0-9]+)/.exec(text.slice(start))![1];
  const attributes: Attribute[] = [];
  let p = start + 1 + name.length;
  for (;;) {
    while (p < text.length && /\s/.test(text[p])) p++;
    if (p >= text.length) {
      error(locate(start), `<${name}> is not closed: expected "/>" at the end of the tag`);
      return undefined;
    }
    if (text.startsWith('/>', p)) {
      p += 2;
      break;
    }
    const attr = /^[A-Za-z_][A-Za-z0-9_-]*/.exec(text.slice(p, p + 200));
    if (!attr) {
      const message = text[p] === '>' ? `<${name}>: a component closes itself: expected "/>", not ">"` : `<${name}>: expected an attribute (name="value") or "/>", found ${JSON.stringify(text[p])}`;
      error(locate(p), message);
      return undefined;
    }
    const at = locate(p);
    p += attr[0].length;
    if (attributes.some((a) => a.name === attr[0])) {
      error(at, `<${name}>: attribute ${attr[0]} is given twice`);
      return undefined;
    }
    if (text[p] !== '=') {
      attributes.push({ name: attr[0], value: true, at, valueAt: at });
      continue;
    }
    const quote = text[p + 1];
    if (quote !== '"' && quote !== "'") {
      error(locate(p + 1), `<${name}>: the value of ${attr[0]} must be in quotes (${attr[0]}="...")`);
      return undefined;
    }
    const close = text.indexOf(quote, p + 2);
    const newline = text.indexOf('\n', p + 2);
    if (close < 0 || (newline >= 0 && newline < close)) {
      error(locate(p + 1), `<${name}>: the value of ${attr[0]} has no closing ${quote} on its line`);
      return undefined;
    }
    attributes.push({ name: attr[0], value: text.slice(p + 2, close), at, valueAt: locate(p + 2) });
    p = close + 1;
  }
  const lineEnd = text.indexOf('\n', p);
  const rest = text.slice(p, lineEnd < 0 ? text.length : lineEnd);
  if (rest.trim() !== '') {
    error(locate(p + rest.search(/\S/)), `<${name}>: put nothing after "/>" on its line (a component stands on lines of its own)`);
    return undefined;
  }
  return { node: { kind: 'component', name, attributes, at: locate(start) }, end: p };
}
