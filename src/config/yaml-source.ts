// A parsed YAML file that remembers where every value came from, so any message can name file:line:col.
// Everything here is linear in the file's size, because `validate` runs on fork pull requests: duplicate
// keys are found with one set per mapping (the yaml package's own check compares every pair), aliases are
// counted and their expansion bounded before anything walks the values, and a value's place is found
// through a per-mapping index of its keys.
import { isAlias, isMap, isPair, isScalar, isSeq, LineCounter, parseDocument, type Document, type Node, type YAMLMap } from 'yaml';
import type { Diagnostic } from '../errors.js';

export type YamlPath = ReadonlyArray<string | number>;

/** More aliases than this is refused: resolving each one costs the yaml package a scan of the file. */
export const MAX_ALIASES = 100;
/** Values that aliases may add once expanded: a "billion laughs" file is refused at its first alias past this. */
export const MAX_ALIAS_EXPANSION = 10_000;
/** Deeper values are refused; the deepest pipeline key (silver.<t>.columns.<c>.normalize[i]) is at level 6. */
export const MAX_DEPTH = 64;

export class YamlSource {
  private readonly keyIndex = new WeakMap<YAMLMap, Map<string, unknown>>();
  private checked = false;

  private constructor(
    readonly file: string,
    /** What the whole document is called in messages: "pipeline", "dataops.yml". */
    readonly root: string,
    readonly doc: Document.Parsed,
    private readonly lines: LineCounter,
  ) {}

  /** Parses text; YAML syntax errors and refused structures come back as diagnostics, never as a throw. */
  static parse(file: string, text: string, options: { root?: string } = {}): { source: YamlSource; diagnostics: Diagnostic[] } {
    const lines = new LineCounter();
    const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: false });
    const source = new YamlSource(file, options.root ?? 'pipeline', doc, lines);
    const diagnostics: Diagnostic[] = [
      ...doc.errors.map((e) =>
        source.diagnosticAt(e.pos[0], e.code === 'RESOURCE_EXHAUSTION' ? `invalid YAML: values are nested too deeply` : `invalid YAML: ${firstLine(e.message)}`),
      ),
      ...doc.warnings.map((w) => ({ ...source.diagnosticAt(w.pos[0], firstLine(w.message)), severity: 'warning' as const })),
    ];
    if (!diagnostics.some((d) => d.severity === 'error')) {
      const problems = source.structureProblems();
      diagnostics.push(...problems);
      source.checked = problems.length === 0;
    }
    return { source, diagnostics };
  }

  /** The document as plain values; only for a source that parsed without errors. */
  toJS(): unknown {
    if (!this.checked) throw new Error(`${this.file}: toJS() of a document with errors`);
    // The aliases were counted and their expansion bounded by structureProblems().
    return this.doc.toJS({ maxAliasCount: -1 });
  }

  /** Line and column (1-based) of a character offset. */
  position(offset: number): { line: number; col: number } {
    const { line, col } = this.lines.linePos(offset);
    return { line, col };
  }

  diagnosticAt(offset: number, message: string): Diagnostic {
    return { file: this.file, ...this.position(offset), message, severity: 'error' };
  }

  /**
   * Where the value at `path` starts, or the nearest existing ancestor. With `key: true` it points at the
   * key of the last segment instead (better for "unknown key" messages). O(length of the path).
   */
  offsetOf(path: YamlPath, options: { key?: boolean } = {}): number {
    let node: unknown = this.doc.contents;
    let best = rangeStart(node) ?? 0;
    for (const segment of path) {
      let next: unknown;
      let keyNode: unknown;
      if (isMap(node)) {
        const pair = this.pairOf(node, String(segment));
        if (!isPair(pair)) break;
        keyNode = pair.key;
        next = pair.value;
      } else if (isSeq(node) && (typeof segment === 'number' || /^\d+$/.test(segment))) {
        next = node.items[Number(segment)];
      } else break;
      const start = (options.key && keyNode ? rangeStart(keyNode) : undefined) ?? rangeStart(next) ?? rangeStart(keyNode);
      if (start !== undefined) best = start;
      node = next;
    }
    return best;
  }

  diagnosticFor(path: YamlPath, message: string, options: { key?: boolean; severity?: 'error' | 'warning' } = {}): Diagnostic {
    return { ...this.diagnosticAt(this.offsetOf(path, options), message), severity: options.severity ?? 'error' };
  }

  lineOf(path: YamlPath): number {
    return this.position(this.offsetOf(path)).line;
  }

  private pairOf(map: YAMLMap, key: string): unknown {
    let index = this.keyIndex.get(map);
    if (!index) {
      index = new Map();
      for (const pair of map.items) {
        const name = isPair(pair) && isScalar(pair.key) ? String(pair.key.value) : undefined;
        if (name !== undefined && !index.has(name)) index.set(name, pair);
      }
      this.keyIndex.set(map, index);
    }
    return index.get(key);
  }

  /**
   * One walk over the document: keys that are not plain or that repeat, nesting past MAX_DEPTH, and
   * aliases. An alias refers to the last anchor of its name before it, so when the walk reaches it the
   * anchored value is either finished (its expanded size is known) or still open (the alias is inside
   * it, a cycle). Stops at the first alias or nesting problem: past that, sizes mean nothing.
   */
  private structureProblems(): Diagnostic[] {
    const problems: Diagnostic[] = [];
    const anchors = new Map<string, Node>();
    const sizes = new Map<Node, number>();
    const open = new Set<Node>();
    let aliases = 0;
    let added = 0;
    const stop = new Error('stop');
    const fail = (node: unknown, message: string): never => {
      problems.push(this.diagnosticAt(rangeStart(node) ?? 0, message));
      throw stop;
    };
    const expandedSize = (node: unknown, depth: number): number => {
      if (isAlias(node)) {
        aliases += 1;
        if (aliases > MAX_ALIASES) fail(node, `more than ${MAX_ALIASES} aliases (*name) in one file; write some of the values out`);
        const target = anchors.get(node.source);
        if (!target) return fail(node, `alias *${node.source} has no anchor &${node.source} before it`);
        const size = sizes.get(target);
        if (size === undefined || open.has(target)) return fail(node, `alias *${node.source} is inside the value it refers to`);
        added += size - 1;
        if (added > MAX_ALIAS_EXPANSION) {
          const limit = MAX_ALIAS_EXPANSION.toLocaleString('en-US');
          fail(node, `alias *${node.source}: the aliases in this file would expand to more than ${limit} extra values (the limit); write the values out or use fewer aliases`);
        }
        return size;
      }
      // A flow sequence may hold `key: value` pairs.
      if (isPair(node)) return expandedSize(node.key, depth) + expandedSize(node.value, depth);
      const anchored = node as Node | null;
      if (anchored && typeof anchored === 'object' && 'anchor' in anchored && anchored.anchor) anchors.set(anchored.anchor, anchored);
      if (!isMap(node) && !isSeq(node)) {
        if (anchored) sizes.set(anchored, 1);
        return 1;
      }
      if (depth >= MAX_DEPTH) fail(node, `values are nested more than ${MAX_DEPTH} levels deep`);
      open.add(node);
      let size = 1;
      if (isSeq(node)) {
        for (const item of node.items) size += expandedSize(item, depth + 1);
      } else {
        const seen = new Map<string, number>();
        for (const pair of node.items) {
          if (!isScalar(pair.key) && pair.key !== null) {
            problems.push(this.diagnosticAt(rangeStart(pair.key) ?? 0, `a key must be a plain name, not ${isAlias(pair.key) ? 'an alias' : 'a list or mapping'}`));
          } else {
            if (pair.key) expandedSize(pair.key, depth + 1);
            const name = isScalar(pair.key) ? String(pair.key.value) : '';
            const first = seen.get(name);
            if (first !== undefined) {
              problems.push(this.diagnosticAt(rangeStart(pair.key) ?? 0, `duplicate key "${clip(name)}" (first at line ${this.position(first).line})`));
            } else seen.set(name, rangeStart(pair.key) ?? 0);
            size += 1;
          }
          size += expandedSize(pair.value, depth + 1);
        }
      }
      open.delete(node);
      sizes.set(node, size);
      return size;
    };
    try {
      expandedSize(this.doc.contents, 0);
    } catch (e) {
      if (e !== stop) throw e;
    }
    return problems;
  }
}

function rangeStart(node: unknown): number | undefined {
  const range = (node as Node | undefined)?.range;
  return range ? range[0] : undefined;
}

function firstLine(message: string): string {
  return message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '');
}

/** A user's text in a message, cut short: a message quotes a value, never a whole file. */
export function clip(text: string, max = 60): string {
  return text.length <= max ? text : `${text.slice(0, max)}...`;
}

export function pathToString(path: YamlPath, root = 'pipeline'): string {
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? clip(p) : `.${clip(p)}`)).join('') || root;
}
