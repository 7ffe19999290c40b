// The lineage drawing: sources -> bronze -> silver -> gold -> report pages, from the project's graph, as
// an inline SVG whose every node links to its page, and beside it the same graph as nested lists (what
// each node reads and feeds), which is also its text alternative. A layered layout by hand: a node's
// column is one past the furthest column it reads from (so a gold model that reads gold sits right of
// it), and rows are ordered by the barycentre of their neighbours, sweeping down and up, to reduce
// crossings. Everything is sorted, so the same project always draws the same bytes.
import type { GraphNode, ProjectGraph } from '../graph/graph.js';
import type { ReportPageRef } from './catalog.js';

export type LineageKind = 'source' | 'bronze' | 'silver' | 'gold' | 'report';

export interface LineageNode {
  /** The graph's node name; a report page's is `report:<path>`. */
  id: string;
  kind: LineageKind;
  label: string;
  /** Relative to the page the drawing is on. */
  href: string;
}

export interface LineageEdge {
  from: string;
  to: string;
}

export interface LineageGraph {
  nodes: LineageNode[];
  edges: LineageEdge[];
}

/** Where each kind of node's page is, relative to the page the drawing is on. */
export interface LineageLinks {
  table(name: string): string;
  pipeline(name: string): string;
  report(path: string): string;
}

/** From the site's root (lineage.html): tables/<name>.html, pipelines/<name>.html, and the report's own path. */
export const ROOT_LINKS: LineageLinks = {
  table: (name) => `tables/${encodeURIComponent(name)}.html`,
  pipeline: (name) => `pipelines/${encodeURIComponent(name)}.html`,
  report: (path) => path.split('/').map(encodeURIComponent).join('/'),
};

const KIND_ORDER: Record<LineageKind, number> = { source: 0, bronze: 1, silver: 2, gold: 3, report: 4 };
const KIND_HEADING: Record<LineageKind, string> = { source: 'Sources', bronze: 'Bronze', silver: 'Silver', gold: 'Gold', report: 'Report pages' };

/** The lineage of a project: its resources and tables (checks are not drawn), and the report pages that read them. */
export function lineageGraph(graph: ProjectGraph, reports: readonly ReportPageRef[] = [], links: LineageLinks = ROOT_LINKS): LineageGraph {
  const nodes: LineageNode[] = [];
  const edges: LineageEdge[] = [];
  const drawn = (n: GraphNode | undefined) => n !== undefined && n.layer !== 'check';
  for (const name of graph.order) {
    const node = graph.get(name)!;
    if (!drawn(node)) continue;
    if (node.layer === 'resource') nodes.push({ id: node.name, kind: 'source', label: `${node.pipeline}.${node.resource}`, href: links.pipeline(node.pipeline!) });
    else nodes.push({ id: node.name, kind: node.layer as LineageKind, label: node.name, href: links.table(node.name) });
    for (const parent of node.parents) if (drawn(graph.get(parent))) edges.push({ from: parent, to: node.name });
  }
  const tables = new Set(nodes.map((n) => n.id));
  for (const report of reports) {
    const id = `report:${report.path}`;
    if (nodes.some((n) => n.id === id)) continue;
    nodes.push({ id, kind: 'report', label: report.title, href: links.report(report.path) });
    for (const table of new Set(report.tablesRead.map((t) => t.toLowerCase()))) if (tables.has(table)) edges.push({ from: table, to: id });
  }
  nodes.sort((a, b) => KIND_ORDER[a.kind] - KIND_ORDER[b.kind] || compare(a.label, b.label) || compare(a.id, b.id));
  edges.sort((a, b) => compare(a.from, b.from) || compare(a.to, b.to));
  return { nodes, edges };
}

// ---- layout ----

const NODE_HEIGHT = 28;
const ROW_GAP = 12;
const COLUMN_GAP = 64;
const PADDING = 16;
const HEADING_HEIGHT = 28;
/** A generous average width of a 12 px sans-serif character, so labels fit their boxes. */
const CHAR_WIDTH = 7.2;
const MAX_LABEL = 36;
const SWEEPS = 4;

interface Placed extends LineageNode {
  column: number;
  x: number;
  y: number;
  width: number;
  text: string;
}

export interface LineageLayout {
  nodes: Placed[];
  edges: LineageEdge[];
  width: number;
  height: number;
  /** Each column's x and heading (the first column of each kind is headed). */
  headings: Array<{ x: number; text: string }>;
}

export function layoutLineage(lineage: LineageGraph): LineageLayout {
  const byId = new Map(lineage.nodes.map((n) => [n.id, n]));
  const parents = new Map<string, string[]>();
  const children = new Map<string, string[]>();
  for (const { from, to } of lineage.edges) {
    if (!byId.has(from) || !byId.has(to)) continue;
    parents.set(to, [...(parents.get(to) ?? []), from]);
    children.set(from, [...(children.get(from) ?? []), to]);
  }
  // Columns: kind by kind, each node one past the furthest column it reads from.
  const column = new Map<string, number>();
  let base = 0;
  for (const kind of Object.keys(KIND_ORDER) as LineageKind[]) {
    const ofKind = lineage.nodes.filter((n) => n.kind === kind);
    if (ofKind.length === 0) continue;
    const place = (id: string, visiting: Set<string>): number => {
      const known = column.get(id);
      if (known !== undefined) return known;
      if (visiting.has(id)) return base; // a cycle is the graph's error to report; draw it flat
      visiting.add(id);
      const reads = (parents.get(id) ?? []).filter((p) => byId.get(p)!.kind === kind || column.has(p));
      const at = Math.max(base, ...reads.map((p) => place(p, visiting) + 1));
      column.set(id, at);
      return at;
    };
    for (const n of ofKind) place(n.id, new Set());
    base = Math.max(...ofKind.map((n) => column.get(n.id)!)) + 1;
  }
  const columns: string[][] = Array.from({ length: base }, () => []);
  for (const n of lineage.nodes) columns[column.get(n.id)!].push(n.id);
  // lineage.nodes is sorted by kind and label: the starting order of each column.
  const position = new Map<string, number>();
  const measure = () => columns.forEach((ids) => ids.forEach((id, i) => position.set(id, (i + 0.5) / ids.length)));
  measure();
  const barycentre = (id: string, neighbours: Map<string, string[]>) => {
    const near = neighbours.get(id) ?? [];
    return near.length ? near.reduce((sum, n) => sum + position.get(n)!, 0) / near.length : position.get(id)!;
  };
  for (let sweep = 0; sweep < SWEEPS; sweep++) {
    const down = sweep % 2 === 0;
    const order = down ? columns.map((_, i) => i).slice(1) : columns.map((_, i) => i).reverse().slice(1);
    for (const c of order) {
      const keys = new Map(columns[c].map((id) => [id, barycentre(id, down ? parents : children)]));
      columns[c].sort((a, b) => keys.get(a)! - keys.get(b)! || position.get(a)! - position.get(b)! || compare(a, b));
      measure();
    }
  }
  const widths = columns.map((ids) => Math.min(MAX_LABEL, Math.max(12, ...ids.map((id) => byId.get(id)!.label.length))) * CHAR_WIDTH + 20);
  const tallest = Math.max(1, ...columns.map((ids) => ids.length));
  const columnHeight = (count: number) => count * NODE_HEIGHT + Math.max(0, count - 1) * ROW_GAP;
  const height = PADDING * 2 + HEADING_HEIGHT + columnHeight(tallest);
  const placed: Placed[] = [];
  const headings: LineageLayout['headings'] = [];
  let x = PADDING;
  const headed = new Set<LineageKind>();
  columns.forEach((ids, c) => {
    const top = PADDING + HEADING_HEIGHT + (columnHeight(tallest) - columnHeight(ids.length)) / 2;
    ids.forEach((id, i) => {
      const node = byId.get(id)!;
      placed.push({ ...node, column: c, x, y: top + i * (NODE_HEIGHT + ROW_GAP), width: widths[c], text: shorten(node.label) });
    });
    const kind = byId.get(ids[0])!.kind;
    if (!headed.has(kind)) headings.push({ x, text: KIND_HEADING[kind] });
    headed.add(kind);
    x += widths[c] + COLUMN_GAP;
  });
  const edges = lineage.edges.filter((e) => byId.has(e.from) && byId.has(e.to));
  return { nodes: placed, edges, width: Math.round(x - COLUMN_GAP + PADDING), height, headings };
}

function shorten(label: string): string {
  return label.length <= MAX_LABEL ? label : `${label.slice(0, MAX_LABEL - 1)}…`;
}

// ---- rendering ----

const FILL: Record<LineageKind, string> = { source: '#eef2f7', bronze: '#f6e7d8', silver: '#e8ecf0', gold: '#f8efc9', report: '#e3f1e6' };
const STROKE: Record<LineageKind, string> = { source: '#6b7a8f', bronze: '#9a6a3a', silver: '#6f7c88', gold: '#9a7b12', report: '#3d7a4c' };

export interface LineageSvgOptions {
  /** The drawing's accessible name. */
  title?: string;
  /** Prefix of the ids inside the SVG, unique on the page. */
  idPrefix?: string;
  /** The id of the text alternative (the nested lists) on the page; the description says it is there. */
  listId?: string;
}

/**
 * The drawing. Its role is graphics-document, not img: an img's children are presentational, so links
 * inside it would be hidden from assistive technology (and axe calls that nested-interactive); a graphics
 * document keeps them reachable while the title and description name the whole.
 */
export function renderLineageSvg(lineage: LineageGraph, options: LineageSvgOptions = {}): string {
  const layout = layoutLineage(lineage);
  const id = options.idPrefix ?? 'lineage';
  const title = options.title ?? 'Lineage: where each table comes from and what reads it';
  const counts = (Object.keys(KIND_ORDER) as LineageKind[])
    .map((k) => [k, lineage.nodes.filter((n) => n.kind === k).length] as const)
    .filter(([, n]) => n > 0)
    .map(([k, n]) => `${n} ${KIND_HEADING[k].toLowerCase()}`);
  const desc = `${counts.join(', ')}, joined by ${layout.edges.length} arrows from each node to what reads it, left to right.${options.listId ? ' The same graph is listed as text after the drawing.' : ''}`;
  const at = new Map(layout.nodes.map((n) => [n.id, n]));
  const out: string[] = [];
  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" class="lineage-graph" role="graphics-document" aria-labelledby="${id}-title" aria-describedby="${id}-desc" viewBox="0 0 ${layout.width} ${layout.height}" width="${layout.width}" height="${layout.height}" font-family="system-ui, -apple-system, 'Segoe UI', sans-serif" font-size="12">`,
    `<title id="${id}-title">${escapeXml(title)}</title>`,
    `<desc id="${id}-desc">${escapeXml(desc)}</desc>`,
    `<defs><marker id="${id}-arrow" viewBox="0 0 8 8" refX="8" refY="4" markerWidth="7" markerHeight="7" orient="auto"><path d="M0,0 L8,4 L0,8 z" fill="#7b8794"/></marker></defs>`,
  );
  for (const h of layout.headings) out.push(`<text x="${h.x}" y="${PADDING + 14}" font-weight="600" fill="#333">${escapeXml(h.text)}</text>`);
  out.push('<g class="edges" fill="none" stroke="#7b8794" stroke-width="1.2">');
  for (const e of layout.edges) {
    const from = at.get(e.from)!;
    const to = at.get(e.to)!;
    const [x1, y1, x2, y2] = [from.x + from.width, from.y + NODE_HEIGHT / 2, to.x, to.y + NODE_HEIGHT / 2];
    const bend = Math.max(24, (x2 - x1) / 2);
    out.push(`<path data-from="${escapeXml(e.from)}" data-to="${escapeXml(e.to)}" d="M${n(x1)},${n(y1)} C${n(x1 + bend)},${n(y1)} ${n(x2 - bend)},${n(y2)} ${n(x2 - 1)},${n(y2)}" marker-end="url(#${id}-arrow)"/>`);
  }
  out.push('</g>', '<g class="nodes">');
  for (const node of layout.nodes) {
    out.push(
      `<a href="${escapeXml(node.href)}" data-node="${escapeXml(node.id)}" class="lineage-node lineage-${node.kind}">`,
      node.text !== node.label ? `<title>${escapeXml(node.label)}</title>` : '',
      `<rect x="${n(node.x)}" y="${n(node.y)}" width="${n(node.width)}" height="${NODE_HEIGHT}" rx="5" fill="${FILL[node.kind]}" stroke="${STROKE[node.kind]}"/>`,
      `<text x="${n(node.x + 10)}" y="${n(node.y + NODE_HEIGHT / 2 + 4)}" fill="#1a1a1a">${escapeXml(node.text)}</text>`,
      '</a>',
    );
  }
  out.push('</g>', '</svg>');
  return out.join('');
}

/** The same graph as text: each kind, its nodes, and for each what it reads and what reads it, as links. */
export function renderLineageList(lineage: LineageGraph, options: { id?: string } = {}): string {
  const byId = new Map(lineage.nodes.map((node) => [node.id, node]));
  const reads = new Map<string, LineageNode[]>();
  const readBy = new Map<string, LineageNode[]>();
  for (const { from, to } of lineage.edges) {
    if (!byId.has(from) || !byId.has(to)) continue;
    reads.set(to, [...(reads.get(to) ?? []), byId.get(from)!]);
    readBy.set(from, [...(readBy.get(from) ?? []), byId.get(to)!]);
  }
  const link = (node: LineageNode) => `<a href="${escapeXml(node.href)}">${escapeXml(node.label)}</a>`;
  const linkList = (label: string, nodes: LineageNode[] | undefined) =>
    nodes?.length ? `<li>${label}: ${nodes.map(link).join(', ')}</li>` : '';
  const out: string[] = [`<ul class="lineage-list"${options.id ? ` id="${escapeXml(options.id)}"` : ''}>`];
  for (const kind of Object.keys(KIND_ORDER) as LineageKind[]) {
    const ofKind = lineage.nodes.filter((node) => node.kind === kind);
    if (ofKind.length === 0) continue;
    out.push(`<li>${KIND_HEADING[kind]}<ul>`);
    for (const node of ofKind) {
      const detail = linkList('Reads', reads.get(node.id)) + linkList(kind === 'report' ? 'Read by' : 'Feeds', readBy.get(node.id));
      out.push(`<li>${link(node)}${detail ? `<ul>${detail}</ul>` : ''}</li>`);
    }
    out.push('</ul></li>');
  }
  out.push('</ul>');
  return out.join('');
}

function n(value: number): string {
  return String(Math.round(value * 10) / 10);
}

const XML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeXml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => XML_ESCAPES[c]);
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
