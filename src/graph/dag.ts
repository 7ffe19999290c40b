// A small generic DAG: nodes in dependency order, and a cycle error that prints the cycle.
export class CycleError extends Error {
  constructor(readonly cycle: string[]) {
    super(`dependency cycle: ${cycle.join(' -> ')}`);
  }
}

export class Dag<T extends string = string> {
  private readonly edges = new Map<T, Set<T>>();

  add(node: T, dependsOn: Iterable<T> = []): this {
    const deps = this.edges.get(node) ?? new Set<T>();
    for (const d of dependsOn) deps.add(d);
    this.edges.set(node, deps);
    return this;
  }

  dependencies(node: T): T[] {
    return [...(this.edges.get(node) ?? [])];
  }

  /** Every node after the nodes it depends on; ties broken by `compare` (default: by name) so the order is stable. */
  order(compare: (a: T, b: T) => number = byName): T[] {
    const state = new Map<T, 'visiting' | 'done'>();
    const out: T[] = [];
    const visit = (node: T, path: T[]) => {
      const s = state.get(node);
      if (s === 'done') return;
      if (s === 'visiting') throw new CycleError([...path.slice(path.indexOf(node)), node]);
      state.set(node, 'visiting');
      for (const dep of [...(this.edges.get(node) ?? [])].sort(compare)) {
        if (this.edges.has(dep)) visit(dep, [...path, node]);
      }
      state.set(node, 'done');
      out.push(node);
    };
    for (const node of [...this.edges.keys()].sort(compare)) visit(node, []);
    return out;
  }

  /** The given nodes and everything that depends on them, directly or not. */
  downstream(nodes: Iterable<T>): Set<T> {
    const result = new Set<T>(nodes);
    let grew = true;
    while (grew) {
      grew = false;
      for (const [node, deps] of this.edges) {
        if (!result.has(node) && [...deps].some((d) => result.has(d))) {
          result.add(node);
          grew = true;
        }
      }
    }
    return result;
  }
}

function byName(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
