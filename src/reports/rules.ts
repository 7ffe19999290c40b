// What `validate` checks in a report page: static rules (components and attributes that exist, queries that
// are defined, loops and params that are in scope), then, once each query's columns are known, that every
// column a component or a {row.column} names is one of its query's.
import { lineLocator, nameList, type Diagnostic } from '../errors.js';
import { COMPONENTS, parseFormats, parseSort, parseWhere, splitList, type AttributeSpec } from './components.js';
import { NUMBER_FORMATS, type NumberFormat } from '../render/number-format.js';
import type { Attribute, Position, ReportNode, ReportSource } from './syntax.js';

/** `{name.column}`: a loop variable's column, or `{params.name}` on a templated page. */
export const INTERPOLATION = /\{([A-Za-z_][A-Za-z0-9_]*)\.([A-Za-z_][A-Za-z0-9_]*)\}/g;

interface ColumnUse {
  query: string;
  column: string;
  at: Position;
  /** What names it, for the message: "<BarChart> x", "{store.name}". */
  by: string;
}

/** Every problem found without running a query, and the columns the page names, to check when known. */
export function reportRules(doc: ReportSource, param: string | undefined): { diagnostics: Diagnostic[]; columnUses: ColumnUse[] } {
  const diagnostics: Diagnostic[] = [];
  const columnUses: ColumnUse[] = [];
  const error = (at: Position, message: string) => diagnostics.push({ file: doc.file, ...at, severity: 'error', message });
  const queries = new Map(doc.queries.map((q) => [q.name, q]));
  const queryList = () => (queries.size ? nameList([...queries.keys()]) : 'none: define one with a ```sql <name> block');
  const knownQuery = (name: string, at: Position): boolean => {
    if (queries.has(name)) return true;
    error(at, `unknown query "${name}" (queries in this page: ${queryList()})`);
    return false;
  };

  for (const query of doc.queries) {
    for (const p of query.params) {
      const at = sqlAt(query, p.offset);
      if (!param) error(at, `\${params.${p.name}}: only a templated page (a file named [name].md) has params`);
      else if (p.name !== param) error(at, `\${params.${p.name}}: this page's param is "${param}" (from its file name)`);
    }
  }

  const pages = doc.frontMatter.pages;
  if (param && !pages) error({ line: 1, col: 1 }, `a templated page ([${param}].md) needs front matter "pages: <query>" naming the query whose "${param}" column gives one page per value`);
  if (!param && pages) error(pages.at, 'pages: only a templated page (a file named [name].md) makes one page per value');
  if (param && pages && knownQuery(pages.value, pages.at)) {
    const source = queries.get(pages.value)!;
    if (source.params.length) error(sqlAt(source, source.params[0].offset), `query "${source.name}" gives the pages' values, so it cannot use \${params.${param}}`);
    columnUses.push({ query: source.name, column: param, at: pages.at, by: `pages: ${source.name}` });
  }

  const interpolations = (text: string, at: (offset: number) => Position, scope: Map<string, string>) => {
    for (const m of text.matchAll(INTERPOLATION)) {
      const [whole, name, column] = m;
      if (name === 'params' && !scope.has('params')) {
        if (!param) error(at(m.index), `${whole}: only a templated page (a file named [name].md) has params`);
        else if (column !== param) error(at(m.index), `${whole}: this page's param is "${param}" (from its file name)`);
      } else if (scope.has(name) && name !== 'params') {
        columnUses.push({ query: scope.get(name)!, column, at: at(m.index + name.length + 2), by: whole });
      }
    }
  };

  const walk = (nodes: ReportNode[], scope: Map<string, string>) => {
    for (const node of nodes) {
      if (node.kind === 'markdown') {
        const locate = lineLocator(node.text);
        interpolations(node.text, (offset) => shift(locate(offset), node.line), scope);
      } else if (node.kind === 'each') {
        if (knownQuery(node.query, node.queryAt)) {
          if (node.variable === 'params') error(node.at, '{#each ... as params}: "params" is the name of a templated page\'s value; choose another name');
          walk(node.body, new Map(scope).set(node.variable, node.query));
        }
      } else {
        const spec = COMPONENTS[node.name];
        if (!spec) {
          error(node.at, `unknown component <${node.name}> (components: ${Object.keys(COMPONENTS).join(', ')})`);
          continue;
        }
        const given = new Map(node.attributes.map((a) => [a.name, a]));
        for (const [name, attribute] of Object.entries(spec.attributes)) {
          if (attribute.required && !given.has(name)) error(node.at, `<${node.name}>: missing attribute ${name} (${attribute.description})`);
        }
        const data = given.get('data');
        const query = typeof data?.value === 'string' && queries.has(data.value) ? data.value : undefined;
        for (const a of node.attributes) {
          const attribute = spec.attributes[a.name];
          if (!attribute) {
            error(a.at, `<${node.name}>: unknown attribute "${a.name}" (attributes: ${Object.keys(spec.attributes).join(', ')})`);
            continue;
          }
          if (typeof a.value === 'string') interpolations(a.value, (offset) => ({ line: a.valueAt.line, col: a.valueAt.col + offset }), scope);
          attributeProblems(node.name, a, attribute, queries, queryList, error, (column, offset) => {
            if (query) columnUses.push({ query, column, at: { line: a.valueAt.line, col: a.valueAt.col + offset }, by: `<${node.name}> ${a.name}` });
          });
        }
      }
    }
  };
  walk(doc.nodes, new Map());
  return { diagnostics, columnUses };
}

/** The column uses whose query does not give that column (queries whose columns are unknown are skipped). */
export function columnProblems(file: string, uses: ColumnUse[], columns: ReadonlyMap<string, readonly string[]>): Diagnostic[] {
  return uses
    .filter((u) => columns.has(u.query) && !columns.get(u.query)!.includes(u.column))
    .map((u) => ({ file, ...u.at, severity: 'error' as const, message: `${u.by}: "${u.column}" is not a column of query ${u.query} (columns: ${nameList([...columns.get(u.query)!])})` }));
}

function attributeProblems(
  component: string,
  a: Attribute,
  spec: AttributeSpec,
  queries: ReadonlyMap<string, unknown>,
  queryList: () => string,
  error: (at: Position, message: string) => void,
  column: (name: string, offset: number) => void,
): void {
  const where = `<${component}> ${a.name}`;
  if (a.value === true) {
    if (spec.kind !== 'boolean') error(a.at, `${where}: expected a value (${a.name}="...")`);
    return;
  }
  const value = a.value;
  const at = (offset = 0) => ({ line: a.valueAt.line, col: a.valueAt.col + offset });
  const dynamic = /\{[A-Za-z_]/.test(value);
  switch (spec.kind) {
    case 'query':
      if (!queries.has(value)) error(at(), `${where}: unknown query "${value}" (queries in this page: ${queryList()})`);
      return;
    case 'column':
      if (!dynamic) column(value.trim(), value.length - value.trimStart().length);
      return;
    case 'columns':
      for (const item of splitList(value)) column(item.text, item.offset);
      return;
    case 'sort': {
      if (!/^\s*[A-Za-z_][A-Za-z0-9_]*(\s+(asc|desc))?\s*$/i.test(value)) error(at(), `${where}: expected "column", "column asc" or "column desc", found "${value}"`);
      else column(parseSort(value)[0], value.length - value.trimStart().length);
      return;
    }
    case 'formats':
      for (const f of parseFormats(value)) {
        if (!NUMBER_FORMATS.includes(f.format)) error(at(f.formatOffset), `${where}: "${f.format}" is not a number format (expected column:format with one of ${NUMBER_FORMATS.join(', ')})`);
        column(f.column, f.offset);
      }
      return;
    case 'where': {
      const parsed = parseWhere(value);
      if (!parsed) error(at(), `${where}: expected "column = value", found "${value}"`);
      else column(parsed.column, value.indexOf(parsed.column));
      return;
    }
    case 'format':
      if (!NUMBER_FORMATS.includes(value as NumberFormat)) error(at(), `${where}: "${value}" is not a number format (expected one of ${NUMBER_FORMATS.join(', ')})`);
      return;
    case 'integer':
      if (!dynamic && !/^\d+$/.test(value.trim())) error(at(), `${where}: expected a whole number, found "${value}"`);
      return;
    case 'boolean':
      if (value !== 'true' && value !== 'false') error(at(), `${where}: expected true or false, found "${value}"`);
      return;
    case 'text':
      return;
  }
}

function shift(at: Position, firstLine: number): Position {
  return { line: firstLine + at.line - 1, col: at.col };
}

function sqlAt(query: { sql: string; line: number }, offset: number): Position {
  return shift(lineLocator(query.sql)(offset), query.line);
}
