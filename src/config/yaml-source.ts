// A parsed YAML file that remembers where every value came from, so any message can name file:line:col.
import { isMap, isPair, isScalar, LineCounter, parseDocument, type Document, type Node } from 'yaml';
import type { Diagnostic } from '../errors.js';

export type YamlPath = ReadonlyArray<string | number>;

export class YamlSource {
  private constructor(
    readonly file: string,
    readonly doc: Document.Parsed,
    private readonly lines: LineCounter,
  ) {}

  /** Parses text; YAML syntax errors come back as diagnostics, never as a throw. */
  static parse(file: string, text: string): { source: YamlSource; diagnostics: Diagnostic[] } {
    const lines = new LineCounter();
    const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
    const source = new YamlSource(file, doc, lines);
    const diagnostics: Diagnostic[] = [
      ...doc.errors.map((e) => source.diagnosticAt(e.pos[0], `invalid YAML: ${firstLine(e.message)}`)),
      ...doc.warnings.map((w) => ({ ...source.diagnosticAt(w.pos[0], firstLine(w.message)), severity: 'warning' as const })),
    ];
    return { source, diagnostics };
  }

  toJS(): unknown {
    return this.doc.toJS({ maxAliasCount: 100 });
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
   * key of the last segment instead (better for "unknown key" messages).
   */
  offsetOf(path: YamlPath, options: { key?: boolean } = {}): number {
    let node: unknown = this.doc.contents;
    let best = rangeStart(node) ?? 0;
    for (const segment of path) {
      if (!isMap(node) && !(node && typeof node === 'object' && 'items' in node)) break;
      const collection = node as { items: unknown[] };
      let next: unknown;
      let keyNode: unknown;
      if (isMap(node)) {
        const pair = node.items.find((p) => isPair(p) && isScalar(p.key) && String(p.key.value) === String(segment));
        if (!pair) break;
        keyNode = pair.key;
        next = pair.value;
      } else if (typeof segment === 'number' || /^\d+$/.test(String(segment))) {
        next = collection.items[Number(segment)];
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
}

function rangeStart(node: unknown): number | undefined {
  const range = (node as Node | undefined)?.range;
  return range ? range[0] : undefined;
}

function firstLine(message: string): string {
  return message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '');
}

export function pathToString(path: YamlPath): string {
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? p : `.${p}`)).join('') || 'pipeline';
}
